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
 * Unit tests of path.c against SPEC.md section 4 items 3 and 4: the one
 * canonical form of a request path, what is refused, idempotence, and
 * location prefixes matched on segment boundaries with ";parameters"
 * ignored, so that no spelling of an excluded path slips past.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atf-c.h>

#include "path.h"

#define L(s)		s, sizeof(s) - 1
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

struct normvec {
	const char	*in;
	size_t		 inlen;
	int		 status;
	const char	*out;		/* when accepted */
};

#define OK(in, out)	{ L(in), 0, out }
#define BAD(in)		{ L(in), 400, NULL }

static const struct normvec normvec[] = {
	OK("/", "/"),
	OK("/a", "/a"),
	OK("/a/b/c", "/a/b/c"),
	OK("/a/", "/a/"),
	OK("/A/b", "/A/b"),

	/* escapes of unreserved characters are decoded, hex in any case */
	OK("/%7euser", "/~user"),
	OK("/%7Euser", "/~user"),
	OK("/%41%42%43", "/ABC"),
	OK("/%61%62%63", "/abc"),
	OK("/%30%39", "/09"),
	OK("/%2d%2D%5f%5F%7e%2e", "/--__~."),
	OK("/a%2Db", "/a-b"),

	/* other escapes stay, upper-cased */
	OK("/%c3%a9", "/%C3%A9"),
	OK("/%C3%A9", "/%C3%A9"),
	OK("/%3b", "/%3B"),
	OK("/%3f", "/%3F"),
	OK("/%20", "/%20"),
	OK("/%25", "/%25"),
	OK("/%2525", "/%2525"),
	OK("/%252f", "/%252f"),
	OK("/%21%40%3a", "/%21%40%3A"),
	OK("/%ff%FF%fF", "/%FF%FF%FF"),
	OK("/%7f", "/%7F"),
	OK("/%01", "/%01"),

	/* repeated slashes */
	OK("//", "/"),
	OK("///", "/"),
	OK("//a", "/a"),
	OK("/a//b///c", "/a/b/c"),
	OK("/a//", "/a/"),
	OK("/a/b//", "/a/b/"),

	/* dot segments (RFC 3986 5.2.4) */
	OK("/.", "/"),
	OK("/./", "/"),
	OK("/./a", "/a"),
	OK("/a/.", "/a/"),
	OK("/a/./", "/a/"),
	OK("/a/./b", "/a/b"),
	OK("/a/././b", "/a/b"),
	OK("/a/..", "/"),
	OK("/a/../", "/"),
	OK("/a/../b", "/b"),
	OK("/a/b/..", "/a/"),
	OK("/a/b/../", "/a/"),
	OK("/a/b/../c", "/a/c"),
	OK("/a/b/../../c", "/c"),
	OK("/a/b/c/./../../g", "/a/g"),
	OK("/a/b/c/../../../", "/"),
	OK("/a/./../b", "/b"),
	OK("/a//../b", "/b"),
	OK("/a/b/..//c", "/a/c"),
	OK("/a/.//b", "/a/b"),
	OK("/a/.b", "/a/.b"),
	OK("/a/b.", "/a/b."),
	OK("/a/..b", "/a/..b"),
	OK("/a/b..", "/a/b.."),
	OK("/a/...", "/a/..."),
	OK("/a/.../b", "/a/.../b"),
	OK("/.a/", "/.a/"),

	/* escaped dots are dots */
	OK("/%2e/a", "/a"),
	OK("/%2E", "/"),
	OK("/a/%2e%2e/b", "/b"),
	OK("/a/%2E%2e", "/"),
	OK("/a/.%2e/b", "/b"),
	OK("/a/%2e./b", "/b"),
	OK("/a/%2e%2e%2e", "/a/..."),

	/* parameters */
	OK("/a;b", "/a;b"),
	OK("/a;b=c/d", "/a;b=c/d"),
	OK("/a;/b", "/a;/b"),
	/* a segment of parameters alone: "/;a/b" is "/b" to a container */
	BAD("/;a/b"),
	BAD("/some/;/part"),
	BAD("/;"),
	OK("/a/...;x", "/a/...;x"),
	OK("/a/.x;y", "/a/.x;y"),
	OK("/a/x;..", "/a/x;.."),
	OK("/a/b;x/..", "/a/"),

	/* bytes outside pchar are encoded; pchar stays as it is */
	OK("/a\"b", "/a%22b"),
	OK("/a<b>", "/a%3Cb%3E"),
	OK("/a[b]", "/a%5Bb%5D"),
	OK("/a{b}", "/a%7Bb%7D"),
	OK("/a|b", "/a%7Cb"),
	OK("/a^b", "/a%5Eb"),
	OK("/a`b", "/a%60b"),
	OK("/a:b@c!$&'()*+,;=d", "/a:b@c!$&'()*+,;=d"),
	OK("/-._~", "/-._~"),

	/* climbing above the root */
	BAD("/.."),
	BAD("/../"),
	BAD("/../a"),
	BAD("/a/../.."),
	BAD("/a/../../b"),
	BAD("/a/b/../../.."),
	BAD("/%2e%2e"),
	BAD("/%2E%2E/a"),
	BAD("/.%2e"),
	BAD("/a/%2e%2e/%2e%2e"),
	BAD("//.."),
	BAD("/./.."),
	BAD("//./..//a"),

	/* encoded separators and NUL, in any case */
	BAD("/a%2fb"),
	BAD("/a%2Fb"),
	BAD("/a%5cb"),
	BAD("/a%5Cb"),
	BAD("/a%00b"),
	BAD("/%2f"),
	BAD("/%2F%2E%2E"),
	BAD("/%5c..%5c"),
	BAD("/a%00"),

	/* backslash and fragment */
	BAD("/a\\b"),
	BAD("/\\"),
	BAD("/..\\a"),
	BAD("/a#b"),
	BAD("/#"),

	/* a segment that is "." or ".." once its parameters are removed */
	BAD("/public/..;/admin"),
	BAD("/public/..;x=1/admin"),
	BAD("/a/..;"),
	BAD("/a/.;x/b"),
	BAD("/a/.;"),
	BAD("/.;/a"),
	BAD("/..;/a"),
	BAD("/a/%2e%2e;/b"),
	BAD("/a/%2E;x"),
	BAD("/a/.%2e;jsessionid=1/b"),

	/* malformed escapes */
	BAD("/%"),
	BAD("/%4"),
	BAD("/a%"),
	BAD("/%zz"),
	BAD("/%4g"),
	BAD("/%g4"),
	BAD("/%%41"),
	BAD("/% 41"),

	/* not a path */
	BAD(""),
	BAD("a"),
	BAD("a/b"),
	BAD("*"),
};

