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
 * Listeners: the "listen on" statements of all servers turned into one
 * listener per address and port, with the servers on it; the sockets
 * bound for them, kept across a reload while still configured.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proxyd.h"

#define LISTEN_BACKLOG	4096

static int
ss_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss_family != b->ss_family)
		return 0;
	switch (a->ss_family) {
	case AF_INET:
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	case AF_INET6:
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0 &&
		    a6->sin6_scope_id == b6->sin6_scope_id;
	}
	return 0;
}

static socklen_t
ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static int
ss_is_any(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return s4->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
}

static void
ss_set_port(struct sockaddr_storage *ss, in_port_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static void
listener_setname(struct listener *l)
{
	char	 buf[INET6_ADDRSTRLEN];
	void	*addr;

	if (l->ss.ss_family == AF_INET6)
		addr = &((struct sockaddr_in6 *)&l->ss)->sin6_addr;
	else
		addr = &((struct sockaddr_in *)&l->ss)->sin_addr;
	if (inet_ntop(l->ss.ss_family, addr, buf, sizeof(buf)) == NULL)
		strlcpy(buf, "?", sizeof(buf));
	snprintf(l->name, sizeof(l->name),
	    l->ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", buf, l->port);
}

/* An IPv4 or IPv6 literal, the latter bare or in brackets. */
static int
addr_literal(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;
	char			 buf[INET6_ADDRSTRLEN];
	size_t			 len = strlen(addr);

	memset(ss, 0, sizeof(*ss));
	if (addr[0] == '[') {
		if (len < 3 || addr[len - 1] != ']' || len - 2 >= sizeof(buf))
			return -1;
		memcpy(buf, addr + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static struct listener *
listener_lookup(struct config *conf, const struct sockaddr_storage *ss,
    in_port_t port)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (l->port == port && ss_same_addr(&l->ss, ss))
			return l;
	}
	return NULL;
}

static void
listener_add_server(struct listener *l, struct server *srv)
{
	struct server	**servers;
	size_t		  i;

	for (i = 0; i < l->nservers; i++) {
		if (l->servers[i] == srv)
			return;
	}
	servers = reallocarray(l->servers, l->nservers + 1, sizeof(*servers));
	if (servers == NULL)
		fatal("%s", __func__);
	l->servers = servers;
	l->servers[l->nservers++] = srv;
}

static void
listener_add(struct config *conf, struct server *srv, struct listen_conf *lc,
    struct sockaddr_storage *ss, struct errlist *errs)
{
	struct listener	*l;

	ss_set_port(ss, lc->port);
	if ((l = listener_lookup(conf, ss, lc->port)) == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			fatal("%s", __func__);
		memcpy(&l->ss, ss, sizeof(l->ss));
		l->port = lc->port;
		l->tls = lc->tls;
		l->wildcard = ss_is_any(ss);
		l->fd = -1;
		l->sock = l;
		l->file = lc->file;
		l->line = lc->line;
		listener_setname(l);
		TAILQ_INSERT_TAIL(&conf->listeners, l, entry);
	} else if (l->tls != lc->tls)
		errlist_add(errs, lc->file, lc->line,
		    "address \"%s\" port %u is both tls and plain",
		    lc->addr, lc->port);
	listener_add_server(l, srv);
}

static void
listen_resolve(struct config *conf, struct server *srv,
    struct listen_conf *lc, struct errlist *errs)
{
	struct sockaddr_storage	 ss;
	struct addrinfo		 hints, *res, *ai;
	int			 rc;

	if (strcmp(lc->addr, "*") == 0) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_INET;
		listener_add(conf, srv, lc, &ss, errs);
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_INET6;
		listener_add(conf, srv, lc, &ss, errs);
		return;
	}
	if (addr_literal(lc->addr, &ss) == 0) {
		listener_add(conf, srv, lc, &ss, errs);
		return;
	}
	if (lc->addr[0] == '[') {
		errlist_add(errs, lc->file, lc->line,
		    "invalid address \"%s\"", lc->addr);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(lc->addr, NULL, &hints, &res)) != 0) {
		errlist_add(errs, lc->file, lc->line,
		    "cannot resolve \"%s\": %s", lc->addr,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(ss))
			continue;
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		listener_add(conf, srv, lc, &ss, errs);
	}
	freeaddrinfo(res);
}

/*
 * A specific address whose port is also on the wildcard of its family
 * cannot have a socket of its own on Linux; it shares the wildcard's and
 * listener_of() tells the two apart per connection.
 */
static void
listeners_share(struct config *conf, struct errlist *errs)
{
	struct listener	*l, *w, *later;
	char		 addr[sizeof(l->name)], *p;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		l->sock = l;
		if (l->wildcard)
			continue;
		TAILQ_FOREACH(w, &conf->listeners, entry) {
			if (w->wildcard && w->port == l->port &&
			    w->ss.ss_family == l->ss.ss_family)
				break;
		}
		if (w == NULL)
			continue;
		l->sock = w;
		if (w->tls == l->tls)
			continue;
		for (later = w; later != NULL && later != l;
		    later = TAILQ_NEXT(later, entry))
			;
		later = later == l ? l : w;
		strlcpy(addr, l->name, sizeof(addr));
		if ((p = strrchr(addr, ':')) != NULL)
			*p = '\0';
		errlist_add(errs, later->file, later->line,
		    "address \"%s\" port %u is both tls and plain",
		    later == l ? addr : "*", l->port);
	}
}

static int
names_overlap(const struct server *a, const struct server *b,
    const char **name)
{
	size_t	 i, j;

	for (i = 0; i < b->naliases; i++) {
		for (j = 0; j < a->naliases; j++) {
			if (strcmp(a->aliases[j], b->aliases[i]) == 0) {
				*name = b->aliases[i];
				return 1;
			}
		}
	}
	return 0;
}

