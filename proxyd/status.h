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
 * What proxyctl status prints (SPEC.md section 7), gathered by the parent
 * from its own table of workers and what they report, and formatted by a
 * pure function that unit tests drive.
 */

#ifndef STATUS_H
#define STATUS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proc.h"

struct config;

struct status_worker {
	unsigned int		 number;
	unsigned int		 generation;
	pid_t			 pid;
	struct slot_view	 view;
};

struct status_generation {
	unsigned int		 id;
	unsigned int		 workers;
};

struct status_info {
	pid_t			 pid;
	time_t			 now;
	uint64_t		 uptime;	/* seconds */
	unsigned int		 generation;
	const char		*config;	/* path */
	const struct config	*conf;
	unsigned int		 total;		/* workers */
	unsigned int		 busy;
	unsigned int		 idle;
	struct totals		 totals;	/* the dead and the living */
	const struct status_generation *draining;
	size_t			 ndraining;
	const struct status_worker *workers;
	size_t			 nworkers;
};

void	 slot_view_of(const struct slot *, struct slot_view *);
void	 totals_add(struct totals *, const struct slot_view *);
char	*status_format(const struct status_info *);
const char *status_state_name(int);

#endif /* STATUS_H */
