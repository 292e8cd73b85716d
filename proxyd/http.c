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
 * HTTP/1.x request and response heads (RFC 9112) and chunked framing,
 * parsed strictly as SPEC.md section 4 item 2 says: whatever two
 * implementations could read differently is refused.  Pure functions
 * over the caller's buffers: no I/O, no allocation, no state of their own.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http.h"

/* Empty lines tolerated before a start line (RFC 9112 2.2). */
#define EMPTY_LINES_MAX		8

#define C_TCHAR		0x01	/* token (RFC 9110 5.6.2) */
#define C_VALUE		0x02	/* HTAB SP VCHAR obs-text */
#define C_TARGET	0x04	/* request-target byte: VCHAR except '#' */
#define C_HOST		0x08	/* host name or IPv4 address byte */
#define C_HEX		0x10
#define C_DIGIT		0x20
#define C_QDTEXT	0x40	/* quoted-string text */

#define W	(C_VALUE | C_QDTEXT)		/* SP HTAB obs-text */
#define Q	(C_VALUE | C_TARGET)		/* '"' '\\' */
#define S	(C_VALUE | C_TARGET | C_QDTEXT)	/* delimiters */
#define F	(C_TCHAR | C_VALUE | C_QDTEXT)	/* '#' */
#define P	(S | C_TCHAR)			/* token punctuation */
#define U	(P | C_HOST)			/* letters - . _ ~ */
#define X	(U | C_HEX)
#define D	(X | C_DIGIT)

static const uint8_t chartab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	W, P, Q, F, P, P, P, P, S, S, P, P, S, U, U, S,
	D, D, D, D, D, D, D, D, D, D, S, S, S, S, S, S,
	S, X, X, X, X, X, X, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, S, Q, S, P, U,
	P, X, X, X, X, X, X, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, S, P, S, U, 0,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
};

#undef W
#undef Q
#undef S
#undef F
#undef P
#undef U
#undef X
#undef D

#define IS(c, class)	(chartab[(unsigned char)(c)] & (class))
#define IS_OWS(c)	((c) == ' ' || (c) == '\t')

/* What a scanner found: a complete element, too few bytes, or garbage. */
enum scan {
	SCAN_OK = 0,
	SCAN_MORE,
	SCAN_BAD
};

/* The state of a head being parsed, common to requests and responses. */
struct head {
	const char	*end;		/* bound of the scan */
	int		 request;
	int		 bare_lf;	/* a lone LF ends a line */
	int		 bad;		/* status for malformed heads */
	int		 toomany;	/* status for too many fields */
	struct http_field *fields;
	size_t		 maxfields;
	size_t		 nfields;
	int		 host;
	int		 nte;
	int		 ncl;
	uint64_t	 cl;
	unsigned int	 connection;
	int		 expect_continue;
	int		 upgrade_websocket;
};

static const struct {
	const char	*name;		/* lower case */
	size_t		 len;
	enum http_hdr	 id;
} hdrtab[] = {
#define HDR(s, id)	{ s, sizeof(s) - 1, id }
	HDR("host", HDR_HOST),
	HDR("content-length", HDR_CONTENT_LENGTH),
	HDR("transfer-encoding", HDR_TRANSFER_ENCODING),
	HDR("connection", HDR_CONNECTION),
	HDR("keep-alive", HDR_KEEP_ALIVE),
	HDR("te", HDR_TE),
	HDR("trailer", HDR_TRAILER),
	HDR("upgrade", HDR_UPGRADE),
	HDR("proxy-authorization", HDR_PROXY_AUTHORIZATION),
	HDR("proxy-authenticate", HDR_PROXY_AUTHENTICATE),
	HDR("proxy-connection", HDR_PROXY_CONNECTION),
	HDR("expect", HDR_EXPECT),
	HDR("authorization", HDR_AUTHORIZATION),
	HDR("x-forwarded-for", HDR_X_FORWARDED_FOR),
	HDR("x-forwarded-proto", HDR_X_FORWARDED_PROTO),
	HDR("x-forwarded-host", HDR_X_FORWARDED_HOST),
	HDR("via", HDR_VIA),
	HDR("location", HDR_LOCATION),
	HDR("content-location", HDR_CONTENT_LOCATION),
	HDR("uri", HDR_URI),
	HDR("set-cookie", HDR_SET_COOKIE),
	HDR("strict-transport-security", HDR_STRICT_TRANSPORT_SECURITY),
	HDR("date", HDR_DATE),
	HDR("referer", HDR_REFERER),
	HDR("user-agent", HDR_USER_AGENT),
#undef HDR
};

