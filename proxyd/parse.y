/*
 * Copyright (c) 2026 The proxyd authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The configuration language: its lexer (one statement a line, macros,
 * includes) and grammar.  Every mistake becomes a "FILE:LINE: message"
 * in the error list and parsing goes on, so that one run shows them all.
 *
 * Messages about a file as a whole (cannot be parsed at all, writable by
 * group or others, not a regular file) use line 0.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "proxyd.h"

#define INCLUDE_DEPTH_MAX	16
#define STRING_MAX		8192
#define LOCATION_DEPTH_MAX	8
#define PENDING_MAX		64
#define HEADER_SIZE_MIN		512
#define HEADER_SIZE_MAX		(1024 * 1024)
#define HEADERS_MAX		10000

/* An open configuration file; the last one of the list is read. */
struct file {
	TAILQ_ENTRY(file)	 entry;
	FILE			*stream;
	const char		*name;		/* owned by the config */
	int			 lineno;
	int			 lastline;	/* of the last token */
	int			 closing;	/* open blocks closed at EOF */
	dev_t			 dev;
	ino_t			 ino;
	int			 ungot;		/* character pushed back */
};
TAILQ_HEAD(filelist, file);

/* A macro: from the file, or from -D (persist: the file cannot change it). */
struct sym {
	TAILQ_ENTRY(sym)	 entry;
	char			*name;
	char			*value;
	int			 persist;
};
TAILQ_HEAD(symlist, sym);

