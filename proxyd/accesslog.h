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
 * Access log lines in Apache's common and combined formats (SPEC.md
 * section 6), made by a pure function so that tests can drive it.
 */

#ifndef ACCESSLOG_H
#define ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A line is written with one write(2) to an O_APPEND descriptor; at most
 * PIPE_BUF bytes, so that even a pipe takes it whole.  Each untrusted
 * field gets at most its share, then "..." after what fits.
 */
#define ACCESSLOG_LINE_MAX	4096
#define ACCESSLOG_REQUEST_MAX	1800	/* escaped request line */
#define ACCESSLOG_FIELD_MAX	700	/* escaped Referer, User-Agent */
#define ACCESSLOG_USER_MAX	300	/* escaped user name */

struct accesslog_entry {
	const char	*peer;		/* client address */
	const char	*user;		/* NULL or "": none */
	size_t		 userlen;
	time_t		 when;
	const char	*request;	/* the request line, NULL if none */
	size_t		 requestlen;
	int		 status;
	uint64_t	 bytes;		/* of body sent */
	const char	*referer;	/* NULL if none */
	size_t		 refererlen;
	const char	*agent;		/* NULL if none */
	size_t		 agentlen;
};

size_t	 accesslog_escape(char *, size_t, const char *, size_t);
size_t	 accesslog_line(char *, size_t, int, const struct accesslog_entry *);

#endif /* ACCESSLOG_H */
