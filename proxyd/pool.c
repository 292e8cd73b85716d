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
 * The pre-fork pool: forking workers into free slots of the scoreboard,
 * reaping them, keeping each generation between its minimum and maximum,
 * retiring idle workers above the minimum, and the messages the parent
 * owes each worker on its channel.
 *
 * Every pid the parent signals, every generation and slot it acts on,
 * comes from its own table of the children it forked (struct child),
 * filled at fork and emptied at waitpid.  The shared scoreboard holds
 * only what workers report: their state and counters, which the parent
 * reads as untrusted numbers, clamped, never as an index or a pid.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/tree.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "chan.h"
#include "keyproc.h"
#include "status.h"
#include "tls.h"
#include "log.h"

#define GROW_MAX_STEP		32	/* workers forked in one tick */
#define RETIRE_INTERVAL		1000	/* ms between two retirements */
#define QUICK_DEATH		1000	/* ms: a worker that dies this young */
#define QUICK_DEATHS_MAX	5	/*  this many times in a row is a loop */

struct scoreboard	*scoreboard;
static struct childtree	 children = RB_INITIALIZER(&children);
static unsigned char	 slot_taken[SCOREBOARD_SLOTS];
static unsigned int	 slots_high;	/* slots below this may be taken */
static uint64_t		 last_retire;

int	 child_cmp(struct child *, struct child *);