typedef struct {
	union {
		int64_t		 number;
		char		*string;
	} v;
	const char		*file;
	int			 lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED	1

int		 yylex(void);
void		 yyerror(const char *);
int		 yyparse(void);

static struct config	*conf;
static struct errlist	*errs;
static struct filelist	 files = TAILQ_HEAD_INITIALIZER(files);
static struct file	*file;
static struct symlist	 syms = TAILQ_HEAD_INITIALIZER(syms);

static struct server	*srv;		/* the server block being read */
static struct location	*loc;		/* the location block being read */
static struct location	*locstack[LOCATION_DEPTH_MAX];
static int		 locdepth;
static unsigned int	 globals;	/* global statements seen */
static struct hsts_conf	 hsts;		/* options of one hsts statement */
static char		**names;	/* names of one require statement */
static size_t		 nnames;

/*
 * Token strings are owned by the parser, not by the grammar: error
 * recovery throws values away, and here nothing can leak.  Actions copy
 * what they keep.
 */
static char		**arena;
static size_t		 narena;

/* The last two tokens, for error messages. */
struct tokinfo {
	int		 tok;
	char		 text[64];
	int		 bare;		/* a word, not a quoted string */
	int		 stmtstart;	/* first token of a statement */
	unsigned int	 seq;
	const char	*file;
	int		 lineno;
};
static struct tokinfo	 last, before_last;
static int		 prevtok;
static int		 quoted;	/* the token was quoted or a macro */
static unsigned int	 tokseq;
static unsigned int	 reported_seq;	/* the lexer said what was wrong */

/*
 * Tokens the lexer owes the parser: a '\n' before a '}' that ends a
 * one-line block, and the '}' of blocks left open at the end of a file
 * (quiet: their error was reported already).
 */
static struct {
	int		 tok;
	int		 quiet;
}			 pending[PENDING_MAX];
static int		 npending;

/*
 * After a syntax error the parser skips to the end of the line; when
 * that line opens a block the whole block goes with it, or its body
 * would be read as statements of the wrong place.
 */
static enum { SKIP_NONE, SKIP_LINE, SKIP_BLOCK } skip;
static int		 skipdepth;

enum {
	G_USER		= 0x0001,
	G_CHROOT	= 0x0002,
	G_PREFORK	= 0x0004,
	G_SOCKET	= 0x0008,
	G_SYSLOG	= 0x0010,
	G_ACCESS	= 0x0020,
	G_HDRSIZE	= 0x0040,
	G_HEADERS	= 0x0080,
	G_BODYSIZE	= 0x0100,
	G_CLIENTS	= 0x0200,
	G_TIMEOUT	= 0x0400	/* and the next five bits */
};

static const char *timeout_names[] = {
	"header", "body", "idle", "connect", "backend", "shutdown"
};

static void	 perr(const char *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static char	*astr(const char *);
static char	*xstrdup(const char *);
static struct file *pushfile(const char *, const char *, int);
static int	 popfile(void);
static char	*include_path(const char *, const char *);
static int	 global_ok(const char *, unsigned int, const char *, int);
static void	 set_string(char **, const char *);
static int64_t	 number_of(const char *, const char *, int);
static int64_t	 duration_of(const char *, const char *, int);
static int64_t	 size_of(const char *, const char *, int);
static int64_t	 seconds_of(int64_t, const char *, int);
static int	 facility_of(const char *, const char *, int);
static void	 set_timeout(int, int64_t, const char *, int);
static void	 varset(const char *, const char *, const char *, int);
static void	 server_begin(const char *, const char *, int);
static void	 server_alias(const char *, const char *, int);
static void	 listen_add(const char *, int, int64_t, const char *, int);
static void	 tls_set(char **, int *, const char *, const char *,
		    const char *, int);
static void	 tls_protocols(const char *, const char *, int);
static void	 location_begin(const char *, const char *, int);
static void	 location_end(void);
static struct rules *rules(void);
static int	 action_ok(const char *, int);
static void	 proxy_to(const char *, const char *, int);
static void	 redirect_to(int64_t, const char *, const char *, int);
static void	 authenticate(const char *, const char *, const char *,
		    const char *, int);
static void	 no_authenticate(const char *, int);
static void	 require_add(enum require_type, const char *, int);
static void	 names_add(const char *);
static void	 reverse_add(const char *, const char *, int);
static void	 via_set(int, const char *, int);
static void	 hsts_set(const char *, int);
static void	 backend_ca(const char *, const char *, int);
static void	 backend_noverify(const char *, int);
%}

%token	ACCESS ADDRESS ALIAS AUTHENTICATE BACKEND BLOCK BODY CA CERTIFICATE
%token	CHAIN CHROOT CIPHERS CLIENTS CODE COMBINED COMMON CONNECT CREDENTIALS
%token	FACILITY FULL GROUP GROUPS HEADER HEADERS HOST HSTS IDLE INCLUDE KEY
%token	LIFETIME LIMIT LISTEN LOCATION LOG MAX MAXAGE NO OCSP OFF ON PASS PER
%token	PORT PREFORK PRELOAD PRESERVE PROTOCOLS PROXY REDIRECT REQUIRE REVERSE
%token	SERVER SHUTDOWN SIZE SOCKET SUBDOMAINS SYSLOG TICKET TIMEOUT TLS TO
%token	USER USERS VALIDUSER VERIFY VIA
%token	ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.string>	string optgroups
%type	<v.number>	number duration size optmax optfacility logformat
%type	<v.number>	timeoutkind opttls optcode viaval

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include
		| grammar STRING '=' string '\n' {
			varset($2, $4, $<file>2, $<lineno>2);
		}
		| grammar global '\n'
		| grammar server '\n'
		| grammar error '\n'		{ yyerrok; }
		;

/*
 * The new file is read from the token after the '\n': byacc reduces a
 * rule that ends in a token without reading a lookahead.
 */
include		: INCLUDE string '\n'		{
			struct file	*nfile;
			char		*path;

			path = include_path(file->name, $2);
			nfile = pushfile(path, $<file>1, $<lineno>1);
			free(path);
			if (nfile != NULL)
				file = nfile;
		}
		;

string		: STRING			{ $$ = $1; }
		| NUMBER			{
			char	 buf[32];

			snprintf(buf, sizeof(buf), "%lld", (long long)$1);
			$$ = astr(buf);
		}
		;

number		: NUMBER			{ $$ = $1; }
		| STRING			{
			$$ = number_of($1, $<file>1, $<lineno>1);
		}
		;

duration	: NUMBER			{
			$$ = seconds_of($1, $<file>1, $<lineno>1);
		}
		| STRING			{
			$$ = duration_of($1, $<file>1, $<lineno>1);
		}
		;

size		: NUMBER			{ $$ = $1; }
		| STRING			{
			$$ = size_of($1, $<file>1, $<lineno>1);
		}
		;

optnl		: /* empty */
		| optnl '\n'
		;

global		: USER string			{
			if (global_ok("user", G_USER, $<file>1, $<lineno>1)) {
				set_string(&conf->user, $2);
				conf->user_file = $<file>1;
				conf->user_line = $<lineno>1;
			}
		}
		| CHROOT string			{
			if (global_ok("chroot", G_CHROOT, $<file>1,
			    $<lineno>1)) {
				set_string(&conf->chroot, $2);
				conf->chroot_file = $<file>1;
				conf->chroot_line = $<lineno>1;
			}
		}
		| PREFORK number optmax		{
			int64_t	 max = $3;

			if ($2 < 0 || $3 == -2)
				break;
			if ($2 < 1 || $2 > PREFORK_LIMIT) {
				perr($<file>1, $<lineno>1, "prefork must be "
				    "between 1 and %d", PREFORK_LIMIT);
				break;
			}
			if (max == -1)
				max = $2 > PREFORK_MAX_DEFAULT ? $2 :
				    PREFORK_MAX_DEFAULT;
			if (max < $2 || max > PREFORK_LIMIT) {
				perr($<file>1, $<lineno>1, "prefork max must "
				    "be between %lld and %d", (long long)$2,
				    PREFORK_LIMIT);
				break;
			}
			if (!global_ok("prefork", G_PREFORK, $<file>1,
			    $<lineno>1))
				break;
			conf->prefork_min = $2;
			conf->prefork_max = max;
		}
		| SOCKET string			{
			if (global_ok("socket", G_SOCKET, $<file>1,
			    $<lineno>1))
				set_string(&conf->socket, $2);
		}
		| LOG SYSLOG optfacility	{
			if ($3 != -1 && global_ok("log syslog", G_SYSLOG,
			    $<file>1, $<lineno>1))
				conf->syslog_facility = $3;
		}
		| LOG ACCESS string logformat	{
			if (global_ok("log access", G_ACCESS, $<file>1,
			    $<lineno>1)) {
				set_string(&conf->accesslog, $3);
				conf->accesslog_format = $4;
				conf->accesslog_file = $<file>1;
				conf->accesslog_line = $<lineno>1;
			}
		}
		| TIMEOUT timeoutkind duration	{
			set_timeout($2, $3, $<file>1, $<lineno>1);
		}
		| LIMIT HEADER SIZE size	{
			if ($4 < 0)
				break;
			if ($4 < HEADER_SIZE_MIN || $4 > HEADER_SIZE_MAX)
				perr($<file>1, $<lineno>1, "limit header size "
				    "must be between %d and %d",
				    HEADER_SIZE_MIN, HEADER_SIZE_MAX);
			else if (global_ok("limit header size", G_HDRSIZE,
			    $<file>1, $<lineno>1))
				conf->limit_header_size = $4;
		}
		| LIMIT HEADERS number		{
			if ($3 < 0)
				break;
			if ($3 < 1 || $3 > HEADERS_MAX)
				perr($<file>1, $<lineno>1, "limit headers must "
				    "be between 1 and %d", HEADERS_MAX);
			else if (global_ok("limit headers", G_HEADERS,
			    $<file>1, $<lineno>1))
				conf->limit_headers = $3;
		}
		| LIMIT BODY SIZE size		{
			if ($4 >= 0 && global_ok("limit body size", G_BODYSIZE,
			    $<file>1, $<lineno>1))
				conf->limit_body_size = $4;
		}
		| LIMIT CLIENTS PER ADDRESS number {
			if ($5 < 0)
				break;
			if ($5 < 1 || $5 > INT_MAX)
				perr($<file>1, $<lineno>1, "limit clients per "
				    "address must be between 1 and %d",
				    INT_MAX);
			else if (global_ok("limit clients per address",
			    G_CLIENTS, $<file>1, $<lineno>1))
				conf->limit_clients = $5;
		}
		;

optmax		: /* empty */			{ $$ = -1; }
		| MAX number			{ $$ = $2 < 0 ? -2 : $2; }
		;

optfacility	: /* empty */			{ $$ = LOG_DAEMON; }
		| FACILITY string		{
			$$ = facility_of($2, $<file>1, $<lineno>1);
		}
		;

logformat	: /* empty */			{ $$ = ACCESSLOG_COMBINED; }
		| COMBINED			{ $$ = ACCESSLOG_COMBINED; }
		| COMMON			{ $$ = ACCESSLOG_COMMON; }
		;

timeoutkind	: HEADER			{ $$ = 0; }
		| BODY				{ $$ = 1; }
		| IDLE				{ $$ = 2; }
		| CONNECT			{ $$ = 3; }
		| BACKEND			{ $$ = 4; }
		| SHUTDOWN			{ $$ = 5; }
		;

server		: SERVER string optnl '{'	{
			server_begin($2, $<file>1, $<lineno>1);
		} srvbody '}'			{
			srv = NULL;
		}
		;

srvbody		: /* empty */
		| srvbody '\n'
		| srvbody srvstmt '\n'
		| srvbody error '\n'		{ yyerrok; }
		;

srvstmt		: srvopt
		| ruleopt
		| location
		;

srvopt		: ALIAS string			{
			server_alias($2, $<file>1, $<lineno>1);
		}
		| LISTEN ON string opttls PORT number {
			listen_add($3, $4, $6, $<file>1, $<lineno>1);
		}
		| TLS CERTIFICATE string	{
			tls_set(&srv->tls.certificate,
			    &srv->tls.certificate_line, $3,
			    "tls certificate", $<file>1, $<lineno>1);
		}
		| TLS KEY string		{
			tls_set(&srv->tls.key, &srv->tls.key_line, $3,
			    "tls key", $<file>1, $<lineno>1);
		}
		| TLS CHAIN string		{
			tls_set(&srv->tls.chain, &srv->tls.chain_line, $3,
			    "tls chain", $<file>1, $<lineno>1);
		}
		| TLS OCSP string		{
			tls_set(&srv->tls.ocsp, &srv->tls.ocsp_line, $3,
			    "tls ocsp", $<file>1, $<lineno>1);
		}
		| TLS PROTOCOLS string		{
			tls_protocols($3, $<file>1, $<lineno>1);
		}
		| TLS CIPHERS string		{
			if ($3[0] == '\0')
				perr($<file>1, $<lineno>1,
				    "empty tls ciphers");
			else
				tls_set(&srv->tls.ciphers,
				    &srv->tls.ciphers_line, $3,
				    "tls ciphers", $<file>1, $<lineno>1);
		}
		| TLS TICKET LIFETIME duration	{
			if ($4 < 0)
				break;
			if (srv->tls.ticket_lifetime != -1)
				perr($<file>1, $<lineno>1,
				    "tls ticket lifetime already set");
			else if ($4 > INT_MAX)
				perr($<file>1, $<lineno>1,
				    "tls ticket lifetime is too large");
			else
				srv->tls.ticket_lifetime = $4;
		}
		| HSTS hstsopts			{
			hsts_set($<file>1, $<lineno>1);
		}
		| BACKEND TLS CA string		{
			backend_ca($4, $<file>1, $<lineno>1);
		}
		| BACKEND TLS NO VERIFY		{
			backend_noverify($<file>1, $<lineno>1);
		}
		;

opttls		: /* empty */			{ $$ = 0; }
		| TLS				{ $$ = 1; }
		;

hstsopts	: /* empty */			{
			memset(&hsts, 0, sizeof(hsts));
			hsts.enabled = 1;
			hsts.max_age = HSTS_MAX_AGE_DEFAULT;
		}
		| hstsopts MAXAGE number	{
			if ($3 >= 0)
				hsts.max_age = $3;
		}
		| hstsopts SUBDOMAINS		{ hsts.subdomains = 1; }
		| hstsopts PRELOAD		{ hsts.preload = 1; }
		;

ruleopt		: PROXY TO string		{
			proxy_to($3, $<file>1, $<lineno>1);
		}
		| NO PROXY			{
			if (action_ok($<file>1, $<lineno>1))
				rules()->action = ACTION_NOPROXY;
		}
		| REDIRECT optcode TO string	{
			redirect_to($2, $4, $<file>1, $<lineno>1);
		}
		| AUTHENTICATE string USERS string optgroups {
			authenticate($2, $4, $5, $<file>1, $<lineno>1);
		}
		| NO AUTHENTICATE		{
			no_authenticate($<file>1, $<lineno>1);
		}
		| REQUIRE VALIDUSER		{
			nnames = 0;
			require_add(REQUIRE_VALID_USER, $<file>1, $<lineno>1);
		}
		| REQUIRE USER namelist		{
			require_add(REQUIRE_USER, $<file>1, $<lineno>1);
		}
		| REQUIRE GROUP namelist	{
			require_add(REQUIRE_GROUP, $<file>1, $<lineno>1);
		}
		| PASS CREDENTIALS		{
			rules()->set |= RULE_PASSCRED;
			rules()->pass_credentials = 1;
		}
		| VIA viaval			{
			via_set($2, $<file>1, $<lineno>1);
		}
		| PRESERVE HOST			{
			rules()->set |= RULE_PRESERVEHOST;
			rules()->preserve_host = 1;
		}
		| REVERSE string		{
			reverse_add($2, $<file>1, $<lineno>1);
		}
		;

optcode		: /* empty */			{ $$ = 301; }
		| CODE number			{ $$ = $2; }
		;

optgroups	: /* empty */			{ $$ = NULL; }
		| GROUPS string			{ $$ = $2; }
		;

namelist	: string			{
			nnames = 0;
			names_add($1);
		}
		| namelist string		{ names_add($2); }
		;

viaval		: ON				{ $$ = VIA_ON; }
		| OFF				{ $$ = VIA_OFF; }
		| FULL				{ $$ = VIA_FULL; }
		| BLOCK				{ $$ = VIA_BLOCK; }
		;

location	: LOCATION string optnl '{'	{
			location_begin($2, $<file>1, $<lineno>1);
		} locbody '}'			{
			location_end();
		}
		;

locbody		: /* empty */
		| locbody '\n'
		| locbody locstmt '\n'
		| locbody error '\n'		{ yyerrok; }
		;

locstmt		: ruleopt
		| location
		;

%%

/* Where a keyword may start a statement, for messages. */
#define K_TOP		0x1
#define K_SERVER	0x2
#define K_LOCATION	0x4
#define K_RULE		(K_SERVER | K_LOCATION)

struct keyword {
	const char	*name;
	int		 token;
	int		 where;
};

/* Sorted for bsearch(). */
static const struct keyword keywords[] = {
	{ "access",		ACCESS,		0 },
	{ "address",		ADDRESS,	0 },
	{ "alias",		ALIAS,		K_SERVER },
	{ "authenticate",	AUTHENTICATE,	K_RULE },
	{ "backend",		BACKEND,	K_SERVER },
	{ "block",		BLOCK,		0 },
	{ "body",		BODY,		0 },
	{ "ca",			CA,		0 },
	{ "certificate",	CERTIFICATE,	0 },
	{ "chain",		CHAIN,		0 },
	{ "chroot",		CHROOT,		K_TOP },
	{ "ciphers",		CIPHERS,	0 },
	{ "clients",		CLIENTS,	0 },
	{ "code",		CODE,		0 },
	{ "combined",		COMBINED,	0 },
	{ "common",		COMMON,		0 },
	{ "connect",		CONNECT,	0 },
	{ "credentials",	CREDENTIALS,	0 },
	{ "facility",		FACILITY,	0 },
	{ "full",		FULL,		0 },
	{ "group",		GROUP,		0 },
	{ "groups",		GROUPS,		0 },
	{ "header",		HEADER,		0 },
	{ "headers",		HEADERS,	0 },
	{ "host",		HOST,		0 },
	{ "hsts",		HSTS,		K_SERVER },
	{ "idle",		IDLE,		0 },
	{ "include",		INCLUDE,	K_TOP },
	{ "key",		KEY,		0 },
	{ "lifetime",		LIFETIME,	0 },
	{ "limit",		LIMIT,		K_TOP },
	{ "listen",		LISTEN,		K_SERVER },
	{ "location",		LOCATION,	K_RULE },
	{ "log",		LOG,		K_TOP },
	{ "max",		MAX,		0 },
	{ "max-age",		MAXAGE,		0 },
	{ "no",			NO,		K_RULE },
	{ "ocsp",		OCSP,		0 },
	{ "off",		OFF,		0 },
	{ "on",			ON,		0 },
	{ "pass",		PASS,		K_RULE },
	{ "per",		PER,		0 },
	{ "port",		PORT,		0 },
	{ "prefork",		PREFORK,	K_TOP },
	{ "preload",		PRELOAD,	0 },
	{ "preserve",		PRESERVE,	K_RULE },
	{ "protocols",		PROTOCOLS,	0 },
	{ "proxy",		PROXY,		K_RULE },
	{ "redirect",		REDIRECT,	K_RULE },
	{ "require",		REQUIRE,	K_RULE },
	{ "reverse",		REVERSE,	K_RULE },
	{ "server",		SERVER,		K_TOP },
	{ "shutdown",		SHUTDOWN,	0 },
	{ "size",		SIZE,		0 },
	{ "socket",		SOCKET,		K_TOP },
	{ "subdomains",		SUBDOMAINS,	0 },
	{ "syslog",		SYSLOG,		0 },
	{ "ticket",		TICKET,		0 },
	{ "timeout",		TIMEOUT,	K_TOP },
	{ "tls",		TLS,		K_SERVER },
	{ "to",			TO,		0 },
	{ "user",		USER,		K_TOP },
	{ "users",		USERS,		0 },
	{ "valid-user",		VALIDUSER,	0 },
	{ "verify",		VERIFY,		0 },
	{ "via",		VIA,		K_RULE }
};

static int
keyword_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct keyword *)e)->name);
}

