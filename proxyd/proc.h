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
#include <sys/tree.h>

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
 * One slot per worker in shared memory, written only by its worker once
 * running (the parent clears it before the fork and after the reap), and
 * aligned so that two workers never write the same cache line.  Any
 * worker can write any slot, so the parent reads them as untrusted
 * numbers: what it acts on (pids, generations, which slot is whose) it
 * keeps in its own memory, in struct child.
 */
struct slot {
	volatile int		 state;
	volatile int		 listening;	/* holds the listeners */
	uint64_t		 connections;
	uint64_t		 requests;
	uint64_t		 status[STATUS_CLASSES];
	uint64_t		 auth_failures;
	uint64_t		 tls_failures;	/* handshakes that failed */
	uint64_t		 heap;		/* bytes in use, sampled */
} __attribute__((aligned(64)));

#define SCOREBOARD_SLOTS	(2 * PREFORK_LIMIT)

/*
 * The shared memory.  The client addresses are packed apart from the
 * slots, so that counting one address's connections at accept time reads
 * a few kilobytes, not every slot; the unspecified address means none.
 * The parent writes used for the workers' sake; it never reads it back.
 */
struct scoreboard {
	volatile unsigned int	 used;		/* slots below this in use */
	struct slot		 slots[SCOREBOARD_SLOTS];
	struct in6_addr		 clients[SCOREBOARD_SLOTS];
};

/* A slot as the parent may use it: state checked, counters copied. */
struct slot_view {
	int			 state;
	int			 listening;
	uint64_t		 connections;
	uint64_t		 requests;
	uint64_t		 status[STATUS_CLASSES];
	uint64_t		 auth_failures;
	uint64_t		 tls_failures;
	uint64_t		 heap;
};

struct totals {
	uint64_t		 connections;
	uint64_t		 requests;
	uint64_t		 status[STATUS_CLASSES];
	uint64_t		 auth_failures;
	uint64_t		 tls_failures;
};

/* Messages the parent owes a worker, sent when its channel takes them. */
#define OWE_DRAIN		0x01
#define OWE_LOGFD		0x02
#define OWE_TICKETS		0x04

struct generation;

/* The parent's own record of a worker it forked. */
struct child {
	RB_ENTRY(child)		 pidentry;
	TAILQ_ENTRY(child)	 genentry;	/* spawn order */
	pid_t			 pid;
	struct generation	*gen;
	unsigned int		 slot;
	unsigned int		 number;	/* "worker N" */
	uint64_t		 started;	/* monotonic ms */
	int			 chan;		/* our end of its channel */
	unsigned int		 owed;		/* OWE_* */
	int			 drained;	/* told to drain */
};
RB_HEAD(childtree, child);
TAILQ_HEAD(childlist, child);

struct generation {
	TAILQ_ENTRY(generation)	 entry;
	unsigned int		 id;
	struct config		*conf;
	struct childlist	 children;
	unsigned int		 nchildren;
	int			 draining;
	uint64_t		 drain_deadline;
	unsigned int		 quick_deaths;	/* crash-loop brake */
	uint64_t		 spawn_after;
	struct keyproc		*keyprocs;	/* keyproc.c */
	unsigned int		 nkeyprocs;
	int			 logfd;		/* access log, or -1 */
};
TAILQ_HEAD(generationlist, generation);

/* The parent's record of a key process. */
struct keyproc {
	pid_t			 pid;		/* 0: dead, to be replaced */
	int			 chan;
	unsigned int		 index;
	struct generation	*gen;
	uint64_t		 started;
	unsigned int		 quick_deaths;
	uint64_t		 respawn_after;
	int			 drained;
};

/* What a worker knows of itself; the parent fills it in before the fork. */
struct worker_self {
	unsigned int		 number;
	unsigned int		 generation;
	unsigned int		 slotno;
	struct slot		*slot;
	int			 chan;		/* its end of the channel */
	int			 keyfd;		/* to the key process, or -1 */
	int			 logfd;		/* the access log, or -1 */
};

extern struct scoreboard	*scoreboard;
extern volatile sig_atomic_t worker_draining;

/* pool.c */
void	 pool_init(void);
int	 pool_spawn(struct generation *);
void	 pool_reap(struct generationlist *, struct totals *);
void	 pool_maintain(struct generationlist *, uint64_t);
void	 pool_drain(struct generation *);
void	 pool_kill(struct generation *);
void	 pool_owe(struct generation *, unsigned int);
void	 pool_flush(struct generationlist *);
unsigned int pool_count(const struct generation *, int);
int	 pool_listening(const struct generationlist *);
void	 slot_read(unsigned int, struct slot_view *);
struct status_info;
int	 pool_status(const struct generationlist *, struct status_info *);

/* privsep.c */
void	 proc_title_init(int, char *[], char *[]);
void	 proc_title(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	 privsep_close_fds(const struct config *, const int *, size_t);
void	 privsep_drop(const struct config *);

/* worker.c */
__attribute__((__noreturn__)) void worker_main(struct config *,
	    struct worker_self *);
void	 worker_wakeup(int);

#endif /* PROC_H */
