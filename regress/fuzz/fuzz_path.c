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
 * libFuzzer target for path normalization (SPEC.md section 4 item 3):
 * an accepted path comes out in the one canonical form, normalizing it
 * again changes nothing, and prefix matching never misbehaves.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(e)	do { if (!(e)) abort(); } while (0)

static int
is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static int
is_pchar(unsigned char c)
{
	return is_unreserved(c) || strchr("!$&'()*+,;=:@", c) != NULL;
}

static int
is_upper_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static unsigned int
hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/* A segment, its ;parameters removed, is "." or "..". */
static int
is_dot_segment(const char *s, size_t len)
{
	const char	*semi;

	if ((semi = memchr(s, ';', len)) != NULL)
		len = semi - s;
	return (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.');
}

static void
check_canonical(const char *p, size_t len)
{
	size_t		 i, seg = 1;
	unsigned int	 c;

	CHECK(len > 0 && p[0] == '/');
	for (i = 0; i < len; i++) {
		if (p[i] == '%') {
			CHECK(i + 2 < len);
			CHECK(is_upper_hex(p[i + 1]) && is_upper_hex(p[i + 2]));
			c = hexval(p[i + 1]) << 4 | hexval(p[i + 2]);
			CHECK(!is_unreserved(c));
			CHECK(c != '/' && c != '\\' && c != 0);
			i += 2;
		} else if (p[i] == '/') {
			CHECK(i + 1 == len || p[i + 1] != '/');
			if (i > 0)
				CHECK(!is_dot_segment(p + seg, i - seg));
			seg = i + 1;
		} else
			CHECK(is_pchar(p[i]));
	}
	CHECK(!is_dot_segment(p + seg, len - seg));
}

static void
check_prefix(const char *prefix, size_t prefixlen, const char *path,
    size_t pathlen)
{
	size_t		 restoff = (size_t)-1;

	if (path_prefix_match(prefix, prefixlen, path, pathlen, &restoff))
		CHECK(restoff <= pathlen);
}

/* A canonical path matches itself, and what continues it after '/'. */
static void
check_self_match(const char *p, size_t len)
{
	char		*q;
	size_t		 restoff;

	if (p[len - 1] == '/' || memchr(p, ';', len) != NULL)
		return;
	CHECK(path_prefix_match(p, len, p, len, &restoff) == 1);
	CHECK(restoff == len);
	if ((q = malloc(len + 2)) == NULL)
		return;
	memcpy(q, p, len);
	memcpy(q + len, "/x", 2);
	CHECK(path_prefix_match(p, len, q, len + 2, &restoff) == 1);
	CHECK(restoff == len);
	q[len] = 'x';
	CHECK(path_prefix_match(p, len, q, len + 1, &restoff) == 0);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in;
	char		*buf, *out, *out2;
	size_t		 outsize, outlen, outlen2, split;
	int		 r;

	/* Exact copies, so that reads and writes past the end are caught. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	in = buf;
	outsize = PATH_NORMALIZED_MAX(size);
	out = malloc(outsize);
	out2 = malloc(outsize * 3 + 1);
	if (out == NULL || out2 == NULL)
		goto done;

	r = path_normalize(in, size, out, outsize, &outlen);
	CHECK(r == 0 || r == 400);
	if (r == 0) {
		CHECK(outlen <= outsize);
		check_canonical(out, outlen);
		r = path_normalize(out, outlen, out2, outsize * 3 + 1,
		    &outlen2);
		CHECK(r == 0 && outlen2 == outlen &&
		    memcmp(out, out2, outlen) == 0);
		/* Too little room is refused, never overrun. */
		if (outlen > 0)
			CHECK(path_normalize(in, size, out2, outlen - 1,
			    &outlen2) == 414);
		check_self_match(out, outlen);
	}

	split = size > 0 ? data[0] % (size + 1) : 0;
	check_prefix(in, split, in + split, size - split);
	check_prefix(in + split, size - split, in, split);
 done:
	free(out2);
	free(out);
	free(buf);
	return 0;
}
