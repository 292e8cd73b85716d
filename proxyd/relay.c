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
 * Relaying one request to its backend and the response back: backend
 * connections (kept alive, one idle connection per backend per worker),
 * bodies streamed both ways in the framing proxyd writes itself, and the
 * WebSocket tunnel.  Whatever would block is preceded by a flush, so
 * what arrives is passed on as it arrives.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "tls.h"
#include "log.h"

#define INTERIM_MAX		10	/* 1xx heads skipped before a final one */
#define RESPONSE_TRAILER_MAX	65536	/* trailer bytes of a chunked response */

/* How sending the request ended. */
enum send_result {
	SEND_OK = 0,
	SEND_EARLY,		/* the backend answered before the body ended */
	SEND_CLIENT_GONE,	/* client closed or timed out: no answer */
	SEND_CLIENT_BAD,	/* s->status says what to answer */
	SEND_BACKEND_FAILED	/* writing to the backend failed */
};

/* How relaying a response body ended. */
enum body_result {
	BODY_DONE = 0,
	BODY_BACKEND_FAILED,
	BODY_CLIENT_FAILED
};

static socklen_t
sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/*
 * A kept-alive connection the backend closed shows EOF or stray data.
 * Over TLS, what is waiting may be only records that carry no data
 * (session tickets, a key update), which a read takes in.
 */
static int
backend_alive(struct conn *c)
{
	char	 ch;
	ssize_t	 n;

	n = recv(c->fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK;
	if (n == 0 || c->ssl == NULL)
		return 0;
	return conn_recv(c, &ch, 1) == -1 && errno == EAGAIN &&
	    c->want == POLLIN;
}

/* A new connection to a backend, TLS included: 0, or -1 and *status. */
static int
backend_connect(struct session *s, struct upstream *up, struct conn *c,
    int *status)
{
	const struct config	*conf = s->conf;
	socklen_t		 len;
	size_t			 i;
	int			 fd, err, one = 1, timedout = 0;

	for (i = 0; i < up->naddrs; i++) {
		fd = socket(up->addrs[i].ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			log_warn("backend %s: socket", up->host);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		c->fd = fd;
		if (connect(fd, (const struct sockaddr *)&up->addrs[i],
		    sockaddr_len(&up->addrs[i])) == 0)
			goto connected;
		if (errno == EINPROGRESS) {
			if (conn_wait(c, POLLOUT,
			    now_ms() + conf->timeout_connect) == 1) {
				len = sizeof(err);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
				    &len) == 0 && err == 0)
					goto connected;
				errno = err;
			} else if (errno == ETIMEDOUT)
				timedout++;
		}
		log_debug("backend %s port %u: connect: %s", up->host,
		    up->port, strerror(errno));
		conn_close(c);
	}
	log_warnx("backend %s port %u: cannot connect%s", up->host, up->port,
	    timedout ? " (timed out)" : "");
	*status = timedout == (int)up->naddrs && timedout > 0 ? 504 : 502;
	return -1;
 connected:
	if (up->tls && tls_connect(c, up, now_ms() + conf->timeout_connect) ==
	    -1) {
		conn_close(c);
		*status = 502;
		return -1;
	}
	return 0;
}

/*
 * A backend connection: the idle one if it still lives, else a new one.
 * Whether it lives is looked at (a system call) only when the request
 * could not be sent again on a new connection if it turned out dead.
 */
static int
backend_get(struct session *s, struct upstream *up, struct conn *c,
    int retryable, int *reused, int *status)
{
	*reused = 0;
	c->fd = -1;
	c->ssl = NULL;
	c->want = 0;
	c->wbuf = s->backend_wbuf;
	if (up->idle_fd != -1) {
		c->fd = up->idle_fd;
		c->ssl = up->idle_ssl;
		up->idle_fd = -1;
		up->idle_ssl = NULL;
		if (now_ms() - up->idle_since < s->conf->timeout_idle &&
		    (retryable || backend_alive(c))) {
			*reused = 1;
			return 0;
		}
		conn_close(c);
	}
	return backend_connect(s, up, c, status);
}

