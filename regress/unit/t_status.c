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
 * Unit tests of what proxyctl status prints (status.c): the lines of
 * SPEC.md section 7 in their order, and that numbers a worker wrote into
 * its slot, whatever they are, come out as numbers the parent can stand
 * behind: states it knows, totals that stop at the top.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atf-c.h>

#include "proxyd.h"
#include "proc.h"
#include "status.h"

static struct config *
load(void)
{
	struct errlist	 errs = { NULL, 0 };
	struct config	*conf;
	FILE		*fp;

	ATF_REQUIRE((fp = fopen("t.conf", "w")) != NULL);
	fputs("user \"nobody\"\nchroot \"/\"\nprefork 2 max 4\n"
	    "server \"app\" {\n	listen on 127.0.0.1 port 8080\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n}\n", fp);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE(chmod("t.conf", 0644) == 0);
	conf = parse_config("t.conf", NULL, &errs);
	ATF_REQUIRE(conf != NULL);
	return conf;
}

ATF_TC_WITHOUT_HEAD(hostile_slots);
ATF_TC_BODY(hostile_slots, tc)
{
	struct slot		 s;
	struct slot_view	 v;
	struct totals		 t;
	const int		 states[] = { -1, 0, 5, 99, 0x7fffffff };
	size_t			 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		memset(&s, 0xff, sizeof(s));
		s.state = states[i];
		slot_view_of(&s, &v);
		ATF_CHECK_EQ(v.state, SLOT_BUSY);
		ATF_CHECK_EQ(v.listening, 1);
	}
	memset(&s, 0, sizeof(s));
	s.state = SLOT_IDLE;
	s.listening = 42;
	s.requests = 7;
	slot_view_of(&s, &v);
	ATF_CHECK_EQ(v.state, SLOT_IDLE);
	ATF_CHECK_EQ(v.listening, 1);
	ATF_CHECK_EQ(v.requests, 7);

	/* Totals never wrap. */
	memset(&t, 0, sizeof(t));
	memset(&s, 0xff, sizeof(s));
	s.state = SLOT_BUSY;
	slot_view_of(&s, &v);
	totals_add(&t, &v);
	totals_add(&t, &v);
	ATF_CHECK_EQ(t.requests, UINT64_MAX);
	ATF_CHECK_EQ(t.status[5], UINT64_MAX);
	memset(&t, 0, sizeof(t));
	t.requests = UINT64_MAX - 1;
	v.requests = 2;
	totals_add(&t, &v);
	ATF_CHECK_EQ(t.requests, UINT64_MAX);
}

ATF_TC_WITHOUT_HEAD(status_lines);
ATF_TC_BODY(status_lines, tc)
{
	struct status_info	 si;
	struct status_worker	 w[2];
	struct status_generation d[1];
	char			*text, want[1024];

	memset(&si, 0, sizeof(si));
	memset(w, 0, sizeof(w));
	si.pid = 1234;
	si.uptime = 56;
	si.generation = 3;
	si.config = "/etc/proxyd/proxyd.conf";
	si.conf = load();
	si.total = 2;
	si.busy = 1;
	si.idle = 1;
	si.totals.connections = 10;
	si.totals.requests = 20;
	si.totals.status[2] = 11;
	si.totals.status[3] = 3;
	si.totals.status[4] = 5;
	si.totals.status[5] = 1;
	si.totals.auth_failures = 2;
	w[0].number = 1;
	w[0].generation = 3;
	w[0].pid = 2000;
	w[0].view.state = SLOT_BUSY;
	w[0].view.requests = UINT64_MAX;
	w[1].number = 1;
	w[1].generation = 2;
	w[1].pid = 1999;
	w[1].view.state = SLOT_EXITING;
	d[0].id = 2;
	d[0].workers = 1;
	si.workers = w;
	si.nworkers = 2;
	si.draining = d;
	si.ndraining = 1;
	ATF_REQUIRE((text = status_format(&si)) != NULL);
	snprintf(want, sizeof(want),
	    "proxyd: %s\n"
	    "pid: 1234\n"
	    "uptime: 56\n"
	    "generation: 3\n"
	    "config: /etc/proxyd/proxyd.conf\n"
	    "workers: 2 total, 1 busy, 1 idle (min 2, max 4)\n"
	    "connections: 10\n"
	    "requests: 20 (2xx 11, 3xx 3, 4xx 5, 5xx 1)\n"
	    "auth failures: 2\n"
	    "tls handshake failures: 0\n"
	    "listener 127.0.0.1:8080: 1 server\n"
	    "server app: line 4\n"
	    "backend 127.0.0.1 port 9000: 1 address\n"
	    "generation 2: draining, 1 worker\n"
	    "worker 1 (gen 3): pid 2000, busy, 0 connections, "
	    "18446744073709551615 requests, heap 0\n"
	    "worker 1 (gen 2): pid 1999, exiting, 0 connections, "
	    "0 requests, heap 0\n", PROXYD_VERSION);
	ATF_CHECK_STREQ(text, want);
	free(text);
	config_free((struct config *)si.conf);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, hostile_slots);
	ATF_TP_ADD_TC(tp, status_lines);
	return atf_no_error();
}