static const struct keyword *
keyword_find(const char *s)
{
	return bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), keyword_cmp);
}

static const struct keyword *
keyword_of(int tok)
{
	size_t	 i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (keywords[i].token == tok)
			return &keywords[i];
	}
	return NULL;
}

static void
perr(const char *fname, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	errlist_add(errs, fname, line, "%s", msg);
	free(msg);
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("%s", __func__);
	return p;
}

/* A string of the parser's arena, freed when parsing ends. */
static char *
astr(const char *s)
{
	char	**a;

	if ((a = reallocarray(arena, narena + 1, sizeof(*arena))) == NULL)
		fatal("%s", __func__);
	arena = a;
	return arena[narena++] = xstrdup(s);
}

static void
arena_free(void)
{
	while (narena > 0)
		free(arena[--narena]);
	free(arena);
	arena = NULL;
	free(names);
	names = NULL;
	nnames = 0;
}

static int	 lgetc(void);
static void	 lungetc(int);

/* Blanks are skipped by the lexer anyway. */
static int
next_is_equals(void)
{
	int	 c;

	if (file == NULL)
		return 0;
	while ((c = lgetc()) == ' ' || c == '\t')
		;
	lungetc(c);
	return c == '=';
}

/* The syntax error message says what is wrong with the last token. */
void
yyerror(const char *msg)
{
	const struct keyword	*kw;
	const char		*fname = file != NULL ? file->name : conf->path;
	int			 line = yylval.lineno;

	if (last.tok == '{') {
		skip = SKIP_BLOCK;
		skipdepth = 1;
	} else if (last.tok != '\n' && last.tok != 0)
		skip = SKIP_LINE;
	if (reported_seq == last.seq)
		return;
	if (last.tok == 0) {
		perr(fname, file != NULL ? file->lastline : line,
		    "%s at end of file", msg);
		return;
	}
	/* At the top level a word may start a macro definition. */
	if (before_last.stmtstart && before_last.tok == STRING &&
	    before_last.bare && last.tok != '=' &&
	    before_last.seq + 1 == last.seq) {
		perr(before_last.file, before_last.lineno,
		    "unknown keyword \"%s\"", before_last.text);
		return;
	}
	fname = yylval.file;
	if (last.tok == '\n') {
		perr(fname, line, "%s at end of line", msg);
		return;
	}
	if (last.stmtstart && last.tok == STRING && last.bare) {
		perr(fname, line, "unknown keyword \"%s\"", last.text);
		return;
	}
	if (last.stmtstart && (kw = keyword_of(last.tok)) != NULL) {
		if (srv == NULL && next_is_equals())
			perr(fname, line, "\"%s\" is a keyword and cannot be "
			    "a macro name", kw->name);
		else if (kw->where == 0)
			perr(fname, line, "unknown keyword \"%s\"", kw->name);
		else if (loc != NULL)
			perr(fname, line, "\"%s\" is not allowed in a location",
			    kw->name);
		else if (srv != NULL)
			perr(fname, line, "\"%s\" is not allowed in a server",
			    kw->name);
		else
			perr(fname, line, "\"%s\" is only allowed in a server",
			    kw->name);
		return;
	}
	perr(fname, line, "%s near \"%s\"", msg, last.text);
}

