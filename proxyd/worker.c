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
 *
 * An order to drain (from the channel, or SIGTERM) is taken in only
 * where the worker waits, never between a look at a flag and a sleep,
 * and never before the connections the kernel woke it for are accepted:
 * those are served, with Connection: close, like any request already in
 * progress.  A kept-alive connection waiting for its next request gets
 * that request answered once more, with Connection: close, if it comes
 * within timeout idle (SPEC.md section 2).
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
#include <time.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "chan.h"
#include "path.h"
#include "accesslog.h"
#include "keyproc.h"
#include "tls.h"
#include "log.h"

#define CLIENT_READ_ROOM	32768	/* client buffer beyond the head */
#define BACKEND_BUFFER		65536	/* response heads must fit in it */
#define HEAD_ROOM		8192	/* what proxyd adds to a head */
#define RESPONSE_FIELDS_MAX	256	/* fields of a backend's response */
#define ACCEPT_EVENTS		16	/* epoll events taken at once */
#define HEAP_SAMPLE_INTERVAL	1000	/* ms: mallinfo2() walks the heap */
#define EMFILE_PAUSE		100000	/* us to wait when out of files */

volatile sig_atomic_t	 worker_draining;
static volatile sig_atomic_t sigterm_seen;

static struct worker_self *me;
static int		 ep = -1;	/* epoll set of the listeners */
static int		*listen_fds;
static size_t		 nlisten_fds;
static int		 logfd = -1;	/* access log */
static int		 logfd_next = -1; /*  sent for after this request */
static int		 log_failed;	/* said once */

#ifdef PROXYD_REGRESS
/*
 * Test builds only: a pause between a wake-up for a connection and
 * anything else, to widen the window in which a drain order meets a
 * worker that was just woken (PROXYD_REGRESS_WAKE_PAUSE, ms).
 */
static unsigned int	 regress_wake_pause;
#endif

static void
worker_sigterm(int sig)
{
	(void)sig;
	sigterm_seen = 1;
}

/* Stop accepting: our listeners and epoll set close, for good. */
static void
stop_listening(void)
{
	size_t	 i;

	if (ep == -1)
		return;
	for (i = 0; i < nlisten_fds; i++)
		close(listen_fds[i]);
	nlisten_fds = 0;
	close(ep);
	ep = -1;
	me->slot->listening = 0;
}

/* Take in what the parent sent on the channel. */
static void
channel_read(void)
{
	struct chan_msg	 msg;
	int		 rv;

	while (me->chan != -1) {
		rv = chan_recv(me->chan, &msg);
		if (rv == 0)
			return;
		if (rv == -1) {
			/* The parent is gone: finish and leave. */
			close(me->chan);
			me->chan = -1;
			io_init(-1, NULL);
			worker_draining = 1;
			return;
		}
		if (rv == -2) {
			log_warnx("channel: malformed message dropped");
			continue;
		}
		switch (msg.type) {
		case CHAN_DRAIN:
			worker_draining = 1;
			break;
		case CHAN_LOGFD:
			/* Taken up between two requests, never in one. */
			if (logfd_next != -1)
				close(logfd_next);
			logfd_next = msg.fd;
			break;
		case CHAN_KEYPEER:
			keyclient_set(msg.fd);
			break;
		case CHAN_TICKETS:
			if (tls_tickets_set(msg.payload, msg.len) == -1)
				log_warnx("channel: bad ticket keys");
			explicit_bzero(msg.payload, msg.len);
			break;
		default:
			break;
		}
	}
}

/*
 * Called where the worker waits, when the channel has a message or a
 * signal came: take in the parent's orders.  A drain closes the listeners
 * at once, so that a stop closes the ports while requests in progress
 * finish; the sockets stay open in the parent and the next generation
 * when it is a reload.
 */
void
worker_wakeup(int chan_ready)
{
	if (chan_ready)
		channel_read();
	if (sigterm_seen)
		worker_draining = 1;
	if (worker_draining)
		stop_listening();
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
	s->maxrfields = RESPONSE_FIELDS_MAX;
	s->rfields = reallocarray(NULL, s->maxrfields, sizeof(*s->rfields));
	s->pathsize = PATH_NORMALIZED_MAX(conf->limit_header_size);
	s->path = xmalloc(s->pathsize);
	/* The request line, and the fields it holds again. */
	s->info.size = 2 * conf->limit_header_size;
	s->info.buf = xmalloc(s->info.size);
	s->client_wbuf = xmalloc(TLS_RECORD_MAX);
	s->backend_wbuf = xmalloc(TLS_RECORD_MAX);
	if (s->fields == NULL || s->rfields == NULL)
		fatal("worker: reallocarray");
}

