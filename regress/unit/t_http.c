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
 * Unit tests of http.c against SPEC.md section 4 item 2: for each rule a
 * message that must be refused with its exact status next to a close
 * variant that must pass, the request smuggling variants, the limits,
 * incremental parsing, responses and chunked decoding.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atf-c.h>

#include "http.h"

#define NFIELDS		128
#define HEADER_SIZE	16384
#define HEADERS		100

/* A literal and its length, NUL bytes included. */
#define L(s)		s, sizeof(s) - 1

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static struct http_field fields[NFIELDS];

/* The bytes of a vector made printable for a failure message. */
static const char *
vis(const char *s, size_t len)
{
	static char	 buf[4][512];
	static int	 n;
	char		*b = buf[n++ % 4];
	size_t		 i, o = 0;

	for (i = 0; i < len && o < sizeof(buf[0]) - 5; i++) {
		unsigned char c = s[i];

		if (c == '\r')
			o += snprintf(b + o, 5, "\\r");
		else if (c == '\n')
			o += snprintf(b + o, 5, "\\n");
		else if (c < 0x20 || c >= 0x7f || c == '\\')
			o += snprintf(b + o, 5, "\\x%02x", c);
		else
			b[o++] = c;
	}
	b[o] = '\0';
	return b;
}

static int
parse_req_limits(const char *in, size_t len, struct http_request *req,
    size_t header_size, unsigned int headers)
{
	struct http_limits lim = { header_size, headers };

	memset(req, 0xa5, sizeof(*req));
	req->fields = fields;
	req->maxfields = NFIELDS;
	return http_parse_request(in, len, req, &lim);
}

static int
parse_req(const char *in, size_t len, struct http_request *req)
{
	return parse_req_limits(in, len, req, HEADER_SIZE, HEADERS);
}

static int
parse_resp(const char *in, size_t len, struct http_response *resp)
{
	memset(resp, 0xa5, sizeof(*resp));
	resp->fields = fields;
	return http_parse_response(in, len, resp, NFIELDS);
}

static int
field_is(const struct http_field *f, const char *name, const char *value)
{
	return f->namelen == strlen(name) &&
	    memcmp(f->name, name, f->namelen) == 0 &&
	    f->valuelen == strlen(value) &&
	    memcmp(f->value, value, f->valuelen) == 0;
}

static int
span_is(const char *p, size_t len, const char *want)
{
	if (want == NULL)
		return p == NULL && len == 0;
	return p != NULL && len == strlen(want) && memcmp(p, want, len) == 0;
}

struct vec {
	const char	*desc;
	const char	*in;
	size_t		 len;
	int		 status;
};

#define V(desc, s, status)	{ desc, L(s), status }

#define H11	" HTTP/1.1\r\nHost: a\r\n"

