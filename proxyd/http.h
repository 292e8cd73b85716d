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
 * HTTP/1.x message heads and chunked framing: pure functions over
 * buffers, no I/O, so that tests and fuzzers can drive them directly.
 */

#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Return values of the parsers besides an HTTP status for a rejection. */
#define HTTP_OK			0
#define HTTP_INCOMPLETE		(-1)

enum http_method {
	METHOD_OTHER = 0,
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_DELETE,
	METHOD_OPTIONS,
	METHOD_PATCH,
	METHOD_CONNECT,
	METHOD_TRACE
};

/* Header fields proxyd acts on; all others are HDR_OTHER. */
enum http_hdr {
	HDR_OTHER = 0,
	HDR_HOST,
	HDR_CONTENT_LENGTH,
	HDR_TRANSFER_ENCODING,
	HDR_CONNECTION,
	HDR_KEEP_ALIVE,
	HDR_TE,
	HDR_TRAILER,
	HDR_UPGRADE,
	HDR_PROXY_AUTHORIZATION,
	HDR_PROXY_AUTHENTICATE,
	HDR_PROXY_CONNECTION,
	HDR_EXPECT,
	HDR_AUTHORIZATION,
	HDR_X_FORWARDED_FOR,
	HDR_X_FORWARDED_PROTO,
	HDR_X_FORWARDED_HOST,
	HDR_VIA,
	HDR_LOCATION,
	HDR_CONTENT_LOCATION,
	HDR_URI,
	HDR_SET_COOKIE,
	HDR_STRICT_TRANSPORT_SECURITY,
	HDR_DATE,
	HDR_REFERER,
	HDR_USER_AGENT,
	HDR__COUNT
};

struct http_field {
	const char	*name;
	size_t		 namelen;
	const char	*value;		/* leading and trailing OWS removed */
	size_t		 valuelen;
	enum http_hdr	 id;
	int		 drop;		/* not to be sent on */
};

enum http_framing {
	FRAMING_NONE = 0,		/* no body */
	FRAMING_LENGTH,			/* Content-Length */
	FRAMING_CHUNKED,
	FRAMING_CLOSE			/* responses only: until EOF */
};

enum http_target_form {
	TARGET_ORIGIN = 0,		/* /path?query */
	TARGET_ABSOLUTE,		/* http://authority/path?query */
	TARGET_AUTHORITY,		/* host:port (CONNECT) */
	TARGET_ASTERISK			/* * (OPTIONS) */
};

/* Connection header tokens proxyd acts on. */
#define CONN_CLOSE		0x01
#define CONN_KEEPALIVE		0x02
#define CONN_UPGRADE		0x04

struct http_limits {
	size_t		 header_size;	/* request line plus fields */
	unsigned int	 headers;	/* number of fields */
};

struct http_request {
	const char	*method;
	size_t		 methodlen;
	enum http_method method_id;
	const char	*target;	/* as received */
	size_t		 targetlen;
	enum http_target_form target_form;
	const char	*scheme;	/* absolute form only */
	size_t		 schemelen;
	const char	*authority;	/* absolute form only */
	size_t		 authoritylen;
	const char	*path;		/* origin and absolute form; may be 0 */
	size_t		 pathlen;	/*  long in the absolute form */
	const char	*query;		/* after '?', NULL if no '?' */
	size_t		 querylen;
	int		 minor;		/* HTTP/1.minor, 0 or 1 */

	struct http_field *fields;	/* caller's array */
	size_t		 maxfields;	/* its size */
	size_t		 nfields;

	int		 host;		/* index of Host in fields, or -1 */
	enum http_framing framing;	/* NONE, LENGTH or CHUNKED */
	uint64_t	 content_length;
	unsigned int	 connection;	/* CONN_* */
	int		 expect_continue;
	int		 upgrade_websocket; /* Upgrade: websocket present */
	size_t		 headlen;	/* bytes of the head, blank line included */
};

struct http_response {
	int		 minor;
	int		 status;
	const char	*reason;
	size_t		 reasonlen;

	struct http_field *fields;
	size_t		 maxfields;
	size_t		 nfields;

	enum http_framing framing;	/* as the message says; the caller
					   applies HEAD, 1xx, 204 and 304 */
	uint64_t	 content_length;
	unsigned int	 connection;
	int		 upgrade_websocket;
	size_t		 headlen;
};

int	http_parse_request(const char *, size_t, struct http_request *,
	    const struct http_limits *);
int	http_parse_response(const char *, size_t, struct http_response *,
	    size_t);
int	http_has_body(const struct http_request *);
int	http_keep_alive(const struct http_request *);
int	http_host_valid(const char *, size_t, size_t *);
int	http_token_next(const char **, const char *, const char **, size_t *);
int	http_is_token(const char *, size_t);
enum http_hdr http_hdr_lookup(const char *, size_t);
const char *http_reason(int);

/*
 * Chunked body decoder.  chunked_decode() consumes framing from the input
 * and returns either data (where and how much of the input it is), a need
 * for more input (all it consumed was framing; an incomplete line is left
 * unconsumed), the end of the body (trailers skipped), or an error.
 */
enum chunked_result {
	CHUNKED_MORE = 0,
	CHUNKED_DATA,
	CHUNKED_DONE,
	CHUNKED_ERROR
};

enum chunked_state {
	CHUNK_SIZE = 0,			/* expecting a chunk-size line */
	CHUNK_DATA,			/* inside chunk data */
	CHUNK_DATA_END,			/* expecting CRLF after the data */
	CHUNK_TRAILER,			/* trailer fields or the final CRLF */
	CHUNK_DONE
};

#define CHUNK_LINE_MAX		4096	/* a size line with extensions */

struct chunked {
	enum chunked_state state;
	uint64_t	 remaining;	/* of the current chunk */
	uint64_t	 total;		/* data bytes so far */
	size_t		 trailer_bytes;	/* against trailer_max */
	size_t		 trailer_max;
};

void	chunked_init(struct chunked *, size_t);
enum chunked_result chunked_decode(struct chunked *, const char *, size_t,
	    size_t *, size_t *, size_t *);

#endif /* HTTP_H */
