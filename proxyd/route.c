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
 * Where a request goes: the server chosen by listener and Host (SPEC.md
 * 4.1), the canonical path and the location it falls under (4.3, 4.4),
 * and the expansion of a redirect target (the redirect statement).  Pure
 * functions over the session, so that unit tests drive the real code.
 */

#include <sys/types.h>

#include <string.h>

#include "proxyd.h"
#include "conn.h"
#include "path.h"

/* Keep the client's host[:port], and its host part, in the session. */
static int
session_host(struct session *s, const char *v, size_t len)
{
	size_t	 hostlen;

	if (!http_host_valid(v, len, &hostlen) ||
	    hostlen >= sizeof(s->host) || len >= sizeof(s->hostport))
		return -1;
	memcpy(s->host, v, hostlen);
	s->host[hostlen] = '\0';
	s->hostlen = hostlen;
	memcpy(s->hostport, v, len);
	s->hostport[len] = '\0';
	s->hostportlen = len;
	s->has_host = 1;
	return 0;
}

/*
 * Choose the server by the authority of an absolute-form target, or by
 * Host, among the servers of the listener; the first server if neither
 * names one.  0, or 400 for a bad Host or an authority that names no
 * server here.
 */
int
route_server(struct session *s)
{
	const struct http_request *req = &s->req;
	const struct http_field	*host;

	s->host_named = 0;
	s->has_host = 0;
	s->hostlen = s->hostportlen = 0;
	s->host[0] = s->hostport[0] = '\0';
	if (req->target_form == TARGET_ABSOLUTE) {
		if (session_host(s, req->authority, req->authoritylen) == -1)
			return 400;
		s->server = server_find(s->listener, s->host, s->hostlen);
		if (s->server == NULL)
			return 400;
		s->host_named = 1;
		return 0;
	}
	if (req->host != -1) {
		host = &req->fields[req->host];
		if (session_host(s, host->value, host->valuelen) == -1)
			return 400;
		s->server = server_find(s->listener, s->host, s->hostlen);
		if (s->server != NULL) {
			s->host_named = 1;
			return 0;
		}
	}
	s->server = s->listener->servers[0];
	return 0;
}

/*
 * Put the path in its canonical form in s->path and choose the location.
 * 0, or the status of a path that is refused.
 */
int
route_path(struct session *s)
{
	const char	*path = s->req.path;
	size_t		 pathlen = s->req.pathlen;
	int		 rv;

	if (pathlen == 0) {
		path = "/";
		pathlen = 1;
	}
	if ((rv = path_normalize(path, pathlen, s->path, s->pathsize,
	    &s->pathlen)) != 0)
		return rv;
	s->loc = location_find(s->server, s->path, s->pathlen, &s->restoff);
	return 0;
}

/*
 * Expand $REQUEST_URI, $SERVER_NAME and $HOST in a redirect target.
 * -1 if the result does not fit.
 */
int
route_redirect(const struct session *s, const char *tmpl, char *out,
    size_t outsize)
{
	const struct http_request *req = &s->req;
	const char	*val;
	size_t		 o = 0, vlen, klen;

	if (outsize == 0)
		return -1;
	while (*tmpl != '\0') {
		val = NULL;
		vlen = klen = 0;
		if (strncmp(tmpl, "$REQUEST_URI", 12) == 0) {
			klen = 12;
			if (req->target_form == TARGET_ABSOLUTE) {
				val = req->path;
				vlen = req->target + req->targetlen - req->path;
				/* An empty path is "/", a query or not. */
				if (req->pathlen == 0) {
					if (outsize - o <= 1)
						return -1;
					out[o++] = '/';
				}
			} else {
				val = req->target;
				vlen = req->targetlen;
			}
		} else if (strncmp(tmpl, "$SERVER_NAME", 12) == 0) {
			klen = 12;
			val = s->server->name;
			vlen = strlen(val);
		} else if (strncmp(tmpl, "$HOST", 5) == 0) {
			klen = 5;
			val = s->host_named ? s->host : s->server->name;
			vlen = s->host_named ? s->hostlen : strlen(val);
		}
		if (val == NULL) {
			val = tmpl;
			vlen = klen = 1;
		}
		if (outsize - o <= vlen)
			return -1;
		memcpy(out + o, val, vlen);
		o += vlen;
		tmpl += klen;
	}
	out[o] = '\0';
	return 0;
}

/* Copy p into ri->buf, as much as fits; *outlen says how much did. */
static const char *
reqinfo_copy(struct reqinfo *ri, const char *p, size_t len, size_t *outlen)
{
	char	*q;

	if (len > ri->size - ri->len)
		len = ri->size - ri->len;
	q = ri->buf + ri->len;
	if (len > 0)
		memcpy(q, p, len);
	ri->len += len;
	*outlen = len;
	return q;
}

/* Nothing known yet of the next request. */
void
reqinfo_reset(struct reqinfo *ri)
{
	ri->len = 0;
	ri->line = ri->method = ri->target = NULL;
	ri->linelen = ri->methodlen = ri->targetlen = 0;
	ri->referer = ri->agent = NULL;
	ri->refererlen = ri->agentlen = 0;
	ri->minor = 0;
	ri->user[0] = '\0';
	ri->bytes = 0;
}

/*
 * Keep the request line as sent, from the start of a head to its first
 * line end, parsed or not: the access log shows it as Apache does.
 */
void
reqinfo_line(struct reqinfo *ri, const char *p, size_t len)
{
	const char	*nl;

	/* The empty lines a request may follow are not part of it. */
	while (len > 0 && (*p == '\r' || *p == '\n')) {
		p++;
		len--;
	}
	if (len == 0)
		return;
	if ((nl = memchr(p, '\n', len)) != NULL)
		len = nl - p;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	ri->line = reqinfo_copy(ri, p, len, &ri->linelen);
}

/*
 * Copy what the access log and authentication need of a parsed request
 * into ri->buf, which is as large as the largest request head.
 */
void
reqinfo_keep(struct reqinfo *ri, const struct http_request *req)
{
	const struct http_field	*f;
	size_t			 i;

	ri->method = reqinfo_copy(ri, req->method, req->methodlen,
	    &ri->methodlen);
	ri->target = reqinfo_copy(ri, req->target, req->targetlen,
	    &ri->targetlen);
	ri->minor = req->minor;
	for (i = 0; i < req->nfields; i++) {
		f = &req->fields[i];
		if (f->id == HDR_REFERER && ri->referer == NULL)
			ri->referer = reqinfo_copy(ri, f->value, f->valuelen,
			    &ri->refererlen);
		else if (f->id == HDR_USER_AGENT && ri->agent == NULL)
			ri->agent = reqinfo_copy(ri, f->value, f->valuelen,
			    &ri->agentlen);
	}
}
