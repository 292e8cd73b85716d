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
 * Unit tests of the access log lines (accesslog.c): Apache's common and
 * combined formats, "-" for what is missing, Apache's escaping of every
 * string a client sent, and lines that stay one line and within
 * ACCESSLOG_LINE_MAX whatever they are fed.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <atf-c.h>

#include "proxyd.h"
#include "accesslog.h"

#define L(s)	s, sizeof(s) - 1

static const char *
esc(const char *s, size_t len, size_t size)
{
	static char	 buf[4096];

	ATF_REQUIRE(size <= sizeof(buf));
	accesslog_escape(buf, size, s, len);
	return buf;
}

ATF_TC_WITHOUT_HEAD(escaping);
ATF_TC_BODY(escaping, tc)
{
	ATF_CHECK_STREQ(esc(L("plain /a?b=c&d"), 100), "plain /a?b=c&d");
	ATF_CHECK_STREQ(esc(L("a\"b\\c"), 100), "a\\\"b\\\\c");
	ATF_CHECK_STREQ(esc(L("\n\r\t\b\v"), 100), "\\n\\r\\t\\b\\v");
	ATF_CHECK_STREQ(esc(L("\x01\x1f\x7f\x80\xff"), 100),
	    "\\x01\\x1f\\x7f\\x80\\xff");
	ATF_CHECK_STREQ(esc("a\0b", 3, 100), "a\\x00b");
	ATF_CHECK_STREQ(esc(L("~ !"), 100), "~ !");
	/* What does not fit is left out whole, with "...". */
	ATF_CHECK_STREQ(esc(L("abcdefgh"), 9), "abcdefgh");
	ATF_CHECK_STREQ(esc(L("abcdefghi"), 9), "abcde...");
	ATF_CHECK_STREQ(esc(L("abcd\x01xyz"), 9), "abcd...");
	ATF_CHECK_STREQ(esc(L("\x01\x01"), 9), "\\x01\\x01");
	ATF_CHECK_STREQ(esc(L("\x01\x01\x01"), 9), "\\x01...");
	ATF_CHECK_STREQ(esc(L("abc"), 1), "");
}

static struct accesslog_entry
entry(void)
{
	struct accesslog_entry	 e;

	memset(&e, 0, sizeof(e));
	e.peer = "192.0.2.7";
	e.when = 1764691200;	/* 2025-12-02 16:00:00 UTC */
	e.request = "GET /x?y HTTP/1.1";
	e.requestlen = strlen(e.request);
	e.status = 200;
	e.bytes = 1234;
	return e;
}

ATF_TC_WITHOUT_HEAD(formats);
ATF_TC_BODY(formats, tc)
{
	struct accesslog_entry	 e;
	char			 line[ACCESSLOG_LINE_MAX];
	size_t			 n;

	setenv("TZ", "UTC", 1);
	tzset();
	e = entry();
	n = accesslog_line(line, sizeof(line), ACCESSLOG_COMMON, &e);
	line[n] = '\0';
	ATF_CHECK_STREQ(line, "192.0.2.7 - - [02/Dec/2025:16:00:00 +0000] "
	    "\"GET /x?y HTTP/1.1\" 200 1234\n");
	n = accesslog_line(line, sizeof(line), ACCESSLOG_COMBINED, &e);
	line[n] = '\0';
	ATF_CHECK_STREQ(line, "192.0.2.7 - - [02/Dec/2025:16:00:00 +0000] "
	    "\"GET /x?y HTTP/1.1\" 200 1234 \"-\" \"-\"\n");
	e.user = "alice";
	e.userlen = 5;
	e.bytes = 0;
	e.status = 304;
	e.referer = "http://r/";
	e.refererlen = 9;
	e.agent = "curl/8 \"x\"";
	e.agentlen = 10;
	n = accesslog_line(line, sizeof(line), ACCESSLOG_COMBINED, &e);
	line[n] = '\0';
	ATF_CHECK_STREQ(line, "192.0.2.7 - alice [02/Dec/2025:16:00:00 +0000] "
	    "\"GET /x?y HTTP/1.1\" 304 - \"http://r/\" \"curl/8 \\\"x\\\"\"\n");
	/* No request line at all (a timeout before any byte). */
	e = entry();
	e.request = NULL;
	e.status = 408;
	n = accesslog_line(line, sizeof(line), ACCESSLOG_COMMON, &e);
	line[n] = '\0';
	ATF_CHECK_STREQ(line, "192.0.2.7 - - [02/Dec/2025:16:00:00 +0000] "
	    "\"-\" 408 1234\n");
	/* A hostile user name is escaped too. */
	e = entry();
	e.user = "a b\"\n";
	e.userlen = 5;
	n = accesslog_line(line, sizeof(line), ACCESSLOG_COMMON, &e);
	line[n] = '\0';
	ATF_CHECK(strstr(line, " - a b\\\"\\n [") != NULL);
	ATF_CHECK(strchr(line, '\n') == line + n - 1);
	/* Too small a buffer. */
	ATF_CHECK_EQ(accesslog_line(line, ACCESSLOG_LINE_MAX - 1,
	    ACCESSLOG_COMMON, &e), 0);
}

ATF_TC_WITHOUT_HEAD(bounded_lines);
ATF_TC_BODY(bounded_lines, tc)
{
	struct accesslog_entry	 e;
	char			 line[ACCESSLOG_LINE_MAX], *big;
	size_t			 n, i, size = 65536;

	ATF_REQUIRE((big = malloc(size)) != NULL);
	for (i = 0; i < size; i++)
		big[i] = i % 3 == 0 ? '\n' : i % 3 == 1 ? '"' : '\xff';
	e = entry();
	e.peer = "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff";
	e.user = big;
	e.userlen = 255;
	e.request = big;
	e.requestlen = size;
	e.referer = big;
	e.refererlen = size;
	e.agent = big;
	e.agentlen = size;
	e.bytes = UINT64_MAX;
	e.status = 999;
	n = accesslog_line(line, sizeof(line), ACCESSLOG_COMBINED, &e);
	ATF_REQUIRE(n > 0 && n <= ACCESSLOG_LINE_MAX);
	/* One line: its only raw newline is its end. */
	ATF_CHECK(memchr(line, '\n', n) == line + n - 1);
	for (i = 0; i < n; i++)
		ATF_CHECK(line[i] >= 0x20 && line[i] <= 0x7e ?
		    1 : i == n - 1);
	free(big);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, escaping);
	ATF_TP_ADD_TC(tp, formats);
	ATF_TP_ADD_TC(tp, bounded_lines);
	return atf_no_error();
}