int
child_cmp(struct child *a, struct child *b)
{
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

RB_PROTOTYPE(childtree, child, pidentry, child_cmp)
RB_GENERATE(childtree, child, pidentry, child_cmp)

void
pool_init(void)
{
	scoreboard = mmap(NULL, sizeof(*scoreboard), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (scoreboard == MAP_FAILED)
		fatal("mmap scoreboard");
	memset(scoreboard, 0, sizeof(*scoreboard));
}

static void
slot_clear(unsigned int i)
{
	memset(&scoreboard->slots[i], 0, sizeof(scoreboard->slots[i]));
	memset(&scoreboard->clients[i], 0, sizeof(scoreboard->clients[i]));
}

static int
slot_alloc(void)
{
	unsigned int	 i;

	for (i = 0; i < SCOREBOARD_SLOTS; i++) {
		if (slot_taken[i])
			continue;
		slot_taken[i] = 1;
		if (i >= slots_high)
			slots_high = i + 1;
		scoreboard->used = slots_high;
		slot_clear(i);
		return i;
	}
	return -1;
}

static void
slot_release(unsigned int i)
{
	slot_clear(i);
	slot_taken[i] = 0;
	while (slots_high > 0 && !slot_taken[slots_high - 1])
		slots_high--;
	scoreboard->used = slots_high;
}

/* What a worker wrote in slot i, with a state the parent knows. */
void
slot_read(unsigned int i, struct slot_view *v)
{
	slot_view_of(&scoreboard->slots[i], v);
}

static int
child_state(const struct child *c)
{
	struct slot_view	 v;

	slot_read(c->slot, &v);
	return v.state;
}

/* The lowest worker number not in use in the generation. */
static unsigned int
worker_number(const struct generation *g)
{
	const struct child	*c;
	unsigned int		 n;

	for (n = 1;; n++) {
		TAILQ_FOREACH(c, &g->children, genentry)
			if (c->number == n)
				break;
		if (c == NULL)
			return n;
	}
}

int
pool_spawn(struct generation *g)
{
	struct worker_self	 self;
	struct child		*c;
	pid_t			 pid;
	int			 i, sv[2], keyfd;

	if ((i = slot_alloc()) == -1) {
		log_warnx("scoreboard full: cannot start a worker");
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s", __func__);
		slot_release(i);
		return -1;
	}
	if (chan_pair(sv) == -1) {
		log_warn("worker channel");
		free(c);
		slot_release(i);
		return -1;
	}
	c->gen = g;
	c->slot = i;
	c->number = worker_number(g);
	c->started = now_ms();
	c->chan = sv[0];
	keyfd = keyproc_peer(g, c->number);
	scoreboard->slots[i].state = SLOT_STARTING;
	switch (pid = fork()) {
	case -1:
		log_warn("fork");
		close(sv[0]);
		close(sv[1]);
		if (keyfd != -1)
			close(keyfd);
		free(c);
		slot_release(i);
		return -1;
	case 0:
		close(sv[0]);
		self.number = c->number;
		self.generation = g->id;
		self.slotno = i;
		self.slot = &scoreboard->slots[i];
		self.chan = sv[1];
		self.keyfd = keyfd;
		self.logfd = g->logfd;
		worker_main(g->conf, &self);
		/* NOTREACHED */
	default:
		close(sv[1]);
		if (keyfd != -1)
			close(keyfd);
		c->pid = pid;
		RB_INSERT(childtree, &children, c);
		TAILQ_INSERT_TAIL(&g->children, c, genentry);
		g->nchildren++;
		return 0;
	}
}

static void
child_forget(struct child *c)
{
	struct generation	*g = c->gen;

	RB_REMOVE(childtree, &children, c);
	TAILQ_REMOVE(&g->children, c, genentry);
	g->nchildren--;
	slot_release(c->slot);
	if (c->chan != -1)
		close(c->chan);
	free(c);
}

/* Collect dead workers, keeping their counters in the totals. */
void
pool_reap(struct generationlist *gens, struct totals *t)
{
	struct child		 key, *c;
	struct generation	*g;
	struct slot_view	 v;
	pid_t			 pid;
	int			 status;

	(void)gens;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		key.pid = pid;
		if ((c = RB_FIND(childtree, &children, &key)) == NULL) {
			(void)keyproc_reap(pid, status);
			continue;
		}
		g = c->gen;
		slot_read(c->slot, &v);
		totals_add(t, &v);
		if (!g->draining && !c->drained && (WIFSIGNALED(status) ||
		    WEXITSTATUS(status) != 0)) {
			if (WIFSIGNALED(status))
				log_warnx("worker %u (pid %d) killed by "
				    "signal %d", c->number, pid,
				    WTERMSIG(status));
			else
				log_warnx("worker %u (pid %d) exited with "
				    "status %d", c->number, pid,
				    WEXITSTATUS(status));
			if (now_ms() - c->started < QUICK_DEATH)
				g->quick_deaths++;
			else
				g->quick_deaths = 0;
		}
		child_forget(c);
	}
}

/* Workers of the generation in a state, or all of them with -1. */
unsigned int
pool_count(const struct generation *g, int state)
{
	const struct child	*c;
	unsigned int		 n = 0;

	if (state == -1)
		return g->nchildren;
	TAILQ_FOREACH(c, &g->children, genentry)
		if (child_state(c) == state)
			n++;
	return n;
}

/* Does any worker still hold a listening socket, as it says? */
int
pool_listening(const struct generationlist *gens)
{
	const struct generation	*g;
	const struct child	*c;
	struct slot_view	 v;

	TAILQ_FOREACH(g, gens, entry) {
		TAILQ_FOREACH(c, &g->children, genentry) {
			slot_read(c->slot, &v);
			if (v.listening)
				return 1;
		}
	}
	return 0;
}

/* Send what a worker is owed, as far as its channel takes it now. */
static void
child_flush(struct child *c)
{
	const struct ticket_keys *tk;

	if (c->owed & OWE_TICKETS) {
		if ((tk = tls_tickets()) == NULL ||
		    chan_send(c->chan, CHAN_TICKETS, tk, sizeof(*tk), -1) == 0 ||
		    errno != EAGAIN)
			c->owed &= ~OWE_TICKETS;
	}
	if ((c->owed & OWE_LOGFD) && c->gen->logfd != -1) {
		if (chan_send(c->chan, CHAN_LOGFD, NULL, 0, c->gen->logfd) ==
		    0)
			c->owed &= ~OWE_LOGFD;
		else if (errno != EAGAIN)
			c->owed &= ~OWE_LOGFD;	/* it is on its way out */
	}
	if (c->owed & OWE_DRAIN) {
		if (chan_send(c->chan, CHAN_DRAIN, NULL, 0, -1) == -1) {
			if (errno == EAGAIN)
				return;
			/* No channel: the signal says the same. */
			kill(c->pid, SIGTERM);
		}
		c->owed &= ~OWE_DRAIN;
		c->drained = 1;
	}
}

void
pool_flush(struct generationlist *gens)
{
	struct generation	*g;
	struct child		*c;

	TAILQ_FOREACH(g, gens, entry)
		TAILQ_FOREACH(c, &g->children, genentry)
			if (c->owed != 0)
				child_flush(c);
}

static void
child_drain(struct child *c)
{
	if (c->drained)
		return;
	c->owed |= OWE_DRAIN;
	child_flush(c);
}

/* Tell every worker of the generation to finish and exit. */
void
pool_drain(struct generation *g)
{
	struct child	*c;

	TAILQ_FOREACH(c, &g->children, genentry)
		child_drain(c);
}

void
pool_kill(struct generation *g)
{
	struct child	*c;

	TAILQ_FOREACH(c, &g->children, genentry)
		kill(c->pid, SIGKILL);
}

/* Owe every worker of the generation a message. */
void
pool_owe(struct generation *g, unsigned int what)
{
	struct child	*c;

	TAILQ_FOREACH(c, &g->children, genentry)
		c->owed |= what;
}

/*
 * Retire the idle worker forked last: the older ones are the first the
 * kernel wakes for a new connection (each worker's epoll set waits on the
 * listeners in the order the workers started), so they are the ones with
 * warm backend connections and TLS sessions to keep.
 *
 * The test build can retire the oldest instead, the worker a lone request
 * wakes, to aim retirements at a worker that is just accepting: the
 * drain in worker.c must lose no such connection.
 */
static void
retire_one(struct generation *g)
{
	struct child	*c;

#ifdef PROXYD_REGRESS
	if (getenv("PROXYD_REGRESS_RETIRE_OLDEST") != NULL) {
		TAILQ_FOREACH(c, &g->children, genentry) {
			if (!c->drained && child_state(c) == SLOT_IDLE) {
				child_drain(c);
				return;
			}
		}
		return;
	}
#endif
	TAILQ_FOREACH_REVERSE(c, &g->children, childlist, genentry) {
		if (!c->drained && child_state(c) == SLOT_IDLE) {
			child_drain(c);
			return;
		}
	}
}

static void
grow(struct generation *g, unsigned int n, uint64_t now)
{
	if (now < g->spawn_after)
		return;
	if (g->quick_deaths >= QUICK_DEATHS_MAX) {
		/* Workers die at birth: do not fork in a tight loop. */
		log_warnx("workers keep dying at start; waiting a second");
		g->spawn_after = now + 1000;
		g->quick_deaths = 0;
		return;
	}
	while (n-- > 0)
		if (pool_spawn(g) == -1)
			break;
}

/*
 * Keep the serving generation between its bounds, and end draining
 * generations whose time is up.  Workers told to go count no more.
 */
void
pool_maintain(struct generationlist *gens, uint64_t now)
{
	struct generation	*g;
	const struct config	*conf;
	const struct child	*c;
	unsigned int		 total, idle, step;
	int			 st;

	TAILQ_FOREACH(g, gens, entry) {
		if (g->draining) {
			if (now >= g->drain_deadline) {
				pool_kill(g);
				keyproc_kill(g);
			}
			continue;
		}
		conf = g->conf;
		total = idle = 0;
		TAILQ_FOREACH(c, &g->children, genentry) {
			if (c->drained)
				continue;
			total++;
			st = child_state(c);
			if (st == SLOT_IDLE || st == SLOT_STARTING)
				idle++;
		}
		if (total < conf->prefork_min) {
			grow(g, conf->prefork_min - total, now);
		} else if (idle == 0 && total < conf->prefork_max) {
			step = total / 2;
			if (step < 1)
				step = 1;
			if (step > GROW_MAX_STEP)
				step = GROW_MAX_STEP;
			if (step > conf->prefork_max - total)
				step = conf->prefork_max - total;
			grow(g, step, now);
		} else if (idle > 1 && total > conf->prefork_min &&
		    now - last_retire >= RETIRE_INTERVAL) {
			retire_one(g);
			last_retire = now;
		}
	}
}

/*
 * Fill in the workers' part of the status: the counts of the serving
 * generation, the counters of every living worker added to si->totals,
 * and one entry per worker and per draining generation (arrays the
 * caller frees).  -1 if out of memory.
 */
int
pool_status(const struct generationlist *gens, struct status_info *si)
{
	const struct generation	*g;
	const struct child	*c;
	struct status_worker	*ws, *w;
	struct status_generation *d;
	size_t			 nw = 0, nd = 0;

	TAILQ_FOREACH(g, gens, entry) {
		nw += g->nchildren;
		nd++;
	}
	si->workers = ws = calloc(nw + 1, sizeof(*ws));
	si->draining = d = calloc(nd + 1, sizeof(*d));
	if (ws == NULL || d == NULL) {
		free(ws);
		free(d);
		si->workers = NULL;
		si->draining = NULL;
		return -1;
	}
	si->nworkers = si->ndraining = 0;
	si->total = si->busy = si->idle = 0;
	TAILQ_FOREACH(g, gens, entry) {
		if (g->draining) {
			d[si->ndraining].id = g->id;
			d[si->ndraining].workers = g->nchildren;
			si->ndraining++;
		}
		TAILQ_FOREACH(c, &g->children, genentry) {
			w = &ws[si->nworkers++];
			w->number = c->number;
			w->generation = g->id;
			w->pid = c->pid;
			slot_read(c->slot, &w->view);
			totals_add(&si->totals, &w->view);
			si->total++;
			if (w->view.state == SLOT_BUSY)
				si->busy++;
			else if (w->view.state == SLOT_IDLE ||
			    w->view.state == SLOT_STARTING)
				si->idle++;
		}
	}
	return 0;
}
