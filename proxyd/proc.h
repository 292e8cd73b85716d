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
 * The process model: the scoreboard the workers fill in and the parent
 * reads, the generations of workers, and the entry points of the parent,
 * the pool and the workers.
 */

#ifndef PROC_H
#define PROC_H

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <signal.h>
#include <stdint.h>

struct config;

enum slot_state {
	SLOT_FREE = 0,
	SLOT_STARTING,			/* forked, not yet accepting */
	SLOT_IDLE,			/* waiting for a connection */
	SLOT_BUSY,			/* serving a client */
	SLOT_EXITING
};

/* Response classes counted per worker: 1xx to 5xx. */
#define STATUS_CLASSES		6

/*
 * One slot per worker, written only by its worker once running (the
 * parent fills it in before the fork and clears it after the reap), and
 * aligned so that two workers never write the same cache line.
 */
struct slot {
	pid_t			 pid;
	unsigned int		 generation;
	unsigned int		 number;	/* "worker N" */
	volatile int		 state;
	volatile int		 listening;	/* holds the listeners */
	uint64_t		 started;	/* monotonic ms, set by parent */
	uint64_t		 connections;
	uint64_t		 requests;
	uint64_t		 status[STATUS_CLASSES];
	uint64_t		 auth_failures;
	uint64_t		 heap;		/* bytes in use, sampled */
} __attribute__((aligned(64)));

#define SCOREBOARD_SLOTS	(2 * PREFORK_LIMIT)

/*
 * The shared memory.  The client addresses are packed apart from the
 * slots, so that counting one address's connections at accept time reads
 * a few kilobytes, not every slot; the unspecified address means none.
 */
struct scoreboard {
	volatile unsigned int	 used;		/* slots below this in use */
	struct slot		 slots[SCOREBOARD_SLOTS];
	struct in6_addr		 clients[SCOREBOARD_SLOTS];
};

struct totals {
	uint64_t		 connections;
	uint64_t		 requests;
	uint64_t		 status[STATUS_CLASSES];
	uint64_t		 auth_failures;
};

struct generation {
	TAILQ_ENTRY(generation)	 entry;
	unsigned int		 id;
	struct config		*conf;
	int			 draining;
	uint64_t		 drain_deadline;
	unsigned int		 next_number;	/* for worker titles */
	unsigned int		 quick_deaths;	/* crash-loop brake */
	uint64_t		 spawn_after;
};
TAILQ_HEAD(generationlist, generation);

extern struct scoreboard	*scoreboard;
extern volatile sig_atomic_t worker_draining;

/* pool.c */
void	 pool_init(void);
int	 pool_spawn(struct generation *);
void	 pool_reap(struct generationlist *, struct totals *);
void	 pool_maintain(struct generationlist *, uint64_t);
void	 pool_signal(const struct generation *, int);
unsigned int pool_count(const struct generation *, int);
uint64_t pool_next_tick(const struct generationlist *, uint64_t);

/* privsep.c */
void	 proc_title_init(int, char *[], char *[]);
void	 proc_title(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	 privsep_close_fds(const struct config *);
void	 privsep_drop(const struct config *);

/* worker.c */
__attribute__((__noreturn__)) void worker_main(struct config *,
	    struct slot *);


#endif /* PROC_H */
