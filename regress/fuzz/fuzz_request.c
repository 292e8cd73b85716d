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
 * libFuzzer target for the request and response head parsers: whatever
 * they accept must be self-consistent, must not depend on the bytes after
 * the head, must be incomplete in every prefix, and, written back in
 * canonical form, must parse to the same message.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define HEADER_SIZE	2048
#define HEADERS		32
#define OUT_SIZE	(HEADER_SIZE + HEADERS * 4 + 64)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct http_field fields[HEADERS], fields2[HEADERS];
static char	out[OUT_SIZE];

#define CHECK(e)	do { if (!(e)) abort(); } while (0)

static int
inside(const char *p, size_t len, const char *buf, size_t buflen)
{
	return p >= buf && len <= buflen &&
	    p - buf <= (ptrdiff_t)(buflen - len);
}

static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A span of the target at the same place in another copy of it. */
static int
same_place(const char *p, size_t len, const char *t, const char *p2,
    size_t len2, const char *t2)
{
	if (p == NULL || p2 == NULL)
		return p == NULL && p2 == NULL;
	return len == len2 && p - t == p2 - t2;
}

static void
check_field(const struct http_field *f, const char *buf, size_t headlen)
{
	size_t		 i;
	unsigned char	 c;

	CHECK(inside(f->name, f->namelen, buf, headlen));
	CHECK(inside(f->value, f->valuelen, buf, headlen));
	CHECK(http_is_token(f->name, f->namelen));
	CHECK(f->id == http_hdr_lookup(f->name, f->namelen));
	for (i = 0; i < f->valuelen; i++) {
		c = f->value[i];
		CHECK(c == '\t' || (c >= 0x20 && c != 0x7f));
	}
	if (f->valuelen > 0)
		CHECK(!is_ows(f->value[0]) &&
		    !is_ows(f->value[f->valuelen - 1]));
}

/* What the head says about framing agrees with its fields. */
static void
check_framing(const struct http_field *fv, size_t n, enum http_framing framing,
    uint64_t content_length, int minor)
{
	size_t		 i, nte = 0, ncl = 0;

	for (i = 0; i < n; i++) {
		if (fv[i].id == HDR_TRANSFER_ENCODING)
			nte++;
		if (fv[i].id == HDR_CONTENT_LENGTH) {
			CHECK(fv[i].drop == (ncl > 0));
			ncl++;
		} else
			CHECK(fv[i].drop == 0);
	}
	CHECK(nte <= 1);
	CHECK(!(nte && ncl));
	if (framing == FRAMING_CHUNKED)
		CHECK(nte == 1 && minor == 1);
	else if (framing == FRAMING_LENGTH)
		CHECK(ncl > 0 && content_length <= INT64_MAX);
	else
		CHECK(nte == 0 && ncl == 0);
}

static void
check_request(const char *buf, size_t len, const struct http_request *req,
    const struct http_limits *lim)
{
	const char	*t = req->target;
	size_t		 i;

	CHECK(req->headlen > 0 && req->headlen <= len);
	CHECK(req->headlen <= lim->header_size);
	CHECK(inside(req->method, req->methodlen, buf, req->headlen));
	CHECK(http_is_token(req->method, req->methodlen));
	CHECK(inside(t, req->targetlen, buf, req->headlen));
	CHECK(req->targetlen > 0);
	for (i = 0; i < req->targetlen; i++)
		CHECK(t[i] > 0x20 && t[i] < 0x7f && t[i] != '#');
	CHECK(req->minor == 0 || req->minor == 1);
	CHECK(req->method_id != METHOD_CONNECT &&
	    req->method_id != METHOD_TRACE);
	CHECK(req->path == NULL || inside(req->path, req->pathlen, t,
	    req->targetlen));
	CHECK(req->query == NULL || inside(req->query, req->querylen, t,
	    req->targetlen));
	switch (req->target_form) {
	case TARGET_ORIGIN:
		CHECK(req->path == t && req->pathlen > 0);
		break;
	case TARGET_ABSOLUTE:
		CHECK(inside(req->authority, req->authoritylen, t,
		    req->targetlen));
		CHECK(http_host_valid(req->authority, req->authoritylen,
		    NULL));
		break;
	case TARGET_ASTERISK:
		CHECK(req->method_id == METHOD_OPTIONS);
		CHECK(req->targetlen == 1 && t[0] == '*');
		break;
	default:
		abort();
	}
	CHECK(req->nfields <= lim->headers);
	for (i = 0; i < req->nfields; i++) {
		check_field(&req->fields[i], buf, req->headlen);
		if (req->fields[i].id == HDR_HOST)
			CHECK(req->host == (int)i);
	}
	if (req->host != -1) {
		CHECK(req->host >= 0 && (size_t)req->host < req->nfields);
		CHECK(http_host_valid(req->fields[req->host].value,
		    req->fields[req->host].valuelen, NULL));
	}
	if (req->minor == 1)
		CHECK(req->host != -1);
	check_framing(req->fields, req->nfields, req->framing,
	    req->content_length, req->minor);
}

