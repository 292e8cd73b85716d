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
 * The request path in one canonical form (SPEC.md 4.3): what is checked
 * against locations and authentication is exactly what the backend gets.
 *
 * path_normalize() decodes escapes of unreserved characters, upper-cases
 * the others, merges repeated slashes, removes dot segments, refuses what
 * could mean one thing here and another behind us, and re-encodes bytes
 * that may not appear in a path.  Normalizing its output again gives the
 * same output.
 */

#include <sys/types.h>

#include <stddef.h>
#include <string.h>

#include "path.h"

#define PATH_OK		0
#define PATH_BAD	400
#define PATH_LONG	414

static const char hexdigits[] = "0123456789ABCDEF";

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* What a path segment may hold literally besides unreserved (RFC 3986). */
static int
is_path_literal(unsigned char c)
{
	if (is_unreserved(c))
		return 1;
	switch (c) {
	case '!': case '$': case '&': case '\'': case '(': case ')':
	case '*': case '+': case ',': case ';': case '=': case ':': case '@':
		return 1;
	}
	return 0;
}

/*
 * First pass: escapes decoded or upper-cased, bytes outside a path
 * encoded, refused characters refused.  Every output byte is '/', a
 * path literal, or the start of a %XX escape whose hex is upper case.
 */
static int
path_decode(const char *in, size_t inlen, char *out, size_t outsize,
    size_t *outlen)
{
	size_t		 i, o = 0;
	unsigned char	 c;
	int		 hi, lo;

	for (i = 0; i < inlen; i++) {
		c = in[i];
		if (c == '%') {
			if (inlen - i < 3)
				return PATH_BAD;
			if ((hi = hexval(in[i + 1])) == -1 ||
			    (lo = hexval(in[i + 2])) == -1)
				return PATH_BAD;
			c = hi << 4 | lo;
			i += 2;
			/* An encoded separator or NUL would mean two paths. */
			if (c == '/' || c == '\\' || c == '\0')
				return PATH_BAD;
			if (is_unreserved(c)) {
				if (o + 1 > outsize)
					return PATH_LONG;
				out[o++] = c;
				continue;
			}
		} else if (c == '\\' || c == '#' || c <= 0x20 || c >= 0x7f) {
			return PATH_BAD;
		} else if (c == '/' || is_path_literal(c)) {
			if (o + 1 > outsize)
				return PATH_LONG;
			out[o++] = c;
			continue;
		}
		/* A byte that stays escaped. */
		if (o + 3 > outsize)
			return PATH_LONG;
		out[o++] = '%';
		out[o++] = hexdigits[c >> 4];
		out[o++] = hexdigits[c & 0xf];
	}
	*outlen = o;
	return PATH_OK;
}

/* The length of a segment's name, before any ";parameters". */
static size_t
segment_name_len(const char *seg, size_t len)
{
	const char	*semi;

	if ((semi = memchr(seg, ';', len)) == NULL)
		return len;
	return semi - seg;
}

/*
 * Second pass, in place: merge slashes and remove dot segments (RFC 3986
 * 5.2.4).  A path that climbs above the root, a segment that is "." or
 * ".." only once its parameters are removed, or one that is nothing but
 * parameters, is refused: servlet containers would resolve "..;" and
 * "/;x/" where we did not.
 */
static int
path_resolve(char *p, size_t len, size_t *outlen)
{
	size_t		 i = 0, o = 0, seglen, namelen;
	const char	*seg;

	if (len == 0 || p[0] != '/')
		return PATH_BAD;
	while (i < len) {
		/* p[i] is '/': skip repeated ones. */
		while (i < len && p[i] == '/')
			i++;
		seg = p + i;
		seglen = 0;
		while (i + seglen < len && p[i + seglen] != '/')
			seglen++;
		i += seglen;
		if (seglen == 1 && seg[0] == '.') {
			/* "/./" and a final "/." leave the directory. */
			if (i >= len) {
				p[o++] = '/';
			}
			continue;
		}
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o == 0)
				return PATH_BAD;
			while (o > 0 && p[o - 1] != '/')
				o--;
			/* o is now just past the parent's '/'; drop it too. */
			if (o > 0)
				o--;
			if (i >= len)
				p[o++] = '/';
			continue;
		}
		namelen = segment_name_len(seg, seglen);
		if ((namelen == 1 && seg[0] == '.') ||
		    (namelen == 2 && seg[0] == '.' && seg[1] == '.'))
			return PATH_BAD;
		/*
		 * Nor a segment that is all parameters ("/;x/admin"): a
		 * container that drops parameters and then merges slashes
		 * would see a path we did not match.
		 */
		if (namelen == 0 && seglen > 0)
			return PATH_BAD;
		if (seglen == 0) {
			/* The trailing slash of "/a/" or the root itself. */
			p[o++] = '/';
			continue;
		}
		p[o++] = '/';
		memmove(p + o, seg, seglen);
		o += seglen;
	}
	if (o == 0)
		p[o++] = '/';
	*outlen = o;
	return PATH_OK;
}

int
path_normalize(const char *in, size_t inlen, char *out, size_t outsize,
    size_t *outlen)
{
	size_t	 len;
	int	 rv;

	if ((rv = path_decode(in, inlen, out, outsize, &len)) != PATH_OK)
		return rv;
	return path_resolve(out, len, outlen);
}

/*
 * One character of a normalized segment as a backend would read it: an
 * escape of a character that may stand literally in a path ("%2B" for
 * "+") is that character, since most backends decode it; ";" stays
 * escaped, as it would otherwise start parameters.
 */
static int
unit_next(const char *p, size_t len, size_t *i)
{
	unsigned char	 c = p[*i];
	int		 hi, lo, d;

	if (c == '%' && len - *i >= 3 && (hi = hexval(p[*i + 1])) != -1 &&
	    (lo = hexval(p[*i + 2])) != -1) {
		d = hi << 4 | lo;
		if (d != ';' && is_path_literal(d)) {
			*i += 3;
			return d;
		}
	}
	(*i)++;
	return c;
}

/* Are two normalized segments the same once escapes are read? */
static int
segment_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 i = 0, j = 0;

	while (i < alen && j < blen)
		if (unit_next(a, alen, &i) != unit_next(b, blen, &j))
			return 0;
	return i == alen && j == blen;
}

/*
 * Does PREFIX (normalized, no trailing '/') match PATH on segment
 * boundaries, ignoring the ";parameters" of the path's segments and
 * reading escapes of path characters as those characters?  On a match
 * *restoff is where the rest of the path begins: just after the name of
 * the last matched segment, so its parameters stay with the rest.
 */
int
path_prefix_match(const char *prefix, size_t plen, const char *path,
    size_t len, size_t *restoff)
{
	size_t	 pi = 0, i = 0, pseg, seg, name;

	if (plen == 0) {
		*restoff = 0;
		return 1;
	}
	while (pi < plen) {
		/* Both are at a '/'. */
		if (i >= len || path[i] != '/' || prefix[pi] != '/')
			return 0;
		pi++;
		i++;
		pseg = 0;
		while (pi + pseg < plen && prefix[pi + pseg] != '/')
			pseg++;
		seg = 0;
		while (i + seg < len && path[i + seg] != '/')
			seg++;
		name = segment_name_len(path + i, seg);
		if (!segment_equal(prefix + pi, pseg, path + i, name))
			return 0;
		pi += pseg;
		i += name;
		if (pi < plen)
			i += seg - name;
	}
	*restoff = i;
	return 1;
}
