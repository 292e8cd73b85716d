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
 * Unit tests of the configuration (SPEC.md sections 1 and 3): every
 * statement into its fields, macros, includes, every error message with
 * its FILE:LINE, inheritance, the lookups of server and location, URLs,
 * listeners and their sockets, and the file checks of "proxyd -n".
 * Configuration files are written into the test's working directory.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <atf-c.h>

#include "proxyd.h"

/* user and chroot that exist everywhere, so that -n checks pass */
#define PROLOGUE	"user \"nobody\"\nchroot \"/\"\n"

static struct errlist	 errs;

static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	ATF_REQUIRE_MSG((fp = fopen(path, "w")) != NULL, "%s: %s", path,
	    strerror(errno));
	fputs(text, fp);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE(chmod(path, 0644) == 0);
}

static void
print_errors(void)
{
	size_t	 i;

	for (i = 0; i < errs.count; i++)
		fprintf(stderr, "error: %s\n", errs.lines[i]);
}

static struct config *
parse_defs(const char *text, struct definelist *defs)
{
	errlist_clear(&errs);
	write_file("t.conf", text);
	return parse_config("t.conf", defs, &errs);
}

/* A configuration that must be accepted. */
static struct config *
parse_ok(const char *text)
{
	struct config	*conf;

	if ((conf = parse_defs(text, NULL)) == NULL)
		print_errors();
	ATF_REQUIRE_MSG(conf != NULL, "configuration refused");
	ATF_REQUIRE_EQ(errs.count, 0);
	return conf;
}

/* The errors of a file, exactly and in order. */
static void
check_errors(const char *const *want)
{
	size_t	 i, n;

	for (n = 0; want[n] != NULL; n++)
		;
	if (errs.count != n)
		print_errors();
	ATF_CHECK_EQ_MSG(errs.count, n, "%zu errors, want %zu",
	    errs.count, n);
	for (i = 0; i < n && i < errs.count; i++)
		ATF_CHECK_STREQ(errs.lines[i], want[i]);
}

static void
expect_errors_v(const char *path, const char *text, const char *const *want)
{
	struct config	*conf;

	if (text != NULL)
		write_file(path, text);
	errlist_clear(&errs);
	conf = parse_config(path, NULL, &errs);
	ATF_CHECK(conf == NULL);
	config_free(conf);
	check_errors(want);
	errlist_clear(&errs);
}

#define EXPECT_ERRORS(text, ...) do {					\
	const char *const want_[] = { __VA_ARGS__, NULL };		\
	expect_errors_v("t.conf", text, want_);				\
} while (0)

#define EXPECT_FILE_ERRORS(path, ...) do {				\
	const char *const want_[] = { __VA_ARGS__, NULL };		\
	expect_errors_v(path, NULL, want_);				\
} while (0)

static void
done(struct config *conf)
{
	config_free(conf);
	errlist_clear(&errs);
}

static void
make_cert(void)
{
	ATF_REQUIRE_EQ(system("openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -nodes -subj /CN=x -keyout k.pem "
	    "-out c.pem -days 1 >/dev/null 2>&1"), 0);
	ATF_REQUIRE_EQ(system("openssl genpkey -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -out k2.pem >/dev/null 2>&1"), 0);
	ATF_REQUIRE(chmod("k.pem", 0600) == 0);
	ATF_REQUIRE(chmod("k2.pem", 0600) == 0);
}

static struct server *
server_n(struct config *conf, int n)
{
	struct server	*srv;

	TAILQ_FOREACH(srv, &conf->servers, entry) {
		if (n-- == 0)
			return srv;
	}
	atf_tc_fail("no server %d", n);
	return NULL;
}

static struct location *
location_n(struct server *srv, int n)
{
	struct location	*loc;

	TAILQ_FOREACH(loc, &srv->locations, entry) {
		if (n-- == 0)
			return loc;
	}
	atf_tc_fail("no location %d", n);
	return NULL;
}

static struct listener *
listener_named(struct config *conf, const char *name)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (strcmp(l->name, name) == 0)
			return l;
	}
	return NULL;
}

static size_t
count_requires(const struct rules *r)
{
	const struct require	*req;
	size_t			 n = 0;

	TAILQ_FOREACH(req, &r->requires, entry)
		n++;
	return n;
}

static size_t
count_reverses(const struct rules *r)
{
	const struct url	*url;
	size_t			 n = 0;

	TAILQ_FOREACH(url, &r->reverses, entry)
		n++;
	return n;
}

/* Globals. */

ATF_TC_WITHOUT_HEAD(defaults);
ATF_TC_BODY(defaults, tc)
{
	struct config	*conf;

	conf = config_new();
	ATF_CHECK_STREQ(conf->user, "proxyd");
	ATF_CHECK_STREQ(conf->chroot, "/var/empty");
	ATF_CHECK_EQ(conf->prefork_min, 8);
	ATF_CHECK_EQ(conf->prefork_max, 256);
	ATF_CHECK_STREQ(conf->socket, "/run/proxyd.sock");
	ATF_CHECK_EQ(conf->syslog_facility, LOG_DAEMON);
	ATF_CHECK(conf->accesslog == NULL);
	ATF_CHECK_EQ(conf->accesslog_format, ACCESSLOG_COMBINED);
	ATF_CHECK_EQ(conf->timeout_header, 10000);
	ATF_CHECK_EQ(conf->timeout_body, 30000);
	ATF_CHECK_EQ(conf->timeout_idle, 5000);
	ATF_CHECK_EQ(conf->timeout_connect, 5000);
	ATF_CHECK_EQ(conf->timeout_backend, 60000);
	ATF_CHECK_EQ(conf->timeout_shutdown, 30000);
	ATF_CHECK_EQ(conf->limit_header_size, 16384);
	ATF_CHECK_EQ(conf->limit_headers, 100);
	ATF_CHECK_EQ(conf->limit_body_size, 1024ULL * 1024 * 1024);
	ATF_CHECK_EQ(conf->limit_clients, 64);
	ATF_CHECK(TAILQ_EMPTY(&conf->servers));
	config_free(conf);

	/* A file without global statements keeps them. */
	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n");
	ATF_CHECK_EQ(conf->prefork_max, 256);
	ATF_CHECK_EQ(conf->timeout_idle, 5000);
	ATF_CHECK_EQ(conf->limit_clients, 64);
	ATF_CHECK_STREQ(conf->path, "t.conf");
	done(conf);
}

ATF_TC_WITHOUT_HEAD(globals);
ATF_TC_BODY(globals, tc)
{
	struct config	*conf;
	struct passwd	*pw;

	conf = parse_ok(
	    "user \"nobody\"\n"
	    "chroot \"/\"\n"
	    "prefork 2 max 10\n"
	    "socket \"/tmp/p.sock\"\n"
	    "log syslog facility local3\n"
	    "log access \"/var/log/a\\\\b\\\"c\" common\n"
	    "timeout header 1500ms\n"
	    "timeout body 20s\n"
	    "timeout idle 2m\n"
	    "timeout connect 1h\n"
	    "timeout backend 7\n"
	    "timeout shutdown 0\n"
	    "limit header size 32K\n"
	    "limit headers 50\n"
	    "limit body size 2M\n"
	    "limit clients per address 10\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n");
	ATF_CHECK_STREQ(conf->user, "nobody");
	ATF_CHECK_STREQ(conf->chroot, "/");
	ATF_CHECK_EQ(conf->user_line, 1);
	ATF_CHECK_EQ(conf->chroot_line, 2);
	ATF_CHECK_EQ(conf->prefork_min, 2);
	ATF_CHECK_EQ(conf->prefork_max, 10);
	ATF_CHECK_STREQ(conf->socket, "/tmp/p.sock");
	ATF_CHECK_EQ(conf->syslog_facility, LOG_LOCAL3);
	ATF_CHECK_STREQ(conf->accesslog, "/var/log/a\\b\"c");
	ATF_CHECK_EQ(conf->accesslog_format, ACCESSLOG_COMMON);
	ATF_CHECK_EQ(conf->timeout_header, 1500);
	ATF_CHECK_EQ(conf->timeout_body, 20000);
	ATF_CHECK_EQ(conf->timeout_idle, 120000);
	ATF_CHECK_EQ(conf->timeout_connect, 3600000);
	ATF_CHECK_EQ(conf->timeout_backend, 7000);
	ATF_CHECK_EQ(conf->timeout_shutdown, 0);
	ATF_CHECK_EQ(conf->limit_header_size, 32768);
	ATF_CHECK_EQ(conf->limit_headers, 50);
	ATF_CHECK_EQ(conf->limit_body_size, 2 * 1024 * 1024);
	ATF_CHECK_EQ(conf->limit_clients, 10);
	ATF_REQUIRE((pw = getpwnam("nobody")) != NULL);
	ATF_CHECK_EQ(conf->uid, pw->pw_uid);
	ATF_CHECK_EQ(conf->gid, pw->pw_gid);
	done(conf);

	conf = parse_ok(PROLOGUE
	    "prefork 300\n"
	    "log syslog\n"
	    "log access \"/tmp/access\"\n"
	    "limit body size 1G\n"
	    "limit header size 1024\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n");
	ATF_CHECK_EQ(conf->prefork_min, 300);
	ATF_CHECK_EQ(conf->prefork_max, 300);
	ATF_CHECK_EQ(conf->syslog_facility, LOG_DAEMON);
	ATF_CHECK_EQ(conf->accesslog_format, ACCESSLOG_COMBINED);
	ATF_CHECK_EQ(conf->limit_body_size, 1024ULL * 1024 * 1024);
	ATF_CHECK_EQ(conf->limit_header_size, 1024);
	done(conf);

	conf = parse_ok(PROLOGUE
	    "prefork 4\n"
	    "log access \"/tmp/access\" combined\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n");
	ATF_CHECK_EQ(conf->prefork_min, 4);
	ATF_CHECK_EQ(conf->prefork_max, 256);
	ATF_CHECK_EQ(conf->accesslog_format, ACCESSLOG_COMBINED);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(global_errors);
ATF_TC_BODY(global_errors, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "user \"root\"\n"
	    "chroot \"/tmp\"\n"
	    "prefork 0\n"
	    "prefork 2 max 1\n"
	    "socket \"/a\"\n"
	    "socket \"/b\"\n"
	    "log syslog facility kern\n"
	    "log syslog\n"
	    "log syslog\n"
	    "log access \"/x\"\n"
	    "log access \"/y\"\n"
	    "timeout header 10x\n"
	    "timeout body 0\n"
	    "timeout idle 1d\n"
	    "timeout idle 1\n"
	    "timeout idle 2\n"
	    "limit header size 1T\n"
	    "limit header size 99999999999999999999999\n"
	    "limit headers 0\n"
	    "limit body size 16X\n"
	    "limit clients per address 0\n"
	    "prefork 2000\n"
	    "timeout connect 9999999999999999999\n",
	    "t.conf:3: user already set",
	    "t.conf:4: chroot already set",
	    "t.conf:5: prefork must be between 1 and 1024",
	    "t.conf:6: prefork max must be between 2 and 1024",
	    "t.conf:8: socket already set",
	    "t.conf:9: unknown syslog facility \"kern\"",
	    "t.conf:11: log syslog already set",
	    "t.conf:13: log access already set",
	    "t.conf:14: invalid duration \"10x\"",
	    "t.conf:15: timeout body is out of range",
	    "t.conf:16: invalid duration \"1d\"",
	    "t.conf:18: timeout idle already set",
	    "t.conf:19: invalid size \"1T\"",
	    "t.conf:20: size \"99999999999999999999999\" is too large",
	    "t.conf:21: limit headers must be between 1 and 10000",
	    "t.conf:22: invalid size \"16X\"",
	    "t.conf:23: limit clients per address must be between 1 and "
	    "2147483647",
	    "t.conf:24: prefork must be between 1 and 1024",
	    "t.conf:25: duration \"9999999999999999999\" is too large");

	EXPECT_ERRORS(PROLOGUE
	    "prefork 2 max 2000\n"
	    "prefork 3\n"
	    "timeout connect 1000000000000000000\n",
	    "t.conf:3: prefork max must be between 2 and 1024",
	    "t.conf:5: duration \"1000000000000000000\" is too large");

	EXPECT_ERRORS(PROLOGUE
	    "limit header size 100\n"
	    "timeout backend 600h\n"
	    "limit body size 1G\n"
	    "limit body size 2G\n",
	    "t.conf:3: limit header size must be between 512 and 1048576",
	    "t.conf:4: timeout backend is out of range",
	    "t.conf:6: limit body size already set");

	/* Global statements come before the first server. */
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "prefork 2\n"
	    "timeout idle 3s\n"
	    "limit headers 10\n",
	    "t.conf:7: \"prefork\" must come before the first server",
	    "t.conf:8: \"timeout idle\" must come before the first server",
	    "t.conf:9: \"limit headers\" must come before the first server");
}