static int
parse_request(const char *buf, size_t len, struct http_request *req,
    struct http_field *fv, size_t header_size)
{
	struct http_limits lim = { header_size, HEADERS };

	memset(req, 0, sizeof(*req));
	req->fields = fv;
	req->maxfields = HEADERS;
	return http_parse_request(buf, len, req, &lim);
}

static size_t
put(size_t n, const char *s, size_t len)
{
	CHECK(n + len <= sizeof(out));
	memcpy(out + n, s, len);
	return n + len;
}

static size_t
put_fields(size_t n, const struct http_field *fv, size_t nfields)
{
	size_t		 i;

	for (i = 0; i < nfields; i++) {
		n = put(n, fv[i].name, fv[i].namelen);
		n = put(n, ": ", 2);
		n = put(n, fv[i].value, fv[i].valuelen);
		n = put(n, "\r\n", 2);
	}
	return put(n, "\r\n", 2);
}

static void
compare_fields(const struct http_field *a, const struct http_field *b,
    size_t n)
{
	size_t		 i;

	for (i = 0; i < n; i++) {
		CHECK(same(a[i].name, a[i].namelen, b[i].name, b[i].namelen));
		CHECK(same(a[i].value, a[i].valuelen, b[i].value,
		    b[i].valuelen));
		CHECK(a[i].id == b[i].id && a[i].drop == b[i].drop);
	}
}

