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
 * A worker: accept a connection, then follow it from its first byte to
 * its close in straight-line code: read the head, choose the server and
 * the location, redirect, refuse or relay, and wait for the next request
 * on a kept-alive connection.  Nothing a client sends may end the worker.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "path.h"
#include "log.h"

#define CLIENT_READ_ROOM	32768	/* client buffer beyond the head */
#define BACKEND_BUFFER		65536	/* response heads must fit in it */
#define HEAD_ROOM		8192	/* what proxyd adds to a head */

volatile sig_atomic_t	 worker_draining;

static struct slot	*myslot;
static int		 myslotno;
static int		 listen_fds[64];
static volatile sig_atomic_t nlisten_fds;

/*
 * Told to go: stop accepting at once, so that a stop closes the ports
 * while requests in progress finish.  The sockets stay open in the
 * parent and the next generation when it is a reload.
 */
static void
worker_sigterm(int sig)
{
	int	 i;

	(void)sig;
	worker_draining = 1;
	for (i = 0; i < nlisten_fds; i++)
		close(listen_fds[i]);
	nlisten_fds = 0;
	if (myslot != NULL)
		myslot->listening = 0;
}

static void *
xmalloc(size_t len)
{
	void	*p;

	if ((p = malloc(len)) == NULL)
		fatal("worker: malloc");
	return p;
}

/* The buffers of a session, allocated once for all its connections. */
static void
session_alloc(struct session *s, struct config *conf)
{
	size_t	 headsize;

	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->in.size = conf->limit_header_size + CLIENT_READ_ROOM;
	s->in.data = xmalloc(s->in.size);
	s->bin.size = BACKEND_BUFFER;
	s->bin.data = xmalloc(s->bin.size);
	headsize = conf->limit_header_size > BACKEND_BUFFER ?
	    conf->limit_header_size : BACKEND_BUFFER;
	s->head.size = headsize + HEAD_ROOM;
	s->head.data = xmalloc(s->head.size);
	s->maxfields = conf->limit_headers;
	s->fields = reallocarray(NULL, s->maxfields, sizeof(*s->fields));
	s->maxrfields = 256;
	s->rfields = reallocarray(NULL, s->maxrfields, sizeof(*s->rfields));
	s->path = xmalloc(PATH_NORMALIZED_MAX(conf->limit_header_size));
	if (s->fields == NULL || s->rfields == NULL)
		fatal("worker: reallocarray");
}

static void
count_status(int status)
{
	int	 class = status / 100;

	if (class < 1 || class >= STATUS_CLASSES)
		return;
	myslot->status[class]++;
}

/*
 * Read until a whole request head is in s->in and parse it.  Returns
 * HTTP_OK, the status of a rejection, or -1 when the connection is to be
 * closed without an answer.
 */
static int
read_head(struct session *s, uint64_t deadline)
{
	struct http_limits	 lim;
	ssize_t			 n;
	int			 rv;

	lim.header_size = s->conf->limit_header_size;
	lim.headers = s->conf->limit_headers;
	for (;;) {
		memset(&s->req, 0, sizeof(s->req));
		s->req.fields = s->fields;
		s->req.maxfields = s->maxfields;
		rv = http_parse_request(s->in.data + s->in.off,
		    s->in.len - s->in.off, &s->req, &lim);
		if (rv != HTTP_INCOMPLETE)
			return rv;
		if (s->in.off > 0 && s->in.size - s->in.len <
		    lim.header_size)
			buf_compact(&s->in);
		n = conn_fill(&s->client, &s->in, deadline);
		if (n > 0)
			continue;
		if (n < 0 && errno == ETIMEDOUT)
			return 408;
		return -1;
	}
}