/* Lexer. */

static int
lgetc(void)
{
	int	 c;

	if (file->ungot != EOF) {
		c = file->ungot;
		file->ungot = EOF;
		return c;
	}
	return getc(file->stream);
}

static void
lungetc(int c)
{
	file->ungot = c;
}

static int
wordchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("-_.:/@*[]", c) != NULL);
}

static void
pending_add(int tok, int quiet)
{
	if (npending < PENDING_MAX) {
		pending[npending].tok = tok;
		pending[npending++].quiet = quiet;
	}
}

static int
pending_pop(void)
{
	int	 tok = pending[0].tok;

	if (pending[0].quiet)
		reported_seq = tokseq + 1;
	memmove(pending, pending + 1, --npending * sizeof(pending[0]));
	return tok;
}

/* A token the lexer itself found wrong: yyerror() stays quiet. */
static int
lex_error(const char *fmt, ...)
    __attribute__((__format__ (printf, 1, 2)));

static int
lex_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	perr(yylval.file, yylval.lineno, "%s", msg);
	free(msg);
	reported_seq = tokseq + 1;
	return ERROR;
}

static int
lex_quoted(char *buf)
{
	size_t	 len = 0;
	int	 c, next, bad = 0;

	for (;;) {
		c = lgetc();
		if (c == EOF || c == '\n') {
			lungetc(c);
			return lex_error("unterminated quoted string");
		}
		if (c == '\\') {
			next = lgetc();
			if (next == '"' || next == '\\')
				c = next;
			else if (next == '\n') {
				file->lineno++;
				continue;
			} else
				lungetc(next);
		} else if (c == '"')
			break;
		if (c == '\0')
			bad = 1;
		if (len >= STRING_MAX - 1) {
			bad = 2;
			continue;
		}
		buf[len++] = c;
	}
	buf[len] = '\0';
	if (bad == 1)
		return lex_error("NUL character in quoted string");
	if (bad == 2)
		return lex_error("quoted string too long");
	yylval.v.string = astr(buf);
	quoted = 1;
	return STRING;
}

static int
lex_macro(char *buf)
{
	struct sym	*sym;
	size_t		 len = 0;
	int		 c;

	buf[len++] = '$';
	while ((c = lgetc()) != EOF && (isalnum(c) || c == '_')) {
		if (len < STRING_MAX - 1)
			buf[len++] = c;
	}
	lungetc(c);
	buf[len] = '\0';
	if (len == 1)
		return lex_error("\"$\" without a macro name");
	TAILQ_FOREACH(sym, &syms, entry) {
		if (strcmp(sym->name, buf + 1) == 0)
			break;
	}
	if (sym == NULL)
		return lex_error("undefined macro \"%s\"", buf + 1);
	yylval.v.string = astr(sym->value);
	quoted = 1;
	return STRING;
}

