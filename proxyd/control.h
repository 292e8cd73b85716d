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

/* The control socket of the parent, and the commands it carries out. */

#ifndef CONTROL_H
#define CONTROL_H

#include <sys/queue.h>

#include <poll.h>
#include <stdint.h>

#include "ctlproto.h"

struct ctlconn {
	TAILQ_ENTRY(ctlconn)	 entry;
	int			 fd;
	char			 buf[CTL_LINE_MAX];
	size_t			 len;
	uint64_t		 deadline;
	int			 reading;	/* 0 once the command is in */
};
TAILQ_HEAD(ctlconnlist, ctlconn);

/* control.c */
int	 control_in_use(const char *);
int	 control_open(const char *);
void	 control_accept(int);
void	 control_reply(struct ctlconn *, int, const char *);
int	 control_pollfds(struct pollfd *, int);
void	 control_dispatch(struct pollfd *, int);

/* proxyd.c: the commands */
void	 parent_status(struct ctlconn *);
void	 parent_reload(struct ctlconn *);
void	 parent_log_reopen(struct ctlconn *);
void	 parent_stop(struct ctlconn *);

#endif /* CONTROL_H */
