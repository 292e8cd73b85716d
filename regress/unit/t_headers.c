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
 * Unit tests of the heads proxyd writes (SPEC.md 4.7 and 4.8): what a
 * backend is sent for a request, and what a client is sent for a
 * response, from a configuration parsed for real and a request parsed
 * for real.
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
#include "path.h"

/* The clock, fixed so that heads compare exactly. */
const char *
http_date(void)
{
	return "Thu, 01 Jan 2026 00:00:00 GMT";
}

volatile sig_atomic_t	 worker_draining;

struct fixture {
	struct config		*conf;
	struct session		 s;
	struct http_field	 fields[64];
	struct http_field	 rfields[64];
	struct http_response	 resp;
	char			 in[8192];
	char			 rin[8192];
	char			 path[8192];
	char			 out[16384];
};

static struct fixture	 fx;

static void
load(const char *text)
{
	struct errlist	 errs = { NULL, 0 };
	FILE		*fp;
	size_t		 i;

	ATF_REQUIRE((fp = fopen("t.conf", "w")) != NULL);
	fprintf(fp, "user \"nobody\"\nchroot \"/\"\n%s", text);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE(chmod("t.conf", 0644) == 0);
	fx.conf = parse_config("t.conf", NULL, &errs);
	for (i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	ATF_REQUIRE(fx.conf != NULL);
}

/* Parse a request as the worker does and choose server and location. */
static void
request(const char *head)
{
	struct session		*s = &fx.s;
	struct http_limits	 lim = { 8192, 64 };

	memset(s, 0, sizeof(*s));
	s->conf = fx.conf;
	s->listener = TAILQ_FIRST(&fx.conf->listeners);
	strlcpy(s->peer, "192.0.2.7", sizeof(s->peer));
	strlcpy(fx.in, head, sizeof(fx.in));
	s->req.fields = fx.fields;
	s->req.maxfields = 64;
	ATF_REQUIRE_EQ(http_parse_request(fx.in, strlen(fx.in), &s->req,
	    &lim), HTTP_OK);
	/* The worker's own choice of server, path and location. */
	ATF_REQUIRE_EQ(route_server(s), 0);
	s->path = fx.path;
	s->pathsize = sizeof(fx.path);
	ATF_REQUIRE_EQ(route_path(s), 0);
	s->head.data = fx.out;
	s->head.size = sizeof(fx.out);
}

static const char *
backend_head(void)
{
	ATF_REQUIRE_EQ(headers_request(&fx.s, &fx.s.head,
	    fx.s.loc->rules.proxy, 0), 0);
	fx.out[fx.s.head.len] = '\0';
	return fx.out;
}

static const char *
client_head(const char *head, int framing)
{
	strlcpy(fx.rin, head, sizeof(fx.rin));
	memset(&fx.resp, 0, sizeof(fx.resp));
	fx.resp.fields = fx.rfields;
	fx.resp.maxfields = 64;
	ATF_REQUIRE_EQ(http_parse_response(fx.rin, strlen(fx.rin), &fx.resp,
	    64), HTTP_OK);
	ATF_REQUIRE_EQ(headers_response(&fx.s, &fx.s.head, &fx.resp, framing,
	    0), 0);
	fx.out[fx.s.head.len] = '\0';
	return fx.out;
}

static void
done(void)
{
	config_free(fx.conf);
	fx.conf = NULL;
}

#define SERVER(body) \
	"server \"app.example.com\" {\n" \
	"	alias \"*.app.example.com\"\n" \
	"	listen on 127.0.0.1 port 8080\n" \
	body \
	"}\n"

ATF_TC_WITHOUT_HEAD(request_forwarded_fields);
ATF_TC_BODY(request_forwarded_fields, tc)
{
	load(SERVER("	proxy to \"http://127.0.0.1:9000/\"\n"));
	request("GET /x?q=1 HTTP/1.1\r\n"
	    "Host: app.example.com:8080\r\n"
	    "User-Agent: t\r\n"
	    "X-Forwarded-For: 10.0.0.1\r\n"
	    "X-Forwarded-For: 10.0.0.2, 10.0.0.3\r\n"
	    "X-Forwarded-Proto: https\r\n"
	    "X-Forwarded-Host: evil.example\r\n"
	    "\r\n");
	ATF_CHECK_STREQ(backend_head(),
	    "GET /x?q=1 HTTP/1.1\r\n"
	    "Host: 127.0.0.1:9000\r\n"
	    "User-Agent: t\r\n"
	    "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 10.0.0.3, 192.0.2.7\r\n"
	    "X-Forwarded-Proto: http\r\n"
	    "X-Forwarded-Host: app.example.com:8080\r\n"
	    "Via: 1.1 app.example.com\r\n"
	    "\r\n");
	done();
}

ATF_TC_WITHOUT_HEAD(request_hop_by_hop);
ATF_TC_BODY(request_hop_by_hop, tc)
{
	load(SERVER("	proxy to \"http://localhost:9000/\"\n"));
	request("POST / HTTP/1.1\r\n"
	    "Host: app.example.com\r\n"
	    "Connection: keep-alive, X-Secret, Upgrade\r\n"
	    "Keep-Alive: timeout=5\r\n"
	    "TE: trailers\r\n"
	    "Trailer: X-T\r\n"
	    "Upgrade: h2c\r\n"
	    "Proxy-Authorization: Basic eDp5\r\n"
	    "Proxy-Connection: keep-alive\r\n"
	    "X-Secret: 1\r\n"
	    "Expect: 100-continue\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "X-Kept: yes\r\n"
	    "\r\n");
	ATF_CHECK_STREQ(backend_head(),
	    "POST / HTTP/1.1\r\n"
	    "Host: localhost:9000\r\n"
	    "X-Kept: yes\r\n"
	    "X-Forwarded-For: 192.0.2.7\r\n"
	    "X-Forwarded-Proto: http\r\n"
	    "X-Forwarded-Host: app.example.com\r\n"
	    "Via: 1.1 app.example.com\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "\r\n");
	done();
}

ATF_TC_WITHOUT_HEAD(request_connection_protected);
ATF_TC_BODY(request_connection_protected, tc)
{
	load(SERVER("	proxy to \"http://127.0.0.1:9000/\"\n"));
	request("PUT /p HTTP/1.1\r\n"
	    "Host: app.example.com\r\n"
	    "Connection: Host, Content-Length, Transfer-Encoding, Via, "
	    "X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host, X-A\r\n"
	    "Content-Length: 3\r\n"
	    "Via: 1.0 front\r\n"
	    "X-Forwarded-For: 10.1.1.1\r\n"
	    "X-A: gone\r\n"
	    "\r\n");
	ATF_CHECK_STREQ(backend_head(),
	    "PUT /p HTTP/1.1\r\n"
	    "Host: 127.0.0.1:9000\r\n"
	    "X-Forwarded-For: 10.1.1.1, 192.0.2.7\r\n"
	    "X-Forwarded-Proto: http\r\n"
	    "X-Forwarded-Host: app.example.com\r\n"
	    "Via: 1.0 front, 1.1 app.example.com\r\n"
	    "Content-Length: 3\r\n"
	    "\r\n");
	done();
}

ATF_TC_WITHOUT_HEAD(request_via_modes);
ATF_TC_BODY(request_via_modes, tc)
{
	load(SERVER(
	    "	location \"/off\" { via off }\n"
	    "	location \"/full\" { via full }\n"
	    "	location \"/block\" { via block }\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n"));
	request("GET /off HTTP/1.1\r\nHost: x\r\nVia: 1.1 a\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "\r\nVia: 1.1 a\r\n") != NULL);
	ATF_CHECK(strstr(fx.out, "app.example.com\r\n") == NULL);
	request("GET /full HTTP/1.0\r\nVia: 1.1 a\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "\r\nVia: 1.1 a, 1.0 app.example.com"
	    " (proxyd/" PROXYD_VERSION ")\r\n") != NULL);
	request("GET /block HTTP/1.1\r\nHost: x\r\nVia: 1.1 a\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "Via") == NULL);
	done();
}

ATF_TC_WITHOUT_HEAD(request_host_and_path);
ATF_TC_BODY(request_host_and_path, tc)
{
	load(SERVER(
	    "	location \"/keep\" { preserve host }\n"
	    "	location \"/app1\" { proxy to \"http://127.0.0.1:9001/base/\" }\n"
	    "	location \"/root\" { proxy to \"http://127.0.0.1:80\" }\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n"));
	/* A location without its own backend keeps its prefix. */
	request("GET /keep/x HTTP/1.1\r\nHost: a.app.example.com:8080\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET /keep/x HTTP/1.1\r\n"
	    "Host: a.app.example.com:8080\r\n", 52) == 0);
	request("GET /app1/x/y?z HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET /base/x/y?z HTTP/1.1\r\n"
	    "Host: 127.0.0.1:9001\r\n", 48) == 0);
	request("GET /app1 HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET /base/ HTTP/1.1\r\n", 21) == 0);
	request("GET /app1/ HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET /base/ HTTP/1.1\r\n", 21) == 0);
	request("GET /app1;j=1/x HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET /base;j=1/x HTTP/1.1\r\n",
	    26) == 0);
	request("GET /root HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET / HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\n", 33) == 0);
	request("GET /%7e/a/../b%e9 HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK(strncmp(backend_head(), "GET /~/b%E9 HTTP/1.1\r\n", 22) == 0);
	done();
}

