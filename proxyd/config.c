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
 * The configuration objects: creation with the defaults, the semantic
 * checks and inheritance that follow parsing, backend URLs and their
 * resolution, the lookups of server and location a request needs, and
 * the file checks of "proxyd -n".
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth.h"
#include "ctlproto.h"
#include "log.h"
#include "path.h"
#include "proxyd.h"
#include "tls.h"

static void	url_free(struct url *);
static void	rules_free(struct rules *);
static void	server_free(struct server *);
static void	upstream_free(struct upstream *);
static int	name_match(const char *, const char *, size_t);
static size_t	wildcard_match(const char *, const char *, size_t);

/*
 * Errors are kept as whole lines.  One mistake can be seen from several
 * places (a wildcard listen gives two listeners, one file named by two
 * servers on one line), so a line already present is not added again.
 */
void
errlist_add(struct errlist *errs, const char *file, int line,
    const char *fmt, ...)
{
	va_list	  ap;
	char	 *msg, *s, **lines;
	size_t	  i;
	int	  rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc == -1)
		fatal("%s", __func__);
	if (file != NULL)
		rc = asprintf(&s, "%s:%d: %s", file, line, msg);
	else
		rc = asprintf(&s, "%s", msg);
	free(msg);
	if (rc == -1)
		fatal("%s", __func__);
	for (i = 0; i < errs->count; i++) {
		if (strcmp(errs->lines[i], s) == 0) {
			free(s);
			return;
		}
	}
	lines = reallocarray(errs->lines, errs->count + 1, sizeof(*lines));
	if (lines == NULL)
		fatal("%s", __func__);
	errs->lines = lines;
	errs->lines[errs->count++] = s;
}

void
errlist_clear(struct errlist *errs)
{
	size_t	 i;

	for (i = 0; i < errs->count; i++)
		free(errs->lines[i]);
	free(errs->lines);
	errs->lines = NULL;
	errs->count = 0;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("%s", __func__);
	return p;
}

struct config *
config_new(void)
{
	struct config	*conf;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		fatal("%s", __func__);
	conf->user = xstrdup(PROXYD_USER);
	conf->chroot = xstrdup(PROXYD_CHROOT);
	conf->socket = xstrdup(CTL_SOCKET);
	conf->prefork_min = PREFORK_MIN_DEFAULT;
	conf->prefork_max = PREFORK_MAX_DEFAULT;
	conf->syslog_facility = LOG_DAEMON;
	conf->accesslog_format = ACCESSLOG_COMBINED;
	conf->timeout_header = 10 * SEC;
	conf->timeout_body = 30 * SEC;
	conf->timeout_idle = 5 * SEC;
	conf->timeout_connect = 5 * SEC;
	conf->timeout_backend = 60 * SEC;
	conf->timeout_shutdown = 30 * SEC;
	conf->limit_header_size = 16 * 1024;
	conf->limit_headers = 100;
	conf->limit_body_size = 1024ULL * 1024 * 1024;
	conf->limit_clients = 64;
	conf->uid = (uid_t)-1;
	conf->gid = (gid_t)-1;
	TAILQ_INIT(&conf->servers);
	TAILQ_INIT(&conf->listeners);
	TAILQ_INIT(&conf->upstreams);
	return conf;
}

void
rules_init(struct rules *r)
{
	memset(r, 0, sizeof(*r));
	r->action = ACTION_NONE;
	r->via = VIA_ON;
	TAILQ_INIT(&r->requires);
	TAILQ_INIT(&r->reverses);
}

static void
url_free(struct url *url)
{
	if (url == NULL)
		return;
	free(url->text);
	free(url->host);
	free(url->hostport);
	free(url->path);
	free(url);
}

static void
require_free(struct require *req)
{
	size_t	 i;

	for (i = 0; i < req->nnames; i++)
		free(req->names[i]);
	free(req->names);
	free(req);
}

static void
authconf_free(struct authconf *auth)
{
	if (auth == NULL)
		return;
	if (!auth->borrowed) {
		userdb_free(auth->userdb);
		groupdb_free(auth->groupdb);
	}
	free(auth->challenge);
	free(auth->realm);
	free(auth->users);
	free(auth->groups);
	free(auth);
}

