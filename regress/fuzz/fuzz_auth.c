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
 * libFuzzer target for the authentication parsers (SPEC.md section 4
 * item 6).  Every input is read three ways:
 *
 *  - as an Authorization value: accepted credentials are within bounds
 *    and the input's base64 is exactly their canonical encoding (so
 *    there is one spelling of each), a refusal leaves them cleared, and
 *    the cache finds what was added and nothing else;
 *  - as a user file: it loads exactly when a simple reading of the lines
 *    finds no bad line, and then every user that reading sees is found;
 *  - as a group file: likewise, and every plain member is a member.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyd.h"
#include "auth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(e)	do { if (!(e)) abort(); } while (0)

/* config.c is not linked here: the error lists, without the dedup. */
void
errlist_add(struct errlist *errs, const char *file, int line,
    const char *fmt, ...)
{
	va_list	  ap;
	char	 *msg, **lines;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		abort();
	va_end(ap);
	(void)file;
	(void)line;
	if ((lines = reallocarray(errs->lines, errs->count + 1,
	    sizeof(*lines))) == NULL)
		abort();
	errs->lines = lines;
	errs->lines[errs->count++] = msg;
}

void
errlist_clear(struct errlist *errs)
{
	size_t	 i;

	for (i = 0; i < errs->count; i++)
		free(errs->lines[i]);
	free(errs->lines);
	errs->lines = NULL;
	errs->count = 0;
}

static int
ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

static size_t
b64(const unsigned char *in, size_t len, char *out)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (len - i == 1) {
		v = in[i] << 16;
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = in[i] << 16 | in[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = '=';
	}
	return o;
}

static struct authcache	*cache;
static struct userdb	*cachedb;

static void
check_credentials(const char *in, size_t len)
{
	struct credentials	 c;
	unsigned char		 raw[2 * AUTH_NAME_MAX + 1];
	char			 enc[700];
	const char		*p = in, *end = in + len, *tok;
	size_t			 n, i;

	if (auth_basic_parse(in, len, &c) == -1) {
		for (i = 0; i < sizeof(c); i++)
			CHECK(((unsigned char *)&c)[i] == 0);
		return;
	}
	CHECK(c.userlen >= 1 && c.userlen <= AUTH_NAME_MAX);
	CHECK(c.passlen <= AUTH_NAME_MAX);
	CHECK(memchr(c.user, ':', c.userlen) == NULL);
	CHECK(c.user[c.userlen] == '\0' && c.pass[c.passlen] == '\0');

	/* The token is the canonical base64 of user ":" password. */
	while (p < end && ows(*p))
		p++;
	CHECK(end - p > 5 && strncasecmp(p, "basic", 5) == 0);
	p += 5;
	CHECK(ows(*p));
	while (p < end && ows(*p))
		p++;
	tok = p;
	while (p < end && !ows(*p))
		p++;
	memcpy(raw, c.user, c.userlen);
	raw[c.userlen] = ':';
	memcpy(raw + c.userlen + 1, c.pass, c.passlen);
	n = b64(raw, c.userlen + 1 + c.passlen, enc);
	CHECK(n == (size_t)(p - tok) && memcmp(enc, tok, n) == 0);
	while (p < end && ows(*p))
		p++;
	CHECK(p == end);

	authcache_add(cache, cachedb, c.user, c.userlen, c.pass, c.passlen, 1);
	CHECK(authcache_hit(cache, cachedb, c.user, c.userlen, c.pass,
	    c.passlen, 2));
	c.pass[c.passlen] = 'x';
	CHECK(!authcache_hit(cache, cachedb, c.user, c.userlen, c.pass,
	    c.passlen + 1, 2));
	credentials_clear(&c);
	CHECK(c.userlen == 0 && c.passlen == 0);
}

/* The lines of the input as both parsers must see them. */
struct line {
	const char	*s;
	size_t		 len;
};

static size_t
split_lines(const char *in, size_t len, struct line *lines)
{
	const char	*p = in, *end = in + len, *e, *nl;
	size_t		 n = 0;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		e = nl;
		while (p < e && space(*p))
			p++;
		while (e > p && space(e[-1]))
			e--;
		lines[n].s = p;
		lines[n++].len = e - p;
		p = nl < end ? nl + 1 : end;
	}
	return n;
}

static int
has(const char *in, size_t len, const char *s)
{
	return memmem(in, len, s, strlen(s)) != NULL;
}

