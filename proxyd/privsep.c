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
 * Process titles, and dropping privileges in a worker: chroot, no
 * supplementary groups, the user's uid and primary gid for real,
 * effective and saved ids, and no way back through exec.  Then proof that
 * root cannot be regained: a worker that could would be a root process
 * facing the Internet.
 */

#include <sys/types.h>
#include <sys/prctl.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "log.h"

static int
own_listener(const struct config *conf, int fd)
{
	const struct listener	*l;

	TAILQ_FOREACH(l, &conf->listeners, entry)
		if (l->sock == l && l->fd == fd)
			return 1;
	return 0;
}

static int
kept(int fd, const int *keep, size_t nkeep)
{
	size_t	 i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

/*
 * A new worker inherits every descriptor of the parent: the control
 * socket, the channels of the other workers, and the listeners of other
 * generations, which must close when their generation ends.  Keep
 * standard input, output and error, the listeners of conf (none if NULL)
 * and keep[] (our channels, the access log); reconnect to syslog.
 */
void
privsep_close_fds(const struct config *conf, const int *keep, size_t nkeep)
{
	DIR		*dir;
	struct dirent	*de;
	const char	*errstr;
	int		 fd, dfd;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		fatal("/proc/self/fd");
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		fd = strtonum(de->d_name, 0, INT_MAX, &errstr);
		if (errstr != NULL || fd <= STDERR_FILENO || fd == dfd ||
		    kept(fd, keep, nkeep) ||
		    (conf != NULL && own_listener(conf, fd)))
			continue;
		close(fd);
	}
	closedir(dir);
	log_reconnect();
}

/* The last byte of the arguments the kernel gave us. */
static char	*title_end;

void
proc_title_init(int argc, char *argv[], char *envp[])
{
	if (argc > 0)
		title_end = argv[argc - 1] + strlen(argv[argc - 1]);
	setproctitle_init(argc, argv, envp);
}

/*
 * setproctitle(3), and then a byte that is not NUL at the end of the
 * original arguments: Linux takes that as the sign that the title was
 * set and shows it up to its NUL, not the padding after it.
 */
void
proc_title(const char *fmt, ...)
{
	char	 title[128];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	setproctitle("%s", title);
	if (title_end != NULL && *title_end == '\0')
		*title_end = '.';
}

void
privsep_drop(const struct config *conf)
{
	uid_t	 ruid, euid, suid;
	gid_t	 rgid, egid, sgid;

	if (chdir(conf->chroot) == -1)
		fatal("chdir %s", conf->chroot);
	if (chroot(".") == -1)
		fatal("chroot %s", conf->chroot);
	if (chdir("/") == -1)
		fatal("chdir /");
	if (setgroups(0, NULL) == -1)
		fatal("setgroups");
	if (setresgid(conf->gid, conf->gid, conf->gid) == -1)
		fatal("setresgid %u", (unsigned int)conf->gid);
	if (setresuid(conf->uid, conf->uid, conf->uid) == -1)
		fatal("setresuid %u", (unsigned int)conf->uid);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");

	/* Trust nothing: check that the drop took and cannot be undone. */
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		fatal("getresuid");
	if (ruid != conf->uid || euid != conf->uid || suid != conf->uid ||
	    rgid != conf->gid || egid != conf->gid || sgid != conf->gid)
		fatalx("privileges not dropped");
	if (getgroups(0, NULL) != 0)
		fatalx("supplementary groups kept");
	if (conf->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		abort();
	if (conf->gid != 0 && (setgid(0) != -1 || setegid(0) != -1))
		abort();
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("no_new_privs not set");
}
