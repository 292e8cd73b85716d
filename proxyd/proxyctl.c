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
 * proxyctl: send one command to the proxyd parent over its control
 * socket, print the answer, and exit with the status it names.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlproto.h"

static __attribute__((__noreturn__)) void
usage(void)
{
	int	 i;

	fprintf(stderr, "usage: proxyctl [-s socket] command [argument ...]\n"
	    "commands:");
	for (i = 0; ctl_commands[i].name != NULL; i++)
		fprintf(stderr, "%s %s", i > 0 ? "," : "",
		    ctl_commands[i].name);
	fprintf(stderr, "\n");
	exit(1);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	const char		*path = CTL_SOCKET;
	char			 line[CTL_LINE_MAX], buf[8192];
	ssize_t			 n;
	int			 ch, fd, i, status = -1;
	size_t			 off;

	while ((ch = getopt(argc, argv, "s:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	line[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strlcat(line, " ", sizeof(line));
		if (strlcat(line, argv[i], sizeof(line)) >= sizeof(line) - 1)
			usage();
	}
	if (ctl_command_lookup(line) == -1) {
		fprintf(stderr, "proxyctl: unknown command: %s\n", line);
		usage();
	}
	strlcat(line, "\n", sizeof(line));

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		fprintf(stderr, "proxyctl: %s: path too long\n", path);
		return 1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		perror("proxyctl: socket");
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, "proxyctl: proxyd is not running "
			    "(%s)\n", path);
		else
			fprintf(stderr, "proxyctl: %s: %s\n", path,
			    strerror(errno));
		return 1;
	}
	if (write_all(fd, line, strlen(line)) == -1) {
		fprintf(stderr, "proxyctl: %s: %s\n", path, strerror(errno));
		return 1;
	}

	/* The first line is the exit status, the rest is for the user. */
	off = 0;
	while ((n = read(fd, buf + off, sizeof(buf) - off)) > 0) {
		off += n;
		if (status == -1) {
			char	*nl = memchr(buf, '\n', off);

			if (nl == NULL) {
				if (off == sizeof(buf))
					break;
				continue;
			}
			status = buf[0] == '0' ? 0 : 1;
			nl++;
			off -= nl - buf;
			memmove(buf, nl, off);
		}
		if (write_all(STDOUT_FILENO, buf, off) == -1)
			return 1;
		off = 0;
	}
	if (status == -1) {
		fprintf(stderr, "proxyctl: no answer from proxyd (%s)\n",
		    path);
		return 1;
	}
	return status;
}