static void
check_users(const char *in, size_t len, const struct line *lines,
    size_t nlines)
{
	struct errlist	 errs = { NULL, 0 }, warns = { NULL, 0 };
	struct userdb	*db;
	const char	*colon;
	size_t		 i, j, ulen, distinct = 0;
	int		 bad = 0, dup;

	db = userdb_parse(in, len, "fuzz", &errs, &warns);
	for (i = 0; i < nlines; i++) {
		if (lines[i].len == 0 || lines[i].s[0] == '#')
			continue;
		if (memchr(lines[i].s, '\0', lines[i].len) != NULL ||
		    (colon = memchr(lines[i].s, ':', lines[i].len)) == NULL ||
		    colon == lines[i].s) {
			bad = 1;
			continue;
		}
		if (db == NULL)
			continue;
		ulen = colon - lines[i].s;
		CHECK(userdb_exists(db, lines[i].s, ulen));
		for (j = 0, dup = 0; j < i && !dup; j++)
			dup = lines[j].len > ulen && lines[j].s[ulen] == ':' &&
			    memcmp(lines[j].s, lines[i].s, ulen) == 0 &&
			    lines[j].s[0] != '#' &&
			    memchr(lines[j].s, '\0', lines[j].len) == NULL;
		distinct += !dup;
	}
	CHECK((db == NULL) == bad);
	CHECK(bad == (errs.count > 0));
	if (db != NULL) {
		CHECK(userdb_count(db) == distinct);
		/* The slow kinds would make a verification take seconds. */
		if (!has(in, len, "$2") && !has(in, len, "$5$") &&
		    !has(in, len, "$6$") && !has(in, len, "$y$")) {
			for (i = 0; i < nlines; i++) {
				colon = memchr(lines[i].s, ':', lines[i].len);
				if (colon == NULL || lines[i].s[0] == '#')
					continue;
				CHECK(userdb_verify(db, lines[i].s,
				    colon - lines[i].s, in, len < 40 ? len :
				    40) <= 1);
				break;
			}
			CHECK(userdb_verify(db, "", 0, "", 0) == 0);
		}
	}
	userdb_free(db);
	errlist_clear(&errs);
	errlist_clear(&warns);
}

static void
check_groups(const char *in, size_t len, const struct line *lines,
    size_t nlines)
{
	struct errlist	 errs = { NULL, 0 };
	struct groupdb	*db;
	const char	*colon, *p, *end, *w;
	char		*group;
	size_t		 i, glen;
	int		 bad = 0;

	db = groupdb_parse(in, len, "fuzz", &errs);
	for (i = 0; i < nlines; i++) {
		if (lines[i].len == 0 || lines[i].s[0] == '#')
			continue;
		if (memchr(lines[i].s, '\0', lines[i].len) != NULL ||
		    (colon = memchr(lines[i].s, ':', lines[i].len)) == NULL) {
			bad = 1;
			continue;
		}
		glen = colon - lines[i].s;
		while (glen > 0 && space(lines[i].s[glen - 1]))
			glen--;
		if (glen == 0) {
			bad = 1;
			continue;
		}
		/* Quotes and escapes change words: only plain lines. */
		end = lines[i].s + lines[i].len;
		if (db == NULL || memchr(colon, '"', end - colon) != NULL ||
		    memchr(colon, '\'', end - colon) != NULL ||
		    memchr(colon, '\\', end - colon) != NULL)
			continue;
		if ((group = strndup(lines[i].s, glen)) == NULL)
			abort();
		for (p = colon + 1; p < end; ) {
			while (p < end && space(*p))
				p++;
			w = p;
			while (p < end && !space(*p))
				p++;
			if (p > w)
				CHECK(groupdb_member(db, group, w, p - w));
		}
		free(group);
	}
	CHECK((db == NULL) == bad);
	CHECK(bad == (errs.count > 0));
	groupdb_free(db);
	errlist_clear(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line	*lines;
	char		*in;
	size_t		 nlines;

	if (cache == NULL) {
		CHECK((cache = authcache_new(8, 0)) != NULL);
		CHECK((cachedb = userdb_parse("", 0, "empty", NULL,
		    NULL)) != NULL);
	}
	/* An exact copy, so that reads past the end are caught. */
	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	check_credentials(in, size);
	if ((lines = calloc(size + 1, sizeof(*lines))) != NULL) {
		nlines = split_lines(in, size, lines);
		check_users(in, size, lines, nlines);
		check_groups(in, size, lines, nlines);
		free(lines);
	}
	free(in);
	return 0;
}