static const struct vec reqvec[] = {
	/* method */
	V("method", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_OK),
	V("unknown token method", "FOO-BAR / HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("method not token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("method with '@'", "GE@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("method with NUL", "GE\0T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("method utf-8", "G\xc3\xa9T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),

	/* spaces in the request line */
	V("two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("two spaces after target", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
	V("tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("HTTP/0.9 request", "GET /\r\n\r\n", 400),
	V("no version", "GET / \r\n\r\n", 400),

	/* target bytes */
	V("target VCHAR", "GET /!$&'()*+,;=:@~%20?a=b/c HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", HTTP_OK),
	V("target DEL", "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target obs-text", "GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target 0xff", "GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target control", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target NUL", "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target tab", "GET /\t HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("target ends in '#'", "GET /a# HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("fragment in query", "GET /a?b#c HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("target bare CR", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", 400),

	/* target forms */
	V("asterisk for OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("asterisk for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("asterisk and more", "OPTIONS *a HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("absolute form", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("absolute https", "GET https://a:8443 HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("absolute scheme case", "GET HtTp://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("absolute other scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("absolute one slash", "GET http:/a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("absolute no authority", "GET http:// HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("absolute empty authority",
	    "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("absolute userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("absolute bad port",
	    "GET http://a:65536/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("absolute port text", "GET http://a:b/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("absolute open bracket",
	    "GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("absolute IPv6", "GET http://[::1]:80/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("absolute pct in host",
	    "GET http://%61/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("authority form for GET", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	V("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("query only target", "GET ?a HTTP/1.1\r\nHost: a\r\n\r\n", 400),

	/* methods refused */
	V("CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 405),
	V("TRACE", "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 405),
	V("TRACE incomplete head", "TRACE / HTTP/1.1\r\n", 405),
	V("lower case connect is another method",
	    "connect / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_OK),
	V("lower case connect, authority form",
	    "connect a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("Trace is another method", "Trace / HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),

	/* version */
	V("HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", HTTP_OK),
	V("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
	V("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
	V("HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
	V("HTTP/9.9", "GET / HTTP/9.9\r\nHost: a\r\n\r\n", 505),
	V("HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
	V("HTTP/01.1", "GET / HTTP/01.1\r\nHost: a\r\n\r\n", 400),
	V("lower case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
	V("HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
	V("HTTP/2", "GET / HTTP/2\r\nHost: a\r\n\r\n", 400),
	V("HTTP/a.b", "GET / HTTP/a.b\r\nHost: a\r\n\r\n", 400),
	V("HTTP/1,1", "GET / HTTP/1,1\r\nHost: a\r\n\r\n", 400),
	V("version junk", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400),
	V("version '#'", "GET / HTTP/1.1#\r\nHost: a\r\n\r\n", 400),

	/* line endings */
	V("LF only head", "GET / HTTP/1.1\nHost: a\n\n", HTTP_OK),
	V("mixed line ends", "GET / HTTP/1.1\r\nHost: a\n\r\n", HTTP_OK),
	V("bare CR after request line", "GET / HTTP/1.1\rHost: a\r\n\r\n",
	    400),
	V("CR CR LF", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400),
	V("bare CR in field line", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
	    400),
	V("bare CR ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\rX", 400),
	V("LF CR LF", "GET / HTTP/1.1\r\nHost: a\n\r\r\n", 400),
	V("empty lines before", "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    HTTP_OK),
	V("8 empty lines before", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_OK),
	V("9 empty lines before", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("bare CR before", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	V("space line before", " \r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),

	/* field names */
	V("field", "GET / HTTP/1.1\r\nHost: a\r\nX-A_b.c~!#$%&'*+^`|: v\r\n"
	    "\r\n", HTTP_OK),
	V("no colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A v\r\n\r\n", 400),
	V("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400),
	V("space before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A : v\r\n\r\n",
	    400),
	V("tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: v\r\n\r\n",
	    400),
	V("name not token", "GET / HTTP/1.1\r\nHost: a\r\nX(A): v\r\n\r\n",
	    400),
	V("name with '/'", "GET / HTTP/1.1\r\nHost: a\r\nX/A: v\r\n\r\n", 400),
	V("name with NUL", "GET / HTTP/1.1\r\nHost: a\r\nX\0A: v\r\n\r\n", 400),
	V("name obs-text", "GET / HTTP/1.1\r\nHost: a\r\nX\xe9: v\r\n\r\n",
	    400),
	V("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: v\r\n w\r\n\r\n", 400),
	V("obs-fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX: v\r\n\tw\r\n\r\n",
	    400),
	V("space line after request line",
	    "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
	V("whitespace-only line", "GET / HTTP/1.1\r\nHost: a\r\n \r\n\r\n",
	    400),

	/* field values */
	V("value HTAB and obs-text",
	    "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\x80\xff\r\n\r\n", HTTP_OK),
	V("empty value", "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n", HTTP_OK),
	V("value NUL", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 400),
	V("value NUL at end", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0\r\n\r\n",
	    400),
	V("value 0x01", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01" "b\r\n\r\n",
	    400),
	V("value VT", "GET / HTTP/1.1\r\nHost: a\r\nX: \x0b" "b\r\n\r\n", 400),
	V("value FF", "GET / HTTP/1.1\r\nHost: a\r\nX: \x0c" "b\r\n\r\n", 400),
	V("value ESC", "GET / HTTP/1.1\r\nHost: a\r\nX: \x1b" "b\r\n\r\n",
	    400),
	V("value 0x1f", "GET / HTTP/1.1\r\nHost: a\r\nX: \x1f\r\n\r\n", 400),
	V("value DEL", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400),
	V("value bare CR", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
	    400),

	/* Host */
	V("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX: a\r\n\r\n", 400),
	V("HTTP/1.0 without Host", "GET / HTTP/1.0\r\nX: a\r\n\r\n", HTTP_OK),
	V("two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
	V("two Host, other case",
	    "GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", 400),
	V("two Host in HTTP/1.0",
	    "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
	V("Host with port", "GET / HTTP/1.1\r\nHost: a.b-c_d~e:8080\r\n\r\n",
	    HTTP_OK),
	V("Host IPv4", "GET / HTTP/1.1\r\nHost: 192.0.2.1:80\r\n\r\n",
	    HTTP_OK),
	V("Host IPv6", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n",
	    HTTP_OK),
	V("Host empty port", "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", HTTP_OK),
	V("Host empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400),
	V("Host space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
	V("Host path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
	V("Host userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
	V("Host two ports", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400),
	V("Host port too big", "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", 400),
	V("Host port too long", "GET / HTTP/1.1\r\nHost: a:000080\r\n\r\n",
	    400),
	V("Host comma list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
	V("Host pct-encoded", "GET / HTTP/1.1\r\nHost: %61\r\n\r\n", 400),
	V("Host only port", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400),
	V("Host bad in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a b\r\n\r\n", 400),
	V("Host whitespace is OWS", "GET / HTTP/1.1\r\nHost: \t a \t\r\n\r\n",
	    HTTP_OK),

	/* Transfer-Encoding */
	V("TE chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", HTTP_OK),
	V("TE Chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: ChUnKeD\r\n\r\n", HTTP_OK),
	V("TE name case", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "tRANSFER-eNCODING: chunked\r\n\r\n", HTTP_OK),
	V("TE no space", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding:chunked\r\n\r\n", HTTP_OK),
	V("TE OWS around", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: \t chunked \t \r\n\r\n", HTTP_OK),
	V("TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", 400),
	V("TE chunked, identity", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked, identity\r\n\r\n", 400),
	V("TE chunked,", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked,\r\n\r\n", 400),
	V("TE ,chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: ,chunked\r\n\r\n", 400),
	V("TE chunked, chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked, chunked\r\n\r\n", 400),
	V("TE identity", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: identity\r\n\r\n", 400),
	V("TE empty", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding:\r\n\r\n", 400),
	V("TE chunked;q=1", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked;q=1\r\n\r\n", 400),
	V("TE quoted", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: \"chunked\"\r\n\r\n", 400),
	V("TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: xchunked\r\n\r\n", 400),
	V("TE chunk", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunk\r\n\r\n", 400),
	V("TE chunked space x", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked x\r\n\r\n", 400),
	V("TE VT chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: \x0b" "chunked\r\n\r\n", 400),
	V("TE chunked VT", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\x0b\r\n\r\n", 400),
	V("TE FF chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: \x0c" "chunked\r\n\r\n", 400),
	V("TE CR chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding:\rchunked\r\n\r\n", 400),
	V("TE NUL", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\0\r\n\r\n", 400),
	V("TE obs-text", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\xff\r\n\r\n", 400),
	V("TE twice", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400),
	V("TE twice, identity first", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400),
	V("TE in HTTP/1.0", "POST / HTTP/1.0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400),
	V("TE and CL", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
	V("CL and TE", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	V("CL 0 and TE", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	V("TE space before colon", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding : chunked\r\n\r\n", 400),
	V("TE tab before colon", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding\t: chunked\r\n\r\n", 400),
	V("TE obs-fold", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding:\r\n chunked\r\n\r\n", 400),
	V("TE obs-fold after value", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n , identity\r\n\r\n", 400),
	V("TE folded into other field", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "X: y\r\n Transfer-Encoding: chunked\r\n\r\n", 400),
	V("TE with leading space", "POST / HTTP/1.1\r\nHost: a\r\n"
	    " Transfer-Encoding: chunked\r\n\r\n", 400),
	V("Transfer_Encoding is another field", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer_Encoding: chunked\r\n\r\n", HTTP_OK),

	/* Content-Length */
	V("CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
	    HTTP_OK),
	V("CL OWS", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  5 \r\n\r\n",
	    HTTP_OK),
	V("CL +5", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
	    400),
	V("CL -1", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
	    400),
	V("CL 5 5", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n",
	    400),
	V("CL 5, 5", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5, 5\r\n\r\n", 400),
	V("CL 5,", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n",
	    400),
	V("CL 0x5", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n",
	    400),
	V("CL 5.0", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5.0\r\n\r\n",
	    400),
	V("CL 1e3", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n",
	    400),
	V("CL empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
	    400),
	V("CL VT 5", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: \x0b" "5\r\n\r\n", 400),
	V("CL quoted", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: \"5\"\r\n\r\n", 400),
	V("CL 2^63-1", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 9223372036854775807\r\n\r\n", HTTP_OK),
	V("CL 2^63", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 9223372036854775808\r\n\r\n", 400),
	V("CL 2^64-1", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 18446744073709551615\r\n\r\n", 400),
	V("CL 2^64", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 18446744073709551616\r\n\r\n", 400),
	V("CL 2^64+5 wraps to 5", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 18446744073709551621\r\n\r\n", 400),
	V("CL long zeros", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 000000000000000000000000000005\r\n\r\n", HTTP_OK),
	V("CL equal twice", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", HTTP_OK),
	V("CL differ", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
	V("CL differ, zero first", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 0\r\ncontent-length: 6\r\n\r\n", 400),
	V("CL second invalid", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\nContent-Length: 5x\r\n\r\n", 400),
	V("CL space before colon", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length : 5\r\n\r\n", 400),
	V("CL obs-fold", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length:\r\n 5\r\n\r\n", 400),
	V("CL in HTTP/1.0", "POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\n",
	    HTTP_OK),
};

ATF_TC_WITHOUT_HEAD(request_vectors);
ATF_TC_BODY(request_vectors, tc)
{
	struct http_request req;
	size_t		 i;
	int		 r;

	for (i = 0; i < NITEMS(reqvec); i++) {
		r = parse_req(reqvec[i].in, reqvec[i].len, &req);
		ATF_CHECK_MSG(r == reqvec[i].status,
		    "%s: \"%s\": got %d, want %d", reqvec[i].desc,
		    vis(reqvec[i].in, reqvec[i].len), r, reqvec[i].status);
		if (r == HTTP_OK)
			ATF_CHECK_MSG(req.headlen == reqvec[i].len,
			    "%s: headlen %zu, want %zu", reqvec[i].desc,
			    req.headlen, reqvec[i].len);
	}
}

/*
 * Every prefix of an accepted head is incomplete, never an error; the
 * whole is accepted with the same length whatever follows it.
 */
ATF_TC_WITHOUT_HEAD(request_incremental);
ATF_TC_BODY(request_incremental, tc)
{
	struct http_request req;
	char		 buf[1024];
	size_t		 i, n, len;
	int		 r;

	for (i = 0; i < NITEMS(reqvec); i++) {
		if (reqvec[i].status != HTTP_OK)
			continue;
		len = reqvec[i].len;
		ATF_REQUIRE(len + 16 <= sizeof(buf));
		for (n = 0; n < len; n++) {
			r = parse_req(reqvec[i].in, n, &req);
			ATF_CHECK_MSG(r == HTTP_INCOMPLETE,
			    "%s: prefix of %zu bytes: got %d", reqvec[i].desc,
			    n, r);
		}
		memcpy(buf, reqvec[i].in, len);
		memcpy(buf + len, "GET / HTTP/1.1\r", 15);
		r = parse_req(buf, len + 15, &req);
		ATF_CHECK_MSG(r == HTTP_OK && req.headlen == len,
		    "%s: with a body: got %d headlen %zu", reqvec[i].desc, r,
		    req.headlen);
	}
}

/* Request fields and the values the parser derives from them. */
struct reqdetail {
	const char	*in;
	enum http_method method;
	enum http_target_form form;
	const char	*scheme;
	const char	*authority;
	const char	*path;
	const char	*query;
	int		 minor;
	enum http_framing framing;
	uint64_t	 content_length;
	int		 host;
	unsigned int	 connection;
	int		 expect;
	int		 websocket;
	size_t		 nfields;
};

static const struct reqdetail reqdetails[] = {
	{ .in = "GET /a/b?c=d&e HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_GET, .form = TARGET_ORIGIN, .path = "/a/b",
	  .query = "c=d&e", .minor = 1, .framing = FRAMING_NONE, .host = 0,
	  .nfields = 1 },
	{ .in = "HEAD /? HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_HEAD, .form = TARGET_ORIGIN, .path = "/",
	  .query = "", .minor = 1, .host = 0, .nfields = 1 },
	{ .in = "GET /a?b?c HTTP/1.0\r\n\r\n",
	  .method = METHOD_GET, .form = TARGET_ORIGIN, .path = "/a",
	  .query = "b?c", .minor = 0, .host = -1 },
	{ .in = "POST / HTTP/1.1\r\nX: 1\r\nHost: x\r\n"
	  "Content-Length: 12\r\n\r\n",
	  .method = METHOD_POST, .path = "/", .minor = 1,
	  .framing = FRAMING_LENGTH, .content_length = 12, .host = 1,
	  .nfields = 3 },
	{ .in = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
	  .method = METHOD_POST, .path = "/", .minor = 1,
	  .framing = FRAMING_LENGTH, .content_length = 0, .host = 0,
	  .nfields = 2 },
	{ .in = "PUT / HTTP/1.1\r\nHost: x\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n",
	  .method = METHOD_PUT, .path = "/", .minor = 1,
	  .framing = FRAMING_CHUNKED, .host = 0, .nfields = 2 },
	{ .in = "DELETE http://Example.COM:8080 HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_DELETE, .form = TARGET_ABSOLUTE, .scheme = "http",
	  .authority = "Example.COM:8080", .path = "", .minor = 1, .host = 0,
	  .nfields = 1 },
	{ .in = "PATCH HTTPS://[::1]?q HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_PATCH, .form = TARGET_ABSOLUTE, .scheme = "HTTPS",
	  .authority = "[::1]", .path = "", .query = "q", .minor = 1,
	  .host = 0, .nfields = 1 },
	{ .in = "OPTIONS http://a/p/q?r HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_OPTIONS, .form = TARGET_ABSOLUTE, .scheme = "http",
	  .authority = "a", .path = "/p/q", .query = "r", .minor = 1,
	  .host = 0, .nfields = 1 },
	{ .in = "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_OPTIONS, .form = TARGET_ASTERISK, .minor = 1,
	  .host = 0, .nfields = 1 },
	{ .in = "get / HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_OTHER, .path = "/", .minor = 1, .host = 0,
	  .nfields = 1 },
	{ .in = "PROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n",
	  .method = METHOD_OTHER, .path = "/", .minor = 1, .host = 0,
	  .nfields = 1 },
	{ .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	  .method = METHOD_GET, .path = "/", .minor = 1, .host = 0,
	  .connection = CONN_CLOSE, .nfields = 2 },
	{ .in = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	  .method = METHOD_GET, .path = "/", .minor = 0, .host = -1,
	  .connection = CONN_KEEPALIVE, .nfields = 1 },
	{ .in = "GET / HTTP/1.1\r\nHost: x\r\nConnection: ,, foo , UPGRADE,\r\n"
	  "Upgrade: h2c, WebSocket\r\nConnection: CLOSE\r\n\r\n",
	  .method = METHOD_GET, .path = "/", .minor = 1, .host = 0,
	  .connection = CONN_UPGRADE | CONN_CLOSE, .websocket = 1,
	  .nfields = 4 },
	{ .in = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket/13\r\n\r\n",
	  .method = METHOD_GET, .path = "/", .minor = 1, .host = 0,
	  .nfields = 2 },
	{ .in = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n"
	  "Connection: closed, keep-alives\r\n\r\n",
	  .method = METHOD_GET, .path = "/", .minor = 1, .host = 0,
	  .nfields = 3 },
	{ .in = "POST / HTTP/1.1\r\nHost: x\r\nExpect:  100-Continue \r\n"
	  "Content-Length: 3\r\n\r\n",
	  .method = METHOD_POST, .path = "/", .minor = 1, .host = 0,
	  .expect = 1, .framing = FRAMING_LENGTH, .content_length = 3,
	  .nfields = 3 },
	{ .in = "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, x\r\n\r\n",
	  .method = METHOD_POST, .path = "/", .minor = 1, .host = 0,
	  .nfields = 2 },
};

static void
check_detail(const struct reqdetail *d)
{
	struct http_request req;
	const char	*in = d->in;
	int		 r;

	r = parse_req(in, strlen(in), &req);
	ATF_REQUIRE_MSG(r == HTTP_OK, "%s: %d", vis(in, strlen(in)), r);
	ATF_CHECK_EQ_MSG(req.headlen, strlen(in), "%s", vis(in, strlen(in)));
	ATF_CHECK_MSG(req.method == in && req.methodlen == strcspn(in, " "),
	    "%s: method", vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.method_id, d->method, "%s", vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.target_form, d->form, "%s", vis(in, strlen(in)));
	ATF_CHECK_MSG(span_is(req.scheme, req.schemelen, d->scheme),
	    "%s: scheme", vis(in, strlen(in)));
	ATF_CHECK_MSG(span_is(req.authority, req.authoritylen, d->authority),
	    "%s: authority", vis(in, strlen(in)));
	ATF_CHECK_MSG(span_is(req.path, req.pathlen, d->path),
	    "%s: path", vis(in, strlen(in)));
	ATF_CHECK_MSG(span_is(req.query, req.querylen, d->query),
	    "%s: query", vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.minor, d->minor, "%s", vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.framing, d->framing, "%s", vis(in, strlen(in)));
	if (d->framing == FRAMING_LENGTH)
		ATF_CHECK_EQ_MSG(req.content_length, d->content_length, "%s",
		    vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.host, d->host, "%s", vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.connection, d->connection, "%s",
	    vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.expect_continue, d->expect, "%s",
	    vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.upgrade_websocket, d->websocket, "%s",
	    vis(in, strlen(in)));
	ATF_CHECK_EQ_MSG(req.nfields, d->nfields, "%s", vis(in, strlen(in)));
	ATF_CHECK_MSG(req.fields == fields && req.maxfields == NFIELDS,
	    "%s: caller's array", vis(in, strlen(in)));
}

ATF_TC_WITHOUT_HEAD(request_details);
ATF_TC_BODY(request_details, tc)
{
	size_t		 i;

	for (i = 0; i < NITEMS(reqdetails); i++)
		check_detail(&reqdetails[i]);
}

ATF_TC_WITHOUT_HEAD(request_fields);
ATF_TC_BODY(request_fields, tc)
{
	static const char in[] = "GET / HTTP/1.1\r\n"
	    "hOsT:a:1\r\n"
	    "X-Empty:\r\n"
	    "X-Ows: \t a \t b \t\r\n"
	    "Content-Length: 7\r\n"
	    "X-High: \x80\xff\r\n"
	    "content-length: 007\n"
	    "Via:1.1 p\r\n"
	    "\r\n";
	struct http_request req;

	ATF_REQUIRE_EQ(parse_req(in, sizeof(in) - 1, &req), HTTP_OK);
	ATF_REQUIRE_EQ(req.nfields, 7);
	ATF_CHECK(field_is(&fields[0], "hOsT", "a:1"));
	ATF_CHECK_EQ(fields[0].id, HDR_HOST);
	ATF_CHECK(field_is(&fields[1], "X-Empty", ""));
	ATF_CHECK_EQ(fields[1].id, HDR_OTHER);
	ATF_CHECK(field_is(&fields[2], "X-Ows", "a \t b"));
	ATF_CHECK(field_is(&fields[3], "Content-Length", "7"));
	ATF_CHECK_EQ(fields[3].id, HDR_CONTENT_LENGTH);
	ATF_CHECK_EQ(fields[3].drop, 0);
	ATF_CHECK(field_is(&fields[4], "X-High", "\x80\xff"));
	ATF_CHECK(field_is(&fields[5], "content-length", "007"));
	ATF_CHECK_EQ(fields[5].drop, 1);
	ATF_CHECK(field_is(&fields[6], "Via", "1.1 p"));
	ATF_CHECK_EQ(fields[6].id, HDR_VIA);
	ATF_CHECK_EQ(fields[6].drop, 0);
	ATF_CHECK_EQ(req.host, 0);
	ATF_CHECK_EQ(req.framing, FRAMING_LENGTH);
	ATF_CHECK_EQ(req.content_length, 7);
}

static void
make_head(char *buf, size_t size, size_t nfields, size_t pad)
{
	size_t		 i, n;

	n = snprintf(buf, size, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < nfields; i++)
		n += snprintf(buf + n, size - n, "X-%zu: v\r\n", i);
	if (pad > 0) {
		memcpy(buf + n, "X: ", 3);
		memset(buf + n + 3, 'p', pad);
		memcpy(buf + n + 3 + pad, "\r\n", 2);
		n += pad + 5;
	}
	memcpy(buf + n, "\r\n", 3);
}

ATF_TC_WITHOUT_HEAD(request_limits);
ATF_TC_BODY(request_limits, tc)
{
	struct http_request req;
	char		 buf[8192];
	size_t		 len, i;
	const char	*line = "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t		 linelen = strstr(line, "\r\n") + 2 - line;

	/*
	 * 414: the request line does not fit, whatever comes after; here
	 * its CR fits but its LF does not.
	 */
	ATF_CHECK_EQ(parse_req_limits(line, strlen(line), &req, linelen - 1,
	    100), 414);
	ATF_CHECK_EQ(parse_req_limits(line, linelen - 1, &req, linelen - 1,
	    100), 414);
	ATF_CHECK_EQ(parse_req_limits(line, linelen - 2, &req, linelen - 1,
	    100), HTTP_INCOMPLETE);
	ATF_CHECK_EQ(parse_req_limits(line, 10, &req, 10, 100), 414);
	ATF_CHECK_EQ(parse_req_limits(line, 9, &req, 10, 100),
	    HTTP_INCOMPLETE);
	/* The request line fits, the head does not: 431. */
	ATF_CHECK_EQ(parse_req_limits(line, strlen(line), &req, linelen,
	    100), 431);
	ATF_CHECK_EQ(parse_req_limits(line, linelen, &req, linelen, 100),
	    431);
	ATF_CHECK_EQ(parse_req_limits(line, linelen + 3, &req, linelen + 4,
	    100), HTTP_INCOMPLETE);
	ATF_CHECK_EQ(parse_req_limits(line, strlen(line), &req,
	    strlen(line) - 1, 100), 431);
	ATF_CHECK_EQ(parse_req_limits(line, strlen(line), &req,
	    strlen(line), 100), HTTP_OK);
	ATF_CHECK_EQ(req.headlen, strlen(line));
	/* Leading empty lines count as part of what is received. */
	len = snprintf(buf, sizeof(buf), "\r\n\r\n%s", line);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, len, 100), HTTP_OK);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, len - 1, 100), 431);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, 4 + linelen - 1, 100),
	    414);

	/* 431 by size: exactly at the limit passes, one more byte fails. */
	make_head(buf, sizeof(buf), 3, 4000);
	len = strlen(buf);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, len, 100), HTTP_OK);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, len - 1, 100), 431);
	ATF_CHECK_EQ(parse_req_limits(buf, len - 1, &req, len - 1, 100), 431);
	ATF_CHECK_EQ(parse_req_limits(buf, len - 2, &req, len - 1, 100),
	    HTTP_INCOMPLETE);
	ATF_CHECK_EQ(parse_req_limits(buf, len - 1000, &req, len - 1000,
	    100), 431);

	/* 431 by count, even before the head is complete. */
	make_head(buf, sizeof(buf), 10, 0);
	len = strlen(buf);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, 16384, 10), HTTP_OK);
	ATF_CHECK_EQ(req.nfields, 10);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, 16384, 9), 431);
	ATF_CHECK_EQ(parse_req_limits(buf, len - 2, &req, 16384, 9), 431);
	ATF_CHECK_EQ(parse_req_limits(buf, len - 3, &req, 16384, 9),
	    HTTP_INCOMPLETE);
	make_head(buf, sizeof(buf), 101, 0);
	len = strlen(buf);
	ATF_CHECK_EQ(parse_req(buf, len, &req), 431);
	make_head(buf, sizeof(buf), 100, 0);
	len = strlen(buf);
	ATF_CHECK_EQ(parse_req(buf, len, &req), HTTP_OK);

	/* Every prefix of a long head is incomplete below the limit. */
	make_head(buf, sizeof(buf), 20, 300);
	len = strlen(buf);
	for (i = 0; i < len; i++)
		ATF_CHECK_EQ_MSG(parse_req_limits(buf, i, &req, len, 21),
		    HTTP_INCOMPLETE, "prefix %zu", i);
	ATF_CHECK_EQ(parse_req_limits(buf, len, &req, len, 21), HTTP_OK);
	ATF_CHECK_EQ(req.nfields, 21);
}

static const struct vec respvec[] = {
	V("200", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HTTP_OK),
	V("no reason", "HTTP/1.1 200 \r\n\r\n", HTTP_OK),
	V("no reason, no SP", "HTTP/1.1 200\r\n\r\n", HTTP_OK),
	V("reason with tab and obs-text", "HTTP/1.1 404 Not\tF\xf6und \r\n\r\n",
	    HTTP_OK),
	V("HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\n", HTTP_OK),
	V("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", HTTP_OK),
	V("100", "HTTP/1.1 100 Continue\r\n\r\n", HTTP_OK),
	V("599", "HTTP/1.1 599 x\r\n\r\n", HTTP_OK),
	V("099", "HTTP/1.1 099 x\r\n\r\n", 502),
	V("600", "HTTP/1.1 600 x\r\n\r\n", 502),
	V("two digit status", "HTTP/1.1 20 OK\r\n\r\n", 502),
	V("four digit status", "HTTP/1.1 2000 OK\r\n\r\n", 502),
	V("status no SP", "HTTP/1.1 200OK\r\n\r\n", 502),
	V("two SP", "HTTP/1.1  200 OK\r\n\r\n", 502),
	V("tab", "HTTP/1.1\t200 OK\r\n\r\n", 502),
	V("HTTP/2", "HTTP/2 200 OK\r\n\r\n", 502),
	V("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", 502),
	V("lower case", "http/1.1 200 OK\r\n\r\n", 502),
	V("HTTP/1.x", "HTTP/1.x 200 OK\r\n\r\n", 502),
	V("ICY", "ICY 200 OK\r\n\r\n", 502),
	V("garbage start", "<html>", 502),
	V("reason control", "HTTP/1.1 200 O\x01K\r\n\r\n", 502),
	V("reason DEL", "HTTP/1.1 200 OK\x7f\r\n\r\n", 502),
	V("reason NUL", "HTTP/1.1 200 O\0K\r\n\r\n", 502),
	V("reason bare CR", "HTTP/1.1 200 O\rK\r\n\r\n", 502),
	V("bare LF status line", "HTTP/1.1 200 OK\n\r\n", 502),
	V("bare LF field", "HTTP/1.1 200 OK\r\nX: a\n\r\n", 502),
	V("bare LF end", "HTTP/1.1 200 OK\r\nX: a\r\n\n", 502),
	V("leading CRLF", "\r\nHTTP/1.1 200 OK\r\n\r\n", HTTP_OK),
	V("leading LF", "\nHTTP/1.1 200 OK\r\n\r\n", 502),
	V("fields", "HTTP/1.1 200 OK\r\nX-A: b\r\nServer: s\r\n\r\n", HTTP_OK),
	V("space before colon", "HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n", 502),
	V("obs-fold", "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n", 502),
	V("empty name", "HTTP/1.1 200 OK\r\n: b\r\n\r\n", 502),
	V("name not token", "HTTP/1.1 200 OK\r\nX[A]: b\r\n\r\n", 502),
	V("value NUL", "HTTP/1.1 200 OK\r\nX: \0\r\n\r\n", 502),
	V("value control", "HTTP/1.1 200 OK\r\nX: a\x1f\r\n\r\n", 502),
	V("value DEL", "HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n", 502),
	V("value bare CR", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 502),
	V("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n",
	    HTTP_OK),
	V("gzip, chunked", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", 502),
	V("chunked, identity", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked, identity\r\n\r\n", 502),
	V("TE twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 502),
	V("TE and CL", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n", 502),
	V("TE in HTTP/1.0", "HTTP/1.0 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 502),
	V("CL equal", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "Content-Length: 3\r\n\r\n", HTTP_OK),
	V("CL differ", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\n", 502),
	V("CL invalid", "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", 502),
	V("CL overflow", "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 99999999999999999999\r\n\r\n", 502),
	V("CL comma", "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n", 502),
	V("Host is not checked", "HTTP/1.1 200 OK\r\nHost: a b\r\n"
	    "Host: c\r\n\r\n", HTTP_OK),
};

ATF_TC_WITHOUT_HEAD(response_vectors);
ATF_TC_BODY(response_vectors, tc)
{
	struct http_response resp;
	size_t		 i, n;
	int		 r;

	for (i = 0; i < NITEMS(respvec); i++) {
		r = parse_resp(respvec[i].in, respvec[i].len, &resp);
		ATF_CHECK_MSG(r == respvec[i].status,
		    "%s: \"%s\": got %d, want %d", respvec[i].desc,
		    vis(respvec[i].in, respvec[i].len), r, respvec[i].status);
		if (r != HTTP_OK)
			continue;
		ATF_CHECK_EQ_MSG(resp.headlen, respvec[i].len, "%s",
		    respvec[i].desc);
		for (n = 0; n < respvec[i].len; n++) {
			r = parse_resp(respvec[i].in, n, &resp);
			ATF_CHECK_MSG(r == HTTP_INCOMPLETE,
			    "%s: prefix of %zu bytes: got %d", respvec[i].desc,
			    n, r);
		}
	}
}

ATF_TC_WITHOUT_HEAD(response_details);
ATF_TC_BODY(response_details, tc)
{
	struct http_response resp;
	static const char r1[] = "HTTP/1.1 404 Not Found\r\n"
	    "Content-Length: 9\r\nConnection: close\r\ncontent-length: 9\r\n"
	    "\r\nbody";
	static const char r2[] = "HTTP/1.0 200\r\nServer: x\r\n\r\n";
	static const char r3[] = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: upgrade\r\n\r\n";
	static const char r4[] = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	static const char r5[] = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
	    "\r\n";

	ATF_REQUIRE_EQ(parse_resp(L(r1), &resp), HTTP_OK);
	ATF_CHECK_EQ(resp.headlen, sizeof(r1) - 1 - 4);
	ATF_CHECK_EQ(resp.minor, 1);
	ATF_CHECK_EQ(resp.status, 404);
	ATF_CHECK(span_is(resp.reason, resp.reasonlen, "Not Found"));
	ATF_CHECK_EQ(resp.framing, FRAMING_LENGTH);
	ATF_CHECK_EQ(resp.content_length, 9);
	ATF_CHECK_EQ(resp.connection, CONN_CLOSE);
	ATF_CHECK_EQ(resp.nfields, 3);
	ATF_CHECK_EQ(fields[0].drop, 0);
	ATF_CHECK_EQ(fields[2].drop, 1);
	ATF_CHECK_EQ(fields[2].id, HDR_CONTENT_LENGTH);

	ATF_REQUIRE_EQ(parse_resp(L(r2), &resp), HTTP_OK);
	ATF_CHECK_EQ(resp.minor, 0);
	ATF_CHECK_EQ(resp.status, 200);
	ATF_CHECK_EQ(resp.reasonlen, 0);
	ATF_CHECK_EQ(resp.framing, FRAMING_CLOSE);
	ATF_CHECK(field_is(&fields[0], "Server", "x"));

	ATF_REQUIRE_EQ(parse_resp(L(r3), &resp), HTTP_OK);
	ATF_CHECK_EQ(resp.status, 101);
	ATF_CHECK_EQ(resp.upgrade_websocket, 1);
	ATF_CHECK_EQ(resp.connection, CONN_UPGRADE);

	ATF_REQUIRE_EQ(parse_resp(L(r4), &resp), HTTP_OK);
	ATF_CHECK_EQ(resp.framing, FRAMING_CHUNKED);

	memset(&resp, 0, sizeof(resp));
	resp.fields = fields;
	ATF_CHECK_EQ(http_parse_response(L(r5), &resp, 3), HTTP_OK);
	ATF_CHECK_EQ(resp.nfields, 3);
	ATF_CHECK_EQ(resp.maxfields, 3);
	ATF_CHECK_EQ(http_parse_response(L(r5), &resp, 2), 502);
	ATF_CHECK_EQ(http_parse_response(r5, 0, &resp, 3), HTTP_INCOMPLETE);
}

ATF_TC_WITHOUT_HEAD(host_valid);
ATF_TC_BODY(host_valid, tc)
{
	static const struct {
		const char	*s;
		int		 ok;
		size_t		 hostlen;
	} v[] = {
		{ "a", 1, 1 },
		{ "example.com", 1, 11 },
		{ "Ex-a_m~p.le.", 1, 12 },
		{ "a:", 1, 1 },
		{ "a:0", 1, 1 },
		{ "a:80", 1, 1 },
		{ "a:65535", 1, 1 },
		{ "a:00080", 1, 1 },
		{ "192.0.2.1", 1, 9 },
		{ "192.0.2.1:8080", 1, 9 },
		{ "[::1]", 1, 5 },
		{ "[::1]:443", 1, 5 },
		{ "[2001:DB8::a]:", 1, 13 },
		{ "[::ffff:192.0.2.1]", 1, 18 },
		{ "", 0, 0 },
		{ ":80", 0, 0 },
		{ "a:65536", 0, 0 },
		{ "a:000080", 0, 0 },
		{ "a:99999", 0, 0 },
		{ "a:-1", 0, 0 },
		{ "a:+1", 0, 0 },
		{ "a:8x", 0, 0 },
		{ "a:1:2", 0, 0 },
		{ "a b", 0, 0 },
		{ "a/b", 0, 0 },
		{ "a?b", 0, 0 },
		{ "a#b", 0, 0 },
		{ "u@a", 0, 0 },
		{ "a%20", 0, 0 },
		{ "a!b", 0, 0 },
		{ "a,b", 0, 0 },
		{ "a\\b", 0, 0 },
		{ "\xc3\xa9", 0, 0 },
		{ "[]", 0, 0 },
		{ "[::1", 0, 0 },
		{ "[::1]x", 0, 0 },
		{ "[::1]]", 0, 0 },
		{ "[1.2.3.4]", 0, 0 },
		{ "[::g]", 0, 0 },
		{ "[::1%25eth0]", 0, 0 },
		{ "[v1.x]", 0, 0 },
		{ "a[::1]", 0, 0 },
	};
	size_t		 i, hostlen;
	int		 r;

	for (i = 0; i < NITEMS(v); i++) {
		hostlen = 12345;
		r = http_host_valid(v[i].s, strlen(v[i].s), &hostlen);
		ATF_CHECK_MSG(r == v[i].ok, "\"%s\": got %d", v[i].s, r);
		if (r && v[i].ok)
			ATF_CHECK_MSG(hostlen == v[i].hostlen,
			    "\"%s\": hostlen %zu", v[i].s, hostlen);
	}
	/* The length given is the end, not a NUL. */
	ATF_CHECK_EQ(http_host_valid("a:80 x", 4, &hostlen), 1);
	ATF_CHECK_EQ(http_host_valid("a:80 x", 5, &hostlen), 0);
}

ATF_TC_WITHOUT_HEAD(token_next);
ATF_TC_BODY(token_next, tc)
{
	static const struct {
		const char	*list;
		const char	*want[4];
	} v[] = {
		{ "", { NULL } },
		{ " \t, ,,\t", { NULL } },
		{ "close", { "close", NULL } },
		{ " a , b\t,c ", { "a", "b", "c", NULL } },
		{ ",,a,,", { "a", NULL } },
		{ "a b , c\td", { "a b", "c\td", NULL } },
		{ "keep-alive,Upgrade", { "keep-alive", "Upgrade", NULL } },
	};
	const char	*p, *end, *tok;
	size_t		 i, j, len;

	for (i = 0; i < NITEMS(v); i++) {
		p = v[i].list;
		end = p + strlen(p);
		for (j = 0; v[i].want[j] != NULL; j++) {
			ATF_REQUIRE_MSG(http_token_next(&p, end, &tok, &len),
			    "\"%s\": element %zu missing", v[i].list, j);
			ATF_CHECK_MSG(span_is(tok, len, v[i].want[j]),
			    "\"%s\": element %zu", v[i].list, j);
		}
		ATF_CHECK_MSG(!http_token_next(&p, end, &tok, &len),
		    "\"%s\": too many elements", v[i].list);
		ATF_CHECK(!http_token_next(&p, end, &tok, &len));
	}
}

ATF_TC_WITHOUT_HEAD(is_token);
ATF_TC_BODY(is_token, tc)
{
	ATF_CHECK(http_is_token(L("GET")));
	ATF_CHECK(http_is_token(L("X-Forwarded-For")));
	ATF_CHECK(http_is_token(L("!#$%&'*+-.^_`|~09azAZ")));
	ATF_CHECK(!http_is_token(L("")));
	ATF_CHECK(!http_is_token(L("a b")));
	ATF_CHECK(!http_is_token(L("a:")));
	ATF_CHECK(!http_is_token(L("a\0")));
	ATF_CHECK(!http_is_token(L("\"a\"")));
	ATF_CHECK(!http_is_token(L("(),/;<=>?@[\\]{}")));
	ATF_CHECK(!http_is_token(L("(")));
	ATF_CHECK(!http_is_token(L("\x7f")));
	ATF_CHECK(!http_is_token(L("\x80")));
}

/* Every other letter in the other case. */
static char
flip_case(char c, size_t i)
{
	if ((i & 1) == 0)
		return c;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 'A';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

ATF_TC_WITHOUT_HEAD(hdr_lookup);
ATF_TC_BODY(hdr_lookup, tc)
{
	static const struct {
		const char	*name;
		enum http_hdr	 id;
	} v[] = {
		{ "Host", HDR_HOST },
		{ "Content-Length", HDR_CONTENT_LENGTH },
		{ "Transfer-Encoding", HDR_TRANSFER_ENCODING },
		{ "Connection", HDR_CONNECTION },
		{ "Keep-Alive", HDR_KEEP_ALIVE },
		{ "TE", HDR_TE },
		{ "Trailer", HDR_TRAILER },
		{ "Upgrade", HDR_UPGRADE },
		{ "Proxy-Authorization", HDR_PROXY_AUTHORIZATION },
		{ "Proxy-Authenticate", HDR_PROXY_AUTHENTICATE },
		{ "Proxy-Connection", HDR_PROXY_CONNECTION },
		{ "Expect", HDR_EXPECT },
		{ "Authorization", HDR_AUTHORIZATION },
		{ "X-Forwarded-For", HDR_X_FORWARDED_FOR },
		{ "X-Forwarded-Proto", HDR_X_FORWARDED_PROTO },
		{ "X-Forwarded-Host", HDR_X_FORWARDED_HOST },
		{ "Via", HDR_VIA },
		{ "Location", HDR_LOCATION },
		{ "Content-Location", HDR_CONTENT_LOCATION },
		{ "URI", HDR_URI },
		{ "Set-Cookie", HDR_SET_COOKIE },
		{ "Strict-Transport-Security", HDR_STRICT_TRANSPORT_SECURITY },
		{ "Date", HDR_DATE },
		{ "Referer", HDR_REFERER },
		{ "User-Agent", HDR_USER_AGENT },
	};
	char		 name[64];
	size_t		 i, j, len;

	ATF_CHECK_EQ(NITEMS(v), HDR__COUNT - 1);
	for (i = 0; i < NITEMS(v); i++) {
		len = strlen(v[i].name);
		ATF_CHECK_EQ_MSG(http_hdr_lookup(v[i].name, len), v[i].id,
		    "%s", v[i].name);
		for (j = 0; j < len; j++)
			name[j] = flip_case(v[i].name[j], j);
		ATF_CHECK_EQ_MSG(http_hdr_lookup(name, len), v[i].id,
		    "%.*s", (int)len, name);
		ATF_CHECK_EQ_MSG(http_hdr_lookup(v[i].name, len - 1),
		    HDR_OTHER, "%s shortened", v[i].name);
	}
	ATF_CHECK_EQ(http_hdr_lookup(L("X-Forwarded-Fo")), HDR_OTHER);
	ATF_CHECK_EQ(http_hdr_lookup(L("Hostx")), HDR_OTHER);
	ATF_CHECK_EQ(http_hdr_lookup(L("Ho-t")), HDR_OTHER);
	ATF_CHECK_EQ(http_hdr_lookup(L("Transfer_Encoding")), HDR_OTHER);
	ATF_CHECK_EQ(http_hdr_lookup(L("Content-Length\0")), HDR_OTHER);
	ATF_CHECK_EQ(http_hdr_lookup(L("")), HDR_OTHER);
	/* Only letters fold: '\r' | 0x20 is '-'. */
	ATF_CHECK_EQ(http_hdr_lookup(L("Content\rLength")), HDR_OTHER);
	ATF_CHECK_EQ(http_hdr_lookup(L("X\rForwarded\rFor")), HDR_OTHER);
}

ATF_TC_WITHOUT_HEAD(reason);
ATF_TC_BODY(reason, tc)
{
	ATF_CHECK_STREQ(http_reason(200), "OK");
	ATF_CHECK_STREQ(http_reason(301), "Moved Permanently");
	ATF_CHECK_STREQ(http_reason(400), "Bad Request");
	ATF_CHECK_STREQ(http_reason(401), "Unauthorized");
	ATF_CHECK_STREQ(http_reason(403), "Forbidden");
	ATF_CHECK_STREQ(http_reason(404), "Not Found");
	ATF_CHECK_STREQ(http_reason(405), "Method Not Allowed");
	ATF_CHECK_STREQ(http_reason(408), "Request Timeout");
	ATF_CHECK_STREQ(http_reason(413), "Content Too Large");
	ATF_CHECK_STREQ(http_reason(414), "URI Too Long");
	ATF_CHECK_STREQ(http_reason(421), "Misdirected Request");
	ATF_CHECK_STREQ(http_reason(431), "Request Header Fields Too Large");
	ATF_CHECK_STREQ(http_reason(502), "Bad Gateway");
	ATF_CHECK_STREQ(http_reason(503), "Service Unavailable");
	ATF_CHECK_STREQ(http_reason(504), "Gateway Timeout");
	ATF_CHECK_STREQ(http_reason(505), "HTTP Version Not Supported");
	ATF_CHECK_STREQ(http_reason(299), "Unknown");
	ATF_CHECK_STREQ(http_reason(-1), "Unknown");
}

/* What a chunked body decodes to. */
struct ckout {
	char		 data[8192];
	size_t		 datalen;
	enum chunked_result end;
	size_t		 consumed;
	uint64_t	 total;
};

/*
 * Decodes as a caller does: input arrives step bytes at a time (all at
 * once for step 0) into a buffer from which consumed bytes are dropped,
 * each call given a copy of just the bytes not yet consumed.
 */
static void
ck_run(const char *in, size_t len, size_t step, size_t trailer_max,
    struct ckout *o)
{
	struct chunked	 ck;
	enum chunked_result r;
	size_t		 have, base = 0, off, doff, dlen;
	char		*copy;

	memset(o, 0, sizeof(*o));
	chunked_init(&ck, trailer_max);
	have = step == 0 ? len : 0;
	for (;;) {
		copy = malloc(have - base + 1);
		ATF_REQUIRE(copy != NULL);
		memcpy(copy, in + base, have - base);
		off = 0;
		do {
			r = chunked_decode(&ck, copy, have - base, &off, &doff,
			    &dlen);
			ATF_REQUIRE(off <= have - base);
			if (r == CHUNKED_DATA) {
				ATF_REQUIRE(dlen > 0);
				ATF_REQUIRE(doff + dlen <= off);
				ATF_REQUIRE(o->datalen + dlen <=
				    sizeof(o->data));
				memcpy(o->data + o->datalen, copy + doff, dlen);
				o->datalen += dlen;
			}
		} while (r == CHUNKED_DATA);
		free(copy);
		base += off;
		if (r != CHUNKED_MORE || have == len)
			break;
		have = have + step > len ? len : have + step;
	}
	o->end = r;
	o->consumed = base;
	o->total = ck.total;
}

struct ckvec {
	const char	*desc;
	const char	*in;
	size_t		 len;
	enum chunked_result end;
	const char	*data;
	size_t		 datalen;
	size_t		 consumed;	/* 0: all the input */
	size_t		 trailer_max;
};

#define CK(desc, s, end, data)	{ desc, L(s), end, L(data), 0, 1024 }
#define CKC(desc, s, end, data, n) { desc, L(s), end, L(data), n, 1024 }
#define CKT(desc, s, end, data, tmax) { desc, L(s), end, L(data), 0, tmax }

static const struct ckvec ckvec[] = {
	CK("one chunk", "5\r\nhello\r\n0\r\n\r\n", CHUNKED_DONE, "hello"),
	CK("empty body", "0\r\n\r\n", CHUNKED_DONE, ""),
	CK("two chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", CHUNKED_DONE,
	    "abcde"),
	CK("hex upper", "A\r\n0123456789\r\n0\r\n\r\n", CHUNKED_DONE,
	    "0123456789"),
	CK("hex lower", "a\r\n0123456789\r\n0\r\n\r\n", CHUNKED_DONE,
	    "0123456789"),
	CK("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", CHUNKED_DONE,
	    "hello"),
	CK("data with CRLF", "4\r\n\r\n\r\n\r\n0\r\n\r\n", CHUNKED_DONE,
	    "\r\n\r\n"),
	CK("data with NUL", "3\r\na\0b\r\n0\r\n\r\n", CHUNKED_DONE,
	    "a\0b"),
	CKC("what follows is left", "1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1",
	    CHUNKED_DONE, "x", 11),
	CK("extension", "5;a\r\nhello\r\n0\r\n\r\n", CHUNKED_DONE, "hello"),
	CK("extension value", "5;a=b\r\nhello\r\n0;x=y\r\n\r\n",
	    CHUNKED_DONE, "hello"),
	CK("extensions with BWS",
	    "5 ;\ta = b ; c\t=\td;e\r\nhello\r\n0\r\n\r\n", CHUNKED_DONE,
	    "hello"),
	CK("quoted extension", "5;a=\"b c;d=\\\"e\\\\\"\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_DONE, "hello"),
	CK("quoted empty", "5;a=\"\"\r\nhello\r\n0\r\n\r\n", CHUNKED_DONE,
	    "hello"),
	CK("quoted obs-text", "5;a=\"\xe9\"\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_DONE, "hello"),
	CK("trailer", "5\r\nhello\r\n0\r\nX-T: v\r\nY:\r\n\r\n", CHUNKED_DONE,
	    "hello"),
	CKT("trailer at its limit", "0\r\nX: 1\r\n\r\n", CHUNKED_DONE, "", 6),
	CKT("trailer over its limit", "0\r\nX: 1\r\n\r\n", CHUNKED_ERROR, "",
	    5),
	CKT("no trailer allowed", "0\r\nX: 1\r\n\r\n", CHUNKED_ERROR, "", 0),
	CKT("no trailer allowed, none sent", "0\r\n\r\n", CHUNKED_DONE, "", 0),
	CKT("two trailers over the limit", "0\r\nX: 1\r\nY: 2\r\n\r\n",
	    CHUNKED_ERROR, "", 11),
	CKT("two trailers at the limit", "0\r\nX: 1\r\nY: 2\r\n\r\n",
	    CHUNKED_DONE, "", 12),
	CK("incomplete data", "5\r\nhel", CHUNKED_MORE, "hel"),
	CKC("incomplete size line", "5\r\nhello\r\n1", CHUNKED_MORE, "hello",
	    10),
	CKC("incomplete CRLF", "5\r\nhello\r", CHUNKED_MORE, "hello", 8),
	CKC("incomplete trailer", "0\r\nX: a", CHUNKED_MORE, "", 3),
	CKC("incomplete end", "0\r\n\r", CHUNKED_MORE, "", 3),
	CK("largest size", "7fffffffffffffff\r\nab", CHUNKED_MORE, "ab"),
	CK("largest size, zeros", "007FFFFFFFFFFFFFFF\r\nab", CHUNKED_MORE,
	    "ab"),

	CK("0x size", "0x5\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("+ size", "+5\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("- size", "-5\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("space before size", " 5\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("space after size", "5 \r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("tab after size", "5\t\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("empty size", "\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("not hex", "g\r\n", CHUNKED_ERROR, ""),
	CK("size junk", "5x\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("size 2^63", "8000000000000000\r\n", CHUNKED_ERROR, ""),
	CK("size 2^64", "10000000000000000\r\n", CHUNKED_ERROR, ""),
	CK("size 2^64+5 wraps", "10000000000000005\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("size ffff...", "ffffffffffffffffffff\r\n", CHUNKED_ERROR, ""),
	CK("bare LF size line", "5\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("bare CR size line", "5\rhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("CR CR LF size line", "5\r\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR,
	    ""),
	CK("bare LF after data", "5\r\nhello\n0\r\n\r\n", CHUNKED_ERROR,
	    "hello"),
	CK("no CRLF after data", "5\r\nhelloXX0\r\n\r\n", CHUNKED_ERROR,
	    "hello"),
	CK("CR X after data", "5\r\nhello\rX0\r\n\r\n", CHUNKED_ERROR,
	    "hello"),
	CK("data longer than size", "3\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR,
	    "hel"),
	CK("bare LF last chunk", "5\r\nhello\r\n0\n\r\n", CHUNKED_ERROR,
	    "hello"),
	CK("bare LF end", "5\r\nhello\r\n0\r\n\n", CHUNKED_ERROR, "hello"),
	CK("bare CR end", "0\r\n\rX", CHUNKED_ERROR, ""),
	CK("empty extension", "5;\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("double semicolon", "5;;a\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("extension without name", "5;=a\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("extension empty value", "5;a=\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("extension name not token", "5;a(b\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("extension two words", "5;a b\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR,
	    ""),
	CK("extension value two words", "5;a=b c\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("extension value not token", "5;a=b@c\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("extension without semicolon", "5 a\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("extension trailing space", "5;a \r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("text after quote", "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("quoted control", "5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("quoted DEL", "5;a=\"\x7f\"\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR,
	    ""),
	CK("quoted-pair control", "5;a=\"\\\x01\"\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("quoted-pair CR", "5;a=\"\\\r\"\r\nhello\r\n0\r\n\r\n",
	    CHUNKED_ERROR, ""),
	CK("single quotes", "5;a='b c'\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR,
	    ""),
	CK("extension NUL", "5;a\0\r\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("extension bare LF", "5;a=b\nhello\r\n0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer space before colon", "0\r\nX : a\r\n\r\n", CHUNKED_ERROR,
	    ""),
	CK("trailer no colon", "0\r\nX a\r\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer empty name", "0\r\n: a\r\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer NUL", "0\r\nX: a\0\r\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer control", "0\r\nX: \x0b\r\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer bare LF", "0\r\nX: a\n\r\n", CHUNKED_ERROR, ""),
	CK("trailer bare CR", "0\r\nX: a\rb\r\n\r\n", CHUNKED_ERROR, ""),
};

static int
ck_same(const struct ckout *a, const struct ckout *b)
{
	return a->end == b->end && a->consumed == b->consumed &&
	    a->datalen == b->datalen && a->total == b->total &&
	    memcmp(a->data, b->data, a->datalen) == 0;
}

ATF_TC_WITHOUT_HEAD(chunked_vectors);
ATF_TC_BODY(chunked_vectors, tc)
{
	static struct ckout whole, piece;
	const struct ckvec *v;
	size_t		 i, step, datalen;

	for (i = 0; i < NITEMS(ckvec); i++) {
		v = &ckvec[i];
		ck_run(v->in, v->len, 0, v->trailer_max, &whole);
		ATF_CHECK_MSG(whole.end == v->end,
		    "%s: \"%s\": got %d, want %d", v->desc,
		    vis(v->in, v->len), whole.end, v->end);
		datalen = v->datalen;
		ATF_CHECK_MSG(whole.datalen == datalen &&
		    memcmp(whole.data, v->data, datalen) == 0,
		    "%s: data \"%s\"", v->desc, vis(whole.data, whole.datalen));
		ATF_CHECK_EQ_MSG(whole.total, datalen, "%s", v->desc);
		if (v->end != CHUNKED_ERROR)
			ATF_CHECK_EQ_MSG(whole.consumed,
			    v->consumed ? v->consumed : v->len, "%s", v->desc);
		for (step = 1; step <= 7; step++) {
			ck_run(v->in, v->len, step, v->trailer_max, &piece);
			ATF_CHECK_MSG(ck_same(&whole, &piece),
			    "%s: fed %zu bytes at a time: end %d, data \"%s\"",
			    v->desc, step, piece.end,
			    vis(piece.data, piece.datalen));
		}
	}
}

ATF_TC_WITHOUT_HEAD(chunked_limits);
ATF_TC_BODY(chunked_limits, tc)
{
	static char	 buf[CHUNK_LINE_MAX + 64];
	static struct ckout o;
	struct chunked	 ck;
	size_t		 off, doff, dlen;

	/* A size line of exactly CHUNK_LINE_MAX bytes, CRLF included. */
	memcpy(buf, "1;a=", 4);
	memset(buf + 4, 'b', CHUNK_LINE_MAX - 6);
	memcpy(buf + CHUNK_LINE_MAX - 2, "\r\nx\r\n0\r\n\r\n", 10);
	ck_run(buf, CHUNK_LINE_MAX + 8, 0, 0, &o);
	ATF_CHECK_EQ(o.end, CHUNKED_DONE);
	ATF_CHECK_EQ(o.datalen, 1);

	/* One byte longer is an error, also before its end arrives. */
	memcpy(buf + CHUNK_LINE_MAX - 2, "b\r\nx\r\n0\r\n\r\n", 11);
	ck_run(buf, CHUNK_LINE_MAX + 9, 0, 0, &o);
	ATF_CHECK_EQ(o.end, CHUNKED_ERROR);
	ck_run(buf, CHUNK_LINE_MAX, 0, 0, &o);
	ATF_CHECK_EQ(o.end, CHUNKED_ERROR);
	ck_run(buf, CHUNK_LINE_MAX - 1, 0, 0, &o);
	ATF_CHECK_EQ(o.end, CHUNKED_MORE);
	ATF_CHECK_EQ(o.consumed, 0);

	/* Zeros without end are bounded by the line limit too. */
	memset(buf, '0', CHUNK_LINE_MAX);
	ck_run(buf, CHUNK_LINE_MAX, 0, 0, &o);
	ATF_CHECK_EQ(o.end, CHUNKED_ERROR);

	/* DONE stays DONE and consumes nothing more. */
	chunked_init(&ck, 0);
	off = 0;
	ATF_CHECK_EQ(chunked_decode(&ck, L("0\r\n\r\n0\r\n"), &off, &doff,
	    &dlen), CHUNKED_DONE);
	ATF_CHECK_EQ(off, 5);
	ATF_CHECK_EQ(chunked_decode(&ck, L("0\r\n\r\n0\r\n"), &off, &doff,
	    &dlen), CHUNKED_DONE);
	ATF_CHECK_EQ(off, 5);

	/* An offset beyond the buffer is refused, not read. */
	chunked_init(&ck, 0);
	off = 10;
	ATF_CHECK_EQ(chunked_decode(&ck, L("5\r\n"), &off, &doff, &dlen),
	    CHUNKED_ERROR);

	/* Large chunks come out as far as the buffer goes. */
	chunked_init(&ck, 0);
	off = 0;
	ATF_CHECK_EQ(chunked_decode(&ck, L("100000\r\nabc"), &off, &doff,
	    &dlen), CHUNKED_DATA);
	ATF_CHECK_EQ(doff, 8);
	ATF_CHECK_EQ(dlen, 3);
	ATF_CHECK_EQ(off, 11);
	ATF_CHECK_EQ(ck.remaining, 0x100000 - 3);
	ATF_CHECK_EQ(ck.total, 3);
	ATF_CHECK_EQ(chunked_decode(&ck, L("100000\r\nabc"), &off, &doff,
	    &dlen), CHUNKED_MORE);
	ATF_CHECK_EQ(off, 11);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, request_vectors);
	ATF_TP_ADD_TC(tp, request_incremental);
	ATF_TP_ADD_TC(tp, request_details);
	ATF_TP_ADD_TC(tp, request_fields);
	ATF_TP_ADD_TC(tp, request_limits);
	ATF_TP_ADD_TC(tp, response_vectors);
	ATF_TP_ADD_TC(tp, response_details);
	ATF_TP_ADD_TC(tp, host_valid);
	ATF_TP_ADD_TC(tp, token_next);
	ATF_TP_ADD_TC(tp, is_token);
	ATF_TP_ADD_TC(tp, hdr_lookup);
	ATF_TP_ADD_TC(tp, reason);
	ATF_TP_ADD_TC(tp, chunked_vectors);
	ATF_TP_ADD_TC(tp, chunked_limits);
	return atf_no_error();
}