static void
backend_release(struct upstream *up, struct conn *c, int reusable)
{
	if (reusable && up->idle_fd == -1) {
		up->idle_fd = c->fd;
		up->idle_ssl = c->ssl;
		up->idle_since = now_ms();
		c->fd = -1;
		c->ssl = NULL;
	} else
		conn_close(c);
}

static void
upstream_close_idle(struct upstream *up)
{
	struct conn	 c;

	c.fd = up->idle_fd;
	c.ssl = up->idle_ssl;
	c.want = 0;
	c.wbuf = NULL;
	conn_close(&c);
	up->idle_fd = -1;
	up->idle_ssl = NULL;
}

/* Close idle backend connections older than timeout idle. */
void
upstream_expire(struct config *conf, uint64_t now)
{
	struct upstream	*up;

	TAILQ_FOREACH(up, &conf->upstreams, entry)
		if (up->idle_fd != -1 &&
		    now - up->idle_since >= conf->timeout_idle)
			upstream_close_idle(up);
}

/* When the next idle backend connection expires; 0 if none. */
uint64_t
upstream_next_expiry(struct config *conf)
{
	struct upstream	*up;
	uint64_t	 next = 0, t;

	TAILQ_FOREACH(up, &conf->upstreams, entry) {
		if (up->idle_fd == -1)
			continue;
		t = up->idle_since + conf->timeout_idle;
		if (next == 0 || t < next)
			next = t;
	}
	return next;
}

/*
 * The backend spoke while the body was still on its way: take in what it
 * said.  An interim 1xx answer (103 Early Hints, a 100 it sent anyway) is
 * dropped and sending goes on; a final answer, garbage or the end of the
 * connection stop the body (1), and read_response_head() takes it from
 * there.  Otherwise 0: go on sending.
 */
