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
 * The text of proxyctl status: the lines SPEC.md section 7 fixes, in
 * their order, then listeners, servers, backends, draining generations
 * and workers.  The numbers workers reported were checked by the parent
 * (slot_read); here they are only printed.
 */

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyd.h"
#include "proc.h"
#include "status.h"
#include "tls.h"

struct text {
	char	*buf;
	size_t	 len;
	size_t	 size;
	int	 failed;
};

static void	 text_add(struct text *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	size_t	 size;
	int	 n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = 1;
			return;
		}
		if ((size_t)n < t->size - t->len) {
			t->len += n;
			return;
		}
		size = t->size * 2 + n;
		if ((p = realloc(t->buf, size)) == NULL) {
			t->failed = 1;
			return;
		}
		t->buf = p;
		t->size = size;
	}
}

/*
 * What a worker wrote in its slot, copied once (it may change under us)
 * and made safe to use: a state the parent does not know is taken for
 * busy, which at worst grows the pool up to its maximum.
 */
void
slot_view_of(const struct slot *s, struct slot_view *v)
{
	int	 j;

	v->state = s->state;
	if (v->state < SLOT_STARTING || v->state > SLOT_EXITING)
		v->state = SLOT_BUSY;
	v->listening = s->listening != 0;
	v->connections = s->connections;
	v->requests = s->requests;
	for (j = 0; j < STATUS_CLASSES; j++)
		v->status[j] = s->status[j];
	v->auth_failures = s->auth_failures;
	v->tls_failures = s->tls_failures;
	v->heap = s->heap;
}

static uint64_t
add_saturated(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Add a worker's counters to the totals; they stop at the top. */
void
totals_add(struct totals *t, const struct slot_view *v)
{
	int	 i;

	t->connections = add_saturated(t->connections, v->connections);
	t->requests = add_saturated(t->requests, v->requests);
	for (i = 0; i < STATUS_CLASSES; i++)
		t->status[i] = add_saturated(t->status[i], v->status[i]);
	t->auth_failures = add_saturated(t->auth_failures, v->auth_failures);
	t->tls_failures = add_saturated(t->tls_failures, v->tls_failures);
}

/* When a server's certificate expires; a warning when soon or past. */
static void
certificate_line(struct text *t, const struct server *srv, time_t now)
{
	struct tm	 tm;
	char		 date[32];
	long long	 days;

	if (gmtime_r(&srv->cert_expiry, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		strlcpy(date, "?", sizeof(date));
	days = ((long long)srv->cert_expiry - now) / 86400;
	if (srv->cert_expiry <= now)
		text_add(t, "certificate %s: expired %s\n", srv->name, date);
	else
		text_add(t, "certificate %s: expires %s, in %lld day%s%s\n",
		    srv->name, date, days, days == 1 ? "" : "s",
		    srv->cert_expiry - now < CERT_EXPIRY_WARN ? " (renew it)" :
		    "");
}

const char *
status_state_name(int state)
{
	switch (state) {
	case SLOT_STARTING:
		return "starting";
	case SLOT_IDLE:
		return "idle";
	case SLOT_BUSY:
		return "busy";
	case SLOT_EXITING:
		return "exiting";
	default:
		return "free";
	}
}

/* The status text, NUL-terminated, to be freed; NULL if out of memory. */
char *
status_format(const struct status_info *si)
{
	const struct config	*conf = si->conf;
	const struct listener	*l;
	const struct server	*srv;
	const struct upstream	*up;
	const struct status_worker *w;
	struct text		 t;
	size_t			 i;

	t.size = 4096;
	t.len = 0;
	t.failed = 0;
	if ((t.buf = malloc(t.size)) == NULL)
		return NULL;
	text_add(&t, "proxyd: %s\npid: %d\nuptime: %llu\ngeneration: %u\n"
	    "config: %s\n"
	    "workers: %u total, %u busy, %u idle (min %u, max %u)\n"
	    "connections: %llu\n"
	    "requests: %llu (2xx %llu, 3xx %llu, 4xx %llu, 5xx %llu)\n"
	    "auth failures: %llu\n",
	    PROXYD_VERSION, (int)si->pid, (unsigned long long)si->uptime,
	    si->generation, si->config, si->total, si->busy, si->idle,
	    conf->prefork_min, conf->prefork_max,
	    (unsigned long long)si->totals.connections,
	    (unsigned long long)si->totals.requests,
	    (unsigned long long)si->totals.status[2],
	    (unsigned long long)si->totals.status[3],
	    (unsigned long long)si->totals.status[4],
	    (unsigned long long)si->totals.status[5],
	    (unsigned long long)si->totals.auth_failures);
	text_add(&t, "tls handshake failures: %llu\n",
	    (unsigned long long)si->totals.tls_failures);
	TAILQ_FOREACH(l, &conf->listeners, entry)
		text_add(&t, "listener %s%s: %zu server%s\n", l->name,
		    l->tls ? " tls" : "", l->nservers,
		    l->nservers == 1 ? "" : "s");
	TAILQ_FOREACH(srv, &conf->servers, entry)
		text_add(&t, "server %s: line %d\n", srv->name, srv->line);
	TAILQ_FOREACH(srv, &conf->servers, entry)
		if (srv->ssl_ctx != NULL)
			certificate_line(&t, srv, si->now);
	TAILQ_FOREACH(up, &conf->upstreams, entry)
		text_add(&t, "backend %s port %u%s: %zu address%s\n",
		    up->host, up->port, up->tls ? " tls" : "", up->naddrs,
		    up->naddrs == 1 ? "" : "es");
	for (i = 0; i < si->ndraining; i++)
		text_add(&t, "generation %u: draining, %u worker%s\n",
		    si->draining[i].id, si->draining[i].workers,
		    si->draining[i].workers == 1 ? "" : "s");
	for (i = 0; i < si->nworkers; i++) {
		w = &si->workers[i];
		text_add(&t, "worker %u (gen %u): pid %d, %s, %llu "
		    "connections, %llu requests, heap %llu\n",
		    w->number, w->generation, (int)w->pid,
		    status_state_name(w->view.state),
		    (unsigned long long)w->view.connections,
		    (unsigned long long)w->view.requests,
		    (unsigned long long)w->view.heap);
	}
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}