static void
count_status(int status)
{
	int	 class = status / 100;

	if (class < 1 || class >= STATUS_CLASSES)
		return;
	me->slot->status[class]++;
}

/* Take up the access log the parent sent, between two requests. */
static void
log_switch(void)
{
	if (logfd_next == -1)
		return;
	if (logfd != -1)
		close(logfd);
	logfd = logfd_next;
	logfd_next = -1;
	log_failed = 0;
}

/*
 * The access log line of the request just answered, in one write(2) to
 * the O_APPEND descriptor the parent opened, so that lines of all workers
 * never mix (accesslog.h bounds a line to PIPE_BUF).  Then switch to a
 * descriptor the parent sent meanwhile (log reopen).
 */
static void
log_request(struct session *s)
{
	struct accesslog_entry	 e;
	struct reqinfo		*ri = &s->info;
	char			 line[ACCESSLOG_LINE_MAX];
	size_t			 n;

	if (logfd != -1 && s->status != 0) {
		e.peer = s->peer;
		e.user = ri->user;
		e.userlen = strlen(ri->user);
		e.when = time(NULL);
		e.request = ri->line;
		e.requestlen = ri->linelen;
		e.status = s->status;
		e.bytes = ri->bytes;
		e.referer = ri->referer;
		e.refererlen = ri->refererlen;
		e.agent = ri->agent;
		e.agentlen = ri->agentlen;
		n = accesslog_line(line, sizeof(line),
		    s->conf->accesslog_format, &e);
		if (n > 0 && write(logfd, line, n) != (ssize_t)n &&
		    !log_failed) {
			log_warn("access log");
			log_failed = 1;
		}
	}
	log_switch();
}