static const struct {
	const char	*name;
	size_t		 len;
	enum http_method id;
} methodtab[] = {
#define METHOD(s, id)	{ s, sizeof(s) - 1, id }
	METHOD("GET", METHOD_GET),
	METHOD("HEAD", METHOD_HEAD),
	METHOD("POST", METHOD_POST),
	METHOD("PUT", METHOD_PUT),
	METHOD("DELETE", METHOD_DELETE),
	METHOD("OPTIONS", METHOD_OPTIONS),
	METHOD("PATCH", METHOD_PATCH),
	METHOD("CONNECT", METHOD_CONNECT),
	METHOD("TRACE", METHOD_TRACE),
#undef METHOD
};

/* Compares with a lower case ASCII string, ignoring the locale. */
static int
ci_equal(const char *s, size_t len, const char *lower, size_t lowerlen)
{
	size_t		 i;
	unsigned char	 c;

	if (len != lowerlen)
		return 0;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (unsigned char)lower[i])
			return 0;
	}
	return 1;
}

#define CI_EQUAL(s, len, lit)	ci_equal(s, len, lit, sizeof(lit) - 1)

static const char *
skip_class(const char *p, const char *end, uint8_t class)
{
	while (p < end && IS(*p, class))
		p++;
	return p;
}

static const char *
skip_ows(const char *p, const char *end)
{
	while (p < end && IS_OWS(*p))
		p++;
	return p;
}

static unsigned int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* The end of a line at *pp: CRLF, or a lone LF where it is allowed. */
static enum scan
scan_eol(const char **pp, const char *end, int bare_lf)
{
	const char	*p = *pp;

	if (p == end)
		return SCAN_MORE;
	if (*p == '\n') {
		if (!bare_lf)
			return SCAN_BAD;
		*pp = p + 1;
		return SCAN_OK;
	}
	if (*p != '\r')
		return SCAN_BAD;
	if (p + 1 == end)
		return SCAN_MORE;
	if (p[1] != '\n')
		return SCAN_BAD;
	*pp = p + 2;
	return SCAN_OK;
}

static enum scan
skip_empty_lines(const char **pp, const char *end, int bare_lf)
{
	const char	*p = *pp;
	enum scan	 r;
	int		 n;

	for (n = 0; p < end && (*p == '\r' || *p == '\n'); n++) {
		if (n == EMPTY_LINES_MAX)
			return SCAN_BAD;
		if ((r = scan_eol(&p, end, bare_lf)) != SCAN_OK)
			return r;
	}
	*pp = p;
	return p == end ? SCAN_MORE : SCAN_OK;
}

/*
 * One field line: token ":" OWS value OWS EOL.  A line that starts with
 * whitespace (obs-fold) or has whitespace before the colon is not a token
 * followed by a colon, so it is refused like any other malformed name.
 */
static enum scan
scan_field(const char **pp, const char *end, int bare_lf,
    struct http_field *f)
{
	const char	*p, *v, *ve;
	enum scan	 r;

	p = skip_class(*pp, end, C_TCHAR);
	if (p == end)
		return SCAN_MORE;
	if (*p != ':' || p == *pp)
		return SCAN_BAD;
	f->name = *pp;
	f->namelen = p - *pp;
	v = skip_ows(p + 1, end);
	p = ve = skip_class(v, end, C_VALUE);
	if ((r = scan_eol(&p, end, bare_lf)) != SCAN_OK)
		return r;
	while (ve > v && IS_OWS(ve[-1]))
		ve--;
	f->value = v;
	f->valuelen = ve - v;
	*pp = p;
	return SCAN_OK;
}

