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
 * The structures shared by the parts of proxyd: the configuration the
 * parent builds and the workers inherit through fork, the listeners, the
 * scoreboard, and the prototypes of every module.
 */

#ifndef PROXYD_H
#define PROXYD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ssl_ctx_st;
struct ssl_st;
struct ssl_session_st;

#define PROXYD_VERSION		"0.1.0"
#define PROXYD_CONF		"/etc/proxyd/proxyd.conf"
#define PROXYD_PIDFILE		"/run/proxyd.pid"
#define PROXYD_USER		"proxyd"
#define PROXYD_CHROOT		"/var/empty"

#define PREFORK_MIN_DEFAULT	8
#define PREFORK_MAX_DEFAULT	256
#define PREFORK_LIMIT		1024	/* highest "prefork ... max" */

#define SEC			1000ULL	/* durations are kept in milliseconds */

/*
 * Configuration errors are collected, not printed, so that a reload can
 * send them back to proxyctl; each is one "FILE:LINE: message" line.
 */
struct errlist {
	char		**lines;
	size_t		  count;
};

void	 errlist_add(struct errlist *, const char *, int, const char *, ...)
	    __attribute__((__format__ (printf, 4, 5)));
void	 errlist_clear(struct errlist *);

/* A -D macro=value from the command line. */
struct define {
	TAILQ_ENTRY(define)	 entry;
	char			*name;
	char			*value;
};
TAILQ_HEAD(definelist, define);

enum action {
	ACTION_NONE = 0,		/* inherit; none at all is an error */
	ACTION_PROXY,
	ACTION_NOPROXY,
	ACTION_REDIRECT
};

enum via {
	VIA_ON = 0,
	VIA_OFF,
	VIA_FULL,
	VIA_BLOCK
};

/*
 * One backend host and port.  URLs that name the same host, port and
 * scheme share it, so that a worker keeps at most one idle connection to
 * each.  The idle_* members belong to the worker that inherited the copy.
 */
struct upstream {
	TAILQ_ENTRY(upstream)	 entry;
	char			*host;		/* lower case, no brackets */
	in_port_t		 port;
	int			 tls;
	const char		*tls_ca;	/* https: backend tls ca or NULL */
	int			 tls_noverify;	/*  backend tls no verify */
	int			 host_is_ip;	/*  no SNI, IP checked */
	struct ssl_ctx_st	*ssl_ctx;	/*  made by the parent */
	struct sockaddr_storage	*addrs;		/* resolved at load time */
	size_t			 naddrs;
	const char		*file;		/* first URL naming it */
	int			 line;

	/* The worker's own, in its copy. */
	int			 idle_fd;	/* kept-alive connection or -1 */
	struct ssl_st		*idle_ssl;	/*  its TLS, if https */
	uint64_t		 idle_since;	/* monotonic ms */
	struct ssl_session_st	*session;	/* to resume TLS with */
};
TAILQ_HEAD(upstreamlist, upstream);

/* A "proxy to" or "reverse" URL. */
struct url {
	TAILQ_ENTRY(url)	 entry;
	char			*text;		/* as written */
	int			 tls;		/* https */
	char			*host;		/* lower case */
	in_port_t		 port;		/* default filled in */
	char			*hostport;	/* Host: value, port if not default */
	char			*path;		/* as written, "/" if none */
	size_t			 baselen;	/* path length without trailing '/' */
	struct upstream		*up;		/* "proxy to" only */
};
TAILQ_HEAD(urllist, url);

/* The files of an "authenticate" statement. */
struct authconf {
	char			*realm;
	char			*users;		/* htpasswd file */
	char			*groups;	/* group file or NULL */
	const char		*file;
	int			 line;
	/* Loaded by the parent (auth_config), the files as they were. */
	struct userdb		*userdb;
	struct groupdb		*groupdb;
	int			 borrowed;	/* another's, not to free */
	char			*challenge;	/* WWW-Authenticate: ... */
};

enum require_type {
	REQUIRE_VALID_USER,
	REQUIRE_USER,
	REQUIRE_GROUP
};

struct require {
	TAILQ_ENTRY(require)	 entry;
	enum require_type	 type;
	char			**names;
	size_t			 nnames;
};
TAILQ_HEAD(requirelist, require);

/*
 * What a server or location says about a request.  The set bits record
 * which statements appeared, so that a location takes from its server
 * only what it does not set itself; once the configuration is loaded the
 * rules of every location are complete.
 */
#define RULE_ACTION		0x0001
#define RULE_AUTH		0x0002	/* authenticate or no authenticate */
#define RULE_REQUIRE		0x0004
#define RULE_PASSCRED		0x0008
#define RULE_VIA		0x0010
#define RULE_PRESERVEHOST	0x0020
#define RULE_REVERSE		0x0040

struct rules {
	unsigned int		 set;
	enum action		 action;
	struct url		*proxy;		/* ACTION_PROXY */
	int			 redirect_code;	/* ACTION_REDIRECT */
	char			*redirect_to;
	struct authconf		*auth;		/* NULL: no authentication */
	struct requirelist	 requires;
	int			 pass_credentials;
	enum via		 via;
	int			 preserve_host;
	struct urllist		 reverses;
};

struct location {
	TAILQ_ENTRY(location)	 entry;
	char			*prefix;	/* normalized, no trailing '/' */
	size_t			 prefixlen;	/* 0 for the server itself */
	struct rules		 rules;
	struct server		*server;
	const char		*file;
	int			 line;
};
TAILQ_HEAD(locationlist, location);