/* Servers. */

ATF_TC_WITHOUT_HEAD(server_statements);
ATF_TC_BODY(server_statements, tc)
{
	struct config		*conf;
	struct server		*a, *b;
	struct listen_conf	*lc;
	struct require		*req;
	struct url		*url;
	struct rules		*r;

	make_cert();
	write_file("users", "");
	write_file("groups", "");
	conf = parse_ok(PROLOGUE
	    "server \"App.Example.COM.\" {\n"
	    "	alias \"*.Example.com\"\n"
	    "	alias \"www.example.*\"\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls chain \"c.pem\"\n"
	    "	tls ocsp \"c.pem\"\n"
	    "	tls protocols \"tlsv1.3\"\n"
	    "	tls ciphers \"ECDHE+AESGCM\"\n"
	    "	tls ticket lifetime 30m\n"
	    "	hsts max-age 600 subdomains preload\n"
	    "	authenticate \"Example Inc. Proxy\" users \"users\" \\\n"
	    "	    groups \"groups\"\n"
	    "	require group \"employees\" staff\n"
	    "	require user \"specialContractor\"\n"
	    "	pass credentials\n"
	    "	via full\n"
	    "	preserve host\n"
	    "	proxy to \"https://LocalHost:9443/base/\"\n"
	    "	reverse \"http://127.0.0.1:9000/\"\n"
	    "	backend tls ca \"c.pem\"\n"
	    "}\n"
	    "server b {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	redirect code 308 to \"https://$HOST$REQUEST_URI\"\n"
	    "	backend tls no verify\n"
	    "	hsts\n"
	    "	via off\n"
	    "}\n");
	a = server_n(conf, 0);
	ATF_CHECK_STREQ(a->name, "App.Example.COM.");
	ATF_CHECK_EQ(a->line, 3);
	ATF_CHECK_STREQ(a->file, "t.conf");
	ATF_REQUIRE_EQ(a->naliases, 3);
	ATF_CHECK_STREQ(a->aliases[0], "app.example.com");
	ATF_CHECK_STREQ(a->aliases[1], "*.example.com");
	ATF_CHECK_STREQ(a->aliases[2], "www.example.*");
	lc = TAILQ_FIRST(&a->listens);
	ATF_REQUIRE(lc != NULL);
	ATF_CHECK_STREQ(lc->addr, "127.0.0.1");
	ATF_CHECK_EQ(lc->port, 8443);
	ATF_CHECK_EQ(lc->tls, 1);
	ATF_CHECK_EQ(lc->line, 6);
	lc = TAILQ_NEXT(lc, entry);
	ATF_REQUIRE(lc != NULL);
	ATF_CHECK_EQ(lc->port, 8080);
	ATF_CHECK_EQ(lc->tls, 0);
	ATF_CHECK_STREQ(a->tls.certificate, "c.pem");
	ATF_CHECK_EQ(a->tls.certificate_line, 8);
	ATF_CHECK_STREQ(a->tls.key, "k.pem");
	ATF_CHECK_EQ(a->tls.key_line, 9);
	ATF_CHECK_STREQ(a->tls.chain, "c.pem");
	ATF_CHECK_STREQ(a->tls.ocsp, "c.pem");
	ATF_CHECK_STREQ(a->tls.protocols, "tlsv1.3");
	ATF_CHECK_STREQ(a->tls.ciphers, "ECDHE+AESGCM");
	ATF_CHECK_EQ(a->tls.ticket_lifetime, 30 * 60 * 1000);
	ATF_CHECK_EQ(a->hsts.enabled, 1);
	ATF_CHECK_EQ(a->hsts.max_age, 600);
	ATF_CHECK_EQ(a->hsts.subdomains, 1);
	ATF_CHECK_EQ(a->hsts.preload, 1);
	ATF_CHECK_STREQ(a->backend_ca, "c.pem");
	ATF_CHECK_EQ(a->backend_noverify, 0);
	ATF_CHECK_EQ(a->has_auth, 1);

	r = &a->root.rules;
	ATF_CHECK_EQ(r->set, RULE_ACTION | RULE_AUTH | RULE_REQUIRE |
	    RULE_PASSCRED | RULE_VIA | RULE_PRESERVEHOST | RULE_REVERSE);
	ATF_REQUIRE(r->auth != NULL);
	ATF_CHECK_STREQ(r->auth->realm, "Example Inc. Proxy");
	ATF_CHECK_STREQ(r->auth->users, "users");
	ATF_CHECK_STREQ(r->auth->groups, "groups");
	ATF_CHECK_EQ(r->auth->line, 16);
	req = TAILQ_FIRST(&r->requires);
	ATF_REQUIRE(req != NULL);
	ATF_CHECK_EQ(req->type, REQUIRE_GROUP);
	ATF_REQUIRE_EQ(req->nnames, 2);
	ATF_CHECK_STREQ(req->names[0], "employees");
	ATF_CHECK_STREQ(req->names[1], "staff");
	req = TAILQ_NEXT(req, entry);
	ATF_REQUIRE(req != NULL);
	ATF_CHECK_EQ(req->type, REQUIRE_USER);
	ATF_REQUIRE_EQ(req->nnames, 1);
	ATF_CHECK_STREQ(req->names[0], "specialContractor");
	ATF_CHECK(TAILQ_NEXT(req, entry) == NULL);
	ATF_CHECK_EQ(r->pass_credentials, 1);
	ATF_CHECK_EQ(r->via, VIA_FULL);
	ATF_CHECK_EQ(r->preserve_host, 1);
	ATF_CHECK_EQ(r->action, ACTION_PROXY);
	ATF_REQUIRE(r->proxy != NULL);
	ATF_CHECK_STREQ(r->proxy->text, "https://LocalHost:9443/base/");
	ATF_CHECK_STREQ(r->proxy->host, "localhost");
	ATF_CHECK_STREQ(r->proxy->hostport, "localhost:9443");
	ATF_CHECK_EQ(r->proxy->port, 9443);
	ATF_CHECK_EQ(r->proxy->tls, 1);
	ATF_CHECK_STREQ(r->proxy->path, "/base/");
	ATF_CHECK_EQ(r->proxy->baselen, 5);
	ATF_REQUIRE(r->proxy->up != NULL);
	ATF_CHECK_STREQ(r->proxy->up->host, "localhost");
	ATF_CHECK_EQ(r->proxy->up->idle_fd, -1);
	ATF_CHECK(r->proxy->up->naddrs >= 1);
	url = TAILQ_FIRST(&r->reverses);
	ATF_REQUIRE(url != NULL);
	ATF_CHECK_STREQ(url->host, "127.0.0.1");
	ATF_CHECK_EQ(url->port, 9000);
	ATF_CHECK(url->up == NULL);

	b = server_n(conf, 1);
	ATF_CHECK_STREQ(b->name, "b");
	ATF_CHECK_EQ(b->line, 27);
	ATF_CHECK_EQ(b->root.rules.action, ACTION_REDIRECT);
	ATF_CHECK_EQ(b->root.rules.redirect_code, 308);
	ATF_CHECK_STREQ(b->root.rules.redirect_to,
	    "https://$HOST$REQUEST_URI");
	ATF_CHECK_EQ(b->backend_noverify, 1);
	ATF_CHECK(b->backend_ca == NULL);
	ATF_CHECK_EQ(b->hsts.enabled, 1);
	ATF_CHECK_EQ(b->hsts.max_age, 31536000);
	ATF_CHECK_EQ(b->hsts.subdomains, 0);
	ATF_CHECK_EQ(b->root.rules.via, VIA_OFF);
	ATF_CHECK_EQ(b->has_auth, 0);
	ATF_CHECK(b->root.rules.auth == NULL);
	ATF_CHECK(TAILQ_EMPTY(&b->root.rules.requires));
	ATF_CHECK(b->tls.protocols == NULL);
	ATF_CHECK_EQ(b->tls.ticket_lifetime, -1);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(server_defaults);
ATF_TC_BODY(server_defaults, tc)
{
	struct config	*conf;
	struct server	*srv;

	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	redirect to \"https://a/\"\n"
	    "}\n");
	srv = server_n(conf, 0);
	ATF_CHECK_EQ(srv->root.rules.via, VIA_ON);
	ATF_CHECK_EQ(srv->root.rules.redirect_code, 301);
	ATF_CHECK_EQ(srv->root.rules.pass_credentials, 0);
	ATF_CHECK_EQ(srv->root.rules.preserve_host, 0);
	ATF_CHECK(srv->root.rules.auth == NULL);
	ATF_CHECK_EQ(srv->has_auth, 0);
	ATF_CHECK_EQ(srv->hsts.enabled, 0);
	ATF_CHECK_STREQ(srv->root.prefix, "");
	ATF_CHECK_EQ(srv->root.prefixlen, 0);
	ATF_CHECK(srv->root.server == srv);
	ATF_CHECK(TAILQ_EMPTY(&srv->locations));
	ATF_CHECK(srv->tls.certificate == NULL);
	ATF_CHECK_EQ(srv->tls.ticket_lifetime, -1);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(server_statement_errors);
ATF_TC_BODY(server_statement_errors, tc)
{
	write_file("users", "");
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 99999\n"
	    "	listen on 127.0.0.1 port 0\n"
	    "	listen on 127.0.0.1 port\n"
	    "	redirect code 399 to \"/x\"\n"
	    "	redirect to \"/a b\"\n"
	    "	proxy to \"ftp://x/\"\n"
	    "	no authenticate\n"
	    "	tls protocols \"tlsv1.0\"\n"
	    "	tls ticket lifetime 1h\n"
	    "	tls ticket lifetime 2h\n"
	    "	tls key \"a\"\n"
	    "	tls key \"b\"\n"
	    "	hsts\n"
	    "	hsts preload\n"
	    "	via on\n"
	    "	via off\n"
	    "	backend tls ca \"/x\"\n"
	    "	backend tls no verify\n"
	    "	alias \"a*b\"\n"
	    "	authenticate \"R\\\"\" users \"users\"\n"
	    "	authenticate \"R\" users \"users\"\n"
	    "	authenticate \"R\" users \"users\"\n"
	    "	reverse \"http://u@h/\"\n"
	    "	user \"x\"\n"
	    "}\n"
	    "server \"*.*\" {\n"
	    "}\n",
	    "t.conf:4: port 99999 is out of range",
	    "t.conf:5: port 0 is out of range",
	    "t.conf:6: syntax error at end of line",
	    "t.conf:7: redirect code must be 301, 302, 303, 307 or 308",
	    "t.conf:8: invalid redirect URL \"/a b\"",
	    "t.conf:9: invalid URL \"ftp://x/\": scheme must be http:// or "
	    "https://",
	    "t.conf:10: no authenticate is only allowed in a location",
	    "t.conf:11: unsupported tls protocol \"tlsv1.0\"",
	    "t.conf:13: tls ticket lifetime already set",
	    "t.conf:15: tls key already set",
	    "t.conf:17: hsts already set",
	    "t.conf:19: server \"a\": via already set",
	    "t.conf:21: backend tls ca and backend tls no verify exclude "
	    "each other",
	    "t.conf:22: invalid alias \"a*b\"",
	    "t.conf:23: invalid realm \"R\"\"",
	    "t.conf:25: server \"a\": authenticate already set",
	    "t.conf:26: invalid URL \"http://u@h/\": user information not "
	    "allowed",
	    "t.conf:27: \"user\" is not allowed in a server",
	    "t.conf:29: invalid server name \"*.*\"");
}