/* 1*DIGIT, at most 2^63 - 1. */
static int
parse_length(const char *s, size_t len, uint64_t *vp)
{
	uint64_t	 v = 0;
	unsigned int	 d;
	size_t		 i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (!IS(s[i], C_DIGIT))
			return -1;
		d = s[i] - '0';
		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*vp = v;
	return 0;
}

static int
field_content_length(struct head *h, struct http_field *f)
{
	uint64_t	 v;

	if (parse_length(f->value, f->valuelen, &v) == -1)
		return h->bad;
	if (h->ncl > 0) {
		if (v != h->cl)
			return h->bad;
		f->drop = 1;
	}
	h->ncl++;
	h->cl = v;
	return HTTP_OK;
}

static int
field_transfer_encoding(struct head *h, const struct http_field *f)
{
	if (h->nte > 0 || !CI_EQUAL(f->value, f->valuelen, "chunked"))
		return h->bad;
	h->nte++;
	return HTTP_OK;
}

static void
field_connection(struct head *h, const struct http_field *f)
{
	const char	*p = f->value, *end = f->value + f->valuelen, *tok;
	size_t		 len;

	while (http_token_next(&p, end, &tok, &len)) {
		if (CI_EQUAL(tok, len, "close"))
			h->connection |= CONN_CLOSE;
		else if (CI_EQUAL(tok, len, "keep-alive"))
			h->connection |= CONN_KEEPALIVE;
		else if (CI_EQUAL(tok, len, "upgrade"))
			h->connection |= CONN_UPGRADE;
	}
}

static void
field_upgrade(struct head *h, const struct http_field *f)
{
	const char	*p = f->value, *end = f->value + f->valuelen, *tok;
	size_t		 len;

	while (http_token_next(&p, end, &tok, &len))
		if (CI_EQUAL(tok, len, "websocket"))
			h->upgrade_websocket = 1;
}

/*
 * Host is checked in HTTP/1.0 requests too: when present it chooses the
 * server and may be echoed in redirects, so it must be a plain host[:port].
 */
static int
field_host(struct head *h, const struct http_field *f)
{
	size_t		 hostlen;

	if (h->host != -1 || !http_host_valid(f->value, f->valuelen, &hostlen))
		return h->bad;
	h->host = h->nfields;
	return HTTP_OK;
}

static int
add_field(struct head *h, const struct http_field *src)
{
	struct http_field *f;
	int		 status = HTTP_OK;

	if (h->nfields >= h->maxfields)
		return h->toomany;
	f = &h->fields[h->nfields];
	*f = *src;
	f->id = http_hdr_lookup(f->name, f->namelen);
	f->drop = 0;
	switch (f->id) {
	case HDR_HOST:
		if (h->request)
			status = field_host(h, f);
		break;
	case HDR_CONTENT_LENGTH:
		status = field_content_length(h, f);
		break;
	case HDR_TRANSFER_ENCODING:
		status = field_transfer_encoding(h, f);
		break;
	case HDR_CONNECTION:
		field_connection(h, f);
		break;
	case HDR_UPGRADE:
		field_upgrade(h, f);
		break;
	case HDR_EXPECT:
		if (h->request && CI_EQUAL(f->value, f->valuelen,
		    "100-continue"))
			h->expect_continue = 1;
		break;
	default:
		break;
	}
	if (status == HTTP_OK)
		h->nfields++;
	return status;
}

/* The field lines and the blank line that ends the head. */
static int
parse_fields(struct head *h, const char **pp)
{
	struct http_field f;
	const char	*p = *pp;
	enum scan	 r;
	int		 status;

	/* Every turn consumes a line, so this ends at h->end. */
	for (;;) {
		if (p == h->end)
			return HTTP_INCOMPLETE;
		if (*p == '\r' || *p == '\n')
			break;
		if ((r = scan_field(&p, h->end, h->bare_lf, &f)) != SCAN_OK)
			return r == SCAN_MORE ? HTTP_INCOMPLETE : h->bad;
		if ((status = add_field(h, &f)) != HTTP_OK)
			return status;
	}
	if ((r = scan_eol(&p, h->end, h->bare_lf)) != SCAN_OK)
		return r == SCAN_MORE ? HTTP_INCOMPLETE : h->bad;
	*pp = p;
	return HTTP_OK;
}