/* Keep the client's host[:port], and its host part, in the session. */
static int
session_host(struct session *s, const char *v, size_t len)
{
	size_t	 hostlen;

	if (!http_host_valid(v, len, &hostlen) ||
	    hostlen >= sizeof(s->host) || len >= sizeof(s->hostport))
		return -1;
	memcpy(s->host, v, hostlen);
	s->host[hostlen] = '\0';
	s->hostlen = hostlen;
	memcpy(s->hostport, v, len);
	s->hostport[len] = '\0';
	s->hostportlen = len;
	s->has_host = 1;
	return 0;
}

/* Server choice by listener, then the authority or Host (SPEC 4.1). */
static int
choose_server(struct session *s)
{
	const struct http_request *req = &s->req;
	const struct http_field	*host;

	s->host_named = 0;
	s->has_host = 0;
	s->hostlen = s->hostportlen = 0;
	s->host[0] = s->hostport[0] = '\0';
	if (req->target_form == TARGET_ABSOLUTE) {
		if (session_host(s, req->authority, req->authoritylen) == -1)
			return 400;
		s->server = server_find(s->listener, s->host, s->hostlen);
		if (s->server == NULL)
			return 400;
		s->host_named = 1;
		return 0;
	}
	if (req->host != -1) {
		host = &req->fields[req->host];
		if (session_host(s, host->value, host->valuelen) == -1)
			return 400;
		s->server = server_find(s->listener, s->host, s->hostlen);
		if (s->server != NULL) {
			s->host_named = 1;
			return 0;
		}
	}
	s->server = s->listener->servers[0];
	return 0;
}

/*
 * Expand $REQUEST_URI, $SERVER_NAME and $HOST in a redirect target.
 * -1 if the result does not fit.
 */