static int
backend_spoke(struct session *s, struct conn *b)
{
	struct http_response	 resp;
	ssize_t			 n;
	int			 rv;

	buf_compact(&s->bin);
	if (s->bin.len == s->bin.size)
		return 1;
	n = conn_recv(b, s->bin.data + s->bin.len, s->bin.size - s->bin.len);
	if (n == -1 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		return 1;
	s->bin.len += n;
	for (;;) {
		memset(&resp, 0, sizeof(resp));
		resp.fields = s->rfields;
		resp.maxfields = s->maxrfields;
		rv = http_parse_response(s->bin.data + s->bin.off,
		    s->bin.len - s->bin.off, &resp, s->maxrfields);
		if (rv == HTTP_INCOMPLETE)
			return 0;
		if (rv != HTTP_OK || resp.status >= 200 || resp.status == 101)
			return 1;
		s->bin.off += resp.headlen;
	}
}

/*
 * Flush what is queued for the backend, then get more body bytes from the
 * client into s->in (whose unconsumed bytes are kept).
 */
static enum send_result
send_refill(struct session *s, struct conn *b, struct outq *q)
{
	ssize_t	 n;
	int	 ready;

	if (outq_flush(q, b, now_ms() + s->conf->timeout_backend) == -1)
		return SEND_BACKEND_FAILED;
	buf_compact(&s->in);
	if (s->in.len == s->in.size) {
		s->status = 400;
		return SEND_CLIENT_BAD;
	}
	for (;;) {
		n = conn_recv(&s->client, s->in.data + s->in.len,
		    s->in.size - s->in.len);
		if (n > 0) {
			s->in.len += n;
			return SEND_OK;
		}
		if (n == 0 || errno != EAGAIN)
			return SEND_CLIENT_GONE;
		/* Wait for more body, or for the backend to answer early. */
		ready = conn_wait2(&s->client, b, now_ms() +
		    s->conf->timeout_body);
		if (ready & 2) {
			if (backend_spoke(s, b))
				return SEND_EARLY;
			continue;
		}
		if (ready <= 0) {
			s->status = 408;
			return SEND_CLIENT_BAD;
		}
	}
}

/*
 * Queue for c what the buffer holds of a body of *remaining bytes.  -1
 * if sending what was queued before failed.
 */
static ssize_t
queue_length(struct outq *q, struct conn *c, struct buf *b,
    uint64_t *remaining, uint64_t deadline)
{
	size_t	 take = b->len - b->off;

	if (take > *remaining)
		take = *remaining;
	if (take == 0)
		return 0;
	if (outq_push(q, c, b->data + b->off, take, 0, deadline) == -1)
		return -1;
	b->off += take;
	*remaining -= take;
	return take;
}

static enum send_result
send_length_body(struct session *s, struct conn *b, struct outq *q)
{
	uint64_t	 remaining = s->req.content_length;
	enum send_result r;

	for (;;) {
		if (queue_length(q, b, &s->in, &remaining, now_ms() +
		    s->conf->timeout_backend) == -1)
			return SEND_BACKEND_FAILED;
		if (remaining == 0)
			break;
		if ((r = send_refill(s, b, q)) != SEND_OK)
			return r;
	}
	if (outq_flush(q, b, now_ms() + s->conf->timeout_backend) == -1)
		return SEND_BACKEND_FAILED;
	return SEND_OK;
}

static enum send_result
send_chunked_body(struct session *s, struct conn *b, struct outq *q)
{
	struct chunked	 ck;
	size_t		 doff, dlen;
	enum send_result r;

	chunked_init(&ck, s->conf->limit_header_size);
	for (;;) {
		switch (chunked_decode(&ck, s->in.data, s->in.len, &s->in.off,
		    &doff, &dlen)) {
		case CHUNKED_DATA:
			if (ck.total > s->conf->limit_body_size) {
				s->status = 413;
				return SEND_CLIENT_BAD;
			}
			if (outq_push(q, b, s->in.data + doff, dlen, 1,
			    now_ms() + s->conf->timeout_backend) == -1)
				return SEND_BACKEND_FAILED;
			break;
		case CHUNKED_DONE:
			if (outq_push(q, b, "0\r\n\r\n", 5, 0, now_ms() +
			    s->conf->timeout_backend) == -1 ||
			    outq_flush(q, b, now_ms() +
			    s->conf->timeout_backend) == -1)
				return SEND_BACKEND_FAILED;
			return SEND_OK;
		case CHUNKED_ERROR:
			s->status = 400;
			return SEND_CLIENT_BAD;
		case CHUNKED_MORE:
			if ((r = send_refill(s, b, q)) != SEND_OK)
				return r;
			break;
		}
	}
}

/* The head proxyd wrote, then the body as the client sends it. */
static enum send_result
send_request(struct session *s, struct conn *b)
{
	struct outq	 q;

	outq_init(&q);
	(void)outq_add(&q, s->head.data, s->head.len);	/* the queue is empty */
	switch (s->req.framing) {
	case FRAMING_LENGTH:
		return send_length_body(s, b, &q);
	case FRAMING_CHUNKED:
		return send_chunked_body(s, b, &q);
	default:
		if (outq_flush(&q, b, now_ms() + s->conf->timeout_backend) ==
		    -1)
			return SEND_BACKEND_FAILED;
		return SEND_OK;
	}
}

/*
 * Read the response head into s->bin and parse it, skipping interim 1xx
 * responses other than 101.  Returns 0, or the status to answer with
 * (502, 504), or -1 when the connection ended before any byte came.
 */
static int
read_response_head(struct session *s, struct conn *b,
    struct http_response *resp)
{
	uint64_t deadline = now_ms() + s->conf->timeout_backend;
	int	 rv, interim = 0;
	ssize_t	 n;

	/* The answer is never there yet: wait before the first read. */
	if (s->bin.len == 0) {
		rv = conn_wait(b, POLLIN, deadline);
		if (rv == 0)
			return 504;
		if (rv == -1)
			return -1;
	}
	for (;;) {
		resp->fields = s->rfields;
		resp->maxfields = s->maxrfields;
		rv = http_parse_response(s->bin.data + s->bin.off,
		    s->bin.len - s->bin.off, resp, s->maxrfields);
		if (rv == HTTP_OK) {
			if (resp->status >= 200 || resp->status == 101)
				return 0;
			/* An interim answer: proxyd sent its own 100. */
			s->bin.off += resp->headlen;
			if (++interim > INTERIM_MAX)
				return 502;
			continue;
		}
		if (rv != HTTP_INCOMPLETE)
			return 502;
		if (s->bin.len == s->bin.size && s->bin.off == 0)
			return 502;	/* head larger than the buffer */
		n = conn_fill(b, &s->bin, now_ms() + s->conf->timeout_backend);
		if (n == 0)
			return s->bin.len == 0 && interim == 0 ? -1 : 502;
		if (n < 0) {
			if (errno == ETIMEDOUT)
				return 504;
			return s->bin.len == 0 && interim == 0 ? -1 : 502;
		}
	}
}

/*
 * Relay the response body from the backend to the client after the head
 * queued in q.  out is the framing towards the client.
 */
static enum body_result
relay_body(struct session *s, struct conn *b, const struct http_response *resp,
    int out, struct outq *q)
{
	struct chunked	 ck;
	uint64_t	 remaining = resp->content_length;
	size_t		 doff, dlen;
	ssize_t		 n;
	int		 done = 0, chunked = out == FRAMING_CHUNKED, more;

	chunked_init(&ck, RESPONSE_TRAILER_MAX);
	if (resp->framing == FRAMING_LENGTH && remaining == 0)
		done = 1;
	while (!done) {
		/* Queue everything in s->bin. */
		switch (resp->framing) {
		case FRAMING_LENGTH:
			n = queue_length(q, &s->client, &s->bin, &remaining,
			    now_ms() + s->conf->timeout_body);
			if (n == -1)
				return BODY_CLIENT_FAILED;
			s->info.bytes += n;
			done = remaining == 0;
			break;
		case FRAMING_CHUNKED:
			for (more = 1; more;) {
				switch (chunked_decode(&ck, s->bin.data,
				    s->bin.len, &s->bin.off, &doff, &dlen)) {
				case CHUNKED_DATA:
					if (outq_push(q, &s->client,
					    s->bin.data + doff, dlen, chunked,
					    now_ms() + s->conf->timeout_body) ==
					    -1)
						return BODY_CLIENT_FAILED;
					s->info.bytes += dlen;
					break;
				case CHUNKED_DONE:
					done = 1;
					more = 0;
					break;
				case CHUNKED_ERROR:
					log_warnx("backend %s: bad chunked "
					    "framing",
					    s->loc->rules.proxy->up->host);
					(void)outq_flush(q, &s->client,
					    now_ms() + s->conf->timeout_body);
					return BODY_BACKEND_FAILED;
				case CHUNKED_MORE:
					more = 0;
					break;
				}
			}
			break;
		default:	/* until the backend closes */
			dlen = s->bin.len - s->bin.off;
			if (dlen > 0) {
				if (outq_push(q, &s->client,
				    s->bin.data + s->bin.off, dlen, chunked,
				    now_ms() + s->conf->timeout_body) == -1)
					return BODY_CLIENT_FAILED;
				s->bin.off += dlen;
				s->info.bytes += dlen;
			}
			break;
		}
		if (done)
			break;
		/* Pass on what came before waiting for more. */
		if (outq_flush(q, &s->client, now_ms() +
		    s->conf->timeout_body) == -1)
			return BODY_CLIENT_FAILED;
		buf_compact(&s->bin);
		if (s->bin.len == s->bin.size)
			return BODY_BACKEND_FAILED;
		n = conn_read(b, s->bin.data + s->bin.len,
		    s->bin.size - s->bin.len,
		    now_ms() + s->conf->timeout_backend);
		if (n == 0 && resp->framing == FRAMING_CLOSE)
			break;
		if (n <= 0) {
			log_warnx("backend %s: %s in the response body",
			    s->loc->rules.proxy->up->host,
			    n == 0 ? "closed" : strerror(errno));
			return BODY_BACKEND_FAILED;
		}
		s->bin.len += n;
	}
	if (chunked && outq_push(q, &s->client, "0\r\n\r\n", 5, 0,
	    now_ms() + s->conf->timeout_body) == -1)
		return BODY_CLIENT_FAILED;
	if (outq_flush(q, &s->client, now_ms() + s->conf->timeout_body) == -1)
		return BODY_CLIENT_FAILED;
	return BODY_DONE;
}

/*
 * After a 101, bytes go both ways unchanged until either side closes and
 * the other has said all it had, or until both are silent for timeout
 * backend.
 */
static void
tunnel(struct session *s, struct conn *b)
{
	struct conn	*side[2] = { &s->client, b };
	struct buf	*buf[2] = { &s->in, &s->bin };
	int		 open[2] = { 1, 1 }, i, ready;
	ssize_t		 n;

	/* What the client sent along with its head goes first. */
	if (s->in.len > s->in.off && conn_write(b, s->in.data + s->in.off,
	    s->in.len - s->in.off, now_ms() + s->conf->timeout_backend) == -1)
		return;
	s->in.off = s->in.len = 0;
	s->bin.off = s->bin.len = 0;
	while (open[0] || open[1]) {
		ready = conn_wait2(open[0] ? side[0] : NULL,
		    open[1] ? side[1] : NULL,
		    now_ms() + s->conf->timeout_backend);
		if (ready <= 0)
			return;
		for (i = 0; i < 2; i++) {
			if (!(ready & (1 << i)))
				continue;
			n = conn_recv(side[i], buf[i]->data, buf[i]->size);
			if (n == -1 && errno == EAGAIN)
				continue;
			if (n <= 0) {
				open[i] = 0;
				if (n == -1)
					return;
				conn_shutdown(side[!i]);
				continue;
			}
			if (conn_write(side[!i], buf[i]->data, n, now_ms() +
			    s->conf->timeout_backend) == -1)
				return;
			if (i == 1)
				s->info.bytes += n;
		}
	}
}

static int
method_idempotent(enum http_method m)
{
	return m == METHOD_GET || m == METHOD_HEAD || m == METHOD_OPTIONS ||
	    m == METHOD_PUT || m == METHOD_DELETE;
}

/* Answer an error when nothing of a response went out yet. */
static int
relay_fail(struct session *s, struct conn *b, int status)
{
	conn_close(b);
	if (status != 0)
		reply_error(s, status);
	s->close = 1;
	return -1;
}

/*
 * Relay the request in s to the location's backend and the response
 * back.  Returns 0 when the client connection may serve another request,
 * -1 when it must be closed.
 */
int
relay_request(struct session *s)
{
	const struct url	*u = s->loc->rules.proxy;
	struct upstream		*up = u->up;
	struct http_response	 resp;
	struct conn		 b;
	struct outq		 q;
	enum send_result	 sent;
	enum body_result	 body;
	int			 websocket, reused, status = 502, rv;
	int			 attempt, out, reusable, nobody;

	websocket = s->req.method_id == METHOD_GET &&
	    s->req.upgrade_websocket && (s->req.connection & CONN_UPGRADE);
	if (headers_request(s, &s->head, u, websocket) == -1)
		return relay_fail(s, &(struct conn){ -1, NULL, 0, NULL }, 431);

	for (attempt = 0;; attempt++) {
		if (backend_get(s, up, &b, attempt == 0 &&
		    method_idempotent(s->req.method_id) &&
		    !http_has_body(&s->req), &reused, &status) == -1)
			return relay_fail(s, &b, status);
		if (attempt == 0 && s->req.expect_continue &&
		    s->req.minor == 1 && http_has_body(&s->req) &&
		    s->in.len == s->in.off &&
		    conn_write(&s->client, "HTTP/1.1 100 Continue\r\n\r\n", 25,
		    now_ms() + s->conf->timeout_body) == -1)
			return relay_fail(s, &b, 0);
		s->bin.off = s->bin.len = 0;
		sent = send_request(s, &b);
		switch (sent) {
		case SEND_CLIENT_GONE:
			return relay_fail(s, &b, 0);
		case SEND_CLIENT_BAD:
			return relay_fail(s, &b, s->status);
		case SEND_EARLY:
		case SEND_BACKEND_FAILED:
			/* The body may not have been read to its end. */
			if (http_has_body(&s->req))
				s->close = s->linger = 1;
			break;
		case SEND_OK:
			break;
		}
		rv = read_response_head(s, &b, &resp);
		if (rv == 0)
			break;
		/*
		 * A reused connection that died before answering is the
		 * usual race with the backend's own idle timeout: try once
		 * more on a new one when the request can be sent again.
		 */
		if (rv == -1 && reused && attempt == 0 &&
		    method_idempotent(s->req.method_id) &&
		    !http_has_body(&s->req)) {
			conn_close(&b);
			continue;
		}
		if (rv == -1)
			log_warnx("backend %s: closed without a response",
			    up->host);
		else
			log_warnx("backend %s: %s", up->host, rv == 504 ?
			    "timed out" : "invalid response");
		return relay_fail(s, &b, rv == -1 ? 502 : rv);
	}
	s->bin.off += resp.headlen;

	if (resp.status == 101) {
		if (!websocket || !resp.upgrade_websocket ||
		    !(resp.connection & CONN_UPGRADE)) {
			log_warnx("backend %s: unexpected 101", up->host);
			return relay_fail(s, &b, 502);
		}
		s->status = 101;
		s->close = 1;
		resp.framing = FRAMING_NONE;
		if (headers_response(s, &s->head, &resp, FRAMING_NONE, 1) ==
		    -1 || conn_write(&s->client, s->head.data, s->head.len,
		    now_ms() + s->conf->timeout_body) == -1 ||
		    (s->bin.len > s->bin.off && conn_write(&s->client,
		    s->bin.data + s->bin.off, s->bin.len - s->bin.off,
		    now_ms() + s->conf->timeout_body) == -1)) {
			conn_close(&b);
			return -1;
		}
		tunnel(s, &b);
		conn_close(&b);
		return -1;
	}

	nobody = s->req.method_id == METHOD_HEAD || resp.status == 204 ||
	    resp.status == 304;
	reusable = resp.minor == 1 && !(resp.connection & CONN_CLOSE) &&
	    sent == SEND_OK;
	if (nobody) {
		out = FRAMING_NONE;
		resp.framing = FRAMING_NONE;
	} else if (resp.framing == FRAMING_LENGTH)
		out = FRAMING_LENGTH;
	else {
		if (resp.framing == FRAMING_CLOSE)
			reusable = 0;
		out = s->req.minor == 1 ? FRAMING_CHUNKED : FRAMING_CLOSE;
	}
	if (out == FRAMING_CLOSE || session_must_close(s))
		s->close = 1;
	s->status = resp.status;
	if (headers_response(s, &s->head, &resp, out, 0) == -1) {
		log_warnx("backend %s: response head too large", up->host);
		return relay_fail(s, &b, 502);
	}

	outq_init(&q);
	(void)outq_add(&q, s->head.data, s->head.len);	/* the queue is empty */
	if (out == FRAMING_NONE) {
		if (outq_flush(&q, &s->client, now_ms() +
		    s->conf->timeout_body) == -1)
			body = BODY_CLIENT_FAILED;
		else
			body = BODY_DONE;
	} else
		body = relay_body(s, &b, &resp, out, &q);
	if (body != BODY_DONE) {
		/* The client must not take a cut response for a whole one. */
		conn_close(&b);
		s->close = 1;
		return -1;
	}
	backend_release(up, &b, reusable && s->bin.off == s->bin.len);
	return s->close ? -1 : 0;
}