static void
head_init(struct head *h, const char *end, int request,
    struct http_field *fields, size_t maxfields)
{
	memset(h, 0, sizeof(*h));
	h->end = end;
	h->request = request;
	h->bare_lf = request;
	h->bad = request ? 400 : 502;
	h->toomany = request ? 431 : 502;
	h->fields = fields;
	h->maxfields = maxfields;
	h->host = -1;
}

static enum http_method
method_lookup(const char *s, size_t len)
{
	size_t		 i;

	for (i = 0; i < sizeof(methodtab) / sizeof(methodtab[0]); i++)
		if (methodtab[i].len == len &&
		    memcmp(methodtab[i].name, s, len) == 0)
			return methodtab[i].id;
	return METHOD_OTHER;
}

/* "HTTP/" DIGIT "." DIGIT: 1.0 and 1.1 are served, the rest is 505. */
static int
parse_version(const char *v, size_t len, int *minor)
{
	if (len != 8 || memcmp(v, "HTTP/", 5) != 0 || !IS(v[5], C_DIGIT) ||
	    v[6] != '.' || !IS(v[7], C_DIGIT))
		return 400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return 505;
	*minor = v[7] - '0';
	return HTTP_OK;
}

static void
split_path_query(struct http_request *req, const char *p, const char *end)
{
	const char	*q;

	req->path = p;
	if ((q = memchr(p, '?', end - p)) == NULL) {
		req->pathlen = end - p;
		return;
	}
	req->pathlen = q - p;
	req->query = q + 1;
	req->querylen = end - (q + 1);
}

static int
parse_absolute(struct http_request *req)
{
	const char	*t = req->target, *end = t + req->targetlen, *a, *p;
	size_t		 hostlen;

	if (req->targetlen > 7 && CI_EQUAL(t, 7, "http://"))
		req->schemelen = 4;
	else if (req->targetlen > 8 && CI_EQUAL(t, 8, "https://"))
		req->schemelen = 5;
	else
		return 400;
	req->scheme = t;
	a = p = t + req->schemelen + 3;
	while (p < end && *p != '/' && *p != '?')
		p++;
	if (!http_host_valid(a, p - a, &hostlen))
		return 400;
	req->authority = a;
	req->authoritylen = p - a;
	req->target_form = TARGET_ABSOLUTE;
	split_path_query(req, p, end);
	return HTTP_OK;
}

static int
parse_target(struct http_request *req)
{
	const char	*t = req->target;

	if (t[0] == '/') {
		req->target_form = TARGET_ORIGIN;
		split_path_query(req, t, t + req->targetlen);
		return HTTP_OK;
	}
	if (req->targetlen == 1 && t[0] == '*') {
		if (req->method_id != METHOD_OPTIONS)
			return 400;
		req->target_form = TARGET_ASTERISK;
		return HTTP_OK;
	}
	return parse_absolute(req);
}

/*
 * method SP request-target SP HTTP-version EOL, single spaces.  Syntax
 * errors come first, then the version (505), then the methods proxyd
 * refuses (405), then the form of the target.
 */