ATF_TC_WITHOUT_HEAD(request_authorization);
ATF_TC_BODY(request_authorization, tc)
{
	FILE	*fp;

	ATF_REQUIRE((fp = fopen("users", "w")) != NULL);
	fprintf(fp, "u:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
	fclose(fp);
	load(SERVER(
	    "	authenticate \"R\" users \"users\"\n"
	    "	location \"/open\" { no authenticate }\n"
	    "	location \"/pass\" { pass credentials }\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n")
	    "server \"other\" {\n"
	    "	listen on 127.0.0.1 port 8080\n"
	    "	proxy to \"http://127.0.0.1:9000/\"\n"
	    "}\n");
	request("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dTp0\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "Authorization") == NULL);
	request("GET /open HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Basic dTp0\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "Authorization") == NULL);
	request("GET /pass HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Basic dTp0\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "\r\nAuthorization: Basic dTp0\r\n")
	    != NULL);
	request("GET /x HTTP/1.1\r\nHost: other\r\n"
	    "Authorization: Basic dTp0\r\n\r\n");
	ATF_CHECK(strstr(backend_head(), "\r\nAuthorization: Basic dTp0\r\n")
	    != NULL);
	done();
}

ATF_TC_WITHOUT_HEAD(response_hop_by_hop);
ATF_TC_BODY(response_hop_by_hop, tc)
{
	load(SERVER("	proxy to \"http://127.0.0.1:9000/\"\n"));
	request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK_STREQ(client_head("HTTP/1.1 200 OK\r\n"
	    "Connection: X-Private, Content-Length, Via, Date\r\n"
	    "Keep-Alive: timeout=4\r\n"
	    "Proxy-Authenticate: Basic\r\n"
	    "Upgrade: h2\r\n"
	    "Trailer: X-T\r\n"
	    "X-Private: 1\r\n"
	    "Date: Wed, 31 Dec 2025 00:00:00 GMT\r\n"
	    "Via: 1.0 inner\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 5\r\n"
	    "\r\n", FRAMING_LENGTH),
	    "HTTP/1.1 200 OK\r\n"
	    "Date: Wed, 31 Dec 2025 00:00:00 GMT\r\n"
	    "Content-Type: text/plain\r\n"
	    "Via: 1.0 inner, 1.1 app.example.com\r\n"
	    "Content-Length: 5\r\n"
	    "\r\n");
	done();
}

ATF_TC_WITHOUT_HEAD(response_framing);
ATF_TC_BODY(response_framing, tc)
{
	load(SERVER("	via off\n	proxy to \"http://127.0.0.1:9000/\"\n"));
	request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	ATF_CHECK_STREQ(client_head("HTTP/1.1 200 \r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", FRAMING_CHUNKED),
	    "HTTP/1.1 200 \r\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	fx.s.close = 1;
	ATF_CHECK_STREQ(client_head("HTTP/1.0 200 OK\r\n\r\n", FRAMING_CHUNKED),
	    "HTTP/1.1 200 OK\r\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "Connection: close\r\n\r\n");
	/* A HEAD answer keeps the length of the body it does not send. */
	request("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	ATF_CHECK_STREQ(client_head("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n"
	    "\r\n", FRAMING_NONE),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 42\r\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
	    "Connection: keep-alive\r\n\r\n");
	done();
}

/* The Location a client gets for one the backend sent. */
static const char *
location_for(const char *req, const char *loc)
{
	char	 head[1024];
	char	*p, *e;
	static char value[1024];

	request(req);
	snprintf(head, sizeof(head), "HTTP/1.1 302 Found\r\nLocation: %s\r\n"
	    "Content-Length: 0\r\n\r\n", loc);
	client_head(head, FRAMING_LENGTH);
	if ((p = strstr(fx.out, "\r\nLocation: ")) == NULL)
		return "(none)";
	p += 12;
	e = strstr(p, "\r\n");
	snprintf(value, sizeof(value), "%.*s", (int)(e - p), p);
	return value;
}

ATF_TC_WITHOUT_HEAD(response_reverse_location);
ATF_TC_BODY(response_reverse_location, tc)
{
	load(SERVER(
	    "	location \"/app1\" {\n"
	    "		proxy to \"http://LocalHost:9001/base/\"\n"
	    "		reverse \"https://alias.test/other\"\n"
	    "	}\n"
	    "	proxy to \"http://127.0.0.1/\"\n"));
	/* The backend URL, its host in another case, default port. */
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com:8080\r\n\r\n",
	    "http://LOCALHOST:9001/base/x?y=1"),
	    "http://app.example.com:8080/app1/x?y=1");
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "http://localhost:9001/base"),
	    "http://app.example.com/app1");
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "/base/z"),
	    "http://app.example.com/app1/z");
	/* Not below the backend path, another port, another host. */
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "http://localhost:9001/basement"),
	    "http://localhost:9001/basement");
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "http://localhost:9002/base/x"),
	    "http://localhost:9002/base/x");
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "http://127.0.0.1:9001/base/x"),
	    "http://127.0.0.1:9001/base/x");
	/* A reverse URL; https implies port 443. */
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "https://alias.test:443/other/q"),
	    "http://app.example.com/app1/q");
	/* A Host that names no server: the server's name. */
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: unknown.test\r\n\r\n", "http://localhost:9001/base/x"),
	    "http://app.example.com/app1/x");
	/* The server's own backend, from a location's response. */
	ATF_CHECK_STREQ(location_for("GET /app1/a HTTP/1.1\r\n"
	    "Host: b.app.example.com\r\n\r\n", "http://127.0.0.1:80/c"),
	    "http://b.app.example.com/c");
	ATF_CHECK_STREQ(location_for("GET /a HTTP/1.1\r\n"
	    "Host: app.example.com\r\n\r\n", "http://127.0.0.1"),
	    "http://app.example.com/");
	done();
}