/* Locations and inheritance. */

ATF_TC_WITHOUT_HEAD(locations);
ATF_TC_BODY(locations, tc)
{
	struct config	*conf;
	struct server	*srv, *open, *plain;
	struct location	*loc;
	struct rules	*root, *r;
	struct require	*req;

	write_file("users", "");
	write_file("groups", "");
	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	authenticate \"R\" users \"users\" groups \"groups\"\n"
	    "	require group \"g1\"\n"
	    "	via off\n"
	    "	reverse \"http://127.0.0.1:9001/\"\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n"
	    "	location \"/some/part/\" { no proxy }\n"
	    "	location \"/public\" { no authenticate }\n"
	    "	location \"/admin\" {\n"
	    "		require user \"root\"\n"
	    "		via block\n"
	    "		pass credentials\n"
	    "		preserve host\n"
	    "	}\n"
	    "	location \"/other\"\n"
	    "	{\n"
	    "		authenticate \"Other\" users \"users\" groups \"groups\"\n"
	    "		redirect code 302 to \"/elsewhere\"\n"
	    "		reverse \"http://127.0.0.1:9002/\"\n"
	    "	}\n"
	    "	location \"/\" { proxy to \"http://127.0.0.1:9003/x/\" }\n"
	    "	location \"/a/./b/../c//\" { no proxy }\n"
	    "}\n"
	    "server \"open\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	authenticate \"R\" users \"users\"\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"plain\" {\n"
	    "	listen on 127.0.0.1 port 8082\n"
	    "	no proxy\n"
	    "	location \"/x\" { redirect to \"/y\" }\n"
	    "}\n");
	srv = server_n(conf, 0);
	root = &srv->root.rules;
	ATF_CHECK_EQ(srv->has_auth, 1);
	ATF_CHECK_EQ(root->action, ACTION_PROXY);
	ATF_REQUIRE(root->auth != NULL);
	ATF_CHECK_EQ(count_requires(root), 1);
	ATF_CHECK_EQ(root->via, VIA_OFF);
	ATF_CHECK_EQ(count_reverses(root), 1);

	loc = location_n(srv, 0);
	ATF_CHECK_STREQ(loc->prefix, "/some/part");
	ATF_CHECK_EQ(loc->prefixlen, 10);
	ATF_CHECK_EQ(loc->line, 10);
	ATF_CHECK(loc->server == srv);
	r = &loc->rules;
	ATF_CHECK_EQ(r->action, ACTION_NOPROXY);
	ATF_CHECK(r->auth == root->auth);
	ATF_REQUIRE_EQ(count_requires(r), 1);
	req = TAILQ_FIRST(&r->requires);
	ATF_CHECK_EQ(req->type, REQUIRE_GROUP);
	ATF_CHECK_STREQ(req->names[0], "g1");
	ATF_CHECK_EQ(r->via, VIA_OFF);
	ATF_REQUIRE_EQ(count_reverses(r), 1);
	ATF_CHECK_EQ(TAILQ_FIRST(&r->reverses)->port, 9001);

	loc = location_n(srv, 1);
	r = &loc->rules;
	ATF_CHECK_STREQ(loc->prefix, "/public");
	ATF_CHECK(r->auth == NULL);
	ATF_CHECK_EQ(count_requires(r), 0);
	ATF_CHECK_EQ(r->action, ACTION_PROXY);
	ATF_CHECK(r->proxy == root->proxy);

	loc = location_n(srv, 2);
	r = &loc->rules;
	ATF_CHECK_STREQ(loc->prefix, "/admin");
	ATF_CHECK(r->auth == root->auth);
	ATF_REQUIRE_EQ(count_requires(r), 1);
	req = TAILQ_FIRST(&r->requires);
	ATF_CHECK_EQ(req->type, REQUIRE_USER);
	ATF_CHECK_STREQ(req->names[0], "root");
	ATF_CHECK_EQ(r->via, VIA_BLOCK);
	ATF_CHECK_EQ(r->pass_credentials, 1);
	ATF_CHECK_EQ(r->preserve_host, 1);
	ATF_CHECK_EQ(root->pass_credentials, 0);

	loc = location_n(srv, 3);
	r = &loc->rules;
	ATF_CHECK_STREQ(loc->prefix, "/other");
	ATF_CHECK_EQ(loc->line, 18);
	ATF_REQUIRE(r->auth != NULL);
	ATF_CHECK_STREQ(r->auth->realm, "Other");
	ATF_CHECK_EQ(count_requires(r), 1);
	ATF_CHECK_EQ(r->action, ACTION_REDIRECT);
	ATF_CHECK_EQ(r->redirect_code, 302);
	ATF_CHECK_STREQ(r->redirect_to, "/elsewhere");
	ATF_REQUIRE_EQ(count_reverses(r), 1);
	ATF_CHECK_EQ(TAILQ_FIRST(&r->reverses)->port, 9002);
	ATF_CHECK_EQ(r->via, VIA_OFF);

	loc = location_n(srv, 4);
	ATF_CHECK_STREQ(loc->prefix, "");
	ATF_CHECK_EQ(loc->prefixlen, 0);
	ATF_REQUIRE(loc->rules.proxy != NULL);
	ATF_CHECK_STREQ(loc->rules.proxy->path, "/x/");
	ATF_CHECK_EQ(loc->rules.proxy->baselen, 2);

	loc = location_n(srv, 5);
	ATF_CHECK_STREQ(loc->prefix, "/a/c");
	ATF_CHECK_EQ(loc->prefixlen, 4);

	/* authenticate without require: valid-user. */
	open = server_n(conf, 1);
	ATF_CHECK_EQ(open->has_auth, 1);
	ATF_REQUIRE_EQ(count_requires(&open->root.rules), 1);
	ATF_CHECK_EQ(TAILQ_FIRST(&open->root.rules.requires)->type,
	    REQUIRE_VALID_USER);

	plain = server_n(conf, 2);
	ATF_CHECK_EQ(plain->has_auth, 0);
	loc = location_n(plain, 0);
	ATF_CHECK(loc->rules.auth == NULL);
	ATF_CHECK_EQ(loc->rules.via, VIA_ON);
	ATF_CHECK_EQ(loc->rules.action, ACTION_REDIRECT);
	ATF_CHECK_EQ(loc->rules.redirect_code, 301);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(location_auth_only);
ATF_TC_BODY(location_auth_only, tc)
{
	struct config	*conf;
	struct server	*srv;
	struct location	*loc;

	/* authenticate in a location alone makes has_auth. */
	write_file("users", "");
	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	proxy to \"http://127.0.0.1:9000\"\n"
	    "	location \"/private\" {\n"
	    "		authenticate \"P\" users \"users\"\n"
	    "		require user \"x\" \"y\"\n"
	    "	}\n"
	    "}\n");
	srv = server_n(conf, 0);
	ATF_CHECK_EQ(srv->has_auth, 1);
	ATF_CHECK(srv->root.rules.auth == NULL);
	ATF_CHECK(TAILQ_EMPTY(&srv->root.rules.requires));
	loc = location_n(srv, 0);
	ATF_REQUIRE(loc->rules.auth != NULL);
	ATF_CHECK_EQ(TAILQ_FIRST(&loc->rules.requires)->nnames, 2);
	ATF_CHECK_STREQ(srv->root.rules.proxy->path, "/");
	ATF_CHECK_EQ(srv->root.rules.proxy->baselen, 0);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(location_errors);