static int
expand_redirect(const struct session *s, const char *tmpl, char *out,
    size_t outsize)
{
	const struct http_request *req = &s->req;
	const char	*val;
	size_t		 o = 0, vlen, klen;

	while (*tmpl != '\0') {
		val = NULL;
		vlen = klen = 0;
		if (strncmp(tmpl, "$REQUEST_URI", 12) == 0) {
			klen = 12;
			if (req->target_form == TARGET_ABSOLUTE) {
				val = req->path;
				vlen = req->target + req->targetlen - req->path;
				/* An empty path is "/", a query or not. */
				if (req->pathlen == 0) {
					if (outsize - o <= 1)
						return -1;
					out[o++] = '/';
				}
			} else {
				val = req->target;
				vlen = req->targetlen;
			}
		} else if (strncmp(tmpl, "$SERVER_NAME", 12) == 0) {
			klen = 12;
			val = s->server->name;
			vlen = strlen(val);
		} else if (strncmp(tmpl, "$HOST", 5) == 0) {
			klen = 5;
			val = s->host_named ? s->host : s->server->name;
			vlen = s->host_named ? s->hostlen : strlen(val);
		}
		if (val == NULL) {
			val = tmpl;
			vlen = klen = 1;
		}
		if (outsize - o <= vlen)
			return -1;
		memcpy(out + o, val, vlen);
		o += vlen;
		tmpl += klen;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Answer without relaying.  A body that was not read means the
 * connection cannot carry another request.
 */
static int
answer(struct session *s, int status, const char *extra, const char *body)
{
	if (http_has_body(&s->req))
		s->close = s->linger = 1;
	if (worker_draining || (s->req.connection & CONN_CLOSE) ||
	    (s->req.minor == 0 && !(s->req.connection & CONN_KEEPALIVE)))
		s->close = 1;
	if (reply_status(s, status, extra, body) == -1)
		s->close = 1;
	return s->close ? -1 : 0;
}

static int
redirect(struct session *s)
{
	const struct rules	*r = &s->loc->rules;
	char			*field = s->head.data;

	/* The head buffer is free, and holds a target of any allowed size. */
	memcpy(field, "Location: ", 10);
	if (expand_redirect(s, r->redirect_to, field + 10,
	    s->head.size - 10) == -1) {
		reply_error(s, 414);
		return -1;
	}
	return answer(s, r->redirect_code, field, "");
}

/* One request whose head is parsed: 0 to go on, -1 to close. */
static int
handle_request(struct session *s)
{
	const struct http_request *req = &s->req;
	const char	*path;
	size_t		 pathlen;
	int		 rv;

	if ((rv = choose_server(s)) != 0) {
		reply_error(s, rv);
		return -1;
	}
	if (req->target_form == TARGET_ASTERISK) {
		/* OPTIONS * asks about proxyd itself. */
		return answer(s, 200,
		    "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH", "");
	}
	path = req->path;
	pathlen = req->pathlen;
	if (pathlen == 0) {
		path = "/";
		pathlen = 1;
	}
	if ((rv = path_normalize(path, pathlen, s->path,
	    PATH_NORMALIZED_MAX(s->conf->limit_header_size),
	    &s->pathlen)) != 0) {
		reply_error(s, rv);
		return -1;
	}
	s->loc = location_find(s->server, s->path, s->pathlen, &s->restoff);
	if (req->framing == FRAMING_LENGTH &&
	    req->content_length > s->conf->limit_body_size) {
		reply_error(s, 413);
		return -1;
	}

	switch (s->loc->rules.action) {
	case ACTION_REDIRECT:
		return redirect(s);
	case ACTION_PROXY:
		if (s->loc->rules.auth != NULL) {
			/* Never let a request past a password not checked. */
			reply_error(s, 403);
			return -1;
		}
		return relay_request(s);
	default:
		return answer(s, 404, NULL, NULL);
	}
}

/*
 * What the worker's heap holds, for proxyctl status: a worker allocates
 * its buffers once, so this must not grow with the requests it serves.
 * Read at most once a second, as mallinfo2() walks the heap.
 */
static void
heap_sample(void)
{
	static uint64_t	 last;
	struct mallinfo2 mi;
	uint64_t	 now = now_ms();

	if (last != 0 && now - last < 1000)
		return;
	last = now;
	mi = mallinfo2();
	myslot->heap = mi.uordblks + mi.hblkhd;
}

/* The client address as text for X-Forwarded-For, and as IPv6. */
static void
peer_address(const struct sockaddr_storage *ss, char *text, size_t len,
    struct in6_addr *a6)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(a6, 0, sizeof(*a6));
	if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, text, len);
		a6->s6_addr[10] = a6->s6_addr[11] = 0xff;
		memcpy(&a6->s6_addr[12], &sin->sin_addr, 4);
	} else {
		sin6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, len);
		*a6 = sin6->sin6_addr;
	}
}

/*
 * Record our client, then count how many connections its address has in
 * all workers.  A race between two workers can only over-count.
 */
static int
client_admit(struct config *conf, const struct in6_addr *a6)
{
	unsigned int	 i, n = 0, used;

	scoreboard->clients[myslotno] = *a6;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	used = scoreboard->used;
	for (i = 0; i < used; i++)
		if (memcmp(&scoreboard->clients[i], a6, sizeof(*a6)) == 0)
			n++;
	return n <= conf->limit_clients;
}

static void
client_forget(void)
{
	memset(&scoreboard->clients[myslotno], 0, sizeof(struct in6_addr));
}

static void
session_serve(struct session *s)
{
	uint64_t	 deadline;
	int		 rv;

	s->in.off = s->in.len = 0;
	deadline = now_ms() + s->conf->timeout_header;
	for (;;) {
		s->close = 0;
		s->status = 0;
		rv = read_head(s, deadline);
		if (rv == -1)
			break;
		if (rv != HTTP_OK) {
			if (s->in.len > s->in.off || rv == 408)
				reply_error(s, rv);
			/* A client too slow to send has nothing to linger for. */
			if (rv == 408)
				s->linger = 0;
			count_status(rv);
			myslot->requests++;
			break;
		}
		s->in.off += s->req.headlen;
		rv = handle_request(s);
		myslot->requests++;
		count_status(s->status);
		if (rv == -1 || s->close || worker_draining)
			break;
		upstream_expire(s->conf, now_ms());
		/* Kept alive: the next head's deadline starts at its first byte. */
		if (s->in.off == s->in.len) {
			s->in.off = s->in.len = 0;
			if (conn_wait(&s->client, POLLIN,
			    now_ms() + s->conf->timeout_idle, 1) != 1)
				break;
		}
		deadline = now_ms() + s->conf->timeout_header;
	}
}