static int
lex_word(char *buf, int c)
{
	const struct keyword	*kw;
	const char		*errstr;
	size_t			 len = 0;
	int			 digits = 1;

	do {
		if (!isdigit(c))
			digits = 0;
		if (len < STRING_MAX - 1)
			buf[len++] = c;
	} while ((c = lgetc()) != EOF && wordchar(c));
	lungetc(c);
	buf[len] = '\0';
	if (len >= STRING_MAX - 1)
		return lex_error("word too long");
	if (digits) {
		yylval.v.number = strtonum(buf, 0, INT64_MAX, &errstr);
		if (errstr == NULL)
			return NUMBER;
	} else if ((kw = keyword_find(buf)) != NULL)
		return kw->token;
	yylval.v.string = astr(buf);
	return STRING;
}

/*
 * At the end of a file: end its last line, close the blocks it left
 * open (after saying so), then go back to the including file.  Blocks
 * are only at the top level of a file, so what is open now was opened
 * in this one.
 */
static int
lex_eof(void)
{
	int	 open;

	if (prevtok != '\n')
		return '\n';
	open = (srv != NULL) + locdepth;
	if (open > 0 && !file->closing) {
		perr(file->name, file->lastline,
		    "missing \"}\" at end of file");
		file->closing = 1;
		while (open-- > 0) {
			pending_add('}', 1);
			pending_add('\n', 1);
		}
		return pending_pop();
	}
	if (popfile() == EOF)
		return 0;
	return -1;
}

static int
lex(char *buf)
{
	int	 c, next, tok;

 again:
	if (npending > 0)
		return pending_pop();
	while ((c = lgetc()) == ' ' || c == '\t' || c == '\r' || c == '\\') {
		if (c != '\\')
			continue;
		if ((next = lgetc()) != '\n') {
			lungetc(next);
			break;
		}
		file->lineno++;
	}
	if (c == '#') {
		while ((c = lgetc()) != '\n' && c != EOF)
			;
	}
	yylval.file = file->name;
	yylval.lineno = file->lineno;
	buf[0] = c;
	buf[1] = '\0';
	switch (c) {
	case EOF:
		skip = SKIP_NONE;
		yylval.lineno = file->lastline;
		if ((tok = lex_eof()) == -1)
			goto again;
		return tok;
	case '\n':
		file->lineno++;
		return '\n';
	case '}':
		if (prevtok != '\n' && prevtok != '{') {
			pending_add('}', 0);
			return '\n';
		}
		return '}';
	case '"':
		return lex_quoted(buf);
	case '$':
		return lex_macro(buf);
	}
	if (wordchar(c))
		return lex_word(buf, c);
	if (!isprint(c))
		return lex_error("invalid character 0x%02x", c & 0xff);
	return c;
}

/* Whether a token is thrown away while skipping after an error. */
static int
skipped(int *tok)
{
	switch (skip) {
	case SKIP_NONE:
		return 0;
	case SKIP_LINE:
		if (*tok == '{') {
			skip = SKIP_BLOCK;
			skipdepth = 1;
			return 1;
		}
		if (*tok == '\n' || *tok == 0)
			skip = SKIP_NONE;
		return 0;
	case SKIP_BLOCK:
		if (*tok == 0) {
			skip = SKIP_NONE;
			return 0;
		}
		if (*tok == '{')
			skipdepth++;
		else if (*tok == '}' && --skipdepth == 0) {
			skip = SKIP_NONE;
			*tok = '\n';
			return 0;
		}
		return 1;
	}
	return 0;
}

int
yylex(void)
{
	static char	 buf[STRING_MAX];
	int		 tok;

	do {
		quoted = 0;
		tok = lex(buf);
	} while (skipped(&tok));
	before_last = last;
	last.tok = tok;
	last.file = yylval.file;
	last.lineno = yylval.lineno;
	last.seq = ++tokseq;
	last.stmtstart = prevtok == '\n' || prevtok == '{' || prevtok == 0;
	last.bare = !quoted;
	if (tok == '\n')
		strlcpy(last.text, "end of line", sizeof(last.text));
	else if (tok == '}' || tok == '{')
		snprintf(last.text, sizeof(last.text), "%c", tok);
	else {
		size_t	 i;

		if (tok == STRING)
			strlcpy(last.text, yylval.v.string, sizeof(last.text));
		else
			strlcpy(last.text, buf, sizeof(last.text));
		for (i = 0; last.text[i] != '\0'; i++) {
			if (!isprint((unsigned char)last.text[i]))
				last.text[i] = '?';
		}
	}
	if (tok != 0 && tok != '\n')
		file->lastline = yylval.lineno;
	prevtok = tok;
	return tok;
}

/* Files. */

/*
 * An included file is named relative to the directory of the file that
 * includes it.
 */
static char *
include_path(const char *from, const char *name)
{
	const char	*slash;
	char		*path;

	if (name[0] == '/' || (slash = strrchr(from, '/')) == NULL)
		return xstrdup(name);
	if (asprintf(&path, "%.*s/%s", (int)(slash - from), from, name) == -1)
		fatal("%s", __func__);
	return path;
}

static const char *
file_name(const char *path)
{
	char	**f;

	if (conf->path == NULL) {
		conf->path = xstrdup(path);
		return conf->path;
	}
	f = reallocarray(conf->files, conf->nfiles + 1, sizeof(*f));
	if (f == NULL)
		fatal("%s", __func__);
	conf->files = f;
	return conf->files[conf->nfiles++] = xstrdup(path);
}

/*
 * Opens a configuration file: a regular file, not writable by group or
 * others (that one is reported, and the file still read to find more).
 * Errors opening an included file name the include statement.
 */
static struct file *
pushfile(const char *path, const char *from, int fromline)
{
	struct file	*nf, *f;
	struct stat	 st;
	int		 fd, depth = 0;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		perr(from != NULL ? from : path, fromline,
		    "cannot open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		perr(from != NULL ? from : path, fromline,
		    "cannot open \"%s\": %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	TAILQ_FOREACH(f, &files, entry) {
		depth++;
		if (f->dev == st.st_dev && f->ino == st.st_ino) {
			perr(from, fromline, "include loop: \"%s\" is "
			    "already being read", path);
			close(fd);
			return NULL;
		}
	}
	if (depth >= INCLUDE_DEPTH_MAX) {
		perr(from, fromline, "includes nested too deeply");
		close(fd);
		return NULL;
	}
	if ((nf = calloc(1, sizeof(*nf))) == NULL)
		fatal("%s", __func__);
	nf->name = file_name(path);
	if (!S_ISREG(st.st_mode)) {
		perr(nf->name, 0, "file is not a regular file");
		close(fd);
		free(nf);
		return NULL;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		perr(nf->name, 0, "file is writable by group or others");
	if ((nf->stream = fdopen(fd, "r")) == NULL)
		fatal("%s", __func__);
	nf->lineno = 1;
	nf->lastline = 1;
	nf->dev = st.st_dev;
	nf->ino = st.st_ino;
	nf->ungot = EOF;
	TAILQ_INSERT_TAIL(&files, nf, entry);
	return nf;
}

static int
popfile(void)
{
	struct file	*prev;

	prev = TAILQ_PREV(file, filelist, entry);
	TAILQ_REMOVE(&files, file, entry);
	fclose(file->stream);
	free(file);
	file = prev;
	return file == NULL ? EOF : 0;
}

/* Macros. */

static int
macro_name_ok(const char *name, size_t len)
{
	size_t	 i;

	if (len == 0 || isdigit((unsigned char)name[0]))
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return 0;
	}
	return 1;
}