ATF_TC_BODY(location_errors, tc)
{
	write_file("users", "");
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "	location \"/x\" {\n"
	    "		location \"/y\" { no proxy }\n"
	    "		alias \"b\"\n"
	    "		listen on 127.0.0.1 port 8081\n"
	    "		tls key \"k\"\n"
	    "		hsts\n"
	    "		backend tls no verify\n"
	    "		no proxy\n"
	    "		redirect to \"/z\"\n"
	    "		authenticate \"R\" users \"users\"\n"
	    "		no authenticate\n"
	    "		via on\n"
	    "		via full\n"
	    "	}\n"
	    "	location \"/w\" { frob }\n"
	    "	location \"/v\" { server \"x\" }\n"
	    "}\n"
	    "location \"/top\" {\n"
	    "}\n",
	    "t.conf:7: nested location \"/y\" is not allowed",
	    "t.conf:8: \"alias\" is not allowed in a location",
	    "t.conf:9: \"listen\" is not allowed in a location",
	    "t.conf:10: \"tls\" is not allowed in a location",
	    "t.conf:11: \"hsts\" is not allowed in a location",
	    "t.conf:12: \"backend\" is not allowed in a location",
	    "t.conf:14: location \"/x\": more than one of proxy to, no proxy "
	    "and redirect",
	    "t.conf:16: location \"/x\": both authenticate and no "
	    "authenticate",
	    "t.conf:18: location \"/x\": via already set",
	    "t.conf:20: unknown keyword \"frob\"",
	    "t.conf:21: \"server\" is not allowed in a location",
	    "t.conf:23: \"location\" is only allowed in a server");

	/* Prefixes are checked once the file is read. */
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "	location \"x\" { no proxy }\n"
	    "	location \"/../x\" { no proxy }\n"
	    "	location \"/a%2Fb\" { no proxy }\n"
	    "}\n",
	    "t.conf:6: location \"x\" must start with \"/\"",
	    "t.conf:7: invalid location \"/../x\"",
	    "t.conf:8: invalid location \"/a%2Fb\"");
}

/* The semantic errors of SPEC.md section 3. */

ATF_TC_WITHOUT_HEAD(error_unknown_keyword);
ATF_TC_BODY(error_unknown_keyword, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "frobnicate 1\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	bogus \"x\"\n"
	    "	location \"/x\" { frob }\n"
	    "	no proxy\n"
	    "}\n"
	    "alone\n"
	    "port 80\n"
	    "listen on * port 80\n",
	    "t.conf:3: unknown keyword \"frobnicate\"",
	    "t.conf:6: unknown keyword \"bogus\"",
	    "t.conf:7: unknown keyword \"frob\"",
	    "t.conf:10: unknown keyword \"alone\"",
	    "t.conf:11: unknown keyword \"port\"",
	    "t.conf:12: \"listen\" is only allowed in a server");
}

ATF_TC_WITHOUT_HEAD(error_syntax);
ATF_TC_BODY(error_syntax, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080;\n"
	    "	listen 127.0.0.1 port 8081\n"
	    "	proxy \"http://127.0.0.1/\"\n"
	    "	no proxy\n"
	    "	via sometimes\n"
	    "	hsts max-age\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8082\n"
	    "	no proxy\n"
	    "	\"quoted\" 1\n"
	    "} x\n",
	    "t.conf:4: syntax error near \";\"",
	    "t.conf:5: syntax error near \"127.0.0.1\"",
	    "t.conf:6: syntax error near \"http://127.0.0.1/\"",
	    "t.conf:8: syntax error near \"sometimes\"",
	    "t.conf:9: syntax error at end of line",
	    "t.conf:14: syntax error near \"quoted\"",
	    "t.conf:15: syntax error near \"x\"");

	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "	location \"/x\" {\n"
	    "		no proxy\n",
	    "t.conf:7: missing \"}\" at end of file");

	EXPECT_ERRORS(PROLOGUE
	    "server \"a\"\n",
	    "t.conf:3: syntax error at end of file");

	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	alias \"unterminated\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:4: unterminated quoted string");
}

ATF_TC_WITHOUT_HEAD(error_no_listen);
ATF_TC_BODY(error_no_listen, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:3: server \"a\" has no listen");
}

ATF_TC_WITHOUT_HEAD(error_tls_without_keypair);
ATF_TC_BODY(error_tls_without_keypair, tc)
{
	make_cert();
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 tls port 8444\n"
	    "	tls certificate \"c.pem\"\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"c\" {\n"
	    "	listen on 127.0.0.1 tls port 8445\n"
	    "	tls key \"k.pem\"\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:4: server \"a\" listens with tls but has no tls "
	    "certificate",
	    "t.conf:4: server \"a\" listens with tls but has no tls key",
	    "t.conf:8: server \"b\" listens with tls but has no tls key",
	    "t.conf:13: server \"c\" listens with tls but has no tls "
	    "certificate");
}

ATF_TC_WITHOUT_HEAD(error_require_without_auth);
ATF_TC_BODY(error_require_without_auth, tc)
{
	write_file("users", "");
	write_file("groups", "");
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	require valid-user\n"
	    "	no proxy\n"
	    "	location \"/x\" { require user \"bob\" }\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	authenticate \"R\" users \"users\" groups \"groups\"\n"
	    "	no proxy\n"
	    "	location \"/ok\" { require group \"g\" }\n"
	    "	location \"/pub\" {\n"
	    "		no authenticate\n"
	    "		require user \"x\"\n"
	    "	}\n"
	    "}\n",
	    "t.conf:3: server \"a\": require without authenticate",
	    "t.conf:7: location \"/x\": require without authenticate in "
	    "force",
	    "t.conf:14: location \"/pub\": require without authenticate in "
	    "force");
}

ATF_TC_WITHOUT_HEAD(error_require_group_without_groups);
ATF_TC_BODY(error_require_group_without_groups, tc)
{
	write_file("users", "");
	write_file("groups", "");
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	authenticate \"R\" users \"users\" groups \"groups\"\n"
	    "	require group \"staff\"\n"
	    "	location \"/ok\" { require group \"other\" }\n"
	    "	location \"/other\" { authenticate \"O\" users \"users\" }\n"
	    "	location \"/fine\" {\n"
	    "		authenticate \"O\" users \"users\"\n"
	    "		require valid-user\n"
	    "	}\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	authenticate \"R\" users \"users\"\n"
	    "	require user \"x\"\n"
	    "	require group \"staff\"\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:8: location \"/other\": require group, but the "
	    "authenticate in force (t.conf:8) names no groups file",
	    "t.conf:15: server \"b\": require group, but the authenticate in "
	    "force (t.conf:17) names no groups file");
}

ATF_TC_WITHOUT_HEAD(error_several_actions);
ATF_TC_BODY(error_several_actions, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n"
	    "	no proxy\n"
	    "	location \"/x\" {\n"
	    "		no proxy\n"
	    "		redirect to \"/y\"\n"
	    "	}\n"
	    "	location \"/z\" {\n"
	    "		proxy to \"http://127.0.0.1:9000/\"\n"
	    "		proxy to \"http://127.0.0.1:9001/\"\n"
	    "	}\n"
	    "	location \"/w\" { redirect to \"/a\" }\n"
	    "}\n",
	    "t.conf:6: server \"a\": more than one of proxy to, no proxy and "
	    "redirect",
	    "t.conf:9: location \"/x\": more than one of proxy to, no proxy "
	    "and redirect",
	    "t.conf:13: location \"/z\": more than one of proxy to, no proxy "
	    "and redirect");
}

ATF_TC_WITHOUT_HEAD(error_no_action);
ATF_TC_BODY(error_no_action, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	location \"/x\" { no proxy }\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	location \"/\" { proxy to \"http://127.0.0.1:9000/\" }\n"
	    "	location \"/y\" { pass credentials }\n"
	    "}\n"
	    "server \"c\" {\n"
	    "	listen on 127.0.0.1 port 8082\n"
	    "	location \"/x\" { no proxy }\n"
	    "	location \"/\" { redirect to \"/x\" }\n"
	    "}\n"
	    "server \"d\" {\n"
	    "	listen on 127.0.0.1 port 8083\n"
	    "}\n",
	    "t.conf:3: server \"a\" has neither proxy to nor redirect",
	    "t.conf:10: location \"/y\" of server \"b\" has neither proxy to "
	    "nor redirect",
	    "t.conf:17: server \"d\" has neither proxy to nor redirect");
}

ATF_TC_WITHOUT_HEAD(error_nested_location);
ATF_TC_BODY(error_nested_location, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "	location \"/x\" {\n"
	    "		location \"/y\" {\n"
	    "			location \"/z\" { no proxy }\n"
	    "		}\n"
	    "		no proxy\n"
	    "	}\n"
	    "	location \"/after\" { no proxy }\n"
	    "}\n",
	    "t.conf:7: nested location \"/y\" is not allowed",
	    "t.conf:8: nested location \"/z\" is not allowed");
}

ATF_TC_WITHOUT_HEAD(error_name_twice);
ATF_TC_BODY(error_name_twice, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	alias \"A.\"\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"c\" {\n"
	    "	alias \"a\"\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"*.example.com\" {\n"
	    "	listen on * port 8082\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"d\" {\n"
	    "	alias \"*.EXAMPLE.com\"\n"
	    "	listen on * port 8082\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:7: \"a\" is a name of both server \"a\" and server \"b\" "
	    "on one listener",
	    "t.conf:21: \"*.example.com\" is a name of both server "
	    "\"*.example.com\" and server \"d\" on one listener");
}

ATF_TC_WITHOUT_HEAD(error_tls_and_plain);
ATF_TC_BODY(error_tls_and_plain, tc)
{
	make_cert();
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8443\n"
	    "	listen on 127.0.0.1 port 9443\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	listen on * tls port 9443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:9: address \"127.0.0.1\" port 8443 is both tls and plain",
	    "t.conf:10: address \"*\" port 9443 is both tls and plain");
}

ATF_TC_WITHOUT_HEAD(error_tls_disagree);
ATF_TC_BODY(error_tls_disagree, tc)
{
	make_cert();
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls protocols \"tlsv1.3\"\n"
	    "	tls ticket lifetime 1h\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls protocols \"tlsv1.2,tlsv1.3\"\n"
	    "	tls ciphers \"HIGH\"\n"
	    "	tls ticket lifetime 0\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"c\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls ciphers \"ECDHE\"\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:11: servers \"a\" and \"b\" share a tls listener but "
	    "disagree on tls protocols",
	    "t.conf:11: servers \"a\" and \"b\" share a tls listener but "
	    "disagree on tls ticket lifetime",
	    "t.conf:20: servers \"b\" and \"c\" share a tls listener but "
	    "disagree on tls ciphers");
}