static const char *
vis(const char *s, size_t len)
{
	static char	 buf[4][256];
	static int	 n;
	char		*b = buf[n++ % 4];
	size_t		 i, o = 0;

	for (i = 0; i < len && o < sizeof(buf[0]) - 5; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f)
			o += snprintf(b + o, 5, "\\x%02x", c);
		else
			b[o++] = c;
	}
	b[o] = '\0';
	return b;
}

static int
normalize(const char *in, size_t inlen, char *out, size_t *outlen)
{
	return path_normalize(in, inlen, out, PATH_NORMALIZED_MAX(inlen),
	    outlen);
}

ATF_TC_WITHOUT_HEAD(normalize_vectors);
ATF_TC_BODY(normalize_vectors, tc)
{
	const struct normvec *v;
	char		 out[1024], again[1024];
	size_t		 i, outlen, againlen;
	int		 r;

	for (i = 0; i < NITEMS(normvec); i++) {
		v = &normvec[i];
		ATF_REQUIRE(PATH_NORMALIZED_MAX(v->inlen) <= sizeof(out));
		r = normalize(v->in, v->inlen, out, &outlen);
		ATF_CHECK_MSG(r == v->status, "\"%s\": got %d, want %d",
		    vis(v->in, v->inlen), r, v->status);
		if (r != 0 || v->status != 0)
			continue;
		ATF_CHECK_MSG(outlen == strlen(v->out) &&
		    memcmp(out, v->out, outlen) == 0,
		    "\"%s\": got \"%s\", want \"%s\"", vis(v->in, v->inlen),
		    vis(out, outlen), v->out);
		/* Normalizing twice gives the same path as once. */
		r = normalize(out, outlen, again, &againlen);
		ATF_CHECK_MSG(r == 0 && againlen == outlen &&
		    memcmp(again, out, outlen) == 0,
		    "\"%s\": not idempotent: %d \"%s\"", vis(out, outlen), r,
		    vis(again, againlen));
	}
}