ATF_TC_WITHOUT_HEAD(response_reverse_fields);
ATF_TC_BODY(response_reverse_fields, tc)
{
	load(SERVER("	location \"/app1\" { proxy to "
	    "\"http://localhost:9001/base/\" }\n"
	    "	proxy to \"http://127.0.0.1/\"\n"));
	request("GET /app1/a HTTP/1.1\r\nHost: app.example.com:8080\r\n\r\n");
	ATF_CHECK_STREQ(client_head("HTTP/1.1 200 OK\r\n"
	    "Content-Location: http://localhost:9001/base/c\r\n"
	    "URI: /base/u\r\n"
	    "Set-Cookie: s=1; Path=/base/app; Domain=localhost; HttpOnly\r\n"
	    "Set-Cookie: t=2;path=/base;domain=.LOCALHOST\r\n"
	    "Set-Cookie: o=3; Path=/other; Domain=other.test\r\n"
	    "Content-Length: 0\r\n\r\n", FRAMING_LENGTH),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Location: http://app.example.com:8080/app1/c\r\n"
	    "URI: http://app.example.com:8080/app1/u\r\n"
	    "Set-Cookie: s=1; Path=/app1/app; Domain=app.example.com; "
	    "HttpOnly\r\n"
	    "Set-Cookie: t=2;path=/app1;domain=app.example.com\r\n"
	    "Set-Cookie: o=3; Path=/other; Domain=other.test\r\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
	    "Via: 1.1 app.example.com\r\n"
	    "Content-Length: 0\r\n\r\n");
	done();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, request_forwarded_fields);
	ATF_TP_ADD_TC(tp, request_hop_by_hop);
	ATF_TP_ADD_TC(tp, request_connection_protected);
	ATF_TP_ADD_TC(tp, request_via_modes);
	ATF_TP_ADD_TC(tp, request_host_and_path);
	ATF_TP_ADD_TC(tp, request_authorization);
	ATF_TP_ADD_TC(tp, response_hop_by_hop);
	ATF_TP_ADD_TC(tp, response_framing);
	ATF_TP_ADD_TC(tp, response_reverse_location);
	ATF_TP_ADD_TC(tp, response_reverse_fields);
	return atf_no_error();
}
