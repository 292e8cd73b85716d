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
 * One client connection in a worker: the connection and buffer
 * primitives with deadlines, the session that follows a request from its
 * head to its response, and the modules that take part in it.
 */

#ifndef CONN_H
#define CONN_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct config;
struct listener;
struct location;
struct server;
struct upstream;
struct url;

/* A byte buffer: data[off, len) holds what is not consumed yet. */
struct buf {
	char		*data;
	size_t		 size;
	size_t		 off;
	size_t		 len;
};

/* One side of a relay.  Later a TLS session will live here too. */
struct conn {
	int		 fd;
};

/* Gather writes: heads, chunk framing and data spans, sent together. */
#define OUTQ_IOV	48
struct outq {
	struct iovec	 iov[OUTQ_IOV];
	int		 niov;
	size_t		 bytes;
	char		 lines[OUTQ_IOV / 3 + 1][24];	/* chunk-size lines */
	int		 nlines;
};

struct session {
	struct config	*conf;
	struct listener	*listener;
	struct conn	 client;
	char		 peer[64];	/* client address, for headers */
	int		 tls;		/* the client came in over TLS */

	struct buf	 in;		/* client input */
	struct buf	 bin;		/* backend input */
	struct buf	 head;		/* heads proxyd writes */
	struct http_field *fields;	/* request fields */
	struct http_field *rfields;	/* response fields */
	size_t		 maxfields;
	size_t		 maxrfields;

	/* The request being served. */
	struct http_request req;
	struct server	*server;
	int		 host_named;	/* Host names a server of the listener */
	const struct location *loc;
	char		*path;		/* normalized */
	size_t		 pathlen;
	size_t		 restoff;	/* where the path's rest begins */
	/*
	 * The client's Host (or absolute-form authority) as sent, and its
	 * host part: copies, since the request head in s->in is overwritten
	 * once the body streams through it.
	 */
	int		 has_host;
	char		 hostport[264];
	size_t		 hostportlen;
	char		 host[256];
	size_t		 hostlen;
	int		 status;	/* answered with */
	int		 close;		/* close after this request */
	int		 linger;	/* the client may still be sending */
};

/* io.c */
uint64_t now_ms(void);
void	 conn_linger(struct conn *, struct buf *);
void	 buf_compact(struct buf *);
ssize_t	 conn_read(struct conn *, void *, size_t, uint64_t);
int	 conn_write(struct conn *, const void *, size_t, uint64_t);
int	 conn_writev(struct conn *, struct iovec *, int, uint64_t);
int	 conn_wait(struct conn *, short, uint64_t, int);
int	 conn_fill(struct conn *, struct buf *, uint64_t);
void	 outq_init(struct outq *);
int	 outq_add(struct outq *, const void *, size_t);
int	 outq_chunk(struct outq *, const void *, size_t);
int	 outq_flush(struct outq *, struct conn *, uint64_t);

/* reply.c */
const char *http_date(void);
int	 reply_error(struct session *, int);
int	 reply_status(struct session *, int, const char *, const char *);

/* headers.c */
int	 headers_request(struct session *, struct buf *, const struct url *,
	    int);
int	 headers_response(struct session *, struct buf *,
	    const struct http_response *, int, int);

/* relay.c */
int	 relay_request(struct session *);
void	 upstream_expire(struct config *, uint64_t);
uint64_t upstream_next_expiry(struct config *);

#endif /* CONN_H */