/* Must the connection close once this request is answered? */
int
session_must_close(const struct session *s)
{
	return s->close || worker_draining || !http_keep_alive(&s->req);
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

/*
 * Answer without relaying.  A body that was not read means the
 * connection cannot carry another request.
 */
static int
answer(struct session *s, int status, const char *extra, const char *body)
{
	if (http_has_body(&s->req))
		s->close = s->linger = 1;
	if (session_must_close(s))
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
	if (route_redirect(s, r->redirect_to, field + 10,
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
	int		 rv, failed;

	if ((rv = route_server(s)) != 0) {
		reply_error(s, rv);
		return -1;
	}
	if (tls_misdirected(s)) {
		reply_error(s, 421);
		return -1;
	}
	if (req->target_form == TARGET_ASTERISK) {
		/* OPTIONS * asks about proxyd itself. */
		return answer(s, 200,
		    "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH", "");
	}
	if ((rv = route_path(s)) != 0) {
		reply_error(s, rv);
		return -1;
	}
	if (req->framing == FRAMING_LENGTH &&
	    req->content_length > s->conf->limit_body_size) {
		reply_error(s, 413);
		return -1;
	}

	/* A redirect is answered before authentication (SPEC.md 4.5). */
	if (s->loc->rules.action == ACTION_REDIRECT)
		return redirect(s);
	if (s->loc->rules.auth != NULL &&
	    (rv = access_check(s, &failed)) != 0) {
		if (failed)
			me->slot->auth_failures++;
		return answer(s, rv, rv == 401 ?
		    s->loc->rules.auth->challenge : NULL, NULL);
	}
	if (s->loc->rules.action == ACTION_PROXY)
		return relay_request(s);
	return answer(s, 404, NULL, NULL);
}

/*
 * What the worker's heap holds, for proxyctl status: a worker allocates
 * its buffers once, so this must not grow with the requests it serves.
 */
static void
heap_sample(void)
{
	static uint64_t	 last;
	struct mallinfo2 mi;
	uint64_t	 now = now_ms();

	if (last != 0 && now - last < HEAP_SAMPLE_INTERVAL)
		return;
	last = now;
	mi = mallinfo2();
	me->slot->heap = mi.uordblks + mi.hblkhd;
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
 * all workers.  A race between two workers can only over-count.  The
 * number of slots is the parent's word, bounded all the same.
 */
static int
client_admit(struct config *conf, const struct in6_addr *a6)
{
	unsigned int	 i, n = 0, used;

	scoreboard->clients[me->slotno] = *a6;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	used = scoreboard->used;
	if (used > SCOREBOARD_SLOTS)
		used = SCOREBOARD_SLOTS;
	for (i = 0; i < used; i++)
		if (memcmp(&scoreboard->clients[i], a6, sizeof(*a6)) == 0)
			n++;
	return n <= conf->limit_clients;
}

static void
client_forget(void)
{
	memset(&scoreboard->clients[me->slotno], 0, sizeof(struct in6_addr));
}

/* The requests of a connection; the first head is due by deadline. */
static void
session_serve(struct session *s, uint64_t deadline)
{
	int		 rv;

	for (;;) {
		s->close = 0;
		s->status = 0;
		s->server = NULL;
		s->loc = NULL;
		reqinfo_reset(&s->info);
		log_switch();
		rv = read_head(s, deadline);
		if (rv == -1)
			break;
		if (rv != HTTP_OK) {
			/* The line as sent, for the log, before the answer. */
			reqinfo_line(&s->info, s->in.data + s->in.off,
			    s->in.len - s->in.off);
			if (s->in.len > s->in.off || rv == 408)
				reply_error(s, rv);
			/* A client too slow to send has nothing to linger for. */
			if (rv == 408)
				s->linger = 0;
			count_status(rv);
			me->slot->requests++;
			log_request(s);
			break;
		}
		reqinfo_line(&s->info, s->req.method, s->req.headlen -
		    (s->req.method - (s->in.data + s->in.off)));
		reqinfo_keep(&s->info, &s->req);
		s->in.off += s->req.headlen;
		rv = handle_request(s);
		me->slot->requests++;
		count_status(s->status);
		log_request(s);
		if (rv == -1 || s->close)
			break;
		upstream_expire(s->conf, now_ms());
		/*
		 * Kept alive: the next head's deadline starts at its first
		 * byte.  A drain does not cut this wait short: the request
		 * may be on its way, and it is answered with close.
		 */
		if (s->in.off == s->in.len) {
			s->in.off = s->in.len = 0;
			if (conn_wait(&s->client, POLLIN,
			    now_ms() + s->conf->timeout_idle) != 1)
				break;
		}
		deadline = now_ms() + s->conf->timeout_header;
	}
}

static void
serve_connection(struct session *s, struct listener *sock, int fd,
    struct sockaddr_storage *ss)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 24\r\n"
	    "Connection: close\r\n\r\n503 Service Unavailable\n";
	struct in6_addr	 a6;
	uint64_t	 deadline = now_ms() + s->conf->timeout_header;

	peer_address(ss, s->peer, sizeof(s->peer), &a6);
	me->slot->connections++;
	s->client.fd = fd;
	s->client.ssl = NULL;
	s->client.want = 0;
	s->client.wbuf = s->client_wbuf;
	if (!client_admit(s->conf, &a6)) {
		if (!sock->tls)
			conn_try_write(&s->client, busy, sizeof(busy) - 1);
		log_info("%s: over limit clients per address", s->peer);
		me->slot->status[5]++;
		client_forget();
		close(fd);
		return;
	}
	s->listener = listener_of(s->conf, sock, fd);
	s->tls = s->listener->tls;
	s->server = NULL;
	s->loc = NULL;
	reqinfo_reset(&s->info);
	s->sni_server = NULL;
	s->tls_failed = 0;
	s->linger = 0;
	s->status = 0;
	s->in.off = s->in.len = 0;
	/* The handshake counts against the first request's deadline. */
	if (!s->tls || tls_accept(s, deadline) == 0)
		session_serve(s, deadline);
	else if (s->tls_failed)
		me->slot->tls_failures++;
	else if (s->status != 0) {
		/* Plain HTTP on a TLS port, answered in plain text. */
		me->slot->requests++;
		count_status(s->status);
		log_request(s);
	}
	if (s->linger)
		conn_linger(&s->client, &s->in);
	conn_close(&s->client);
	client_forget();
}

/*
 * SIGTERM is blocked but where the worker waits (io_poll, epoll_pwait),
 * which let it in through waitmask: so a drain order cannot fall between
 * a look at the flag and a sleep.
 */
static void
worker_signals(sigset_t *waitmask)
{
	struct sigaction	 sa;
	sigset_t		 set;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_sigterm;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sigemptyset(waitmask);
}

static void
listen_setup(struct config *conf)
{
	struct epoll_event	 ev;
	struct listener		*l;
	size_t			 n = 0;

	TAILQ_FOREACH(l, &conf->listeners, entry)
		n++;
	if ((listen_fds = reallocarray(NULL, n + 1, sizeof(int))) == NULL)
		fatal("worker: reallocarray");
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
		listen_fds[nlisten_fds++] = l->fd;
	}
	/* The channel: data.ptr NULL tells it from the listeners. */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, me->chan, &ev) == -1)
		fatal("epoll_ctl channel");
	me->slot->listening = 1;
}

