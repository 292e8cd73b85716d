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
 * Logging in the OpenBSD manner: messages go to stderr when running in the
 * foreground and to syslog otherwise.  The syslog connection is opened
 * before a worker enters its chroot, so it keeps working inside it.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		 log_to_stderr = 1;
static int		 log_facility = LOG_DAEMON;
static int		 log_verbose;
static const char	*log_proc;

static void	logit(int, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

void
log_init(int to_stderr, int facility)
{
	log_to_stderr = to_stderr;
	log_facility = facility;
	if (!to_stderr)
		openlog(getprogname(), LOG_PID | LOG_NDELAY, facility);
	tzset();
}

/* After closing descriptors wholesale: open the syslog socket again. */
void
log_reconnect(void)
{
	if (log_to_stderr)
		return;
	closelog();
	openlog(getprogname(), LOG_PID | LOG_NDELAY, log_facility);
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_procname(const char *name)
{
	log_proc = name;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024], line[1200];
	int	 n, saved_errno = errno;

	if (pri == LOG_DEBUG && log_verbose < 2)
		return;
	if (pri == LOG_INFO && log_verbose < 1 && log_to_stderr)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_stderr) {
		/* One write(2) a line, so that the lines of workers never mix. */
		if (log_proc != NULL)
			n = snprintf(line, sizeof(line), "%s: %s: %s\n",
			    getprogname(), log_proc, msg);
		else
			n = snprintf(line, sizeof(line), "%s: %s\n",
			    getprogname(), msg);
		if (n < 0)
			n = 0;
		if ((size_t)n >= sizeof(line)) {
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		if (write(STDERR_FILENO, line, n) == -1)
			errno = saved_errno;	/* nowhere left to say it */
	} else if (log_proc != NULL)
		syslog(pri, "%s: %s", log_proc, msg);
	else
		syslog(pri, "%s", msg);
	errno = saved_errno;
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 buf[1024];
	int	 saved_errno = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	logit(pri, "%s: %s", buf, strerror(saved_errno));
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