/* Raw bytes no request-target can hold: refused or encoded, never kept. */
ATF_TC_WITHOUT_HEAD(normalize_raw_bytes);
ATF_TC_BODY(normalize_raw_bytes, tc)
{
	char		 in[3] = "/a", out[16], want[8];
	size_t		 outlen;
	int		 c, r;

	for (c = 0; c < 256; c++) {
		if (c > 0x20 && c < 0x7f)
			continue;
		in[1] = c;
		r = normalize(in, 2, out, &outlen);
		snprintf(want, sizeof(want), "/%%%02X", c);
		ATF_CHECK_MSG(r == 400 || (r == 0 && outlen == 4 &&
		    memcmp(out, want, 4) == 0), "byte 0x%02x: %d", c, r);
	}
}

ATF_TC_WITHOUT_HEAD(normalize_room);
ATF_TC_BODY(normalize_room, tc)
{
	char		 out[64];
	size_t		 outlen;

	/* Escapes may grow a byte to three. */
	ATF_CHECK_EQ(path_normalize(L("/\"\"\""), out, 10, &outlen), 0);
	ATF_CHECK_EQ(outlen, 10);
	ATF_CHECK_EQ(memcmp(out, "/%22%22%22", 10), 0);
	ATF_CHECK_EQ(path_normalize(L("/\"\"\""), out, 9, &outlen), 414);
	ATF_CHECK_EQ(path_normalize(L("/abc"), out, 4, &outlen), 0);
	ATF_CHECK_EQ(path_normalize(L("/abc"), out, 3, &outlen), 414);
	ATF_CHECK_EQ(path_normalize(L("/abc"), out, 0, &outlen), 414);
	ATF_CHECK_EQ(path_normalize(L("/%41%41"), out, 3, &outlen), 0);
	ATF_CHECK_EQ(path_normalize(L("/%41%41"), out, 2, &outlen), 414);
	/* Never written past outsize, even on the way to a refusal. */
	memset(out, 'Z', sizeof(out));
	ATF_CHECK_EQ(path_normalize(L("/aaaaaaaa"), out, 4, &outlen), 414);
	ATF_CHECK_EQ(out[4], 'Z');
}

struct excluded {
	const char	*in;
	size_t		 restoff;	/* in the normalized path */
};

/*
 * Spellings of an excluded location: each must still fall under
 * "/some/part" once normalized, so that "no proxy" cannot be bypassed.
 */
ATF_TC_WITHOUT_HEAD(excluded_spellings);
ATF_TC_BODY(excluded_spellings, tc)
{
	static const char prefix[] = "/some/part";
	static const struct excluded v[] = {
		{ "/some/part", 10 },
		{ "/some/part/", 10 },
		{ "/some/part/x", 10 },
		{ "/%73ome/part", 10 },
		{ "/%73%6F%6d%65/%70art", 10 },
		{ "//some//part", 10 },
		{ "///some///part///x", 10 },
		{ "/x/../some/part", 10 },
		{ "/x/y/../../some/part/z", 10 },
		{ "/some/./part", 10 },
		{ "/./some/part", 10 },
		{ "/some/part/.", 10 },
		{ "/some/part/x/..", 10 },
		{ "/some/part;x=1", 10 },
		{ "/some/part;x=1/y", 10 },
		{ "/some;a=b/part", 14 },
		{ "/some;/part;/", 11 },
		{ "/some/part%2fx", 0 },	/* refused: good too */
		{ "/some/..;/some/part", 0 },	/* refused */
	};
	char		 out[256];
	size_t		 i, outlen, restoff;
	int		 r;

	for (i = 0; i < NITEMS(v); i++) {
		r = normalize(v[i].in, strlen(v[i].in), out, &outlen);
		if (v[i].restoff == 0) {
			ATF_CHECK_MSG(r == 400, "%s: got %d", v[i].in, r);
			continue;
		}
		ATF_REQUIRE_MSG(r == 0, "%s: got %d", v[i].in, r);
		restoff = 12345;
		ATF_CHECK_MSG(path_prefix_match(L(prefix), out, outlen,
		    &restoff) == 1, "%s (\"%s\") does not match", v[i].in,
		    vis(out, outlen));
		ATF_CHECK_MSG(restoff == v[i].restoff,
		    "%s (\"%s\"): restoff %zu, want %zu", v[i].in,
		    vis(out, outlen), restoff, v[i].restoff);
	}
}

struct matchvec {
	const char	*prefix;
	const char	*path;
	int		 match;
	size_t		 restoff;
};

