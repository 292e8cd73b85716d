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
 * Reading and writing with deadlines.  Sockets are non-blocking: read or
 * write first, and poll() only after EAGAIN, until an absolute deadline
 * (a per-read timeout would not stop a client that sends a byte a
 * second).  Signals interrupt poll() but not the deadline.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"

uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define LINGER_TIME	2000		/* ms */
#define LINGER_BYTES	(1024 * 1024)

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

	if (shutdown(c->fd, SHUT_WR) == -1)
		return;
	while (total < LINGER_BYTES) {
		n = conn_read(c, scratch->data, scratch->size, deadline);
		if (n <= 0)
			break;
		total += n;
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
 * Wait until fd is ready for events or the deadline passes.  Returns 1
 * when ready, 0 on timeout (errno ETIMEDOUT), -1 on error.  With
 * stop_on_drain, a drain order ends the wait too (returns 0, EINTR).
 */
int
conn_wait(struct conn *c, short events, uint64_t deadline, int stop_on_drain)
{
	struct pollfd	 pfd;
	uint64_t	 now;
	int		 rv, ms;

	for (;;) {
		if (stop_on_drain && worker_draining) {
			errno = EINTR;
			return 0;
		}
		now = now_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return 0;
		}
		ms = deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		rv = poll(&pfd, 1, ms);
		if (rv == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (rv == 1)
			return 1;
	}
}

/* Read what is there, waiting until the deadline.  0 is end of file. */
ssize_t
conn_read(struct conn *c, void *p, size_t len, uint64_t deadline)
{
	ssize_t	 n;

	for (;;) {
		n = read(c->fd, p, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if (conn_wait(c, POLLIN, deadline, 0) != 1)
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

int
conn_writev(struct conn *c, struct iovec *iov, int niov, uint64_t deadline)
{
	ssize_t	 n;

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
			if (errno != EAGAIN)
				return -1;
			if (conn_wait(c, POLLOUT, deadline, 0) != 1)
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
	outq_add(q, line, n);
	outq_add(q, p, len);
	outq_add(q, crlf, 2);
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
