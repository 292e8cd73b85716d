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
 * Responses proxyd writes itself: errors and redirects.  They are short
 * and complete, never echo request bytes, and name no version.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"

/* The Date value, formatted once a second. */
const char *
http_date(void)
{
	static char	 date[40];
	static time_t	 last;
	struct tm	 tm;
	time_t		 now;

	now = time(NULL);
	if (now != last) {
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return date;
}

/*
 * Answer with status, an optional extra header line (without CRLF, of
 * any length: a redirect's Location may be long) and a one-line body.
 * The connection is kept open only when s->close is not set; the caller
 * decides that.  Returns -1 if the write failed.
 */
int
reply_status(struct session *s, int status, const char *extra,
    const char *body)
{
	char		 head[384], text[128];
	struct iovec	 iov[5];
	const char	*conn = "\r\n";
	int		 n, bodylen;

	if (body == NULL) {
		snprintf(text, sizeof(text), "%d %s\n", status,
		    http_reason(status));
		body = text;
	}
	bodylen = strlen(body);
	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\n"
	    "Date: %s\r\n"
	    "%s"
	    "Content-Length: %d\r\n",
	    status, http_reason(status), http_date(),
	    bodylen > 0 ? "Content-Type: text/plain\r\n" : "", bodylen);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	/* Over TLS, proxyd's own answers carry HSTS as relayed ones do. */
	if (s->tls && s->server != NULL && s->server->hsts.enabled)
		n += hsts_field(&s->server->hsts, head + n, sizeof(head) - n);
	if (s->close)
		conn = "Connection: close\r\n\r\n";
	else if (s->req.minor == 0)
		conn = "Connection: keep-alive\r\n\r\n";
	s->status = status;
	iov[0].iov_base = head;
	iov[0].iov_len = n;
	iov[1].iov_base = (void *)(extra != NULL ? extra : "");
	iov[1].iov_len = extra != NULL ? strlen(extra) : 0;
	iov[2].iov_base = (void *)"\r\n";
	iov[2].iov_len = extra != NULL ? 2 : 0;
	iov[3].iov_base = (void *)conn;
	iov[3].iov_len = strlen(conn);
	iov[4].iov_base = (void *)body;
	iov[4].iov_len = s->req.method_id == METHOD_HEAD ? 0 : bodylen;
	s->info.bytes += iov[4].iov_len;
	return conn_writev(&s->client, iov, 5,
	    now_ms() + s->conf->timeout_body);
}

/* An error: the connection is closed after it. */
int
reply_error(struct session *s, int status)
{
	const char	*extra = NULL;

	s->close = 1;
	s->linger = 1;
	if (status == 405)
		extra = "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";
	return reply_status(s, status, extra, NULL);
}