ATF_TC_WITHOUT_HEAD(tls_agree);
ATF_TC_BODY(tls_agree, tc)
{
	struct config	*conf;

	/* Leaving a setting out agrees with everyone. */
	make_cert();
	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls protocols \"tlsv1.3\"\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls ticket lifetime 0\n"
	    "	tls ciphers \"HIGH\"\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"c\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls protocols \"tlsv1.3\"\n"
	    "	tls ticket lifetime 0s\n"
	    "	no proxy\n"
	    "}\n");
	ATF_CHECK_EQ(server_n(conf, 1)->tls.ticket_lifetime, 0);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(errors_continue);
ATF_TC_BODY(errors_continue, tc)
{
	/* Consecutive bad lines, and errors of different kinds. */
	EXPECT_ERRORS(PROLOGUE
	    "bogus1\n"
	    "bogus2\n"
	    "user \"root\"\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	bad1 x\n"
	    "	bad2 y\n"
	    "	via wrong\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:3: unknown keyword \"bogus1\"",
	    "t.conf:4: unknown keyword \"bogus2\"",
	    "t.conf:5: user already set",
	    "t.conf:8: unknown keyword \"bad1\"",
	    "t.conf:9: unknown keyword \"bad2\"",
	    "t.conf:10: syntax error near \"wrong\"");

	/* A bad line that opens a block takes the block with it. */
	EXPECT_ERRORS(PROLOGUE
	    "sever \"x\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	location \"/y\" { no proxy }\n"
	    "}\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	locaton \"/z\" {\n"
	    "		bogus\n"
	    "	}\n"
	    "	no proxy\n"
	    "	via on {\n"
	    "	}\n"
	    "	frob\n"
	    "}\n",
	    "t.conf:3: unknown keyword \"sever\"",
	    "t.conf:9: unknown keyword \"locaton\"",
	    "t.conf:13: syntax error near \"{\"",
	    "t.conf:15: unknown keyword \"frob\"");
}

/* Lexer: macros, includes, continuation, comments, quoting. */

ATF_TC_WITHOUT_HEAD(macros);
ATF_TC_BODY(macros, tc)
{
	struct definelist	 defs = TAILQ_HEAD_INITIALIZER(defs);
	struct define		*d;
	struct config		*conf;
	struct server		*srv;
	struct listen_conf	*lc;
	const char		*text =
	    PROLOGUE
	    "be = \"http://127.0.0.1:9000/app/\"\n"
	    "name = \"www.example.com\"\n"
	    "p = \"8080\"\n"
	    "server $name {\n"
	    "	listen on 127.0.0.1 port $p\n"
	    "	redirect to \"https://$name$REQUEST_URI\"\n"
	    "	location \"/b\" { proxy to $be }\n"
	    "}\n";

	conf = parse_ok(text);
	srv = server_n(conf, 0);
	ATF_CHECK_STREQ(srv->name, "www.example.com");
	lc = TAILQ_FIRST(&srv->listens);
	ATF_CHECK_EQ(lc->port, 8080);
	ATF_CHECK_STREQ(srv->root.rules.redirect_to,
	    "https://$name$REQUEST_URI");
	ATF_CHECK_STREQ(location_n(srv, 0)->rules.proxy->text,
	    "http://127.0.0.1:9000/app/");
	done(conf);

	/* -D overrides the file. */
	ATF_REQUIRE_EQ(define_add(&defs, "p=8081"), 0);
	ATF_REQUIRE_EQ(define_add(&defs, "name=other.example"), 0);
	conf = parse_defs(text, &defs);
	if (conf == NULL)
		print_errors();
	ATF_REQUIRE(conf != NULL);
	srv = server_n(conf, 0);
	ATF_CHECK_STREQ(srv->name, "other.example");
	ATF_CHECK_EQ(TAILQ_FIRST(&srv->listens)->port, 8081);
	done(conf);

	while ((d = TAILQ_FIRST(&defs)) != NULL) {
		TAILQ_REMOVE(&defs, d, entry);
		free(d->name);
		free(d->value);
		free(d);
	}

	/* A macro may be redefined in the file; the last one counts. */
	conf = parse_ok(PROLOGUE
	    "p = \"1\"\n"
	    "p = \"8082\"\n"
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port $p\n"
	    "	no proxy\n"
	    "}\n");
	ATF_CHECK_EQ(TAILQ_FIRST(&server_n(conf, 0)->listens)->port, 8082);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(define_add_syntax);
ATF_TC_BODY(define_add_syntax, tc)
{
	struct definelist	 defs = TAILQ_HEAD_INITIALIZER(defs);
	struct define		*d;

	ATF_CHECK_EQ(define_add(&defs, "novalue"), -1);
	ATF_CHECK_EQ(define_add(&defs, "=x"), -1);
	ATF_CHECK_EQ(define_add(&defs, "a b=c"), -1);
	ATF_CHECK_EQ(define_add(&defs, "1a=x"), -1);
	ATF_CHECK_EQ(define_add(&defs, "a-b=x"), -1);
	ATF_CHECK(TAILQ_EMPTY(&defs));
	ATF_CHECK_EQ(define_add(&defs, "a_1=x=y"), 0);
	ATF_CHECK_EQ(define_add(&defs, "e="), 0);
	d = TAILQ_FIRST(&defs);
	ATF_REQUIRE(d != NULL);
	ATF_CHECK_STREQ(d->name, "a_1");
	ATF_CHECK_STREQ(d->value, "x=y");
	d = TAILQ_NEXT(d, entry);
	ATF_REQUIRE(d != NULL);
	ATF_CHECK_STREQ(d->name, "e");
	ATF_CHECK_STREQ(d->value, "");
	while ((d = TAILQ_FIRST(&defs)) != NULL) {
		TAILQ_REMOVE(&defs, d, entry);
		free(d->name);
		free(d->value);
		free(d);
	}
}

ATF_TC_WITHOUT_HEAD(macro_errors);
ATF_TC_BODY(macro_errors, tc)
{
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	proxy to $nope\n"
	    "}\n"
	    "port = \"1\"\n"
	    "later = $after\n"
	    "after = \"x\"\n"
	    "x = \"$\"\n"
	    "y = $\n",
	    "t.conf:5: undefined macro \"nope\"",
	    "t.conf:7: \"port\" is a keyword and cannot be a macro name",
	    "t.conf:8: undefined macro \"after\"",
	    "t.conf:11: \"$\" without a macro name");
}

ATF_TC_WITHOUT_HEAD(continuation_comments);
ATF_TC_BODY(continuation_comments, tc)
{
	struct config	*conf;
	struct server	*srv;

	conf = parse_ok(
	    "user \\\n"
	    "    \"nobody\"\n"
	    "chroot \"/\"   # trailing comment\n"
	    "# a comment with \"a quote and a \\\n"
	    "server \"a\" { \\\n"
	    "	listen on 127.0.0.1 \\\n"
	    "	    port 8080\n"
	    "	redirect to \"/x#y\"  # '#' in quotes stays\n"
	    "	location \"/q\" {\n"
	    "		no proxy }\n"
	    "	alias \"long\\\n"
	    "name\"\n"
	    "\n"
	    "}\n");
	ATF_CHECK_STREQ(conf->user, "nobody");
	ATF_CHECK_EQ(conf->user_line, 1);
	ATF_CHECK_EQ(conf->chroot_line, 3);
	srv = server_n(conf, 0);
	ATF_CHECK_EQ(srv->line, 5);
	ATF_CHECK_EQ(TAILQ_FIRST(&srv->listens)->line, 6);
	ATF_CHECK_STREQ(srv->root.rules.redirect_to, "/x#y");
	ATF_CHECK_STREQ(location_n(srv, 0)->prefix, "/q");
	ATF_CHECK_EQ(location_n(srv, 0)->line, 9);
	ATF_REQUIRE_EQ(srv->naliases, 2);
	ATF_CHECK_STREQ(srv->aliases[1], "longname");
	done(conf);

	/* An error is reported at the line its statement starts on. */
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 \\\n"
	    "	    port 99999\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:4: port 99999 is out of range");
}