static int
parse_request_line(struct http_request *req, const char **pp,
    const char *end)
{
	const char	*m = *pp, *t, *v, *ve, *p;
	enum scan	 r;
	int		 status;

	p = skip_class(m, end, C_TCHAR);
	if (p == end)
		return HTTP_INCOMPLETE;
	if (*p != ' ' || p == m)
		return 400;
	t = ++p;
	p = skip_class(p, end, C_TARGET);
	if (p == end)
		return HTTP_INCOMPLETE;
	if (*p != ' ' || p == t)
		return 400;
	v = ++p;
	p = ve = skip_class(p, end, C_TARGET);
	if ((r = scan_eol(&p, end, 1)) != SCAN_OK)
		return r == SCAN_MORE ? HTTP_INCOMPLETE : 400;

	req->method = m;
	req->methodlen = t - 1 - m;
	req->target = t;
	req->targetlen = v - 1 - t;
	if ((status = parse_version(v, ve - v, &req->minor)) != HTTP_OK)
		return status;
	req->method_id = method_lookup(m, req->methodlen);
	if (req->method_id == METHOD_CONNECT ||
	    req->method_id == METHOD_TRACE)
		return 405;
	if ((status = parse_target(req)) != HTTP_OK)
		return status;
	*pp = p;
	return HTTP_OK;
}

static void
request_reset(struct http_request *req)
{
	struct http_field *fields = req->fields;
	size_t		 maxfields = req->maxfields;

	memset(req, 0, sizeof(*req));
	req->fields = fields;
	req->maxfields = maxfields;
	req->host = -1;
}

static int
request_finish(struct http_request *req, const struct head *h)
{
	req->nfields = h->nfields;
	req->host = h->host;
	req->connection = h->connection;
	req->expect_continue = h->expect_continue;
	req->upgrade_websocket = h->upgrade_websocket;
	if (h->nte > 0) {
		if (req->minor == 0 || h->ncl > 0)
			return 400;
		req->framing = FRAMING_CHUNKED;
	} else if (h->ncl > 0) {
		/* Content-Length: 0 stays LENGTH so that it is sent on. */
		req->framing = FRAMING_LENGTH;
		req->content_length = h->cl;
	} else
		req->framing = FRAMING_NONE;
	if (req->minor == 1 && req->host == -1)
		return 400;
	return HTTP_OK;
}

int
http_parse_request(const char *buf, size_t len, struct http_request *req,
    const struct http_limits *limits)
{
	struct head	 h;
	const char	*p = buf, *end;
	size_t		 maxfields;
	int		 status, in_reqline = 1;

	request_reset(req);
	if (len == 0)
		return HTTP_INCOMPLETE;
	/* Nothing beyond header_size is looked at: it cannot be head. */
	end = buf + (len < limits->header_size ? len : limits->header_size);

	switch (skip_empty_lines(&p, end, 1)) {
	case SCAN_OK:
		status = parse_request_line(req, &p, end);
		break;
	case SCAN_MORE:
		status = HTTP_INCOMPLETE;
		break;
	default:
		return 400;
	}
	if (status == HTTP_OK) {
		in_reqline = 0;
		maxfields = req->maxfields < limits->headers ?
		    req->maxfields : limits->headers;
		head_init(&h, end, 1, req->fields, maxfields);
		status = parse_fields(&h, &p);
		if (status == HTTP_OK)
			status = request_finish(req, &h);
		else
			req->nfields = h.nfields;
	}
	if (status == HTTP_INCOMPLETE && len >= limits->header_size)
		return in_reqline ? 414 : 431;
	if (status == HTTP_OK)
		req->headlen = p - buf;
	return status;
}

/* "HTTP/1." DIGIT SP 3DIGIT [ SP reason-phrase ] CRLF */
static int
parse_status_line(struct http_response *resp, const char **pp,
    const char *end)
{
	const char	*s = *pp, *p, *le;
	size_t		 n;

	n = end - s < 7 ? end - s : 7;
	if (memcmp(s, "HTTP/1.", n) != 0)
		return 502;
	p = le = skip_class(s, end, C_VALUE);
	switch (scan_eol(&p, end, 0)) {
	case SCAN_OK:
		break;
	case SCAN_MORE:
		return HTTP_INCOMPLETE;
	default:
		return 502;
	}
	n = le - s;
	if (n < 12 || !IS(s[7], C_DIGIT) || s[8] != ' ' ||
	    !IS(s[9], C_DIGIT) || !IS(s[10], C_DIGIT) ||
	    !IS(s[11], C_DIGIT) || (n > 12 && s[12] != ' '))
		return 502;
	resp->minor = s[7] - '0';
	resp->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (resp->status < 100 || resp->status > 599)
		return 502;
	if (n > 12) {
		resp->reason = s + 13;
		resp->reasonlen = n - 13;
	} else {
		resp->reason = s + 12;
		resp->reasonlen = 0;
	}
	*pp = p;
	return HTTP_OK;
}

