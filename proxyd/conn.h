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

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct config;
struct hsts_conf;
struct listener;
struct ssl_st;
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

/*
 * One side of a relay.  Every read, write and wait on it goes through
 * io.c, so that TLS is one layer there and nothing above it changes.
 */
struct conn {
	int		 fd;
	struct ssl_st	*ssl;		/* NULL on a plain connection */
	short		 want;		/* what TLS waits for: POLLIN/OUT */
	char		*wbuf;		/* TLS_RECORD_MAX bytes, to gather */
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

/*
 * What the later stages of a request (the access log, authentication)
 * need of it, copied out of the client buffer: once a body streams
 * through that buffer, the parsed request no longer points at its head.
 */
struct reqinfo {
	char		*buf;		/* holds the copies */
	size_t		 size;
	size_t		 len;
	const char	*line;		/* the request line as sent, or NULL */
	size_t		 linelen;
	const char	*method;
	size_t		 methodlen;
	const char	*target;
	size_t		 targetlen;
	const char	*referer;	/* NULL if none */
	size_t		 refererlen;
	const char	*agent;		/* User-Agent, NULL if none */
	size_t		 agentlen;
	int		 minor;
	char		 user[256];	/* authenticated user, "" if none */
	uint64_t	 bytes;		/* body bytes sent to the client */
};

struct session {
	struct config	*conf;
	struct listener	*listener;
	struct conn	 client;
	char		 peer[64];	/* client address, for headers */
	int		 tls;		/* the client came in over TLS */
	struct server	*sni_server;	/* whose certificate it got */
	int		 tls_failed;	/* the handshake failed */
	char		*client_wbuf;	/* TLS write buffers */
	char		*backend_wbuf;

	struct buf	 in;		/* client input */
	struct buf	 bin;		/* backend input */
	struct buf	 head;		/* heads proxyd writes */
	struct http_field *fields;	/* request fields */
	struct http_field *rfields;	/* response fields */
	size_t		 maxfields;
	size_t		 maxrfields;

	/* The request being served. */
	struct http_request req;
	struct reqinfo	 info;
	struct server	*server;
	int		 host_named;	/* Host names a server of the listener */
	const struct location *loc;
	char		*path;		/* normalized */
	size_t		 pathlen;
	size_t		 pathsize;
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
void	 io_init(int, const sigset_t *);
int	 io_poll(struct pollfd *, int, uint64_t);
void	 buf_compact(struct buf *);
ssize_t	 conn_recv(struct conn *, void *, size_t);
ssize_t	 conn_read(struct conn *, void *, size_t, uint64_t);
int	 conn_write(struct conn *, const void *, size_t, uint64_t);
int	 conn_writev(struct conn *, struct iovec *, int, uint64_t);
int	 conn_wait(struct conn *, short, uint64_t);
int	 conn_wait2(struct conn *, struct conn *, uint64_t);
int	 conn_fill(struct conn *, struct buf *, uint64_t);
void	 conn_try_write(struct conn *, const void *, size_t);
void	 conn_shutdown(struct conn *);
void	 conn_close(struct conn *);
void	 conn_linger(struct conn *, struct buf *);
void	 outq_init(struct outq *);
int	 outq_add(struct outq *, const void *, size_t);
int	 outq_chunk(struct outq *, const void *, size_t);
int	 outq_flush(struct outq *, struct conn *, uint64_t);
int	 outq_push(struct outq *, struct conn *, const void *, size_t, int,
	    uint64_t);

/* route.c */
int	 route_server(struct session *);
int	 route_path(struct session *);
int	 route_redirect(const struct session *, const char *, char *, size_t);
void	 reqinfo_reset(struct reqinfo *);
void	 reqinfo_line(struct reqinfo *, const char *, size_t);
void	 reqinfo_keep(struct reqinfo *, const struct http_request *);

/* reply.c */
const char *http_date(void);
int	 reply_error(struct session *, int);
int	 reply_status(struct session *, int, const char *, const char *);

/* headers.c */
int	 headers_request(struct session *, struct buf *, const struct url *,
	    int);
int	 headers_response(struct session *, struct buf *,
	    const struct http_response *, int, int);
int	 hsts_field(const struct hsts_conf *, char *, size_t);

/* relay.c */
int	 relay_request(struct session *);
void	 upstream_expire(struct config *, uint64_t);
uint64_t upstream_next_expiry(struct config *);

/* worker.c */
int	 session_must_close(const struct session *);

/* access.c */
void	 access_init(void);
int	 access_check(struct session *, int *);

#endif /* CONN_H */