ATF_TC_WITHOUT_HEAD(one_line_blocks);
ATF_TC_BODY(one_line_blocks, tc)
{
	struct config	*conf;
	struct server	*srv;

	conf = parse_ok(PROLOGUE
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	location \"/\" { proxy to \"http://127.0.0.1:9000/\" }\n"
	    "	location \"/x\" { no proxy } \n"
	    "}\n"
	    "server \"c\" { listen on 127.0.0.1 port 8082\n"
	    "	no proxy }\n"
	    "server \"a2\" {\n"
	    "	alias \"a\"\n"
	    "	listen on 127.0.0.1 port 8083\n"
	    "	no proxy\n"
	    "	location \"/y\" { redirect to \"/\" } }\n"
	    "\n");
	srv = server_n(conf, 0);
	ATF_CHECK_EQ(location_n(srv, 1)->rules.action, ACTION_NOPROXY);
	ATF_CHECK_EQ(location_n(srv, 0)->rules.action, ACTION_PROXY);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(include);
ATF_TC_BODY(include, tc)
{
	struct config	*conf;
	struct server	*srv;

	ATF_REQUIRE(mkdir("conf.d", 0755) == 0);
	write_file("conf.d/servers.conf",
	    "server \"inc\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "include \"more.conf\"\n");
	write_file("conf.d/more.conf",
	    "server \"more\" {\n"
	    "	listen on 127.0.0.1 port 8082\n"
	    "	no proxy\n"
	    "}");
	conf = parse_ok(PROLOGUE
	    "include \"conf.d/servers.conf\"\n"
	    "server \"m\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	no proxy\n"
	    "}\n");
	srv = server_n(conf, 0);
	ATF_CHECK_STREQ(srv->name, "inc");
	ATF_CHECK_STREQ(srv->file, "conf.d/servers.conf");
	ATF_CHECK_EQ(srv->line, 1);
	srv = server_n(conf, 1);
	ATF_CHECK_STREQ(srv->name, "more");
	ATF_CHECK_STREQ(srv->file, "conf.d/more.conf");
	srv = server_n(conf, 2);
	ATF_CHECK_STREQ(srv->name, "m");
	ATF_CHECK_STREQ(srv->file, "t.conf");
	ATF_CHECK_EQ(srv->line, 4);
	done(conf);
}

ATF_TC_WITHOUT_HEAD(include_errors);
ATF_TC_BODY(include_errors, tc)
{
	char	 path[64], text[64];
	int	 i;

	ATF_REQUIRE(mkdir("conf.d", 0755) == 0);
	write_file("conf.d/bad.conf",
	    "server \"x\" {\n"
	    "	bogus\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n");
	EXPECT_ERRORS(PROLOGUE
	    "include \"conf.d/bad.conf\"\n"
	    "include \"missing.conf\"\n"
	    "frob\n",
	    "conf.d/bad.conf:2: unknown keyword \"bogus\"",
	    "t.conf:4: cannot open \"missing.conf\": No such file or "
	    "directory",
	    "t.conf:5: unknown keyword \"frob\"");

	write_file("conf.d/loop.conf", "include \"loop.conf\"\n");
	EXPECT_ERRORS(PROLOGUE
	    "include \"conf.d/loop.conf\"\n",
	    "conf.d/loop.conf:1: include loop: \"conf.d/loop.conf\" is "
	    "already being read");

	/* A block left open in an included file is its error. */
	write_file("conf.d/open.conf",
	    "server \"x\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n");
	EXPECT_ERRORS(PROLOGUE
	    "include \"conf.d/open.conf\"\n"
	    "server \"y\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	no proxy\n"
	    "}\n",
	    "conf.d/open.conf:3: missing \"}\" at end of file");

	/* Includes nest at most 16 files deep. */
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "conf.d/i%d.conf", i);
		snprintf(text, sizeof(text), "include \"i%d.conf\"\n", i + 1);
		write_file(path, text);
	}
	write_file("conf.d/i20.conf", "");
	EXPECT_ERRORS(PROLOGUE
	    "include \"conf.d/i0.conf\"\n",
	    "conf.d/i14.conf:1: includes nested too deeply");

	write_file("conf.d/w.conf", "");
	ATF_REQUIRE(chmod("conf.d/w.conf", 0666) == 0);
	EXPECT_ERRORS(PROLOGUE
	    "include \"conf.d/w.conf\"\n",
	    "conf.d/w.conf:0: file is writable by group or others");

	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	include \"conf.d/w.conf\"\n"
	    "}\n",
	    "t.conf:4: \"include\" is not allowed in a server");
}

ATF_TC_WITHOUT_HEAD(file_refused);
ATF_TC_BODY(file_refused, tc)
{
	struct config	*conf;
	const char	*text = PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n";

	write_file("t.conf", text);
	ATF_REQUIRE(chmod("t.conf", 0664) == 0);
	EXPECT_FILE_ERRORS("t.conf",
	    "t.conf:0: file is writable by group or others");
	ATF_REQUIRE(chmod("t.conf", 0646) == 0);
	EXPECT_FILE_ERRORS("t.conf",
	    "t.conf:0: file is writable by group or others");
	ATF_REQUIRE(chmod("t.conf", 0600) == 0);
	errlist_clear(&errs);
	conf = parse_config("t.conf", NULL, &errs);
	ATF_CHECK(conf != NULL);
	done(conf);

	ATF_REQUIRE(mkdir("d.conf", 0755) == 0);
	EXPECT_FILE_ERRORS("d.conf", "d.conf:0: file is not a regular file");
	EXPECT_FILE_ERRORS("none.conf",
	    "none.conf:0: cannot open \"none.conf\": No such file or "
	    "directory");
}

/* The file checks of proxyd -n. */

ATF_TC_WITHOUT_HEAD(check_files);
ATF_TC_BODY(check_files, tc)
{
#define KEYPAIR	PROLOGUE						\
	    "server \"a\" {\n"						\
	    "	listen on 127.0.0.1 tls port 8443\n"			\
	    "	tls certificate \"c.pem\"\n"				\
	    "	tls key \"%s\"\n"					\
	    "	no proxy\n"						\
	    "}\n"
	char		 buf[512];

	make_cert();
	snprintf(buf, sizeof(buf), KEYPAIR, "k2.pem");
	EXPECT_ERRORS(buf, "t.conf:6: tls certificate \"c.pem\" does not "
	    "match tls key \"k2.pem\"");

	ATF_REQUIRE(chmod("k.pem", 0644) == 0);
	snprintf(buf, sizeof(buf), KEYPAIR, "k.pem");
	EXPECT_ERRORS(buf, "t.conf:6: tls key \"k.pem\" is readable by "
	    "group or others");
	ATF_REQUIRE(chmod("k.pem", 0640) == 0);
	EXPECT_ERRORS(buf, "t.conf:6: tls key \"k.pem\" is readable by "
	    "group or others");
	ATF_REQUIRE(chmod("k.pem", 0600) == 0);

	snprintf(buf, sizeof(buf), KEYPAIR, "nokey.pem");
	EXPECT_ERRORS(buf, "t.conf:6: cannot read tls key \"nokey.pem\": "
	    "No such file or directory");

	/* A certificate that is no certificate. */
	write_file("bad.pem", "not a certificate\n");
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"bad.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:5: cannot load tls certificate \"bad.pem\"");

	write_file("users", "");
	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 tls port 8443\n"
	    "	tls certificate \"c.pem\"\n"
	    "	tls key \"k.pem\"\n"
	    "	tls chain \"nochain.pem\"\n"
	    "	tls ocsp \"noocsp.der\"\n"
	    "	backend tls ca \"noca.pem\"\n"
	    "	authenticate \"R\" users \"nousers\" groups \"nogroups\"\n"
	    "	no proxy\n"
	    "	location \"/x\" {\n"
	    "		authenticate \"R\" users \"users\" groups \".\"\n"
	    "	}\n"
	    "}\n",
	    "t.conf:7: cannot read tls chain \"nochain.pem\": No such file or "
	    "directory",
	    "t.conf:8: cannot read tls ocsp \"noocsp.der\": No such file or "
	    "directory",
	    "t.conf:9: cannot read backend tls ca \"noca.pem\": No such file "
	    "or directory",
	    "t.conf:10: cannot read users file \"nousers\": No such file or "
	    "directory",
	    "t.conf:10: cannot read groups file \"nogroups\": No such file or "
	    "directory",
	    "t.conf:13: groups file \".\" is not a regular file");
#undef KEYPAIR
}

ATF_TC_WITHOUT_HEAD(check_user_chroot);
ATF_TC_BODY(check_user_chroot, tc)
{
	const char	*server =
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n";
	char		 buf[512];

	snprintf(buf, sizeof(buf), "user \"no-such-user-x\"\n"
	    "chroot \"/nonexistent-dir-x\"\n%s", server);
	EXPECT_ERRORS(buf,
	    "t.conf:1: unknown user \"no-such-user-x\"",
	    "t.conf:2: chroot \"/nonexistent-dir-x\": No such file or "
	    "directory");

	write_file("f", "");
	snprintf(buf, sizeof(buf), "user \"root\"\nchroot \"f\"\n%s", server);
	EXPECT_ERRORS(buf, "t.conf:2: chroot \"f\" is not a directory");

	/* Defaults that are missing: what is missing and how to make it. */
	if (getpwnam("proxyd") == NULL) {
		snprintf(buf, sizeof(buf), "chroot \"/\"\n%s", server);
		EXPECT_ERRORS(buf, "proxyd: the user \"proxyd\" (the default "
		    "of the user statement) does not exist; \"make install\" "
		    "creates it, or: useradd --system --no-create-home "
		    "--home-dir /var/empty --shell /usr/sbin/nologin proxyd");
	}
	if (access("/var/empty", F_OK) == -1) {
		snprintf(buf, sizeof(buf), "user \"root\"\n%s", server);
		EXPECT_ERRORS(buf, "proxyd: the directory /var/empty (the "
		    "default of the chroot statement): No such file or "
		    "directory; \"make install\" creates it, or: mkdir -m 755 "
		    "/var/empty");
	}
}

ATF_TC_WITHOUT_HEAD(check_default_user_chroot);
ATF_TC_BODY(check_default_user_chroot, tc)
{
	struct config	*conf;

	/* As on a machine where neither default exists. */
	conf = parse_ok(PROLOGUE "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n	no proxy\n}\n");
	free(conf->user);
	free(conf->chroot);
	ATF_REQUIRE((conf->user = strdup("no-such-default-x")) != NULL);
	ATF_REQUIRE((conf->chroot = strdup("/no-such-dir-x")) != NULL);
	conf->user_file = conf->chroot_file = NULL;
	conf->user_line = conf->chroot_line = 0;
	errlist_clear(&errs);
	ATF_CHECK_EQ(config_check_files(conf, &errs), -1);
	check_errors((const char *const []){
	    "proxyd: the user \"no-such-default-x\" (the default of the user "
	    "statement) does not exist; \"make install\" creates it, or: "
	    "useradd --system --no-create-home --home-dir /var/empty "
	    "--shell /usr/sbin/nologin no-such-default-x",
	    "proxyd: the directory /no-such-dir-x (the default of the chroot "
	    "statement): No such file or directory; \"make install\" "
	    "creates it, or: mkdir -m 755 /no-such-dir-x", NULL });
	done(conf);
}

/* URLs and backends. */

