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
 * Unit tests of route.c, the worker's own code for where a request goes:
 * server choice by Host or absolute-form authority (SPEC.md 4.1), the
 * location under the canonical path (4.3, 4.4), the expansion of
 * redirect targets, and the copies of request fields kept for the later
 * stages.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atf-c.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"

volatile sig_atomic_t	 worker_draining;

static struct config	*conf;
static struct session	 sess;
static struct http_field fields[64];
static char		 in[4096];
static char		 path[4096 * 3 + 1];
static char		 infobuf[4096];

static void
load(void)
{
	struct errlist	 errs = { NULL, 0 };
	FILE		*fp;
	size_t		 i;

	ATF_REQUIRE((fp = fopen("t.conf", "w")) != NULL);
	fputs("user \"nobody\"\nchroot \"/\"\n"
	    "server \"first.example.com\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	location \"/old\" { redirect to \"https://$HOST$REQUEST_URI\" }\n"
	    "	location \"/name\" { redirect code 302 to \"//$SERVER_NAME/x\" }\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n"
	    "}\n"
	    "server \"app.example.com\" {\n"
	    "	alias \"*.app.example.com\"\n"
	    "	alias \"*.deep.app.example.com\"\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	location \"/some/part\" { no proxy }\n"
	    "	proxy to \"http://127.0.0.1:9001/\"\n"
	    "}\n", fp);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE(chmod("t.conf", 0644) == 0);
	conf = parse_config("t.conf", NULL, &errs);
	for (i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	ATF_REQUIRE(conf != NULL);
}

/* Parse a request as the worker does; returns route_server()'s answer. */
static int
request(const char *head)
{
	struct http_limits	 lim = { 4096, 64 };
	struct session		*s = &sess;

	if (conf == NULL)
		load();
	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->listener = TAILQ_FIRST(&conf->listeners);
	s->path = path;
	s->pathsize = sizeof(path);
	s->info.buf = infobuf;
	s->info.size = sizeof(infobuf);
	strlcpy(in, head, sizeof(in));
	s->req.fields = fields;
	s->req.maxfields = 64;
	ATF_REQUIRE_EQ(http_parse_request(in, strlen(in), &s->req, &lim),
	    HTTP_OK);
	return route_server(s);
}

static const char *
server_of(const char *head)
{
	ATF_REQUIRE_EQ(request(head), 0);
	return sess.server->name;
}

ATF_TC_WITHOUT_HEAD(server_choice);
ATF_TC_BODY(server_choice, tc)
{
	ATF_CHECK_STREQ(server_of("GET / HTTP/1.1\r\nHost: app.example.com"
	    "\r\n\r\n"), "app.example.com");
	ATF_CHECK(sess.host_named);
	/* Port removed, any case. */
	ATF_CHECK_STREQ(server_of("GET / HTTP/1.1\r\nHost: APP.Example.COM:"
	    "8080\r\n\r\n"), "app.example.com");
	ATF_CHECK_STREQ(sess.hostport, "APP.Example.COM:8080");
	ATF_CHECK_STREQ(sess.host, "APP.Example.COM");
	/* Wildcard aliases. */
	ATF_CHECK_STREQ(server_of("GET / HTTP/1.1\r\nHost: x.app.example.com"
	    "\r\n\r\n"), "app.example.com");
	ATF_CHECK_STREQ(server_of("GET / HTTP/1.1\r\nHost: "
	    "a.b.deep.app.example.com\r\n\r\n"), "app.example.com");
	/* No match, or no Host in HTTP/1.0: the first server. */
	ATF_CHECK_STREQ(server_of("GET / HTTP/1.1\r\nHost: other\r\n\r\n"),
	    "first.example.com");
	ATF_CHECK(!sess.host_named);
	ATF_CHECK_STREQ(server_of("GET / HTTP/1.0\r\n\r\n"),
	    "first.example.com");
	ATF_CHECK(!sess.has_host);
	/* The authority of an absolute-form target wins over Host. */
	ATF_CHECK_STREQ(server_of("GET http://app.example.com/x HTTP/1.1\r\n"
	    "Host: first.example.com\r\n\r\n"), "app.example.com");
	/* One that names no server here is refused. */
	ATF_CHECK_EQ(request("GET http://elsewhere.example/x HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n"), 400);
}

static const char *
location_of(const char *target)
{
	char	 head[512];

	snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: "
	    "app.example.com\r\n\r\n", target);
	ATF_REQUIRE_EQ(request(head), 0);
	ATF_REQUIRE_EQ(route_path(&sess), 0);
	return sess.loc->prefixlen == 0 ? "(server)" : sess.loc->prefix;
}

