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

/* The control commands, one table for proxyctl and the proxyd parent. */

#include <stddef.h>
#include <string.h>

#include "ctlproto.h"

const struct ctl_command_def ctl_commands[] = {
	{ "status",	CTL_STATUS },
	{ "reload",	CTL_RELOAD },
	{ "log reopen",	CTL_LOG_REOPEN },
	{ "stop",	CTL_STOP },
	{ NULL,		0 }
};

/* The command a line names (without its newline), or -1. */
int
ctl_command_lookup(const char *line)
{
	int	 i;

	for (i = 0; ctl_commands[i].name != NULL; i++)
		if (strcmp(line, ctl_commands[i].name) == 0)
			return ctl_commands[i].id;
	return -1;
}