static int
response_finish(struct http_response *resp, const struct head *h)
{
	resp->nfields = h->nfields;
	resp->connection = h->connection;
	resp->upgrade_websocket = h->upgrade_websocket;
	if (h->nte > 0) {
		if (resp->minor == 0 || h->ncl > 0)
			return 502;
		resp->framing = FRAMING_CHUNKED;
	} else if (h->ncl > 0) {
		resp->framing = FRAMING_LENGTH;
		resp->content_length = h->cl;
	} else
		resp->framing = FRAMING_CLOSE;
	return HTTP_OK;
}

int
http_parse_response(const char *buf, size_t len, struct http_response *resp,
    size_t maxfields)
{
	struct http_field *fields = resp->fields;
	struct head	 h;
	const char	*p = buf, *end;
	int		 status;

	memset(resp, 0, sizeof(*resp));
	resp->fields = fields;
	resp->maxfields = maxfields;
	if (len == 0)
		return HTTP_INCOMPLETE;
	end = buf + len;

	switch (skip_empty_lines(&p, end, 0)) {
	case SCAN_OK:
		break;
	case SCAN_MORE:
		return HTTP_INCOMPLETE;
	default:
		return 502;
	}
	if ((status = parse_status_line(resp, &p, end)) != HTTP_OK)
		return status;
	head_init(&h, end, 0, fields, maxfields);
	if ((status = parse_fields(&h, &p)) != HTTP_OK) {
		resp->nfields = h.nfields;
		return status;
	}
	if ((status = response_finish(resp, &h)) != HTTP_OK)
		return status;
	resp->headlen = p - buf;
	return HTTP_OK;
}

/* An IP-literal: "[" hex digits, ':' and '.' "]", at least one ':'. */
static size_t
ip_literal_len(const char *s, size_t len)
{
	size_t		 i;
	int		 colon = 0;

	for (i = 1; i < len && s[i] != ']'; i++) {
		if (s[i] == ':')
			colon = 1;
		else if (s[i] != '.' && !IS(s[i], C_HEX))
			return 0;
	}
	if (i == len || !colon)
		return 0;
	return i + 1;
}

int
http_host_valid(const char *s, size_t len, size_t *hostlenp)
{
	size_t		 hostlen, i;
	unsigned int	 port = 0;

	if (len == 0)
		return 0;
	if (s[0] == '[') {
		if ((hostlen = ip_literal_len(s, len)) == 0)
			return 0;
	} else {
		for (hostlen = 0; hostlen < len && IS(s[hostlen], C_HOST);
		    hostlen++)
			;
		if (hostlen == 0)
			return 0;
	}
	if (hostlen < len) {
		if (s[hostlen] != ':' || len - hostlen - 1 > 5)
			return 0;
		for (i = hostlen + 1; i < len; i++) {
			if (!IS(s[i], C_DIGIT))
				return 0;
			port = port * 10 + (s[i] - '0');
		}
		if (port > 65535)
			return 0;
	}
	if (hostlenp != NULL)
		*hostlenp = hostlen;
	return 1;
}

int
http_token_next(const char **pp, const char *end, const char **tok,
    size_t *toklen)
{
	const char	*p = *pp, *e, *t;

	while (p < end && (IS_OWS(*p) || *p == ','))
		p++;
	if (p == end) {
		*pp = p;
		return 0;
	}
	if ((e = memchr(p, ',', end - p)) == NULL)
		e = end;
	for (t = e; t > p && IS_OWS(t[-1]); t--)
		;
	*tok = p;
	*toklen = t - p;
	*pp = e;
	return 1;
}

