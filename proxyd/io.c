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
 * Every read, write and wait of a worker on a connection, client or
 * backend.  Sockets are non-blocking: read or write first, and wait only
 * after EAGAIN, until an absolute deadline (a per-read timeout would not
 * stop a client that sends a byte a second).
 *
 * On a TLS connection the same calls go through OpenSSL: a read may want
 * the socket writable and a write readable (c->want says which), and
 * bytes OpenSSL has already decrypted are looked at before any wait.
 *
 * io_poll() is the one place a worker sleeps while it serves.  It also
 * watches the worker's channel from the parent, and it is the only place
 * SIGTERM is let in (ppoll with a mask), so an order to drain is noticed
 * whatever the worker waits for, and never between a check and a sleep.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "tls.h"

#define IO_POLL_MAX	4		/* descriptors a caller waits on */
#define LINGER_TIME	2000		/* ms */
#define LINGER_BYTES	(1024 * 1024)

static int		 io_chan = -1;
static sigset_t		 io_waitmask;
static int		 io_masked;

uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The worker's channel to watch (-1 for none), and the signal mask to
 * wait with (NULL: the current one).
 */
void
io_init(int chan, const sigset_t *waitmask)
{
	io_chan = chan;
	if (waitmask != NULL) {
		io_waitmask = *waitmask;
		io_masked = 1;
	}
}

/*
 * Wait until one of pfd[0..n) is ready or the deadline passes.  Returns
 * how many are ready, 0 on timeout (errno ETIMEDOUT), -1 on error.
 * Orders from the parent and signals are handed to worker_wakeup() and
 * the wait goes on.
 */
int
io_poll(struct pollfd *pfd, int n, uint64_t deadline)
{
	struct pollfd	 all[IO_POLL_MAX + 1];
	struct timespec	 ts;
	uint64_t	 now, left;
	int		 i, rv, nall, chan_ready;

	if (n > IO_POLL_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		now = now_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return 0;
		}
		left = deadline - now;
		if (left > (uint64_t)INT_MAX)
			left = INT_MAX;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		memcpy(all, pfd, n * sizeof(*pfd));
		nall = n;
		if (io_chan != -1) {
			all[nall].fd = io_chan;
			all[nall].events = POLLIN;
			nall++;
		}
		for (i = 0; i < nall; i++)
			all[i].revents = 0;
		rv = ppoll(all, nall, &ts, io_masked ? &io_waitmask : NULL);
		if (rv == -1) {
			if (errno != EINTR)
				return -1;
			worker_wakeup(0);
			continue;
		}
		chan_ready = nall > n && all[n].revents != 0;
		if (chan_ready) {
			rv--;
			worker_wakeup(1);
		}
		if (rv > 0) {
			for (i = 0; i < n; i++)
				pfd[i].revents = all[i].revents;
			return rv;
		}
	}
}