ATF_TC_WITHOUT_HEAD(url);
ATF_TC_BODY(url, tc)
{
	static const struct {
		const char	*text;
		int		 tls;
		const char	*host;
		int		 port;
		const char	*hostport;
		const char	*path;
		size_t		 baselen;
	} good[] = {
		{ "http://example.com", 0, "example.com", 80, "example.com",
		    "/", 0 },
		{ "HTTPS://Example.COM:8443/base/", 1, "example.com", 8443,
		    "example.com:8443", "/base/", 5 },
		{ "https://example.com:443/x", 1, "example.com", 443,
		    "example.com", "/x", 2 },
		{ "http://example.com:443/", 0, "example.com", 443,
		    "example.com:443", "/", 0 },
		{ "http://[::1]:8080/p", 0, "::1", 8080, "[::1]:8080", "/p",
		    2 },
		{ "http://[::1]/", 0, "::1", 80, "[::1]", "/", 0 },
		{ "http://127.0.0.1:80/a/b//", 0, "127.0.0.1", 80,
		    "127.0.0.1", "/a/b//", 5 },
		{ "http://in_ternal-host.local:1/%7Ex", 0,
		    "in_ternal-host.local", 1, "in_ternal-host.local:1",
		    "/%7Ex", 5 },
	};
	static const struct {
		const char	*text;
		const char	*why;
	} bad[] = {
		{ "ftp://x/", "scheme must be http:// or https://" },
		{ "example.com", "scheme must be http:// or https://" },
		{ "http://", "missing host" },
		{ "http:///x", "missing host" },
		{ "http://:80/", "missing host" },
		{ "http://h:0/", "port is too small" },
		{ "http://h:65536/", "port is too large" },
		{ "http://h:x/", "invalid port" },
		{ "http://h:/", "invalid port" },
		{ "http://u@h/", "user information not allowed" },
		{ "http://h/?q", "query or fragment not allowed" },
		{ "http://h/#f", "query or fragment not allowed" },
		{ "http://[::1/", "missing \"]\"" },
		{ "http://[zz]/", "invalid IPv6 address" },
		{ "http://[::1]x/", "invalid port" },
		{ "http://h/a b", "invalid character" },
		{ "http://h%41/", "invalid character in host" },
	};
	struct url	 u;
	char		 why[128];
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ATF_REQUIRE_EQ_MSG(url_parse(good[i].text, &u, why,
		    sizeof(why)), 0, "%s: %s", good[i].text, why);
		ATF_CHECK_STREQ(u.text, good[i].text);
		ATF_CHECK_EQ(u.tls, good[i].tls);
		ATF_CHECK_STREQ(u.host, good[i].host);
		ATF_CHECK_EQ(u.port, good[i].port);
		ATF_CHECK_STREQ(u.hostport, good[i].hostport);
		ATF_CHECK_STREQ(u.path, good[i].path);
		ATF_CHECK_EQ_MSG(u.baselen, good[i].baselen, "%s",
		    good[i].text);
		ATF_CHECK(u.up == NULL);
		free(u.text);
		free(u.host);
		free(u.hostport);
		free(u.path);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ATF_CHECK_EQ_MSG(url_parse(bad[i].text, &u, why, sizeof(why)),
		    -1, "%s", bad[i].text);
		ATF_CHECK_STREQ_MSG(why, bad[i].why, "%s", bad[i].text);
		ATF_CHECK(u.host == NULL && u.text == NULL);
	}
}

ATF_TC_WITHOUT_HEAD(upstreams);
ATF_TC_BODY(upstreams, tc)
{
	struct config		*conf;
	struct server		*srv;
	struct upstream		*up;
	struct sockaddr_in	*sin;
	size_t			 n = 0;

	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	proxy to \"http://127.0.0.1:9000/a/\"\n"
	    "	location \"/b\" { proxy to \"http://127.0.0.1:9000/b/\" }\n"
	    "	location \"/c\" { proxy to \"https://127.0.0.1:9000/\" }\n"
	    "	location \"/d\" { proxy to \"http://LOCALHOST:9000\" }\n"
	    "	location \"/e\" { proxy to \"http://localhost:9000/e\" }\n"
	    "}\n");
	srv = server_n(conf, 0);
	TAILQ_FOREACH(up, &conf->upstreams, entry)
		n++;
	ATF_CHECK_EQ(n, 3);
	ATF_CHECK(srv->root.rules.proxy->up ==
	    location_n(srv, 0)->rules.proxy->up);
	ATF_CHECK(srv->root.rules.proxy->up !=
	    location_n(srv, 1)->rules.proxy->up);
	ATF_CHECK(location_n(srv, 2)->rules.proxy->up ==
	    location_n(srv, 3)->rules.proxy->up);
	up = srv->root.rules.proxy->up;
	ATF_CHECK_STREQ(up->host, "127.0.0.1");
	ATF_CHECK_EQ(up->port, 9000);
	ATF_CHECK_EQ(up->tls, 0);
	ATF_CHECK_EQ(up->idle_fd, -1);
	ATF_CHECK_EQ(up->line, 5);
	ATF_REQUIRE_EQ(up->naddrs, 1);
	sin = (struct sockaddr_in *)&up->addrs[0];
	ATF_CHECK_EQ(sin->sin_family, AF_INET);
	ATF_CHECK_EQ(ntohs(sin->sin_port), 9000);
	ATF_CHECK_EQ(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	up = location_n(srv, 2)->rules.proxy->up;
	ATF_CHECK_STREQ(up->host, "localhost");
	ATF_CHECK(up->naddrs >= 1);
	done(conf);
}

/* Lookups. */

ATF_TC_WITHOUT_HEAD(server_find_rules);
ATF_TC_BODY(server_find_rules, tc)
{
	struct config	*conf;
	struct listener	*l;
	struct server	*first, *www, *deep;

#define FIND(h)		server_find(l, h, strlen(h))
	conf = parse_ok(PROLOGUE
	    "server \"first.example.com\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"www.example.com\" {\n"
	    "	alias \"www.example.org\"\n"
	    "	alias \"*.example.com\"\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"Deep\" {\n"
	    "	alias \"*.b.example.com\"\n"
	    "	alias \"www.example.*\"\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"other\" {\n"
	    "	alias \"first.example.com\"\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	no proxy\n"
	    "}\n");
	first = server_n(conf, 0);
	www = server_n(conf, 1);
	deep = server_n(conf, 2);
	ATF_REQUIRE((l = listener_named(conf, "127.0.0.1:8080")) != NULL);
	ATF_REQUIRE_EQ(l->nservers, 3);
	ATF_CHECK(l->servers[0] == first);
	ATF_CHECK(l->servers[1] == www);
	ATF_CHECK(l->servers[2] == deep);

	ATF_CHECK(FIND("first.example.com") == first);
	ATF_CHECK(FIND("FIRST.Example.COM") == first);
	ATF_CHECK(FIND("first.example.com.") == first);
	ATF_CHECK(server_find(l, "first.example.com:8080", 17) == first);
	ATF_CHECK(FIND("www.example.org") == www);
	ATF_CHECK(FIND("www.example.com") == www);
	ATF_CHECK(FIND("deep") == deep);
	ATF_CHECK(FIND("x.example.com") == www);
	ATF_CHECK(FIND("a.b.example.com") == deep);
	ATF_CHECK(FIND("b.example.com") == www);
	ATF_CHECK(FIND("www.example.net") == deep);
	ATF_CHECK(FIND("www.example.net.") == deep);
	ATF_CHECK(FIND("example.com") == NULL);
	ATF_CHECK(FIND(".example.com") == NULL);
	ATF_CHECK(FIND("www.example.") == NULL);
	ATF_CHECK(FIND("www.example") == NULL);
	ATF_CHECK(FIND("unknown.org") == NULL);
	ATF_CHECK(FIND("") == NULL);
	ATF_CHECK(FIND(".") == NULL);

	ATF_CHECK(server_names(www, "X.EXAMPLE.COM", 13));
	ATF_CHECK(server_names(www, "www.example.org.", 16));
	ATF_CHECK(!server_names(first, "www.example.com", 15));
	ATF_CHECK(server_names(first, "first.example.com", 17));
	ATF_CHECK(server_names(deep, "www.example.co.uk", 17));
	ATF_CHECK(!server_names(deep, "example.com", 11));

	ATF_REQUIRE((l = listener_named(conf, "127.0.0.1:8081")) != NULL);
	ATF_CHECK(FIND("first.example.com") == server_n(conf, 3));
	ATF_CHECK(FIND("www.example.com") == NULL);
	done(conf);
#undef FIND
}

ATF_TC_WITHOUT_HEAD(location_find_rules);
ATF_TC_BODY(location_find_rules, tc)
{
	struct config		*conf;
	struct server		*a, *b;
	const struct location	*loc;
	size_t			 off;

#define LOC(s, p)	location_find(s, p, strlen(p), &off)
	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	no proxy\n"
	    "	location \"/some/part/\" { no proxy }\n"
	    "	location \"/some\" { no proxy }\n"
	    "	location \"/app1\" { proxy to \"http://127.0.0.1:9000/b/\" }\n"
	    "	location \"/some/part/deeper\" { no proxy }\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	location \"/\" { no proxy }\n"
	    "	location \"/x\" { no proxy }\n"
	    "}\n");
	a = server_n(conf, 0);
	b = server_n(conf, 1);

	loc = LOC(a, "/some/part");
	ATF_CHECK(loc == location_n(a, 0));
	ATF_CHECK_EQ(off, 10);
	loc = LOC(a, "/some/part/x");
	ATF_CHECK(loc == location_n(a, 0));
	ATF_CHECK_EQ(off, 10);
	/* First match wins, even over a longer prefix. */
	loc = LOC(a, "/some/part/deeper/y");
	ATF_CHECK(loc == location_n(a, 0));
	loc = LOC(a, "/some/partial");
	ATF_CHECK(loc == location_n(a, 1));
	ATF_CHECK_EQ(off, 5);
	loc = LOC(a, "/some/part;x=1/y");
	ATF_CHECK(loc == location_n(a, 0));
	ATF_CHECK_EQ(off, 10);
	loc = LOC(a, "/some;jsessionid=1");
	ATF_CHECK(loc == location_n(a, 1));
	loc = LOC(a, "/app1");
	ATF_CHECK(loc == location_n(a, 2));
	ATF_CHECK_EQ(off, 5);
	loc = LOC(a, "/app10");
	ATF_CHECK(loc == &a->root);
	ATF_CHECK_EQ(off, 0);
	loc = LOC(a, "/Some/part");
	ATF_CHECK(loc == &a->root);
	loc = LOC(a, "/");
	ATF_CHECK(loc == &a->root);
	ATF_CHECK_EQ(off, 0);

	loc = LOC(b, "/x/y");
	ATF_CHECK(loc == location_n(b, 0));
	ATF_CHECK_EQ(off, 0);
	done(conf);
#undef LOC
}

/* Listeners. */