ATF_TC_WITHOUT_HEAD(location_choice);
ATF_TC_BODY(location_choice, tc)
{
	ATF_CHECK_STREQ(location_of("/some/part"), "/some/part");
	ATF_CHECK_STREQ(location_of("/some/part/x"), "/some/part");
	ATF_CHECK_STREQ(location_of("/some//part"), "/some/part");
	ATF_CHECK_STREQ(location_of("/x/../some/part"), "/some/part");
	ATF_CHECK_STREQ(location_of("/some/%70art"), "/some/part");
	ATF_CHECK_STREQ(location_of("/some/part;x=1"), "/some/part");
	ATF_CHECK_STREQ(location_of("/some/partial"), "(server)");
	ATF_CHECK_EQ(sess.pathlen, 13);
	ATF_CHECK(memcmp(sess.path, "/some/partial", 13) == 0);
	/* A path that climbs above the root is refused. */
	ATF_REQUIRE_EQ(request("GET /../x HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	ATF_CHECK_EQ(route_path(&sess), 400);
}

static const char *
redirect_of(const char *head, const char *tmpl, size_t size)
{
	static char	 out[512];

	ATF_REQUIRE(size <= sizeof(out));
	ATF_REQUIRE_EQ(request(head), 0);
	if (route_redirect(&sess, tmpl, out, size) == -1)
		return NULL;
	return out;
}

ATF_TC_WITHOUT_HEAD(redirect_expansion);
ATF_TC_BODY(redirect_expansion, tc)
{
	const char	*t = "https://$HOST$REQUEST_URI";

	ATF_CHECK_STREQ(redirect_of("GET /a?b=c HTTP/1.1\r\nHost: "
	    "app.example.com:8080\r\n\r\n", t, 512),
	    "https://app.example.com/a?b=c");
	/* A Host that names no server: the server's name. */
	ATF_CHECK_STREQ(redirect_of("GET /a HTTP/1.1\r\nHost: evil.example"
	    "\r\n\r\n", t, 512), "https://first.example.com/a");
	ATF_CHECK_STREQ(redirect_of("GET /a HTTP/1.0\r\n\r\n", t, 512),
	    "https://first.example.com/a");
	/* Absolute form: path and query, "/" for an empty path. */
	ATF_CHECK_STREQ(redirect_of("GET http://app.example.com/p?q "
	    "HTTP/1.1\r\nHost: app.example.com\r\n\r\n", t, 512),
	    "https://app.example.com/p?q");
	ATF_CHECK_STREQ(redirect_of("GET http://app.example.com?q "
	    "HTTP/1.1\r\nHost: app.example.com\r\n\r\n", t, 512),
	    "https://app.example.com/?q");
	ATF_CHECK_STREQ(redirect_of("GET /x HTTP/1.1\r\nHost: "
	    "x.app.example.com\r\n\r\n", "//$SERVER_NAME/$HOST$", 512),
	    "//app.example.com/x.app.example.com$");
	/* Unknown names and a lone dollar stay as written. */
	ATF_CHECK_STREQ(redirect_of("GET /x HTTP/1.1\r\nHost: a\r\n\r\n",
	    "/$OTHER/$", 512), "/$OTHER/$");
	/* Exactly full, and one byte short. */
	ATF_CHECK_STREQ(redirect_of("GET /abc HTTP/1.1\r\nHost: a\r\n\r\n",
	    "$REQUEST_URI", 5), "/abc");
	ATF_CHECK(redirect_of("GET /abc HTTP/1.1\r\nHost: a\r\n\r\n",
	    "$REQUEST_URI", 4) == NULL);
	ATF_CHECK(redirect_of("GET /abc HTTP/1.1\r\nHost: a\r\n\r\n",
	    "x", 0) == NULL);
}

ATF_TC_WITHOUT_HEAD(reqinfo_copies);
ATF_TC_BODY(reqinfo_copies, tc)
{
	struct reqinfo	*ri = &sess.info;

	ATF_REQUIRE_EQ(request("POST /up?x HTTP/1.0\r\nHost: a\r\n"
	    "User-Agent: curl/8\r\nReferer: http://r/\r\n"
	    "Referer: http://second/\r\nContent-Length: 0\r\n\r\n"), 0);
	reqinfo_keep(ri, &sess.req);
	/* What the request head said survives its buffer. */
	memset(in, 'X', sizeof(in));
	ATF_CHECK_EQ(ri->methodlen, 4);
	ATF_CHECK(memcmp(ri->method, "POST", 4) == 0);
	ATF_CHECK_EQ(ri->targetlen, 5);
	ATF_CHECK(memcmp(ri->target, "/up?x", 5) == 0);
	ATF_CHECK_EQ(ri->agentlen, 6);
	ATF_CHECK(memcmp(ri->agent, "curl/8", 6) == 0);
	ATF_CHECK_EQ(ri->refererlen, 9);
	ATF_CHECK(memcmp(ri->referer, "http://r/", 9) == 0);
	ATF_CHECK_EQ(ri->minor, 0);
	ATF_CHECK(ri->len <= ri->size);
	/* None of them: NULL. */
	ATF_REQUIRE_EQ(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	reqinfo_keep(ri, &sess.req);
	ATF_CHECK(ri->agent == NULL && ri->referer == NULL);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, server_choice);
	ATF_TP_ADD_TC(tp, location_choice);
	ATF_TP_ADD_TC(tp, redirect_expansion);
	ATF_TP_ADD_TC(tp, reqinfo_copies);
	return atf_no_error();
}
