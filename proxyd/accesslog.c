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
 * Access log lines as Apache writes them:
 *
 *   common    %h %l %u %t "%r" %>s %b
 *   combined  %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
 *
 * with "-" for what is missing, and every string a client sent escaped as
 * Apache escapes it (quote and backslash behind a backslash, \n, \r, \t,
 * \b, \v, and \xHH for other bytes below 0x20 and above 0x7e), so that
 * no request can split a line or forge one.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proxyd.h"
#include "accesslog.h"

/*
 * Escape src into dst (at most size - 1 bytes and a NUL); what does not
 * fit is left out, with "..." after the escapes that did (never half of
 * one).  Returns the length.
 */
size_t
accesslog_escape(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 c;
	char		 e[4];
	size_t		 o = 0, i, n, cut = 0;

	if (size == 0)
		return 0;
	for (i = 0; i < len; i++) {
		c = src[i];
		n = 0;
		switch (c) {
		case '"':
		case '\\':
			e[n++] = '\\';
			e[n++] = c;
			break;
		case '\n':
			e[n++] = '\\';
			e[n++] = 'n';
			break;
		case '\r':
			e[n++] = '\\';
			e[n++] = 'r';
			break;
		case '\t':
			e[n++] = '\\';
			e[n++] = 't';
			break;
		case '\b':
			e[n++] = '\\';
			e[n++] = 'b';
			break;
		case '\v':
			e[n++] = '\\';
			e[n++] = 'v';
			break;
		default:
			if (c < 0x20 || c > 0x7e) {
				e[n++] = '\\';
				e[n++] = 'x';
				e[n++] = hex[c >> 4];
				e[n++] = hex[c & 0xf];
			} else
				e[n++] = c;
			break;
		}
		if (o + n >= size) {
			/* Back to the last escape after which "..." fits. */
			o = cut;
			if (o + 3 < size) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, e, n);
		o += n;
		if (o + 3 < size)
			cut = o;
	}
	dst[o] = '\0';
	return o;
}

/* A quoted field, or "-" when there is none. */
static size_t
quoted(char *dst, size_t size, size_t max, const char *s, size_t len)
{
	size_t	 n;

	if (size < 3)
		return 0;
	if (s == NULL) {
		memcpy(dst, "\"-\"", 3);
		return 3;
	}
	if (max > size - 2)
		max = size - 2;
	dst[0] = '"';
	n = accesslog_escape(dst + 1, max, s, len);
	dst[1 + n] = '"';
	return n + 2;
}

/* The time as Apache writes it, made once a second. */
static const char *
clf_time(time_t when)
{
	static char	 buf[40];
	static time_t	 last = -1;
	struct tm	 tm;

	if (when != last) {
		if (localtime_r(&when, &tm) == NULL ||
		    strftime(buf, sizeof(buf), "[%d/%b/%Y:%H:%M:%S %z]",
		    &tm) == 0)
			strlcpy(buf, "[-]", sizeof(buf));
		last = when;
	}
	return buf;
}

/*
 * The line of an entry, in format (ACCESSLOG_COMMON or _COMBINED), with
 * its newline, into buf of size at least ACCESSLOG_LINE_MAX.  Returns
 * the length, newline included, or 0 if buf is too small.
 */
size_t
accesslog_line(char *buf, size_t size, int format,
    const struct accesslog_entry *e)
{
	char	 user[ACCESSLOG_USER_MAX];
	size_t	 o;
	int	 n;

	if (size < ACCESSLOG_LINE_MAX)
		return 0;
	if (e->user == NULL || e->userlen == 0)
		strlcpy(user, "-", sizeof(user));
	else
		accesslog_escape(user, sizeof(user), e->user, e->userlen);
	n = snprintf(buf, size, "%s - %s %s ", e->peer, user,
	    clf_time(e->when));
	if (n < 0 || (size_t)n >= size)
		return 0;
	o = n;
	o += quoted(buf + o, size - o, ACCESSLOG_REQUEST_MAX, e->request,
	    e->requestlen);
	if (e->bytes > 0)
		n = snprintf(buf + o, size - o, " %d %llu", e->status,
		    (unsigned long long)e->bytes);
	else
		n = snprintf(buf + o, size - o, " %d -", e->status);
	if (n < 0 || (size_t)n >= size - o)
		return 0;
	o += n;
	if (format == ACCESSLOG_COMBINED) {
		buf[o++] = ' ';
		o += quoted(buf + o, size - o, ACCESSLOG_FIELD_MAX, e->referer,
		    e->refererlen);
		buf[o++] = ' ';
		o += quoted(buf + o, size - o, ACCESSLOG_FIELD_MAX, e->agent,
		    e->agentlen);
	}
	buf[o++] = '\n';
	return o;
}