/*
 * A location shares with its server what it inherited (the set bits say
 * what it wrote itself, and so what it owns); its require and reverse
 * lists are always its own copies.
 */
static void
rules_free(struct rules *r)
{
	struct require	*req;
	struct url	*url;

	if (r->set & RULE_ACTION) {
		url_free(r->proxy);
		free(r->redirect_to);
	}
	if (r->set & RULE_AUTH)
		authconf_free(r->auth);
	while ((req = TAILQ_FIRST(&r->requires)) != NULL) {
		TAILQ_REMOVE(&r->requires, req, entry);
		require_free(req);
	}
	while ((url = TAILQ_FIRST(&r->reverses)) != NULL) {
		TAILQ_REMOVE(&r->reverses, url, entry);
		url_free(url);
	}
	r->proxy = NULL;
	r->redirect_to = NULL;
	r->auth = NULL;
}

static void
server_free(struct server *srv)
{
	struct listen_conf	*lc;
	struct location		*loc;
	size_t			 i;

	while ((lc = TAILQ_FIRST(&srv->listens)) != NULL) {
		TAILQ_REMOVE(&srv->listens, lc, entry);
		free(lc->addr);
		free(lc);
	}
	while ((loc = TAILQ_FIRST(&srv->locations)) != NULL) {
		TAILQ_REMOVE(&srv->locations, loc, entry);
		rules_free(&loc->rules);
		free(loc->prefix);
		free(loc);
	}
	rules_free(&srv->root.rules);
	free(srv->root.prefix);
	for (i = 0; i < srv->naliases; i++)
		free(srv->aliases[i]);
	free(srv->aliases);
	free(srv->name);
	free(srv->tls.certificate);
	free(srv->tls.key);
	free(srv->tls.chain);
	free(srv->tls.ocsp);
	free(srv->tls.protocols);
	free(srv->tls.ciphers);
	free(srv->backend_ca);
	free(srv);
}

/*
 * Frees everything the configuration holds.  Listening descriptors are
 * left alone: listeners_close() is for them, and a reload hands them
 * over from one configuration to the next.
 */
void
config_free(struct config *conf)
{
	struct server	*srv;
	struct listener	*l;
	struct upstream	*up;
	size_t		 i;

	if (conf == NULL)
		return;
	while ((srv = TAILQ_FIRST(&conf->servers)) != NULL) {
		TAILQ_REMOVE(&conf->servers, srv, entry);
		server_free(srv);
	}
	while ((l = TAILQ_FIRST(&conf->listeners)) != NULL) {
		TAILQ_REMOVE(&conf->listeners, l, entry);
		free(l->servers);
		free(l);
	}
	tls_config_free(conf);
	while ((up = TAILQ_FIRST(&conf->upstreams)) != NULL) {
		TAILQ_REMOVE(&conf->upstreams, up, entry);
		if (up->idle_fd >= 0)
			close(up->idle_fd);
		upstream_free(up);
	}
	for (i = 0; i < conf->nfiles; i++)
		free(conf->files[i]);
	free(conf->files);
	free(conf->path);
	free(conf->user);
	free(conf->chroot);
	free(conf->socket);
	free(conf->accesslog);
	free(conf);
}

/*
 * URLs of "proxy to" and "reverse": http or https, a host (name, IPv4,
 * or bracketed IPv6), an optional port and an optional path; no user
 * information, query or fragment.  url->host is lower case and without
 * brackets (what getaddrinfo and certificate checks want); hostport is
 * what a Host header carries, brackets and non-default port included.
 * On error errbuf gets the reason alone (the caller names the URL) and
 * nothing is left allocated.
 */