static int
str_differ(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) != 0;
}

static void
listener_check_tls(struct listener *l, struct errlist *errs)
{
	struct server	*a, *b;
	size_t		 i, j;

	for (j = 1; j < l->nservers; j++) {
		b = l->servers[j];
		for (i = 0; i < j; i++) {
			a = l->servers[i];
			if (str_differ(a->tls.protocols, b->tls.protocols))
				errlist_add(errs, b->file, b->line,
				    "servers \"%s\" and \"%s\" share a tls "
				    "listener but disagree on tls protocols",
				    a->name, b->name);
			if (str_differ(a->tls.ciphers, b->tls.ciphers))
				errlist_add(errs, b->file, b->line,
				    "servers \"%s\" and \"%s\" share a tls "
				    "listener but disagree on tls ciphers",
				    a->name, b->name);
			if (a->tls.ticket_lifetime != -1 &&
			    b->tls.ticket_lifetime != -1 &&
			    a->tls.ticket_lifetime != b->tls.ticket_lifetime)
				errlist_add(errs, b->file, b->line,
				    "servers \"%s\" and \"%s\" share a tls "
				    "listener but disagree on tls ticket "
				    "lifetime", a->name, b->name);
		}
	}
}

static void
listener_check(struct listener *l, struct errlist *errs)
{
	const char	*name;
	size_t		 i, j;

	for (j = 1; j < l->nservers; j++) {
		for (i = 0; i < j; i++) {
			if (!names_overlap(l->servers[i], l->servers[j], &name))
				continue;
			errlist_add(errs, l->servers[j]->file,
			    l->servers[j]->line, "\"%s\" is a name of both "
			    "server \"%s\" and server \"%s\" on one listener",
			    name, l->servers[i]->name, l->servers[j]->name);
			break;
		}
	}
	if (l->tls)
		listener_check_tls(l, errs);
}

int
listeners_resolve(struct config *conf, struct errlist *errs)
{
	struct server		*srv;
	struct listen_conf	*lc;
	struct listener		*l;
	size_t			 before = errs->count;

	TAILQ_FOREACH(srv, &conf->servers, entry) {
		TAILQ_FOREACH(lc, &srv->listens, entry)
			listen_resolve(conf, srv, lc, errs);
	}
	listeners_share(conf, errs);
	TAILQ_FOREACH(l, &conf->listeners, entry)
		listener_check(l, errs);
	return errs->count > before ? -1 : 0;
}

static struct listener *
listener_takeover(struct listener *l, struct config *old)
{
	struct listener	*o;

	if (old == NULL)
		return NULL;
	TAILQ_FOREACH(o, &old->listeners, entry) {
		if (o->sock == o && o->fd >= 0 && o->port == l->port &&
		    o->tls == l->tls && ss_same_addr(&o->ss, &l->ss))
			return o;
	}
	return NULL;
}

static int
listener_open(struct listener *l)
{
	int	 fd, on = 1, save;

	fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (l->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	/* Accepted sockets inherit it: one system call less a connection. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&l->ss, ss_len(&l->ss)) == -1)
		goto fail;
	if (listen(fd, LISTEN_BACKLOG) == -1)
		goto fail;
	l->fd = fd;
	return 0;
 fail:
	save = errno;
	close(fd);
	errno = save;
	return -1;
}

/*
 * Sockets still configured are taken over from the old configuration, so
 * that a reload never closes one; the rest are opened.  On failure what
 * this call opened is closed and what it took over is given back.
 */
int
listeners_bind(struct config *conf, struct config *old, struct errlist *errs)
{
	struct listener	*l, *o, **done = NULL;
	struct listener	**from = NULL;
	size_t		 ndone = 0, i;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (l->sock != l || l->fd >= 0)
			continue;
		done = reallocarray(done, ndone + 1, sizeof(*done));
		from = reallocarray(from, ndone + 1, sizeof(*from));
		if (done == NULL || from == NULL)
			fatal("%s", __func__);
		if ((o = listener_takeover(l, old)) != NULL) {
			l->fd = o->fd;
			o->fd = -1;
			done[ndone] = l;
			from[ndone++] = o;
			continue;
		}
		if (listener_open(l) == 0) {
			done[ndone] = l;
			from[ndone++] = NULL;
			continue;
		}
		if (l->wildcard && l->ss.ss_family == AF_INET6 &&
		    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
			log_info("no IPv6, not listening on %s", l->name);
			continue;
		}
		/* A reload tells proxyctl where, startup says it plainly. */
		if (errs != NULL)
			errlist_add(errs, l->file, l->line,
			    "cannot listen on %s: %s", l->name,
			    strerror(errno));
		else
			log_warnx("cannot listen on %s: %s", l->name,
			    strerror(errno));
		for (i = 0; i < ndone; i++) {
			if (from[i] != NULL)
				from[i]->fd = done[i]->fd;
			else
				close(done[i]->fd);
			done[i]->fd = -1;
		}
		free(done);
		free(from);
		return -1;
	}
	free(done);
	free(from);
	return 0;
}

void
listeners_close(struct config *conf)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (l->sock == l && l->fd >= 0) {
			close(l->fd);
			l->fd = -1;
		}
	}
}

struct listener *
listener_of(struct config *conf, struct listener *sock, int clientfd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct listener		*l;
	int			 shared = 0;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (l != sock && l->sock == sock) {
			shared = 1;
			break;
		}
	}
	if (!shared)
		return sock;
	if (getsockname(clientfd, (struct sockaddr *)&ss, &len) == -1)
		return sock;
	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (l != sock && l->sock == sock && ss_same_addr(&l->ss, &ss))
			return l;
	}
	return sock;
}