struct accepted {
	int			 fd;
	struct listener		*l;
	struct sockaddr_storage	 ss;
};

/* One connection from a listener the kernel woke us for; -1 if none. */
static int
accept_one(struct listener *l, struct accepted *a)
{
	socklen_t	 sslen = sizeof(a->ss);

	a->l = l;
	a->fd = accept4(l->fd, (struct sockaddr *)&a->ss, &sslen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (a->fd != -1)
		return 0;
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("accept on %s", l->name);
	if (errno == EMFILE || errno == ENFILE)
		usleep(EMFILE_PAUSE);
	return -1;
}

/*
 * The worker's life: drop privileges, then accept one connection at a
 * time.  Each worker has its own epoll set holding the listeners with
 * EPOLLEXCLUSIVE, so one connection wakes one idle worker; the wake-up
 * is then ours alone, so what it was for is accepted whatever came with
 * it, a drain order included.
 */
void
worker_main(struct config *conf, struct worker_self *self)
{
	struct session		 s;
	struct epoll_event	 events[ACCEPT_EVENTS];
	struct accepted		 acc[ACCEPT_EVENTS];
	sigset_t		 waitmask;
	uint64_t		 next, now;
	pid_t			 parent = getppid();
	int			 n, i, nacc, timeout, chan_ready, keep[3];

	me = self;
	worker_signals(&waitmask);
	proc_title("worker %u (gen %u)", self->number, self->generation);
	keep[0] = self->chan;
	keep[1] = self->keyfd;
	keep[2] = self->logfd;
	privsep_close_fds(conf, keep, 3);
	logfd = self->logfd;
	privsep_drop(conf);
	/* Cleared by the change of credentials, so set it after. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		exit(0);
#ifdef PROXYD_REGRESS
	if (getenv("PROXYD_REGRESS_WAKE_PAUSE") != NULL)
		regress_wake_pause = strtonum(
		    getenv("PROXYD_REGRESS_WAKE_PAUSE"), 0, 10000, NULL);
#endif
	io_init(self->chan, &waitmask);
	keyclient_set(self->keyfd);
	access_init();
	listen_setup(conf);
	session_alloc(&s, conf);

	for (;;) {
		self->slot->state = SLOT_IDLE;
		if (worker_draining)
			break;
		next = upstream_next_expiry(conf);
		now = now_ms();
		timeout = next == 0 ? -1 : next <= now ? 0 :
		    (int)(next - now);
		n = epoll_pwait(ep, events, ACCEPT_EVENTS, timeout, &waitmask);
		if (n == -1) {
			if (errno != EINTR)
				fatal("epoll_pwait");
			worker_wakeup(0);
			continue;
		}
#ifdef PROXYD_REGRESS
		if (n > 0 && regress_wake_pause > 0)
			usleep(regress_wake_pause * 1000);
#endif
		upstream_expire(conf, now_ms());
		nacc = chan_ready = 0;
		for (i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				chan_ready = 1;
			else if (accept_one(events[i].data.ptr,
			    &acc[nacc]) == 0)
				nacc++;
		}
		/* Orders only once what woke us is accepted. */
		worker_wakeup(chan_ready);
		for (i = 0; i < nacc; i++) {
			self->slot->state = SLOT_BUSY;
			serve_connection(&s, acc[i].l, acc[i].fd, &acc[i].ss);
			heap_sample();
		}
	}
	self->slot->state = SLOT_EXITING;
	/* The parent's atexit handlers are not ours to run. */
	_exit(0);
}