int
url_parse(const char *text, struct url *url, char *errbuf, size_t errlen)
{
	const char	*p, *end, *h, *hend, *after, *s;
	char		 port[8], tmp[INET6_ADDRSTRLEN], *lc;
	const char	*errstr;
	in_port_t	 defport;
	int		 v6 = 0;
	size_t		 len;

	memset(url, 0, sizeof(*url));
	for (s = text; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
			snprintf(errbuf, errlen, "invalid character");
			return -1;
		}
	}
	if (strncasecmp(text, "http://", 7) == 0) {
		p = text + 7;
		defport = 80;
	} else if (strncasecmp(text, "https://", 8) == 0) {
		p = text + 8;
		defport = 443;
		url->tls = 1;
	} else {
		snprintf(errbuf, errlen, "scheme must be http:// or https://");
		return -1;
	}
	if (strpbrk(text, "?#") != NULL) {
		snprintf(errbuf, errlen, "query or fragment not allowed");
		return -1;
	}
	end = p + strcspn(p, "/");
	if (memchr(p, '@', end - p) != NULL) {
		snprintf(errbuf, errlen, "user information not allowed");
		return -1;
	}
	if (*p == '[') {
		h = p + 1;
		if ((hend = memchr(h, ']', end - h)) == NULL) {
			snprintf(errbuf, errlen, "missing \"]\"");
			return -1;
		}
		after = hend + 1;
		v6 = 1;
	} else {
		h = p;
		for (hend = h; hend < end && *hend != ':'; hend++) {
			if (!isalnum((unsigned char)*hend) &&
			    strchr("-._", *hend) == NULL) {
				snprintf(errbuf, errlen,
				    "invalid character in host");
				return -1;
			}
		}
		after = hend;
	}
	len = hend - h;
	if (len == 0) {
		snprintf(errbuf, errlen, "missing host");
		return -1;
	}
	if (v6) {
		struct in6_addr	 in6;

		if (len >= sizeof(tmp)) {
			snprintf(errbuf, errlen, "invalid IPv6 address");
			return -1;
		}
		memcpy(tmp, h, len);
		tmp[len] = '\0';
		if (inet_pton(AF_INET6, tmp, &in6) != 1) {
			snprintf(errbuf, errlen, "invalid IPv6 address");
			return -1;
		}
	}
	url->port = defport;
	if (after < end) {
		if (*after != ':' || end - after - 1 == 0 ||
		    (size_t)(end - after - 1) >= sizeof(port)) {
			snprintf(errbuf, errlen, "invalid port");
			return -1;
		}
		memcpy(port, after + 1, end - after - 1);
		port[end - after - 1] = '\0';
		if (strspn(port, "0123456789") != strlen(port)) {
			snprintf(errbuf, errlen, "invalid port");
			return -1;
		}
		url->port = strtonum(port, 1, 65535, &errstr);
		if (errstr != NULL) {
			snprintf(errbuf, errlen, "port is %s", errstr);
			return -1;
		}
	}

	if ((url->host = strndup(h, len)) == NULL)
		fatal("%s", __func__);
	for (lc = url->host; *lc != '\0'; lc++)
		*lc = tolower((unsigned char)*lc);
	if (url->port == defport) {
		if (asprintf(&url->hostport, v6 ? "[%s]" : "%s",
		    url->host) == -1)
			fatal("%s", __func__);
	} else {
		if (asprintf(&url->hostport, v6 ? "[%s]:%u" : "%s:%u",
		    url->host, url->port) == -1)
			fatal("%s", __func__);
	}
	url->text = xstrdup(text);
	url->path = xstrdup(*end == '\0' ? "/" : end);
	len = strlen(url->path);
	url->baselen = url->path[len - 1] == '/' ? len - 1 : len;
	return 0;
}