static void
serve_connection(struct session *s, struct listener *sock, int fd,
    struct sockaddr_storage *ss)
{
	struct in6_addr	 a6;
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 24\r\n"
	    "Connection: close\r\n\r\n503 Service Unavailable\n";

	peer_address(ss, s->peer, sizeof(s->peer), &a6);
	myslot->connections++;
	if (!client_admit(s->conf, &a6)) {
		if (!sock->tls)
			(void)send(fd, busy, sizeof(busy) - 1,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		log_info("%s: over limit clients per address", s->peer);
		myslot->status[5]++;
		client_forget();
		close(fd);
		return;
	}
	s->listener = listener_of(s->conf, sock, fd);
	s->client.fd = fd;
	s->tls = 0;
	s->linger = 0;
	session_serve(s);
	if (s->linger)
		conn_linger(&s->client, &s->in);
	close(fd);
	client_forget();
}

static void
worker_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_sigterm;	/* no SA_RESTART: wake up poll */
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * The worker's life: drop privileges, then accept one connection at a
 * time.  Each worker has its own epoll set holding the listeners with
 * EPOLLEXCLUSIVE, so one connection wakes one idle worker.
 */
void
worker_main(struct config *conf, struct slot *slot)
{
	struct session		 s;
	struct epoll_event	 ev, events[16];
	struct listener		*l;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	uint64_t		 next, now;
	pid_t			 parent = getppid();
	int			 ep, n, i, fd, timeout;

	myslot = slot;
	myslotno = slot - scoreboard->slots;
	worker_signals();
	proc_title("worker %u (gen %u)", slot->number, slot->generation);
	privsep_close_fds(conf);
	privsep_drop(conf);
	/* Cleared by the change of credentials, so set it after. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		exit(0);

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (l->sock != l || l->fd == -1)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = l;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, l->fd, &ev) == -1)
			fatal("epoll_ctl %s", l->name);
		if (nlisten_fds < (int)(sizeof(listen_fds) /
		    sizeof(listen_fds[0])))
			listen_fds[nlisten_fds++] = l->fd;
	}
	slot->listening = 1;
	if (worker_draining) {
		/* The order came before the listeners were known. */
		worker_sigterm(SIGTERM);
	}
	session_alloc(&s, conf);

	while (!worker_draining) {
		slot->state = SLOT_IDLE;
		next = upstream_next_expiry(conf);
		now = now_ms();
		timeout = next == 0 ? -1 : next <= now ? 0 :
		    (int)(next - now);
		n = epoll_wait(ep, events, 16, timeout);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		upstream_expire(conf, now_ms());
		for (i = 0; i < n && !worker_draining; i++) {
			l = events[i].data.ptr;
			sslen = sizeof(ss);
			fd = accept4(l->fd, (struct sockaddr *)&ss, &sslen,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd == -1) {
				if (errno != EAGAIN && errno != EINTR &&
				    errno != ECONNABORTED && !worker_draining)
					log_warn("accept on %s", l->name);
				if (errno == EMFILE || errno == ENFILE)
					usleep(100000);
				continue;
			}
			slot->state = SLOT_BUSY;
			serve_connection(&s, l, fd, &ss);
			heap_sample();
			slot->state = SLOT_IDLE;
			break;
		}
	}
	slot->state = SLOT_EXITING;
	/* The parent's atexit handlers are not ours to run. */
	_exit(0);
}