/* The request written back in canonical form parses the same. */
static void
request_roundtrip(const struct http_request *req)
{
	struct http_request req2;
	size_t		 n;

	n = put(0, req->method, req->methodlen);
	n = put(n, " ", 1);
	n = put(n, req->target, req->targetlen);
	n = put(n, req->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n", 11);
	n = put_fields(n, req->fields, req->nfields);

	CHECK(parse_request(out, n, &req2, fields2, sizeof(out)) == HTTP_OK);
	CHECK(req2.headlen == n);
	CHECK(same(req->method, req->methodlen, req2.method, req2.methodlen));
	CHECK(req->method_id == req2.method_id);
	CHECK(same(req->target, req->targetlen, req2.target, req2.targetlen));
	CHECK(req->target_form == req2.target_form);
	CHECK(same_place(req->scheme, req->schemelen, req->target,
	    req2.scheme, req2.schemelen, req2.target));
	CHECK(same_place(req->authority, req->authoritylen, req->target,
	    req2.authority, req2.authoritylen, req2.target));
	CHECK(same_place(req->path, req->pathlen, req->target,
	    req2.path, req2.pathlen, req2.target));
	CHECK(same_place(req->query, req->querylen, req->target,
	    req2.query, req2.querylen, req2.target));
	CHECK(req->minor == req2.minor);
	CHECK(req->nfields == req2.nfields);
	compare_fields(req->fields, req2.fields, req->nfields);
	CHECK(req->host == req2.host);
	CHECK(req->framing == req2.framing);
	CHECK(req->content_length == req2.content_length);
	CHECK(req->connection == req2.connection);
	CHECK(req->expect_continue == req2.expect_continue);
	CHECK(req->upgrade_websocket == req2.upgrade_websocket);
}

static void
fuzz_request(const char *buf, size_t len)
{
	struct http_limits lim = { HEADER_SIZE, HEADERS };
	struct http_request req, req2;
	int		 r;

	r = parse_request(buf, len, &req, fields, HEADER_SIZE);
	CHECK(r == HTTP_OK || r == HTTP_INCOMPLETE || r == 400 || r == 405 ||
	    r == 414 || r == 431 || r == 505);
	if (r == HTTP_INCOMPLETE)
		CHECK(len < HEADER_SIZE);
	if (r != HTTP_OK)
		return;
	check_request(buf, len, &req, &lim);
	/* The head alone is enough, and any less is not. */
	CHECK(parse_request(buf, req.headlen, &req2, fields2, HEADER_SIZE) ==
	    HTTP_OK && req2.headlen == req.headlen);
	CHECK(parse_request(buf, req.headlen - 1, &req2, fields2,
	    HEADER_SIZE) == HTTP_INCOMPLETE);
	CHECK(parse_request(buf, req.headlen / 2, &req2, fields2,
	    HEADER_SIZE) == HTTP_INCOMPLETE);
	request_roundtrip(&req);
}

/* The response written back in canonical form parses the same. */
static void
response_roundtrip(const struct http_response *resp)
{
	struct http_response resp2;
	char		 status[16];
	size_t		 n;

	memcpy(status, "HTTP/1.x 000 ", 13);
	status[7] = '0' + resp->minor;
	status[9] = '0' + resp->status / 100;
	status[10] = '0' + resp->status / 10 % 10;
	status[11] = '0' + resp->status % 10;
	n = put(0, status, 13);
	n = put(n, resp->reason, resp->reasonlen);
	n = put(n, "\r\n", 2);
	n = put_fields(n, resp->fields, resp->nfields);

	memset(&resp2, 0, sizeof(resp2));
	resp2.fields = fields2;
	CHECK(http_parse_response(out, n, &resp2, HEADERS) == HTTP_OK);
	CHECK(resp2.headlen == n);
	CHECK(resp->minor == resp2.minor && resp->status == resp2.status);
	CHECK(same(resp->reason, resp->reasonlen, resp2.reason,
	    resp2.reasonlen));
	CHECK(resp->nfields == resp2.nfields);
	compare_fields(resp->fields, resp2.fields, resp->nfields);
	CHECK(resp->framing == resp2.framing);
	CHECK(resp->content_length == resp2.content_length);
	CHECK(resp->connection == resp2.connection);
	CHECK(resp->upgrade_websocket == resp2.upgrade_websocket);
}

static void
fuzz_response(const char *buf, size_t len)
{
	struct http_response resp, resp2;
	size_t		 i;
	int		 r;

	memset(&resp, 0, sizeof(resp));
	resp.fields = fields;
	r = http_parse_response(buf, len, &resp, HEADERS);
	CHECK(r == HTTP_OK || r == HTTP_INCOMPLETE || r == 502);
	if (r != HTTP_OK)
		return;
	CHECK(resp.headlen > 0 && resp.headlen <= len);
	CHECK(resp.status >= 100 && resp.status <= 599);
	CHECK(resp.minor >= 0 && resp.minor <= 9);
	CHECK(inside(resp.reason, resp.reasonlen, buf, resp.headlen));
	for (i = 0; i < resp.reasonlen; i++)
		CHECK(resp.reason[i] == '\t' ||
		    ((unsigned char)resp.reason[i] >= 0x20 &&
		    resp.reason[i] != 0x7f));
	CHECK(resp.nfields <= HEADERS);
	for (i = 0; i < resp.nfields; i++)
		check_field(&resp.fields[i], buf, resp.headlen);
	if (resp.framing != FRAMING_CLOSE)
		check_framing(resp.fields, resp.nfields, resp.framing,
		    resp.content_length, resp.minor ? 1 : 0);
	else
		check_framing(resp.fields, resp.nfields, FRAMING_NONE, 0, 0);
	memset(&resp2, 0, sizeof(resp2));
	resp2.fields = fields2;
	CHECK(http_parse_response(buf, resp.headlen - 1, &resp2, HEADERS) ==
	    HTTP_INCOMPLETE);
	response_roundtrip(&resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*buf;

	/* An exact copy, so that a read past the end is caught. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	fuzz_request(buf, size);
	fuzz_response(buf, size);
	free(buf);
	return 0;
}