ATF_TC_WITHOUT_HEAD(listeners);
ATF_TC_BODY(listeners, tc)
{
	struct config	*conf;
	struct listener	*l, *w4, *w6, *s4, *s6;
	struct server	*a, *b;
	size_t		 n = 0;

	conf = parse_ok(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on * port 8080\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	listen on [::1] port 8080\n"
	    "	listen on ::1 port 8082\n"
	    "	listen on localhost port 8083\n"
	    "	listen on 127.0.0.1 port 8081\n"
	    "	no proxy\n"
	    "}\n");
	a = server_n(conf, 0);
	b = server_n(conf, 1);
	TAILQ_FOREACH(l, &conf->listeners, entry) {
		ATF_CHECK_EQ(l->fd, -1);
		ATF_CHECK_EQ(l->tls, 0);
		n++;
	}
	ATF_CHECK(n >= 6);
	ATF_REQUIRE((w4 = listener_named(conf, "0.0.0.0:8080")) != NULL);
	ATF_REQUIRE((w6 = listener_named(conf, "[::]:8080")) != NULL);
	ATF_REQUIRE((s4 = listener_named(conf, "127.0.0.1:8080")) != NULL);
	ATF_REQUIRE((s6 = listener_named(conf, "[::1]:8080")) != NULL);
	ATF_CHECK(w4->wildcard && w6->wildcard);
	ATF_CHECK(!s4->wildcard && !s6->wildcard);
	ATF_CHECK(w4->sock == w4 && w6->sock == w6);
	ATF_CHECK(s4->sock == w4);
	ATF_CHECK(s6->sock == w6);
	ATF_CHECK_EQ(w4->port, 8080);
	ATF_CHECK_EQ(w4->ss.ss_family, AF_INET);
	ATF_CHECK_EQ(w6->ss.ss_family, AF_INET6);
	ATF_CHECK_EQ(ntohs(((struct sockaddr_in *)&s4->ss)->sin_port), 8080);
	ATF_CHECK_EQ(w4->nservers, 1);
	ATF_CHECK(w4->servers[0] == a);
	ATF_CHECK_EQ(s4->nservers, 1);
	ATF_CHECK(s4->servers[0] == b);
	ATF_CHECK_STREQ(w4->file, "t.conf");
	ATF_CHECK_EQ(w4->line, 4);

	ATF_REQUIRE((l = listener_named(conf, "127.0.0.1:8081")) != NULL);
	ATF_CHECK(l->sock == l);
	ATF_REQUIRE_EQ(l->nservers, 2);
	ATF_CHECK(l->servers[0] == a);
	ATF_CHECK(l->servers[1] == b);
	ATF_CHECK(listener_named(conf, "[::1]:8082") != NULL);
	ATF_CHECK(listener_named(conf, "127.0.0.1:8083") != NULL);
	done(conf);

	EXPECT_ERRORS(PROLOGUE
	    "server \"a\" {\n"
	    "	listen on [127.0.0.1] port 8080\n"
	    "	no proxy\n"
	    "}\n",
	    "t.conf:4: invalid address \"[127.0.0.1]\"");
}

static in_port_t
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	ATF_REQUIRE((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ATF_REQUIRE(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	ATF_REQUIRE(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static int
connect_to(const char *addr, in_port_t port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	ATF_REQUIRE((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ATF_REQUIRE(inet_pton(AF_INET, addr, &sin.sin_addr) == 1);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One server on 127.0.0.1 at two ports (the same one twice is one). */
static struct config *
parse_two_ports(in_port_t p1, in_port_t p2)
{
	char	 buf[1024];

	snprintf(buf, sizeof(buf), PROLOGUE
	    "server \"a\" {\n"
	    "	listen on 127.0.0.1 port %u\n"
	    "	listen on 127.0.0.1 port %u\n"
	    "	no proxy\n"
	    "}\n", p1, p2);
	return parse_ok(buf);
}

/* A wildcard and a specific address at one port. */
static struct config *
parse_shared_port(in_port_t p)
{
	char	 buf[1024];

	snprintf(buf, sizeof(buf), PROLOGUE
	    "server \"a\" {\n"
	    "	listen on * port %u\n"
	    "	no proxy\n"
	    "}\n"
	    "server \"b\" {\n"
	    "	listen on 127.0.0.1 port %u\n"
	    "	no proxy\n"
	    "}\n", p, p);
	return parse_ok(buf);
}

ATF_TC_WITHOUT_HEAD(listeners_bind_reload);
ATF_TC_BODY(listeners_bind_reload, tc)
{
	struct config	*old, *new;
	struct listener	*lo, *ln, *l2;
	in_port_t	 p1 = free_port(), p2, p3;
	int		 fd, busy, ofd;

	do
		p2 = free_port();
	while (p2 == p1);
	old = parse_two_ports(p1, p1);
	ATF_REQUIRE_EQ(listeners_bind(old, NULL, NULL), 0);
	lo = TAILQ_FIRST(&old->listeners);
	ATF_REQUIRE(lo->fd >= 0);
	ATF_REQUIRE((fd = connect_to("127.0.0.1", p1)) >= 0);
	close(fd);

	/* A reload keeps the socket still configured and opens the new. */
	new = parse_two_ports(p1, p2);
	ATF_REQUIRE_EQ(listeners_bind(new, old, NULL), 0);
	ln = TAILQ_FIRST(&new->listeners);
	l2 = TAILQ_NEXT(ln, entry);
	ATF_REQUIRE(l2 != NULL);
	ofd = ln->fd;
	ATF_CHECK_EQ(ofd >= 0, 1);
	ATF_CHECK_EQ(lo->fd, -1);
	ATF_CHECK(l2->fd >= 0 && l2->fd != ln->fd);
	listeners_close(old);
	config_free(old);
	ATF_REQUIRE((fd = connect_to("127.0.0.1", p1)) >= 0);
	close(fd);
	ATF_REQUIRE((fd = connect_to("127.0.0.1", p2)) >= 0);
	close(fd);

	/* A port in use fails it all and gives back what was taken. */
	busy = -1;
	do {
		struct sockaddr_in	 sin;

		p3 = free_port();
		ATF_REQUIRE((busy = socket(AF_INET, SOCK_STREAM, 0)) != -1);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(p3);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(busy, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    listen(busy, 1) == 0)
			break;
		close(busy);
		busy = -1;
	} while (busy == -1);
	old = new;
	new = parse_two_ports(p1, p3);
	ATF_CHECK_EQ(listeners_bind(new, old, NULL), -1);
	TAILQ_FOREACH(l2, &new->listeners, entry)
		ATF_CHECK_EQ(l2->fd, -1);
	ATF_CHECK_EQ(TAILQ_FIRST(&old->listeners)->fd, ofd);
	ATF_REQUIRE((fd = connect_to("127.0.0.1", p1)) >= 0);
	close(fd);
	close(busy);
	config_free(new);
	listeners_close(old);
	TAILQ_FOREACH(l2, &old->listeners, entry)
		ATF_CHECK_EQ(l2->fd, -1);
	ATF_CHECK(connect_to("127.0.0.1", p1) == -1);
	done(old);
}

ATF_TC_WITHOUT_HEAD(listener_of_shared);
ATF_TC_BODY(listener_of_shared, tc)
{
	struct config	*conf;
	struct listener	*w4, *s4, *l;
	in_port_t	 p = free_port();
	char		 name[64];
	int		 fd, cfd;

	conf = parse_shared_port(p);
	ATF_REQUIRE_EQ(listeners_bind(conf, NULL, NULL), 0);
	snprintf(name, sizeof(name), "0.0.0.0:%u", p);
	ATF_REQUIRE((w4 = listener_named(conf, name)) != NULL);
	snprintf(name, sizeof(name), "127.0.0.1:%u", p);
	ATF_REQUIRE((s4 = listener_named(conf, name)) != NULL);
	ATF_CHECK(s4->sock == w4);
	ATF_CHECK_EQ(s4->fd, -1);
	ATF_REQUIRE(w4->fd >= 0);

	ATF_REQUIRE((fd = connect_to("127.0.0.1", p)) >= 0);
	do
		cfd = accept(w4->fd, NULL, NULL);
	while (cfd == -1 && errno == EAGAIN);
	ATF_REQUIRE(cfd >= 0);
	l = listener_of(conf, w4, cfd);
	ATF_CHECK(l == s4);
	close(cfd);
	close(fd);

	/* Another loopback address is the wildcard's own. */
	if ((fd = connect_to("127.0.0.2", p)) >= 0) {
		do
			cfd = accept(w4->fd, NULL, NULL);
		while (cfd == -1 && errno == EAGAIN);
		ATF_REQUIRE(cfd >= 0);
		ATF_CHECK(listener_of(conf, w4, cfd) == w4);
		close(cfd);
		close(fd);
	}
	listeners_close(conf);
	done(conf);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, defaults);
	ATF_TP_ADD_TC(tp, globals);
	ATF_TP_ADD_TC(tp, global_errors);
	ATF_TP_ADD_TC(tp, server_statements);
	ATF_TP_ADD_TC(tp, server_defaults);
	ATF_TP_ADD_TC(tp, server_statement_errors);
	ATF_TP_ADD_TC(tp, locations);
	ATF_TP_ADD_TC(tp, location_auth_only);
	ATF_TP_ADD_TC(tp, location_errors);
	ATF_TP_ADD_TC(tp, error_unknown_keyword);
	ATF_TP_ADD_TC(tp, error_syntax);
	ATF_TP_ADD_TC(tp, error_no_listen);
	ATF_TP_ADD_TC(tp, error_tls_without_keypair);
	ATF_TP_ADD_TC(tp, error_require_without_auth);
	ATF_TP_ADD_TC(tp, error_require_group_without_groups);
	ATF_TP_ADD_TC(tp, error_several_actions);
	ATF_TP_ADD_TC(tp, error_no_action);
	ATF_TP_ADD_TC(tp, error_nested_location);
	ATF_TP_ADD_TC(tp, error_name_twice);
	ATF_TP_ADD_TC(tp, error_tls_and_plain);
	ATF_TP_ADD_TC(tp, error_tls_disagree);
	ATF_TP_ADD_TC(tp, tls_agree);
	ATF_TP_ADD_TC(tp, errors_continue);
	ATF_TP_ADD_TC(tp, macros);
	ATF_TP_ADD_TC(tp, define_add_syntax);
	ATF_TP_ADD_TC(tp, macro_errors);
	ATF_TP_ADD_TC(tp, continuation_comments);
	ATF_TP_ADD_TC(tp, one_line_blocks);
	ATF_TP_ADD_TC(tp, include);
	ATF_TP_ADD_TC(tp, include_errors);
	ATF_TP_ADD_TC(tp, file_refused);
	ATF_TP_ADD_TC(tp, check_files);
	ATF_TP_ADD_TC(tp, check_user_chroot);
	ATF_TP_ADD_TC(tp, check_default_user_chroot);
	ATF_TP_ADD_TC(tp, url);
	ATF_TP_ADD_TC(tp, upstreams);
	ATF_TP_ADD_TC(tp, server_find_rules);
	ATF_TP_ADD_TC(tp, location_find_rules);
	ATF_TP_ADD_TC(tp, listeners);
	ATF_TP_ADD_TC(tp, listeners_bind_reload);
	ATF_TP_ADD_TC(tp, listener_of_shared);
	return atf_no_error();
}