/* A "listen on" statement as written. */
struct listen_conf {
	TAILQ_ENTRY(listen_conf) entry;
	char			*addr;		/* "*", IPv4, IPv6 or a name */
	in_port_t		 port;
	int			 tls;
	const char		*file;
	int			 line;
};
TAILQ_HEAD(listenconflist, listen_conf);

struct tls_conf {
	char			*certificate;
	char			*key;
	char			*chain;
	char			*ocsp;
	char			*protocols;	/* NULL: default */
	char			*ciphers;	/* NULL: default */
	int64_t			 ticket_lifetime; /* ms; -1: default */
	int			 certificate_line; /* for messages */
	int			 key_line;
	int			 chain_line;
	int			 ocsp_line;
	int			 ciphers_line;
};

#define TLS_PROTOCOLS_DEFAULT	"tlsv1.2,tlsv1.3"
#define TLS_TICKET_DEFAULT	(2 * 3600 * SEC)

struct hsts_conf {
	int			 enabled;
	uint64_t		 max_age;	/* seconds */
	int			 subdomains;
	int			 preload;
};

#define HSTS_MAX_AGE_DEFAULT	31536000

struct server {
	TAILQ_ENTRY(server)	 entry;
	struct ssl_ctx_st	*ssl_ctx;	/* tls: made by the parent */
	unsigned int		 keyid;		/* 1.. in the key process */
	unsigned char		 cert_id[32];	/* SHA-256 of the leaf */
	time_t			 cert_expiry;	/* its notAfter */
	unsigned char		*ocsp;		/* DER response to staple */
	size_t			 ocsplen;
	char			*name;		/* as written */
	char			**aliases;	/* lower case, [0] is the name */
	size_t			 naliases;
	struct listenconflist	 listens;
	struct tls_conf		 tls;
	struct hsts_conf	 hsts;
	char			*backend_ca;	/* backend tls ca */
	int			 backend_ca_line;
	int			 backend_noverify;
	int			 has_auth;	/* authenticate appears anywhere */
	struct location		 root;		/* the server's own rules */
	struct locationlist	 locations;	/* file order */
	const char		*file;
	int			 line;
};
TAILQ_HEAD(serverlist, server);

/*
 * A listening address and port with the servers on it, in file order.
 * A listener whose address is covered by a wildcard listener of the same
 * port and family shares the wildcard's socket: sock points to the
 * listener that owns the descriptor.
 */
struct listener {
	TAILQ_ENTRY(listener)	 entry;
	struct sockaddr_storage	 ss;
	char			 name[64];	/* "127.0.0.1:8080" for messages */
	int			 wildcard;
	in_port_t		 port;
	int			 tls;
	struct server		**servers;
	size_t			 nservers;
	int			 fd;
	struct listener		*sock;
	const char		*file;
	int			 line;
};
TAILQ_HEAD(listenerlist, listener);

enum accesslog_format {
	ACCESSLOG_COMBINED = 0,
	ACCESSLOG_COMMON
};

struct config {
	char			*path;
	char			**files;	/* included files, for messages */
	size_t			  nfiles;
	char			*user;
	const char		*user_file;	/* where set: path, line 0 */
	int			 user_line;	/* when defaulted */
	char			*chroot;
	const char		*chroot_file;
	int			 chroot_line;
	unsigned int		 prefork_min;
	unsigned int		 prefork_max;
	char			*socket;
	int			 syslog_facility;
	char			*accesslog;
	enum accesslog_format	 accesslog_format;
	const char		*accesslog_file;	/* where set */
	int			 accesslog_line;

	uint64_t		 timeout_header;	/* all in ms */
	uint64_t		 timeout_body;
	uint64_t		 timeout_idle;
	uint64_t		 timeout_connect;
	uint64_t		 timeout_backend;
	uint64_t		 timeout_shutdown;

	size_t			 limit_header_size;
	unsigned int		 limit_headers;
	uint64_t		 limit_body_size;
	unsigned int		 limit_clients;

	uid_t			 uid;		/* of user, looked up */
	gid_t			 gid;

	struct serverlist	 servers;
	struct listenerlist	 listeners;
	struct upstreamlist	 upstreams;
};

/* auth.c: the files of the authenticate statements */
int		 auth_config(struct config *, struct errlist *,
		    struct errlist *);

/* parse.y */
struct config	*parse_config(const char *, struct definelist *,
		    struct errlist *);
int		 define_add(struct definelist *, const char *);

/* config.c */
struct config	*config_new(void);
void		 config_free(struct config *);
void		 rules_init(struct rules *);
int		 config_finish(struct config *, struct errlist *);
int		 config_check_files(struct config *, struct errlist *);
struct server	*server_find(const struct listener *, const char *, size_t);
int		 server_names(const struct server *, const char *, size_t);
const struct location *location_find(const struct server *, const char *,
		    size_t, size_t *);
int		 url_parse(const char *, struct url *, char *, size_t);

/* listener.c */
int		 listeners_resolve(struct config *, struct errlist *);
int		 listeners_bind(struct config *, struct config *,
		    struct errlist *);
void		 listeners_close(struct config *);
struct listener	*listener_of(struct config *, struct listener *, int);

#endif /* PROXYD_H */