/* Move what is left to the front, so the buffer has room at the end. */
void
buf_compact(struct buf *b)
{
	if (b->off == 0)
		return;
	if (b->off < b->len)
		memmove(b->data, b->data + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

/*
 * Bytes the connection holds already, read from the socket but not yet
 * by us: a wait must look here before it sleeps.  None on a plain socket.
 */
static int
conn_pending(struct conn *c)
{
	return c->ssl != NULL && SSL_pending(c->ssl) > 0;
}

/* What to poll for: on TLS, what the last call said it wanted. */
static short
conn_events(struct conn *c, short events)
{
	return c->ssl != NULL && c->want != 0 ? c->want : events;
}

/*
 * Wait until c is ready for events or the deadline passes.  Returns 1
 * when ready, 0 on timeout (errno ETIMEDOUT), -1 on error.
 */
int
conn_wait(struct conn *c, short events, uint64_t deadline)
{
	struct pollfd	 pfd;
	int		 rv;

	if ((events & POLLIN) && conn_pending(c))
		return 1;
	pfd.fd = c->fd;
	pfd.events = conn_events(c, events);
	rv = io_poll(&pfd, 1, deadline);
	return rv > 0 ? 1 : rv;
}

/*
 * Wait until a or b (either may be NULL) has something to read.  Returns
 * 1 for a, 2 for b, 3 for both, 0 on timeout, -1 on error.
 */
int
conn_wait2(struct conn *a, struct conn *b, uint64_t deadline)
{
	struct pollfd	 pfd[2];
	int		 ready = 0, rv;

	if (a != NULL && conn_pending(a))
		ready |= 1;
	if (b != NULL && conn_pending(b))
		ready |= 2;
	if (ready != 0)
		return ready;
	pfd[0].fd = a != NULL ? a->fd : -1;
	pfd[0].events = a != NULL ? conn_events(a, POLLIN) : POLLIN;
	pfd[1].fd = b != NULL ? b->fd : -1;
	pfd[1].events = b != NULL ? conn_events(b, POLLIN) : POLLIN;
	if ((rv = io_poll(pfd, 2, deadline)) <= 0)
		return rv;
	if (pfd[0].revents != 0)
		ready |= 1;
	if (pfd[1].revents != 0)
		ready |= 2;
	return ready;
}

/*
 * Read what is there without waiting: > 0 bytes, 0 at end of file, -1
 * with errno EAGAIN when nothing is there yet, or another error.
 */
ssize_t
conn_recv(struct conn *c, void *p, size_t len)
{
	ssize_t	 n;
	int	 err;

	if (c->ssl != NULL) {
		c->want = 0;
		ERR_clear_error();
		if ((n = SSL_read(c->ssl, p, len > INT_MAX ? INT_MAX :
		    (int)len)) > 0)
			return n;
		switch ((err = SSL_get_error(c->ssl, n))) {
		case SSL_ERROR_WANT_READ:
			c->want = POLLIN;
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_WANT_WRITE:
			c->want = POLLOUT;
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_ZERO_RETURN:
			return 0;
		case SSL_ERROR_SYSCALL:
			/* An end without close_notify: framing tells. */
			if (errno == 0 || errno == ECONNRESET)
				return errno == 0 ? 0 : -1;
			return -1;
		default:
			ERR_clear_error();
			errno = EPROTO;
			return -1;
		}
	}
	do {
		n = read(c->fd, p, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EWOULDBLOCK)
		errno = EAGAIN;
	return n;
}

/* Read what is there, waiting until the deadline.  0 is end of file. */
ssize_t
conn_read(struct conn *c, void *p, size_t len, uint64_t deadline)
{
	ssize_t	 n;

	for (;;) {
		n = conn_recv(c, p, len);
		if (n >= 0 || errno != EAGAIN)
			return n;
		if (conn_wait(c, POLLIN, deadline) != 1)
			return -1;
	}
}

/* Read more into the buffer's free space, compacting it first if full. */
int
conn_fill(struct conn *c, struct buf *b, uint64_t deadline)
{
	ssize_t	 n;

	if (b->len == b->size)
		buf_compact(b);
	if (b->len == b->size) {
		errno = ENOBUFS;
		return -1;
	}
	n = conn_read(c, b->data + b->len, b->size - b->len, deadline);
	if (n <= 0)
		return n;
	b->len += n;
	return n;
}

/* Write all of p on TLS, waiting as OpenSSL asks, until the deadline. */
static int
tls_write(struct conn *c, const void *p, size_t len, uint64_t deadline)
{
	int	 n, err;

	if (len == 0)
		return 0;
	for (;;) {
		c->want = 0;
		ERR_clear_error();
		if ((n = SSL_write(c->ssl, p, len)) > 0)
			return 0;
		err = SSL_get_error(c->ssl, n);
		if (err == SSL_ERROR_WANT_WRITE)
			c->want = POLLOUT;
		else if (err == SSL_ERROR_WANT_READ)
			c->want = POLLIN;
		else {
			ERR_clear_error();
			return -1;
		}
		if (conn_wait(c, c->want, deadline) != 1)
			return -1;
	}
}

/*
 * Gather the pieces into records of up to TLS_RECORD_MAX bytes, so that
 * a head and the start of a body go out as one record, not one each; a
 * piece that fills a record alone is written from where it is.
 */
static int
tls_writev(struct conn *c, struct iovec *iov, int niov, uint64_t deadline)
{
	size_t	 len, take;

	while (niov > 0) {
		if (iov->iov_len >= TLS_RECORD_MAX || c->wbuf == NULL) {
			if (tls_write(c, iov->iov_base, iov->iov_len,
			    deadline) == -1)
				return -1;
			iov++;
			niov--;
			continue;
		}
		len = 0;
		while (niov > 0 && len < TLS_RECORD_MAX &&
		    (len == 0 || iov->iov_len < TLS_RECORD_MAX)) {
			take = iov->iov_len;
			if (take > TLS_RECORD_MAX - len)
				take = TLS_RECORD_MAX - len;
			memcpy(c->wbuf + len, iov->iov_base, take);
			len += take;
			iov->iov_base = (char *)iov->iov_base + take;
			iov->iov_len -= take;
			if (iov->iov_len == 0) {
				iov++;
				niov--;
			}
		}
		if (tls_write(c, c->wbuf, len, deadline) == -1)
			return -1;
	}
	return 0;
}

int
conn_writev(struct conn *c, struct iovec *iov, int niov, uint64_t deadline)
{
	ssize_t	 n;

	if (c->ssl != NULL)
		return tls_writev(c, iov, niov, deadline);
	while (niov > 0) {
		if (iov->iov_len == 0) {
			iov++;
			niov--;
			continue;
		}
		n = writev(c->fd, iov, niov);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (conn_wait(c, POLLOUT, deadline) != 1)
				return -1;
			continue;
		}
		while (niov > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			niov--;
		}
		if (niov > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

int
conn_write(struct conn *c, const void *p, size_t len, uint64_t deadline)
{
	struct iovec	 iov;

	iov.iov_base = (void *)p;
	iov.iov_len = len;
	return conn_writev(c, &iov, 1, deadline);
}

/*
 * One attempt to write, without waiting: for a short answer that is not
 * worth a worker's time if the socket cannot take it at once.
 */
void
conn_try_write(struct conn *c, const void *p, size_t len)
{
	if (c->ssl == NULL)
		(void)send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * Say we will send no more (close_notify on TLS, not waiting for the
 * other side's); the other side may still talk.
 */
void
conn_shutdown(struct conn *c)
{
	if (c->ssl != NULL) {
		if (!(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN))
			(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	(void)shutdown(c->fd, SHUT_WR);
}

/* Close the connection, with close_notify first on TLS. */
void
conn_close(struct conn *c)
{
	if (c->fd == -1)
		return;
	if (c->ssl != NULL) {
		if (!(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN) &&
		    SSL_is_init_finished(c->ssl))
			(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	close(c->fd);
	c->fd = -1;
	c->want = 0;
}

/*
 * Close after an answer given while the client may still be sending:
 * closing with unread bytes makes the kernel reset the connection, which
 * can destroy the answer before the client reads it.  So say we are done,
 * then read and drop what comes, for a bounded time and amount.
 */
void
conn_linger(struct conn *c, struct buf *scratch)
{
	uint64_t	 deadline = now_ms() + LINGER_TIME;
	size_t		 total = 0;
	ssize_t		 n;

	conn_shutdown(c);
	while (total < LINGER_BYTES) {
		n = conn_read(c, scratch->data, scratch->size, deadline);
		if (n <= 0)
			break;
		total += n;
	}
}

void
outq_init(struct outq *q)
{
	q->niov = 0;
	q->bytes = 0;
	q->nlines = 0;
}

/* Queue bytes that stay valid until the next flush.  -1 when full. */
int
outq_add(struct outq *q, const void *p, size_t len)
{
	if (len == 0)
		return 0;
	if (q->niov == OUTQ_IOV)
		return -1;
	q->iov[q->niov].iov_base = (void *)p;
	q->iov[q->niov].iov_len = len;
	q->niov++;
	q->bytes += len;
	return 0;
}

/* Queue one chunk in chunked framing that proxyd writes itself. */
int
outq_chunk(struct outq *q, const void *p, size_t len)
{
	static const char crlf[] = "\r\n";
	char		*line;
	int		 n;

	if (len == 0)
		return 0;
	if (q->niov + 3 > OUTQ_IOV || q->nlines == (int)(sizeof(q->lines) /
	    sizeof(q->lines[0])))
		return -1;
	line = q->lines[q->nlines++];
	n = snprintf(line, sizeof(q->lines[0]), "%zx\r\n", len);
	q->iov[q->niov].iov_base = line;
	q->iov[q->niov++].iov_len = n;
	q->iov[q->niov].iov_base = (void *)p;
	q->iov[q->niov++].iov_len = len;
	q->iov[q->niov].iov_base = (void *)crlf;
	q->iov[q->niov++].iov_len = 2;
	q->bytes += n + len + 2;
	return 0;
}

int
outq_flush(struct outq *q, struct conn *c, uint64_t deadline)
{
	int	 rv = 0;

	if (q->niov > 0)
		rv = conn_writev(c, q->iov, q->niov, deadline);
	outq_init(q);
	return rv;
}

/*
 * Queue bytes, as a chunk if chunked, and send what is queued first when
 * the queue is full.  -1 only when writing failed.
 */
int
outq_push(struct outq *q, struct conn *c, const void *p, size_t len,
    int chunked, uint64_t deadline)
{
	if ((chunked ? outq_chunk(q, p, len) : outq_add(q, p, len)) == 0)
		return 0;
	if (outq_flush(q, c, deadline) == -1)
		return -1;
	/* An empty queue takes any one piece. */
	return chunked ? outq_chunk(q, p, len) : outq_add(q, p, len);
}
