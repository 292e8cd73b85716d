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
 * The pre-fork pool: the scoreboard in shared memory, forking workers
 * into free slots, reaping them, keeping each generation between its
 * minimum and maximum, and retiring idle workers above the minimum.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "log.h"

#define GROW_MAX_STEP		32	/* workers forked in one tick */
#define RETIRE_INTERVAL		1000	/* ms between two retirements */
#define QUICK_DEATH		1000	/* ms: a worker that dies this young */
#define QUICK_DEATHS_MAX	5	/*  this many times in a row is a loop */

struct scoreboard	*scoreboard;
static uint64_t		 last_retire;

void
pool_init(void)
{
	scoreboard = mmap(NULL, sizeof(*scoreboard), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (scoreboard == MAP_FAILED)
		fatal("mmap scoreboard");
	memset(scoreboard, 0, sizeof(*scoreboard));
}

static int
slot_alloc(void)
{
	int	 i;

	for (i = 0; i < SCOREBOARD_SLOTS; i++) {
		if (scoreboard->slots[i].state == SLOT_FREE) {
			if ((unsigned int)i >= scoreboard->used)
				scoreboard->used = i + 1;
			return i;
		}
	}
	return -1;
}

static void
slot_free(struct slot *slot)
{
	int	 i = slot - scoreboard->slots;

	memset(slot, 0, sizeof(*slot));
	memset(&scoreboard->clients[i], 0, sizeof(scoreboard->clients[i]));
	while (scoreboard->used > 0 &&
	    scoreboard->slots[scoreboard->used - 1].state == SLOT_FREE)
		scoreboard->used--;
}

/* The lowest worker number not in use in the generation. */
static unsigned int
worker_number(const struct generation *g)
{
	unsigned int	 n, i;
	int		 taken;

	for (n = 1;; n++) {
		taken = 0;
		for (i = 0; i < scoreboard->used; i++) {
			if (scoreboard->slots[i].state != SLOT_FREE &&
			    scoreboard->slots[i].generation == g->id &&
			    scoreboard->slots[i].number == n) {
				taken = 1;
				break;
			}
		}
		if (!taken)
			return n;
	}
}

int
pool_spawn(struct generation *g)
{
	struct slot	*slot;
	pid_t		 pid;
	int		 i;

	if ((i = slot_alloc()) == -1) {
		log_warnx("scoreboard full: cannot start a worker");
		return -1;
	}
	slot = &scoreboard->slots[i];
	memset(slot, 0, sizeof(*slot));
	slot->generation = g->id;
	slot->number = worker_number(g);
	slot->started = now_ms();
	slot->state = SLOT_STARTING;
	switch (pid = fork()) {
	case -1:
		log_warn("fork");
		slot_free(slot);
		return -1;
	case 0:
		worker_main(g->conf, slot);
		/* NOTREACHED */
	default:
		slot->pid = pid;
		return 0;
	}
}

static struct slot *
slot_of(pid_t pid)
{
	unsigned int	 i;

	for (i = 0; i < scoreboard->used; i++)
		if (scoreboard->slots[i].state != SLOT_FREE &&
		    scoreboard->slots[i].pid == pid)
			return &scoreboard->slots[i];
	return NULL;
}

static struct generation *
generation_of(struct generationlist *gens, unsigned int id)
{
	struct generation	*g;

	TAILQ_FOREACH(g, gens, entry)
		if (g->id == id)
			return g;
	return NULL;
}

/* Collect dead workers, keeping their counters in the totals. */
void
pool_reap(struct generationlist *gens, struct totals *t)
{
	struct generation	*g;
	struct slot		*slot;
	pid_t			 pid;
	int			 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((slot = slot_of(pid)) == NULL)
			continue;
		t->connections += slot->connections;
		t->requests += slot->requests;
		for (i = 0; i < STATUS_CLASSES; i++)
			t->status[i] += slot->status[i];
		t->auth_failures += slot->auth_failures;
		g = generation_of(gens, slot->generation);
		if (g != NULL && !g->draining && (WIFSIGNALED(status) ||
		    WEXITSTATUS(status) != 0)) {
			if (WIFSIGNALED(status))
				log_warnx("worker %u (pid %d) killed by "
				    "signal %d", slot->number, pid,
				    WTERMSIG(status));
			else
				log_warnx("worker %u (pid %d) exited with "
				    "status %d", slot->number, pid,
				    WEXITSTATUS(status));
			if (now_ms() - slot->started < QUICK_DEATH)
				g->quick_deaths++;
			else
				g->quick_deaths = 0;
		}
		slot_free(slot);
	}
}

unsigned int
pool_count(const struct generation *g, int state)
{
	unsigned int	 i, n = 0;
	int		 st;

	for (i = 0; i < scoreboard->used; i++) {
		if (scoreboard->slots[i].generation != g->id)
			continue;
		st = scoreboard->slots[i].state;
		if (st == SLOT_FREE)
			continue;
		if (state == -1 || st == state)
			n++;
	}
	return n;
}

void
pool_signal(const struct generation *g, int sig)
{
	unsigned int	 i;

	for (i = 0; i < scoreboard->used; i++)
		if (scoreboard->slots[i].state != SLOT_FREE &&
		    scoreboard->slots[i].generation == g->id &&
		    scoreboard->slots[i].pid > 0)
			kill(scoreboard->slots[i].pid, sig);
}

/* Ask the idle worker with the highest slot to leave. */
static void
retire_one(const struct generation *g)
{
	int	 i;

	for (i = scoreboard->used - 1; i >= 0; i--) {
		if (scoreboard->slots[i].generation == g->id &&
		    scoreboard->slots[i].state == SLOT_IDLE &&
		    scoreboard->slots[i].pid > 0) {
			kill(scoreboard->slots[i].pid, SIGTERM);
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
 * generations whose time is up.
 */
void
pool_maintain(struct generationlist *gens, uint64_t now)
{
	struct generation	*g;
	const struct config	*conf;
	unsigned int		 total, idle, step;

	TAILQ_FOREACH(g, gens, entry) {
		if (g->draining) {
			if (now >= g->drain_deadline)
				pool_signal(g, SIGKILL);
			continue;
		}
		conf = g->conf;
		total = pool_count(g, -1);
		idle = pool_count(g, SLOT_IDLE) + pool_count(g, SLOT_STARTING);
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