static void
sym_set(const char *name, const char *value, int persist)
{
	struct sym	*sym;

	TAILQ_FOREACH(sym, &syms, entry) {
		if (strcmp(sym->name, name) == 0)
			break;
	}
	if (sym != NULL) {
		if (sym->persist && !persist)
			return;
		free(sym->value);
		sym->value = xstrdup(value);
		sym->persist = persist;
		return;
	}
	if ((sym = calloc(1, sizeof(*sym))) == NULL)
		fatal("%s", __func__);
	sym->name = xstrdup(name);
	sym->value = xstrdup(value);
	sym->persist = persist;
	TAILQ_INSERT_TAIL(&syms, sym, entry);
}

static void
syms_free(void)
{
	struct sym	*sym;

	while ((sym = TAILQ_FIRST(&syms)) != NULL) {
		TAILQ_REMOVE(&syms, sym, entry);
		free(sym->name);
		free(sym->value);
		free(sym);
	}
}

static void
varset(const char *name, const char *value, const char *fname, int line)
{
	if (!macro_name_ok(name, strlen(name))) {
		perr(fname, line, "invalid macro name \"%s\"", name);
		return;
	}
	sym_set(name, value, 0);
}

int
define_add(struct definelist *defs, const char *s)
{
	struct define	*d;
	const char	*eq;

	if ((eq = strchr(s, '=')) == NULL || !macro_name_ok(s, eq - s))
		return -1;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("%s", __func__);
	if ((d->name = strndup(s, eq - s)) == NULL)
		fatal("%s", __func__);
	d->value = xstrdup(eq + 1);
	TAILQ_INSERT_TAIL(defs, d, entry);
	return 0;
}

/* Numbers. */

static int64_t
number_of(const char *s, const char *fname, int line)
{
	const char	*errstr;
	int64_t		 n;

	if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s)) {
		perr(fname, line, "invalid number \"%s\"", s);
		return -1;
	}
	n = strtonum(s, 0, INT64_MAX, &errstr);
	if (errstr != NULL) {
		perr(fname, line, "number \"%s\" is %s", s, errstr);
		return -1;
	}
	return n;
}

static int64_t
seconds_of(int64_t n, const char *fname, int line)
{
	if (n > INT64_MAX / (int64_t)SEC) {
		perr(fname, line, "duration \"%lld\" is too large",
		    (long long)n);
		return -1;
	}
	return n * SEC;
}

/* Digits, then a unit suffix from the table. */
static int64_t
scaled_of(const char *s, const char *what, const char *const *units,
    const int64_t *scale, int casefold, const char *fname, int line)
{
	const char	*errstr;
	char		 digits[32];
	size_t		 n, i;
	int64_t		 v;

	n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof(digits))
		goto bad;
	for (i = 0; units[i] != NULL; i++) {
		if ((casefold ? strcasecmp(s + n, units[i]) :
		    strcmp(s + n, units[i])) == 0)
			break;
	}
	if (units[i] == NULL)
		goto bad;
	memcpy(digits, s, n);
	digits[n] = '\0';
	v = strtonum(digits, 0, INT64_MAX / scale[i], &errstr);
	if (errstr != NULL) {
		perr(fname, line, "%s \"%s\" is too large", what, s);
		return -1;
	}
	return v * scale[i];
 bad:
	if (n >= sizeof(digits) && strlen(s) == n)
		perr(fname, line, "%s \"%s\" is too large", what, s);
	else
		perr(fname, line, "invalid %s \"%s\"", what, s);
	return -1;
}

static int64_t
duration_of(const char *s, const char *fname, int line)
{
	static const char *const units[] = { "", "ms", "s", "m", "h", NULL };
	static const int64_t	 scale[] = {
		SEC, 1, SEC, 60 * SEC, 3600 * SEC
	};

	return scaled_of(s, "duration", units, scale, 0, fname, line);
}

static int64_t
size_of(const char *s, const char *fname, int line)
{
	static const char *const units[] = { "", "K", "M", "G", NULL };
	static const int64_t	 scale[] = {
		1, 1024, 1024 * 1024, 1024 * 1024 * 1024
	};

	return scaled_of(s, "size", units, scale, 1, fname, line);
}

static int
facility_of(const char *s, const char *fname, int line)
{
	static const struct {
		const char	*name;
		int		 facility;
	} facilities[] = {
		{ "auth",	LOG_AUTH },
		{ "authpriv",	LOG_AUTHPRIV },
		{ "cron",	LOG_CRON },
		{ "daemon",	LOG_DAEMON },
		{ "ftp",	LOG_FTP },
		{ "local0",	LOG_LOCAL0 },
		{ "local1",	LOG_LOCAL1 },
		{ "local2",	LOG_LOCAL2 },
		{ "local3",	LOG_LOCAL3 },
		{ "local4",	LOG_LOCAL4 },
		{ "local5",	LOG_LOCAL5 },
		{ "local6",	LOG_LOCAL6 },
		{ "local7",	LOG_LOCAL7 },
		{ "lpr",	LOG_LPR },
		{ "mail",	LOG_MAIL },
		{ "news",	LOG_NEWS },
		{ "syslog",	LOG_SYSLOG },
		{ "user",	LOG_USER },
		{ "uucp",	LOG_UUCP }
	};
	size_t	 i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcmp(s, facilities[i].name) == 0)
			return facilities[i].facility;
	}
	perr(fname, line, "unknown syslog facility \"%s\"", s);
	return -1;
}

/* Global statements. */

static int
global_ok(const char *what, unsigned int bit, const char *fname, int line)
{
	if (!TAILQ_EMPTY(&conf->servers)) {
		perr(fname, line, "\"%s\" must come before the first server",
		    what);
		return 0;
	}
	if (globals & bit) {
		perr(fname, line, "%s already set", what);
		return 0;
	}
	globals |= bit;
	return 1;
}

static void
set_string(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static void
set_timeout(int kind, int64_t ms, const char *fname, int line)
{
	uint64_t	*dst[] = {
		&conf->timeout_header, &conf->timeout_body,
		&conf->timeout_idle, &conf->timeout_connect,
		&conf->timeout_backend, &conf->timeout_shutdown
	};
	char		 what[32];

	snprintf(what, sizeof(what), "timeout %s", timeout_names[kind]);
	if (ms < 0)
		return;
	/* Workers poll(2) with these: they must fit an int. */
	if ((ms == 0 && kind != 5) || ms > INT_MAX) {
		perr(fname, line, "%s is out of range", what);
		return;
	}
	if (global_ok(what, G_TIMEOUT << kind, fname, line))
		*dst[kind] = ms;
}

/* Servers. */

/*
 * A host name as it may appear in a Host header, or a wildcard:
 * "*.example.com" or "www.example.*".
 */
static int
server_name_ok(const char *name)
{
	const char	*p, *star;
	size_t		 len = strlen(name);

	if (len == 0)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) &&
		    strchr("-._*[]:", *p) == NULL)
			return 0;
	}
	if ((star = strchr(name, '*')) == NULL)
		return 1;
	if (strchr(star + 1, '*') != NULL || len < 3)
		return 0;
	if (star == name)
		return name[1] == '.' && name[2] != '\0' && name[2] != '.';
	return star == name + len - 1 && name[len - 2] == '.' && len > 2 &&
	    name[0] != '.';
}