ATF_TC_WITHOUT_HEAD(prefix_match);
ATF_TC_BODY(prefix_match, tc)
{
	static const struct matchvec v[] = {
		{ "", "/", 1, 0 },
		{ "", "/anything/at/all", 1, 0 },
		{ "", "", 1, 0 },
		{ "/some/part", "/some/part", 1, 10 },
		{ "/some/part", "/some/part/", 1, 10 },
		{ "/some/part", "/some/part/x", 1, 10 },
		{ "/some/part", "/some/part/x/y;z", 1, 10 },
		{ "/some/part", "/some/part;x=1", 1, 10 },
		{ "/some/part", "/some/part;x=1/y", 1, 10 },
		{ "/some/part", "/some/part;", 1, 10 },
		{ "/some/part", "/some;p/part", 1, 12 },
		{ "/some/part", "/some;p/part;q/r", 1, 12 },
		{ "/some/part", "/some/partial", 0, 0 },
		{ "/some/part", "/some/par", 0, 0 },
		{ "/some/part", "/some/part.html", 0, 0 },
		{ "/some/part", "/some/partx;y", 0, 0 },
		{ "/some/part", "/some", 0, 0 },
		{ "/some/part", "/some/", 0, 0 },
		{ "/some/part", "/", 0, 0 },
		{ "/some/part", "", 0, 0 },
		{ "/some/part", "/SOME/part", 0, 0 },
		{ "/some/part", "/some/Part", 0, 0 },
		{ "/some/part", "/other/some/part", 0, 0 },
		{ "/some/part", "/somex/part", 0, 0 },
		{ "/some/part", "/some%2Fpart", 0, 0 },
		/* escapes of path characters are read as a backend reads them */
		{ "/some/part", "/some/%70art", 1, 12 },
		{ "/files/a+b", "/files/a%2Bb", 1, 12 },
		{ "/files/a+b", "/files/a%2Bb/c", 1, 12 },
		{ "/files/a%2Bb", "/files/a+b", 1, 10 },
		{ "/files/a+b", "/files/a%2Bbc", 0, 0 },
		{ "/a@b", "/a%40b", 1, 6 },
		{ "/a;b", "/a%3Bb", 0, 0 },
		{ "/some/part", "/some/part%3Bx", 0, 0 },
		{ "/some/part", "/some;/x/part", 0, 0 },
		{ "/a", "/a", 1, 2 },
		{ "/a", "/a/b", 1, 2 },
		{ "/a", "/ab", 0, 0 },
		{ "/a", "/b/a", 0, 0 },
		{ "/a", "/a;", 1, 2 },
		{ "/public", "/public/x", 1, 7 },
		{ "/app1", "/app1", 1, 5 },
	};
	size_t		 i, restoff;
	int		 r;

	for (i = 0; i < NITEMS(v); i++) {
		restoff = 12345;
		r = path_prefix_match(v[i].prefix, strlen(v[i].prefix),
		    v[i].path, strlen(v[i].path), &restoff);
		ATF_CHECK_MSG(r == v[i].match, "\"%s\" on \"%s\": got %d",
		    v[i].prefix, v[i].path, r);
		if (r && v[i].match)
			ATF_CHECK_MSG(restoff == v[i].restoff,
			    "\"%s\" on \"%s\": restoff %zu, want %zu",
			    v[i].prefix, v[i].path, restoff, v[i].restoff);
	}
}

/* Lengths are lengths: nothing past them is looked at. */
ATF_TC_WITHOUT_HEAD(lengths);
ATF_TC_BODY(lengths, tc)
{
	char		 out[64];
	size_t		 outlen, restoff;

	ATF_CHECK_EQ(path_normalize("/a/..\\", 5, out, sizeof(out),
	    &outlen), 0);
	ATF_CHECK_EQ(outlen, 1);
	ATF_CHECK_EQ(path_normalize("/a%2F", 2, out, sizeof(out), &outlen),
	    0);
	ATF_CHECK_EQ(path_normalize("/a%2F", 5, out, sizeof(out), &outlen),
	    400);
	ATF_CHECK_EQ(path_prefix_match("/ab", 2, "/a/x", 4, &restoff), 1);
	ATF_CHECK_EQ(restoff, 2);
	ATF_CHECK_EQ(path_prefix_match("/a", 2, "/ab", 2, &restoff), 1);
	ATF_CHECK_EQ(restoff, 2);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, normalize_vectors);
	ATF_TP_ADD_TC(tp, normalize_raw_bytes);
	ATF_TP_ADD_TC(tp, normalize_room);
	ATF_TP_ADD_TC(tp, excluded_spellings);
	ATF_TP_ADD_TC(tp, prefix_match);
	ATF_TP_ADD_TC(tp, lengths);
	return atf_no_error();
}
