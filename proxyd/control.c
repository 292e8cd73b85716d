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
 * The control socket, parent side: accepting proxyctl connections,
 * reading their one command line without ever blocking the parent, and
 * answering.  What a command does is the parent's business (proxyd.c).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"

static struct ctlconnlist ctlconns = TAILQ_HEAD_INITIALIZER(ctlconns);

static int
unix_address(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlcpy(sun->sun_path, path, sizeof(sun->sun_path)) >=
	    sizeof(sun->sun_path))
		return -1;
	return 0;
}

/* Is a proxyd already answering on this socket? */
int
control_in_use(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd, rv;

	if (unix_address(path, &sun) == -1)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return rv;
}

int
control_open(const char *path)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	if (unix_address(path, &sun) == -1) {
		log_warnx("control socket %s: path too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket");
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("control socket %s: unlink", path);
		close(fd);
		return -1;
	}
	old = umask(S_IRWXG | S_IRWXO | S_IXUSR);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("control socket %s: bind", path);
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, S_IRUSR | S_IWUSR) == -1 || listen(fd, 16) == -1) {
		log_warn("control socket %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

void
control_accept(int lfd)
{
	struct ctlconn	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	int		 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1)
		return;
	/* The socket is root's alone; make sure of it all the same. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.uid != 0) {
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->deadline = now_ms() + CTL_TIMEOUT;
	c->reading = 1;
	TAILQ_INSERT_TAIL(&ctlconns, c, entry);
}

static void
control_drop(struct ctlconn *c)
{
	TAILQ_REMOVE(&ctlconns, c, entry);
	close(c->fd);
	free(c);
}

/* Answer and close.  The text is short; a slow reader gets a second. */
void
control_reply(struct ctlconn *c, int status, const char *text)
{
	struct pollfd	 pfd;
	char		 line[4];
	const char	*p;
	size_t		 left;
	ssize_t		 n;
	uint64_t	 deadline = now_ms() + 1000;

	snprintf(line, sizeof(line), "%d\n", status);
	if (write(c->fd, line, strlen(line)) == -1) {
		control_drop(c);
		return;
	}
	p = text;
	left = strlen(text);
	while (left > 0 && now_ms() < deadline) {
		n = write(c->fd, p, left);
		if (n > 0) {
			p += n;
			left -= n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			break;
		pfd.fd = c->fd;
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, 100);
	}
	control_drop(c);
}

static void
control_command(struct ctlconn *c)
{
	char	*cmd = c->buf, *nl;

	if ((nl = memchr(cmd, '\n', c->len)) != NULL)
		*nl = '\0';
	switch (ctl_command_lookup(cmd)) {
	case CTL_STATUS:
		parent_status(c);
		break;
	case CTL_RELOAD:
		parent_reload(c);
		break;
	case CTL_LOG_REOPEN:
		parent_log_reopen(c);
		break;
	case CTL_STOP:
		parent_stop(c);
		break;
	default:
		control_reply(c, 1, "proxyctl: unknown command\n");
		break;
	}
}

/* Read from a client; act once its line is complete. */
static void
control_read(struct ctlconn *c)
{
	ssize_t	 n;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		control_drop(c);
		return;
	}
	if (n < 0)
		return;
	c->len += n;
	c->buf[c->len] = '\0';
	if (memchr(c->buf, '\n', c->len) != NULL) {
		c->reading = 0;
		control_command(c);
	} else if (c->len == sizeof(c->buf) - 1)
		control_reply(c, 1, "proxyctl: command too long\n");
}

/* Add the clients still sending to a poll set; returns how many. */
int
control_pollfds(struct pollfd *pfd, int max)
{
	struct ctlconn	*c;
	int		 n = 0;

	TAILQ_FOREACH(c, &ctlconns, entry) {
		if (!c->reading || n == max)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

void
control_dispatch(struct pollfd *pfd, int n)
{
	struct ctlconn	*c, *next;
	uint64_t	 now = now_ms();
	int		 i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		TAILQ_FOREACH(c, &ctlconns, entry) {
			if (c->fd == pfd[i].fd && c->reading) {
				control_read(c);
				break;
			}
		}
	}
	TAILQ_FOREACH_SAFE(c, &ctlconns, entry, next)
		if (c->reading && now >= c->deadline)
			control_drop(c);
}