static void
alias_add(struct server *s, const char *name)
{
	char	**a, *lc;
	size_t	  i, len = strlen(name);

	if (len > 1 && name[len - 1] == '.')
		len--;
	if ((lc = strndup(name, len)) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < len; i++)
		lc[i] = tolower((unsigned char)lc[i]);
	for (i = 0; i < s->naliases; i++) {
		if (strcmp(s->aliases[i], lc) == 0) {
			free(lc);
			return;
		}
	}
	if ((a = reallocarray(s->aliases, s->naliases + 1, sizeof(*a))) == NULL)
		fatal("%s", __func__);
	s->aliases = a;
	s->aliases[s->naliases++] = lc;
}

/* aliases[0] is the server's own name in lower case. */
static void
server_begin(const char *name, const char *fname, int line)
{
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		fatal("%s", __func__);
	srv->name = xstrdup(name);
	srv->file = fname;
	srv->line = line;
	TAILQ_INIT(&srv->listens);
	TAILQ_INIT(&srv->locations);
	srv->tls.ticket_lifetime = -1;
	srv->root.prefix = xstrdup("");
	srv->root.prefixlen = 0;
	srv->root.server = srv;
	srv->root.file = fname;
	srv->root.line = line;
	rules_init(&srv->root.rules);
	TAILQ_INSERT_TAIL(&conf->servers, srv, entry);
	loc = NULL;
	locdepth = 0;
	if (!server_name_ok(name))
		perr(fname, line, "invalid server name \"%s\"", name);
	else
		alias_add(srv, name);
}

static void
server_alias(const char *name, const char *fname, int line)
{
	if (!server_name_ok(name))
		perr(fname, line, "invalid alias \"%s\"", name);
	else
		alias_add(srv, name);
}

static void
listen_add(const char *addr, int tls, int64_t port, const char *fname,
    int line)
{
	struct listen_conf	*lc;

	if (port < 0)
		return;
	if (port < 1 || port > 65535) {
		perr(fname, line, "port %lld is out of range", (long long)port);
		return;
	}
	if (addr[0] == '\0') {
		perr(fname, line, "empty listen address");
		return;
	}
	if ((lc = calloc(1, sizeof(*lc))) == NULL)
		fatal("%s", __func__);
	lc->addr = xstrdup(addr);
	lc->port = port;
	lc->tls = tls;
	lc->file = fname;
	lc->line = line;
	TAILQ_INSERT_TAIL(&srv->listens, lc, entry);
}

static void
tls_set(char **dst, int *dstline, const char *value, const char *what,
    const char *fname, int line)
{
	if (*dst != NULL) {
		perr(fname, line, "%s already set", what);
		return;
	}
	if (value[0] == '\0') {
		perr(fname, line, "empty %s", what);
		return;
	}
	*dst = xstrdup(value);
	*dstline = line;
}

/*
 * Only TLS 1.2 and 1.3 are offered ("tlsv1.2", "tlsv1.3", separated by
 * commas, colons or blanks); the list is checked here so that a typo is
 * found by "proxyd -n" and not when the first client connects.
 */
static void
tls_protocols(const char *value, const char *fname, int line)
{
	static const char *const known[] = { "tlsv1.2", "tlsv1.3", NULL };
	char		*copy, *p, *item;
	size_t		 i, n = 0;
	int		 line_unused;

	copy = xstrdup(value);
	for (p = copy; (item = strsep(&p, ",: \t")) != NULL;) {
		if (*item == '\0')
			continue;
		for (i = 0; known[i] != NULL; i++) {
			if (strcasecmp(item, known[i]) == 0)
				break;
		}
		if (known[i] == NULL) {
			perr(fname, line, "unsupported tls protocol \"%s\"",
			    item);
			free(copy);
			return;
		}
		n++;
	}
	free(copy);
	if (n == 0) {
		perr(fname, line, "empty tls protocols");
		return;
	}
	tls_set(&srv->tls.protocols, &line_unused, value, "tls protocols",
	    fname, line);
}

static void
hsts_set(const char *fname, int line)
{
	if (srv->hsts.enabled) {
		perr(fname, line, "hsts already set");
		return;
	}
	srv->hsts = hsts;
}

static void
backend_ca(const char *path, const char *fname, int line)
{
	if (srv->backend_noverify) {
		perr(fname, line, "backend tls ca and backend tls no verify "
		    "exclude each other");
		return;
	}
	tls_set(&srv->backend_ca, &srv->backend_ca_line, path,
	    "backend tls ca", fname, line);
}

static void
backend_noverify(const char *fname, int line)
{
	if (srv->backend_ca != NULL) {
		perr(fname, line, "backend tls ca and backend tls no verify "
		    "exclude each other");
		return;
	}
	srv->backend_noverify = 1;
}

/* Locations. */

static void
location_begin(const char *prefix, const char *fname, int line)
{
	struct location	*l;

	if (loc != NULL)
		perr(fname, line, "nested location \"%s\" is not allowed",
		    prefix);
	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("%s", __func__);
	l->prefix = xstrdup(prefix);
	l->prefixlen = strlen(prefix);
	l->server = srv;
	l->file = fname;
	l->line = line;
	rules_init(&l->rules);
	TAILQ_INSERT_TAIL(&srv->locations, l, entry);
	if (locdepth < LOCATION_DEPTH_MAX)
		locstack[locdepth] = l;
	locdepth++;
	loc = l;
}

static void
location_end(void)
{
	if (locdepth > 0)
		locdepth--;
	if (locdepth == 0)
		loc = NULL;
	else
		loc = locstack[(locdepth < LOCATION_DEPTH_MAX ? locdepth :
		    LOCATION_DEPTH_MAX) - 1];
}

/* Rules, of the location or else of the server. */

static struct rules *
rules(void)
{
	return loc != NULL ? &loc->rules : &srv->root.rules;
}

static void
scope_err(const char *fname, int line, const char *what)
{
	if (loc != NULL)
		perr(fname, line, "location \"%s\": %s", loc->prefix, what);
	else
		perr(fname, line, "server \"%s\": %s", srv->name, what);
}

static int
action_ok(const char *fname, int line)
{
	struct rules	*r = rules();

	if (r->set & RULE_ACTION) {
		scope_err(fname, line, "more than one of proxy to, no proxy "
		    "and redirect");
		return 0;
	}
	r->set |= RULE_ACTION;
	return 1;
}

