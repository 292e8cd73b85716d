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
 * The control protocol between proxyctl and the proxyd parent, over a
 * UNIX socket that only root can reach: proxyctl sends one line, the
 * command and its arguments separated by spaces; the parent answers with
 * a line holding the exit status proxyctl is to use ("0" or "1"), then
 * the text to print, and closes the connection.
 */

#ifndef CTLPROTO_H
#define CTLPROTO_H

#define CTL_SOCKET		"/run/proxyd.sock"	/* the default */
#define CTL_LINE_MAX		512	/* a command line with its newline */
#define CTL_TIMEOUT		5000	/* ms a client may take to send it */
#define CTL_RELOAD_TIMEOUT	30000	/* ms a new generation may take */

enum ctl_command {
	CTL_STATUS,
	CTL_RELOAD,
	CTL_LOG_REOPEN,
	CTL_STOP
};

/* The commands, as proxyctl takes them and the parent reads them. */
struct ctl_command_def {
	const char		*name;	/* its words, one space apart */
	enum ctl_command	 id;
};

extern const struct ctl_command_def ctl_commands[];

int	 ctl_command_lookup(const char *);

#endif /* CTLPROTO_H */