static struct require *
require_dup(const struct require *req)
{
	struct require	*n;
	size_t		 i;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("%s", __func__);
	n->type = req->type;
	if (req->nnames > 0 && (n->names = calloc(req->nnames,
	    sizeof(*n->names))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < req->nnames; i++)
		n->names[i] = xstrdup(req->names[i]);
	n->nnames = req->nnames;
	return n;
}

static struct url *
url_dup(const struct url *url)
{
	struct url	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("%s", __func__);
	*n = *url;
	n->text = xstrdup(url->text);
	n->host = xstrdup(url->host);
	n->hostport = xstrdup(url->hostport);
	n->path = xstrdup(url->path);
	return n;
}

static void
require_valid_user(struct rules *r)
{
	struct require	*req;

	if ((req = calloc(1, sizeof(*req))) == NULL)
		fatal("%s", __func__);
	req->type = REQUIRE_VALID_USER;
	TAILQ_INSERT_TAIL(&r->requires, req, entry);
}

/* The location's rules, completed from the server's root rules. */
static void
rules_inherit(struct rules *r, const struct rules *srv)
{
	const struct require	*req;
	const struct url	*url;
	struct require		*n;
	struct url		*u;

	if (!(r->set & RULE_ACTION)) {
		r->action = srv->action;
		r->proxy = srv->proxy;
		r->redirect_code = srv->redirect_code;
		r->redirect_to = srv->redirect_to;
	}
	if (!(r->set & RULE_AUTH))
		r->auth = srv->auth;
	if (!(r->set & RULE_REQUIRE)) {
		TAILQ_FOREACH(req, &srv->requires, entry) {
			n = require_dup(req);
			TAILQ_INSERT_TAIL(&r->requires, n, entry);
		}
	}
	if (!(r->set & RULE_PASSCRED))
		r->pass_credentials = srv->pass_credentials;
	if (!(r->set & RULE_VIA))
		r->via = srv->via;
	if (!(r->set & RULE_PRESERVEHOST))
		r->preserve_host = srv->preserve_host;
	if (!(r->set & RULE_REVERSE)) {
		TAILQ_FOREACH(url, &srv->reverses, entry) {
			u = url_dup(url);
			TAILQ_INSERT_TAIL(&r->reverses, u, entry);
		}
	}
}

/*
 * Without authentication require lines mean nothing; with it and none
 * of them, any valid user may pass.
 */
static void
rules_complete_auth(struct rules *r)
{
	struct require	*req;

	if (r->auth == NULL) {
		while ((req = TAILQ_FIRST(&r->requires)) != NULL) {
			TAILQ_REMOVE(&r->requires, req, entry);
			require_free(req);
		}
	} else if (TAILQ_EMPTY(&r->requires))
		require_valid_user(r);
}

static void
location_normalize(struct location *loc, struct errlist *errs)
{
	char	*buf;
	size_t	 len, outlen, size;

	len = strlen(loc->prefix);
	if (len == 0 || loc->prefix[0] != '/') {
		errlist_add(errs, loc->file, loc->line,
		    "location \"%s\" must start with \"/\"", loc->prefix);
		return;
	}
	size = PATH_NORMALIZED_MAX(len);
	if ((buf = malloc(size)) == NULL)
		fatal("%s", __func__);
	if (path_normalize(loc->prefix, len, buf, size, &outlen) != 0 ||
	    outlen >= size) {
		errlist_add(errs, loc->file, loc->line,
		    "invalid location \"%s\"", loc->prefix);
		free(buf);
		return;
	}
	if (outlen > 0 && buf[outlen - 1] == '/')
		outlen--;
	buf[outlen] = '\0';
	free(loc->prefix);
	loc->prefix = buf;
	loc->prefixlen = outlen;
}

static void
server_check_listen(struct server *srv, struct errlist *errs)
{
	struct listen_conf	*lc;

	if (TAILQ_EMPTY(&srv->listens))
		errlist_add(errs, srv->file, srv->line,
		    "server \"%s\" has no listen", srv->name);
	TAILQ_FOREACH(lc, &srv->listens, entry) {
		if (!lc->tls)
			continue;
		if (srv->tls.certificate == NULL)
			errlist_add(errs, lc->file, lc->line, "server \"%s\" "
			    "listens with tls but has no tls certificate",
			    srv->name);
		if (srv->tls.key == NULL)
			errlist_add(errs, lc->file, lc->line, "server \"%s\" "
			    "listens with tls but has no tls key", srv->name);
	}
}

static const char *
location_name(const struct location *loc)
{
	return loc->prefix[0] == '\0' ? "/" : loc->prefix;
}

/*
 * A request must always find something to do: when the server has no
 * action, each location needs one and a location "/" must catch the
 * rest.  "require" needs an authenticate in force.
 */
static void
server_check_rules(struct server *srv, struct errlist *errs)
{
	struct location	*loc;
	struct authconf	*auth;
	int		 catchall = 0;

	if (!TAILQ_EMPTY(&srv->root.rules.requires) &&
	    srv->root.rules.auth == NULL)
		errlist_add(errs, srv->file, srv->line, "server \"%s\": "
		    "require without authenticate", srv->name);
	TAILQ_FOREACH(loc, &srv->locations, entry) {
		auth = (loc->rules.set & RULE_AUTH) ? loc->rules.auth :
		    srv->root.rules.auth;
		if ((loc->rules.set & RULE_REQUIRE) && auth == NULL)
			errlist_add(errs, loc->file, loc->line, "location "
			    "\"%s\": require without authenticate in force",
			    location_name(loc));
		if (loc->rules.set & RULE_AUTH && loc->rules.auth != NULL)
			srv->has_auth = 1;
		if (srv->root.rules.action != ACTION_NONE)
			continue;
		if (loc->rules.action == ACTION_NONE)
			errlist_add(errs, loc->file, loc->line, "location "
			    "\"%s\" of server \"%s\" has neither proxy to "
			    "nor redirect", location_name(loc), srv->name);
		if (loc->prefixlen == 0)
			catchall = 1;
	}
	if (srv->root.rules.auth != NULL)
		srv->has_auth = 1;
	if (srv->root.rules.action == ACTION_NONE && !catchall)
		errlist_add(errs, srv->file, srv->line,
		    "server \"%s\" has neither proxy to nor redirect",
		    srv->name);
}

/*
 * "require group" with no group file in the authenticate in force could
 * admit no one: say so rather than answer 403 to everyone.  Checked once
 * the rules are complete, a location's inherited lines included.
 */
static void
rules_check_groups(const struct rules *r, const char *file, int line,
    const char *kind, const char *name, struct errlist *errs)
{
	const struct require	*req;

	if (r->auth == NULL || r->auth->groups != NULL)
		return;
	TAILQ_FOREACH(req, &r->requires, entry) {
		if (req->type != REQUIRE_GROUP)
			continue;
		errlist_add(errs, file, line, "%s \"%s\": require group, but "
		    "the authenticate in force (%s:%d) names no groups file",
		    kind, name, r->auth->file, r->auth->line);
		return;
	}
}

static void
server_finish(struct server *srv, struct errlist *errs)
{
	struct location	*loc;

	server_check_listen(srv, errs);
	TAILQ_FOREACH(loc, &srv->locations, entry) {
		loc->server = srv;
		location_normalize(loc, errs);
	}
	server_check_rules(srv, errs);

	srv->root.server = srv;
	rules_complete_auth(&srv->root.rules);
	rules_check_groups(&srv->root.rules, srv->file, srv->line, "server",
	    srv->name, errs);
	TAILQ_FOREACH(loc, &srv->locations, entry) {
		rules_inherit(&loc->rules, &srv->root.rules);
		rules_complete_auth(&loc->rules);
		rules_check_groups(&loc->rules, loc->file, loc->line,
		    "location", location_name(loc), errs);
	}
}

static void
upstream_free(struct upstream *up)
{
	free(up->host);
	free(up->addrs);
	free(up);
}

/*
 * https backends: the URLs of servers that verify differently (backend
 * tls ca, backend tls no verify) must not share connections, so each
 * gets the upstream of its scheme, host, port and verification.
 */
static void
url_bind_tls(struct upstreamlist *tls, const struct server *srv,
    struct url *u)
{
	struct upstream	*up;
	struct in6_addr	 a;

	TAILQ_FOREACH(up, tls, entry) {
		if (up->port == u->port && strcmp(up->host, u->host) == 0 &&
		    up->tls_noverify == srv->backend_noverify &&
		    (up->tls_ca == NULL ? srv->backend_ca == NULL :
		    srv->backend_ca != NULL &&
		    strcmp(up->tls_ca, srv->backend_ca) == 0)) {
			u->up = up;
			return;
		}
	}
	if ((up = calloc(1, sizeof(*up))) == NULL ||
	    (up->host = strdup(u->host)) == NULL)
		fatal("%s", __func__);
	up->port = u->port;
	up->tls = 1;
	up->tls_ca = srv->backend_ca;
	up->tls_noverify = srv->backend_noverify;
	up->host_is_ip = inet_pton(AF_INET, up->host, &a) == 1 ||
	    inet_pton(AF_INET6, up->host, &a) == 1;
	up->file = u->up->file;
	up->line = u->up->line;
	up->idle_fd = -1;
	TAILQ_INSERT_TAIL(tls, up, entry);
	u->up = up;
}

static void
upstreams_bind_tls(struct config *conf)
{
	struct upstreamlist	 tls = TAILQ_HEAD_INITIALIZER(tls);
	struct upstream		*up, *next;
	struct server		*srv;
	struct location		*loc;

	TAILQ_FOREACH(srv, &conf->servers, entry) {
		if (srv->root.rules.proxy != NULL &&
		    srv->root.rules.proxy->tls)
			url_bind_tls(&tls, srv, srv->root.rules.proxy);
		TAILQ_FOREACH(loc, &srv->locations, entry)
			if (loc->rules.proxy != NULL &&
			    loc->rules.proxy->tls &&
			    loc->rules.proxy != srv->root.rules.proxy)
				url_bind_tls(&tls, srv, loc->rules.proxy);
	}
	TAILQ_FOREACH_SAFE(up, &conf->upstreams, entry, next) {
		if (!up->tls)
			continue;
		TAILQ_REMOVE(&conf->upstreams, up, entry);
		upstream_free(up);
	}
	TAILQ_CONCAT(&conf->upstreams, &tls, entry);
}

static void
upstream_resolve(struct upstream *up, struct errlist *errs)
{
	struct addrinfo	 hints, *res, *ai;
	char		 port[8];
	size_t		 n;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", up->port);
	if ((rc = getaddrinfo(up->host, port, &hints, &res)) != 0) {
		errlist_add(errs, up->file, up->line,
		    "cannot resolve \"%s\": %s", up->host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return;
	}
	for (n = 0, ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	free(up->addrs);
	if ((up->addrs = calloc(n, sizeof(*up->addrs))) == NULL)
		fatal("%s", __func__);
	for (n = 0, ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(*up->addrs))
			continue;
		memcpy(&up->addrs[n++], ai->ai_addr, ai->ai_addrlen);
	}
	up->naddrs = n;
	freeaddrinfo(res);
}

/*
 * The checks that need the whole file, then inheritance, so that each
 * location's rules are complete; then the backends are resolved.
 */
int
config_finish(struct config *conf, struct errlist *errs)
{
	struct server	*srv;
	struct upstream	*up;
	size_t		 before = errs->count;

	TAILQ_FOREACH(srv, &conf->servers, entry)
		server_finish(srv, errs);
	upstreams_bind_tls(conf);
	TAILQ_FOREACH(up, &conf->upstreams, entry)
		upstream_resolve(up, errs);
	return errs->count > before ? -1 : 0;
}

/*
 * Host names.  A wildcard is "*.example.com" (at least one label before
 * the suffix) or "www.example.*" (at least one after the prefix); the
 * length of the pattern is returned so that the longest may win.
 */
static size_t
wildcard_match(const char *pat, const char *host, size_t len)
{
	size_t	 plen = strlen(pat);

	if (plen < 3)
		return 0;
	if (pat[0] == '*' && pat[1] == '.') {
		if (len < plen || strncasecmp(host + len - (plen - 1),
		    pat + 1, plen - 1) != 0)
			return 0;
		return plen;
	}
	if (pat[plen - 1] == '*' && pat[plen - 2] == '.') {
		if (len < plen || strncasecmp(host, pat, plen - 1) != 0)
			return 0;
		return plen;
	}
	return 0;
}

static int
name_match(const char *name, const char *host, size_t len)
{
	return strlen(name) == len && strncasecmp(name, host, len) == 0;
}

static int
is_wildcard(const char *name)
{
	return strchr(name, '*') != NULL;
}

static size_t
host_trim(const char *host, size_t len)
{
	if (len > 0 && host[len - 1] == '.')
		len--;
	return len;
}

int
server_names(const struct server *srv, const char *host, size_t len)
{
	size_t	 i;

	len = host_trim(host, len);
	if (len == 0)
		return 0;
	for (i = 0; i < srv->naliases; i++) {
		if (is_wildcard(srv->aliases[i])) {
			if (wildcard_match(srv->aliases[i], host, len) > 0)
				return 1;
		} else if (name_match(srv->aliases[i], host, len))
			return 1;
	}
	return 0;
}

struct server *
server_find(const struct listener *l, const char *host, size_t len)
{
	struct server	*srv, *best = NULL;
	size_t		 i, j, n, bestlen = 0;

	len = host_trim(host, len);
	if (len == 0)
		return NULL;
	for (i = 0; i < l->nservers; i++) {
		srv = l->servers[i];
		for (j = 0; j < srv->naliases; j++) {
			if (!is_wildcard(srv->aliases[j]) &&
			    name_match(srv->aliases[j], host, len))
				return srv;
		}
	}
	for (i = 0; i < l->nservers; i++) {
		srv = l->servers[i];
		for (j = 0; j < srv->naliases; j++) {
			if (!is_wildcard(srv->aliases[j]))
				continue;
			n = wildcard_match(srv->aliases[j], host, len);
			if (n > bestlen) {
				bestlen = n;
				best = srv;
			}
		}
	}
	return best;
}

const struct location *
location_find(const struct server *srv, const char *path, size_t len,
    size_t *restoff)
{
	const struct location	*loc;
	size_t			 off;

	TAILQ_FOREACH(loc, &srv->locations, entry) {
		if (loc->prefixlen == 0) {
			*restoff = 0;
			return loc;
		}
		if (path_prefix_match(loc->prefix, loc->prefixlen, path, len,
		    &off)) {
			/*
			 * A location that borrows its server's backend (it
			 * only changes, say, authentication) maps no prefix:
			 * /public/x stays /public/x, as under Apache's
			 * <Location> with ProxyPass /.
			 */
			*restoff = loc->rules.set & RULE_ACTION ? off : 0;
			return loc;
		}
	}
	*restoff = 0;
	return &srv->root;
}

/*
 * The checks of "proxyd -n" that look at the system: files, the user,
 * the chroot directory.  A file error names the statement that named the
 * file; the user and chroot, when not set in the file, are reported at
 * line 0 of the main file.
 */
static int
file_open(struct errlist *errs, const char *file, int line, const char *what,
    const char *path, int secret)
{
	struct stat	 st;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		errlist_add(errs, file, line, "cannot read %s \"%s\": %s",
		    what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		errlist_add(errs, file, line, "cannot read %s \"%s\": %s",
		    what, path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errlist_add(errs, file, line, "%s \"%s\" is not a regular file",
		    what, path);
		close(fd);
		return -1;
	}
	if (secret && (st.st_mode & (S_IRGRP | S_IROTH))) {
		errlist_add(errs, file, line,
		    "%s \"%s\" is readable by group or others", what, path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
file_check(struct errlist *errs, const char *file, int line, const char *what,
    const char *path)
{
	int	 fd;

	if (path != NULL && (fd = file_open(errs, file, line, what, path,
	    0)) != -1)
		close(fd);
}

/* Never ask for a passphrase: an encrypted key is an error. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return 0;
}

static void
check_keypair(struct server *srv, struct errlist *errs)
{
	struct tls_conf	*tls = &srv->tls;
	X509		*x509 = NULL;
	EVP_PKEY	*pkey = NULL;
	const char	*why;
	FILE		*fp;
	int		 fd;

	if ((fd = file_open(errs, srv->file, tls->certificate_line,
	    "tls certificate", tls->certificate, 0)) == -1)
		return;
	if ((fp = fdopen(fd, "r")) == NULL)
		fatal("%s", __func__);
	x509 = PEM_read_X509(fp, NULL, no_passphrase, NULL);
	fclose(fp);
	if (x509 == NULL) {
		errlist_add(errs, srv->file, tls->certificate_line,
		    "cannot load tls certificate \"%s\"", tls->certificate);
		goto done;
	}
	if (tls->key == NULL || (fd = file_open(errs, srv->file,
	    tls->key_line, "tls key", tls->key, 1)) == -1)
		goto done;
	close(fd);
	/* Read so that no copy of the key lingers in the parent. */
	if ((pkey = tls_key_load(tls->key, &why)) == NULL) {
		errlist_add(errs, srv->file, tls->key_line,
		    "cannot load tls key \"%s\"", tls->key);
		goto done;
	}
	if (X509_check_private_key(x509, pkey) != 1)
		errlist_add(errs, srv->file, tls->key_line,
		    "tls certificate \"%s\" does not match tls key \"%s\"",
		    tls->certificate, tls->key);
	tls_key_done(pkey);
 done:
	X509_free(x509);
	ERR_clear_error();
}

static void
check_auth(const struct rules *r, struct errlist *errs)
{
	const struct authconf	*auth = r->auth;

	if (!(r->set & RULE_AUTH) || auth == NULL)
		return;
	file_check(errs, auth->file, auth->line, "users file", auth->users);
	file_check(errs, auth->file, auth->line, "groups file", auth->groups);
}

static void
check_server_files(struct server *srv, struct errlist *errs)
{
	struct tls_conf	*tls = &srv->tls;
	struct location	*loc;
	int		 fd;

	if (tls->certificate != NULL)
		check_keypair(srv, errs);
	else if (tls->key != NULL && (fd = file_open(errs, srv->file,
	    tls->key_line, "tls key", tls->key, 1)) != -1)
		close(fd);
	file_check(errs, srv->file, tls->chain_line, "tls chain", tls->chain);
	file_check(errs, srv->file, tls->ocsp_line, "tls ocsp", tls->ocsp);
	file_check(errs, srv->file, srv->backend_ca_line, "backend tls ca",
	    srv->backend_ca);
	check_auth(&srv->root.rules, errs);
	TAILQ_FOREACH(loc, &srv->locations, entry)
		check_auth(&loc->rules, errs);
}

int
config_check_files(struct config *conf, struct errlist *errs)
{
	struct server	*srv;
	struct passwd	*pw;
	struct stat	 st;
	size_t		 before = errs->count;

	TAILQ_FOREACH(srv, &conf->servers, entry)
		check_server_files(srv, errs);

	errno = 0;
	if ((pw = getpwnam(conf->user)) != NULL) {
		conf->uid = pw->pw_uid;
		conf->gid = pw->pw_gid;
	} else if (conf->user_file != NULL)
		errlist_add(errs, conf->user_file, conf->user_line,
		    "unknown user \"%s\"", conf->user);
	else
		/* Not in the file: say what to do on a new machine. */
		errlist_add(errs, NULL, 0, "proxyd: the user \"%s\" (the "
		    "default of the user statement) does not exist; "
		    "\"make install\" creates it, or: useradd --system "
		    "--no-create-home --home-dir %s --shell /usr/sbin/nologin "
		    "%s", conf->user, PROXYD_CHROOT, conf->user);

	if (stat(conf->chroot, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			errlist_add(errs, conf->chroot_file != NULL ?
			    conf->chroot_file : conf->path, conf->chroot_line,
			    "chroot \"%s\" is not a directory", conf->chroot);
	} else if (conf->chroot_file != NULL)
		errlist_add(errs, conf->chroot_file, conf->chroot_line,
		    "chroot \"%s\": %s", conf->chroot, strerror(errno));
	else
		errlist_add(errs, NULL, 0, "proxyd: the directory %s (the "
		    "default of the chroot statement): %s; \"make install\" "
		    "creates it, or: mkdir -m 755 %s", conf->chroot,
		    strerror(errno), conf->chroot);
	return errs->count > before ? -1 : 0;
}