static struct url *
url_new(const char *text, const char *fname, int line)
{
	struct url	*url;
	char		 why[128];

	if ((url = calloc(1, sizeof(*url))) == NULL)
		fatal("%s", __func__);
	if (url_parse(text, url, why, sizeof(why)) == -1) {
		perr(fname, line, "invalid URL \"%s\": %s", text, why);
		free(url);
		return NULL;
	}
	return url;
}

/* URLs naming one scheme, host and port share one upstream. */
static struct upstream *
upstream_get(const struct url *url, const char *fname, int line)
{
	struct upstream	*up;

	TAILQ_FOREACH(up, &conf->upstreams, entry) {
		if (up->tls == url->tls && up->port == url->port &&
		    strcmp(up->host, url->host) == 0)
			return up;
	}
	if ((up = calloc(1, sizeof(*up))) == NULL)
		fatal("%s", __func__);
	up->host = xstrdup(url->host);
	up->port = url->port;
	up->tls = url->tls;
	up->file = fname;
	up->line = line;
	up->idle_fd = -1;
	TAILQ_INSERT_TAIL(&conf->upstreams, up, entry);
	return up;
}

static void
proxy_to(const char *text, const char *fname, int line)
{
	struct rules	*r = rules();
	struct url	*url;

	if (!action_ok(fname, line))
		return;
	r->action = ACTION_PROXY;
	if ((url = url_new(text, fname, line)) == NULL)
		return;
	url->up = upstream_get(url, fname, line);
	r->proxy = url;
}

/* The target goes into a Location header as it is: no space, no CR. */
static void
redirect_to(int64_t code, const char *target, const char *fname, int line)
{
	struct rules	*r = rules();
	const char	*p;

	if (code < 0)
		return;
	if (code != 301 && code != 302 && code != 303 && code != 307 &&
	    code != 308) {
		perr(fname, line, "redirect code must be 301, 302, 303, 307 "
		    "or 308");
		return;
	}
	for (p = target; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			break;
	}
	if (target[0] == '\0' || *p != '\0') {
		perr(fname, line, "invalid redirect URL \"%s\"", target);
		return;
	}
	if (!action_ok(fname, line))
		return;
	r->action = ACTION_REDIRECT;
	r->redirect_code = code;
	r->redirect_to = xstrdup(target);
}

/* The realm is sent inside a quoted string of WWW-Authenticate. */
static void
authenticate(const char *realm, const char *users, const char *groups,
    const char *fname, int line)
{
	struct rules	*r = rules();
	struct authconf	*auth;
	const char	*p;

	if (r->set & RULE_AUTH) {
		scope_err(fname, line, r->auth != NULL ?
		    "authenticate already set" :
		    "both authenticate and no authenticate");
		return;
	}
	for (p = realm; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			break;
	}
	if (realm[0] == '\0' || *p != '\0') {
		perr(fname, line, "invalid realm \"%s\"", realm);
		return;
	}
	if (users[0] == '\0' || (groups != NULL && groups[0] == '\0')) {
		perr(fname, line, "empty file name");
		return;
	}
	if ((auth = calloc(1, sizeof(*auth))) == NULL)
		fatal("%s", __func__);
	auth->realm = xstrdup(realm);
	auth->users = xstrdup(users);
	auth->groups = groups != NULL ? xstrdup(groups) : NULL;
	auth->file = fname;
	auth->line = line;
	r->set |= RULE_AUTH;
	r->auth = auth;
	srv->has_auth = 1;
}

static void
no_authenticate(const char *fname, int line)
{
	struct rules	*r = rules();

	if (loc == NULL) {
		perr(fname, line, "no authenticate is only allowed in a "
		    "location");
		return;
	}
	if (r->set & RULE_AUTH) {
		scope_err(fname, line, r->auth != NULL ?
		    "both authenticate and no authenticate" :
		    "no authenticate already set");
		return;
	}
	r->set |= RULE_AUTH;
	r->auth = NULL;
}

static void
names_add(const char *name)
{
	char	**n;

	if ((n = reallocarray(names, nnames + 1, sizeof(*n))) == NULL)
		fatal("%s", __func__);
	names = n;
	names[nnames++] = (char *)name;
}

static void
require_add(enum require_type type, const char *fname, int line)
{
	struct rules	*r = rules();
	struct require	*req;
	size_t		 i;

	for (i = 0; i < nnames; i++) {
		if (names[i][0] == '\0') {
			perr(fname, line, "empty name in require");
			return;
		}
	}
	if ((req = calloc(1, sizeof(*req))) == NULL)
		fatal("%s", __func__);
	req->type = type;
	if (nnames > 0 && (req->names = calloc(nnames,
	    sizeof(*req->names))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < nnames; i++)
		req->names[i] = xstrdup(names[i]);
	req->nnames = nnames;
	nnames = 0;
	r->set |= RULE_REQUIRE;
	TAILQ_INSERT_TAIL(&r->requires, req, entry);
}

static void
reverse_add(const char *text, const char *fname, int line)
{
	struct rules	*r = rules();
	struct url	*url;

	if ((url = url_new(text, fname, line)) == NULL)
		return;
	r->set |= RULE_REVERSE;
	TAILQ_INSERT_TAIL(&r->reverses, url, entry);
}

static void
via_set(int via, const char *fname, int line)
{
	struct rules	*r = rules();

	if (r->set & RULE_VIA) {
		scope_err(fname, line, "via already set");
		return;
	}
	r->set |= RULE_VIA;
	r->via = via;
}

/* Entry point. */

static void
parser_reset(void)
{
	while (file != NULL)
		popfile();
	syms_free();
	arena_free();
	srv = NULL;
	loc = NULL;
	locdepth = 0;
	globals = 0;
	npending = 0;
	skip = SKIP_NONE;
	prevtok = 0;
	memset(&last, 0, sizeof(last));
	memset(&before_last, 0, sizeof(before_last));
	tokseq = 0;
	reported_seq = 0;
}

/*
 * Parses the file, then checks what needs the whole configuration and
 * the system (names resolve, files readable).  The later stages run only
 * when the file itself is right, so that one typo does not come back as
 * a cascade of follow-up errors.
 */
struct config *
parse_config(const char *path, struct definelist *defs, struct errlist *e)
{
	struct define	*d;
	struct config	*c;
	size_t		 before = e->count;
	int		 rc;

	conf = config_new();
	errs = e;
	parser_reset();
	if (defs != NULL) {
		TAILQ_FOREACH(d, defs, entry)
			sym_set(d->name, d->value, 1);
	}
	if ((file = pushfile(path, NULL, 0)) == NULL) {
		if (conf->path == NULL)
			conf->path = xstrdup(path);
		goto done;
	}
	rc = yyparse();
	if (rc != 0 && errs->count == before)
		perr(conf->path, yylval.lineno, "syntax error");
	if (errs->count > before)
		goto done;
	config_finish(conf, errs);
	listeners_resolve(conf, errs);
	config_check_files(conf, errs);
 done:
	parser_reset();
	errs = NULL;
	c = conf;
	conf = NULL;
	if (e->count > before) {
		config_free(c);
		return NULL;
	}
	return c;
}