int
http_is_token(const char *s, size_t len)
{
	return len > 0 && skip_class(s, s + len, C_TCHAR) == s + len;
}

enum http_hdr
http_hdr_lookup(const char *name, size_t len)
{
	size_t		 i;

	for (i = 0; i < sizeof(hdrtab) / sizeof(hdrtab[0]); i++)
		if (hdrtab[i].len == len &&
		    ci_equal(name, len, hdrtab[i].name, hdrtab[i].len))
			return hdrtab[i].id;
	return HDR_OTHER;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 305: return "Use Proxy";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

void
chunked_init(struct chunked *ck, size_t trailer_max)
{
	memset(ck, 0, sizeof(*ck));
	ck->state = CHUNK_SIZE;
	ck->trailer_max = trailer_max;
}

/* quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE */
static enum scan
scan_quoted(const char **pp, const char *end)
{
	const char	*p = *pp + 1;

	while (p < end) {
		if (*p == '"') {
			*pp = p + 1;
			return SCAN_OK;
		}
		if (*p == '\\') {
			if (p + 1 == end)
				return SCAN_MORE;
			if (!IS(p[1], C_VALUE))
				return SCAN_BAD;
			p += 2;
		} else if (IS(*p, C_QDTEXT))
			p++;
		else
			return SCAN_BAD;
	}
	return SCAN_MORE;
}

/*
 * chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), leaving
 * *pp where the line end must follow: whitespace not followed by ';' is
 * left there and refused by scan_eol().
 */
static enum scan
scan_chunk_ext(const char **pp, const char *end)
{
	const char	*p = *pp, *q;
	enum scan	 r;

	while (p < end) {
		q = skip_ows(p, end);
		if (q == end)
			return SCAN_MORE;
		if (*q != ';')
			break;
		q = skip_ows(q + 1, end);
		p = skip_class(q, end, C_TCHAR);
		if (p == end)
			return SCAN_MORE;
		if (p == q)
			return SCAN_BAD;
		q = skip_ows(p, end);
		if (q == end)
			return SCAN_MORE;
		if (*q != '=')
			continue;
		q = skip_ows(q + 1, end);
		if (q == end)
			return SCAN_MORE;
		if (*q == '"') {
			if ((r = scan_quoted(&q, end)) != SCAN_OK)
				return r;
			p = q;
		} else {
			p = skip_class(q, end, C_TCHAR);
			if (p == end)
				return SCAN_MORE;
			if (p == q)
				return SCAN_BAD;
		}
	}
	*pp = p;
	return SCAN_OK;
}

/* chunk-size [ chunk-ext ] CRLF, the size at most 2^63 - 1. */
static enum scan
scan_size_line(const char **pp, const char *end, uint64_t *sizep)
{
	const char	*p = *pp;
	uint64_t	 size = 0;
	unsigned int	 d;
	enum scan	 r;

	for (; p < end && IS(*p, C_HEX); p++) {
		d = hexval(*p);
		if (size > ((uint64_t)INT64_MAX - d) / 16)
			return SCAN_BAD;
		size = size * 16 + d;
	}
	if (p == end)
		return SCAN_MORE;
	if (p == *pp)
		return SCAN_BAD;
	if ((r = scan_chunk_ext(&p, end)) != SCAN_OK)
		return r;
	if ((r = scan_eol(&p, end, 0)) != SCAN_OK)
		return r;
	*sizep = size;
	*pp = p;
	return SCAN_OK;
}

/* Steps of the decoder return a chunked_result, or this to go on. */
#define CHUNK_AGAIN	(-1)

static int
chunk_size(struct chunked *ck, const char *buf, size_t len, size_t *off)
{
	const char	*start = buf + *off, *p = start;
	size_t		 lim = len - *off;
	uint64_t	 size;

	if (lim > CHUNK_LINE_MAX)
		lim = CHUNK_LINE_MAX;
	switch (scan_size_line(&p, start + lim, &size)) {
	case SCAN_OK:
		break;
	case SCAN_MORE:
		return lim == CHUNK_LINE_MAX ? CHUNKED_ERROR : CHUNKED_MORE;
	default:
		return CHUNKED_ERROR;
	}
	*off += p - start;
	if (size == 0)
		ck->state = CHUNK_TRAILER;
	else {
		ck->state = CHUNK_DATA;
		ck->remaining = size;
	}
	return CHUNK_AGAIN;
}

static int
chunk_data(struct chunked *ck, size_t len, size_t *off, size_t *data_off,
    size_t *data_len)
{
	size_t		 n = len - *off;

	if (n > ck->remaining)
		n = ck->remaining;
	*data_off = *off;
	*data_len = n;
	*off += n;
	ck->remaining -= n;
	ck->total += n;
	if (ck->remaining == 0)
		ck->state = CHUNK_DATA_END;
	return CHUNKED_DATA;
}

static int
chunk_data_end(struct chunked *ck, const char *buf, size_t len, size_t *off)
{
	const char	*p = buf + *off;

	switch (scan_eol(&p, buf + len, 0)) {
	case SCAN_OK:
		break;
	case SCAN_MORE:
		return CHUNKED_MORE;
	default:
		return CHUNKED_ERROR;
	}
	*off += 2;
	ck->state = CHUNK_SIZE;
	return CHUNK_AGAIN;
}

/* Trailer fields are checked as header fields are, then forgotten. */
static int
chunk_trailer(struct chunked *ck, const char *buf, size_t len, size_t *off)
{
	struct http_field f;
	const char	*start = buf + *off, *p = start;
	size_t		 room = ck->trailer_max - ck->trailer_bytes;
	size_t		 lim = len - *off;

	if (*p == '\r' || *p == '\n') {
		switch (scan_eol(&p, buf + len, 0)) {
		case SCAN_OK:
			break;
		case SCAN_MORE:
			return CHUNKED_MORE;
		default:
			return CHUNKED_ERROR;
		}
		*off += 2;
		ck->state = CHUNK_DONE;
		return CHUNKED_DONE;
	}
	if (lim > room)
		lim = room;
	switch (scan_field(&p, start + lim, 0, &f)) {
	case SCAN_OK:
		break;
	case SCAN_MORE:
		return lim == room ? CHUNKED_ERROR : CHUNKED_MORE;
	default:
		return CHUNKED_ERROR;
	}
	ck->trailer_bytes += p - start;
	*off += p - start;
	return CHUNK_AGAIN;
}

enum chunked_result
chunked_decode(struct chunked *ck, const char *buf, size_t len, size_t *off,
    size_t *data_off, size_t *data_len)
{
	int		 r;

	*data_off = *off;
	*data_len = 0;
	if (*off > len)
		return CHUNKED_ERROR;
	/* Every step but the last consumes input, so this ends. */
	for (;;) {
		if (ck->state == CHUNK_DONE)
			return CHUNKED_DONE;
		if (*off == len)
			return CHUNKED_MORE;
		switch (ck->state) {
		case CHUNK_SIZE:
			r = chunk_size(ck, buf, len, off);
			break;
		case CHUNK_DATA:
			r = chunk_data(ck, len, off, data_off, data_len);
			break;
		case CHUNK_DATA_END:
			r = chunk_data_end(ck, buf, len, off);
			break;
		case CHUNK_TRAILER:
			r = chunk_trailer(ck, buf, len, off);
			break;
		default:
			return CHUNKED_ERROR;
		}
		if (r != CHUNK_AGAIN)
			return r;
	}
}

/* Does the request carry a body (a chunked one, or a length above 0)? */
int
http_has_body(const struct http_request *req)
{
	return req->framing == FRAMING_CHUNKED ||
	    (req->framing == FRAMING_LENGTH && req->content_length > 0);
}

/*
 * Does the client let the connection carry another request after this
 * one?  HTTP/1.1 unless it says close; HTTP/1.0 only if it asks.
 */
int
http_keep_alive(const struct http_request *req)
{
	if (req->connection & CONN_CLOSE)
		return 0;
	return req->minor == 1 || (req->connection & CONN_KEEPALIVE);
}
