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
 * The heads proxyd sends on, written from the parsed fields, never
 * copied: hop-by-hop fields removed in both directions before proxyd adds
 * its own, the forwarded fields and Via, and the reverse rewriting of
 * response URLs and cookies to the public name (SPEC.md 4.7, 4.8).
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"

static int
out_add(struct buf *b, const void *p, size_t len)
{
	if (b->size - b->len < len)
		return -1;
	memcpy(b->data + b->len, p, len);
	b->len += len;
	return 0;
}

static int
out_str(struct buf *b, const char *s)
{
	return out_add(b, s, strlen(s));
}

static int
out_field(struct buf *b, const char *name, size_t namelen, const char *value,
    size_t valuelen)
{
	if (out_add(b, name, namelen) == -1 || out_add(b, ": ", 2) == -1 ||
	    out_add(b, value, valuelen) == -1 || out_add(b, "\r\n", 2) == -1)
		return -1;
	return 0;
}

/* The framing field of a message proxyd sends on, written by proxyd. */
static int
out_framing(struct buf *b, int framing, uint64_t length)
{
	char	 num[48];
	int	 n;

	switch (framing) {
	case FRAMING_LENGTH:
		n = snprintf(num, sizeof(num), "Content-Length: %llu\r\n",
		    (unsigned long long)length);
		return out_add(b, num, n);
	case FRAMING_CHUNKED:
		return out_str(b, "Transfer-Encoding: chunked\r\n");
	default:
		return 0;
	}
}

/* Is field f named by a token of any Connection field among fields? */
static int
connection_names(const struct http_field *fields, size_t n,
    const struct http_field *f)
{
	const char	*p, *end, *tok;
	size_t		 i, toklen;

	for (i = 0; i < n; i++) {
		if (fields[i].id != HDR_CONNECTION)
			continue;
		p = fields[i].value;
		end = p + fields[i].valuelen;
		while (http_token_next(&p, end, &tok, &toklen))
			if (toklen == f->namelen &&
			    strncasecmp(tok, f->name, toklen) == 0)
				return 1;
	}
	return 0;
}

/* Fields that only concern one hop, whatever Connection says. */
static int
hop_by_hop(enum http_hdr id)
{
	switch (id) {
	case HDR_CONNECTION:
	case HDR_KEEP_ALIVE:
	case HDR_TE:
	case HDR_TRAILER:
	case HDR_UPGRADE:
	case HDR_PROXY_AUTHORIZATION:
	case HDR_PROXY_AUTHENTICATE:
	case HDR_PROXY_CONNECTION:
		return 1;
	default:
		return 0;
	}
}

/* Fields a Connection token may never remove from a request. */
static int
request_protected(enum http_hdr id)
{
	switch (id) {
	case HDR_HOST:
	case HDR_CONTENT_LENGTH:
	case HDR_TRANSFER_ENCODING:
	case HDR_X_FORWARDED_FOR:
	case HDR_X_FORWARDED_PROTO:
	case HDR_X_FORWARDED_HOST:
	case HDR_VIA:
		return 1;
	default:
		return 0;
	}
}

static int
response_protected(enum http_hdr id)
{
	switch (id) {
	case HDR_CONTENT_LENGTH:
	case HDR_TRANSFER_ENCODING:
	case HDR_VIA:
	case HDR_STRICT_TRANSPORT_SECURITY:
	case HDR_DATE:
		return 1;
	default:
		return 0;
	}
}

/*
 * Write a list field made of the values of every field with this id and
 * one more element of our own (NULL for none), as one field.
 */
static int
out_joined(struct buf *b, const char *name, const struct http_field *fields,
    size_t n, enum http_hdr id, const char *ours)
{
	size_t	 i;
	int	 first = 1;

	if (out_str(b, name) == -1 || out_add(b, ": ", 2) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (fields[i].id != id || fields[i].drop ||
		    fields[i].valuelen == 0)
			continue;
		if (!first && out_add(b, ", ", 2) == -1)
			return -1;
		if (out_add(b, fields[i].value, fields[i].valuelen) == -1)
			return -1;
		first = 0;
	}
	if (ours != NULL) {
		if (!first && out_add(b, ", ", 2) == -1)
			return -1;
		if (out_str(b, ours) == -1)
			return -1;
	}
	return out_add(b, "\r\n", 2);
}

static int
has_field(const struct http_field *fields, size_t n, enum http_hdr id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (fields[i].id == id && !fields[i].drop)
			return 1;
	return 0;
}

static void
via_value(const struct session *s, int minor, char *v, size_t len)
{
	const struct rules	*r = &s->loc->rules;

	snprintf(v, len, "1.%d %s%s", minor, s->server->name,
	    r->via == VIA_FULL ? " (proxyd/" PROXYD_VERSION ")" : "");
}

/* The path sent to the backend: its base, then the rest after PREFIX. */
static int
out_backend_target(struct buf *b, const struct session *s,
    const struct url *u)
{
	const char	*rest = s->path + s->restoff;
	size_t		 restlen = s->pathlen - s->restoff;

	if (restlen == 0) {
		if (out_str(b, u->path) == -1)
			return -1;
	} else {
		if (out_add(b, u->path, u->baselen) == -1)
			return -1;
		if ((u->baselen == 0 && rest[0] != '/') &&
		    out_add(b, "/", 1) == -1)
			return -1;
		if (out_add(b, rest, restlen) == -1)
			return -1;
	}
	if (s->req.query != NULL) {
		if (out_add(b, "?", 1) == -1 ||
		    out_add(b, s->req.query, s->req.querylen) == -1)
			return -1;
	}
	return 0;
}

/*
 * The client's Host as sent: the authority of an absolute-form target,
 * which replaces any Host field (RFC 9112 3.2.2), else the Host field.
 * The session's copy, never the head in the client buffer, which a
 * streamed request body overwrites.  0 when there is neither.
 */
static int
client_host(const struct session *s, const char **v, size_t *len)
{
	if (!s->has_host)
		return 0;
	*v = s->hostport;
	*len = s->hostportlen;
	return 1;
}

/*
 * The request head for the backend.  body is the framing proxyd sends
 * the body with; websocket asks the backend to upgrade.
 */
int
headers_request(struct session *s, struct buf *b, const struct url *u,
    int websocket)
{
	const struct http_request *req = &s->req;
	const struct rules	*r = &s->loc->rules;
	const struct http_field	*f;
	const char		*host = NULL;
	char			 via[300];
	size_t			 i, hostlen = 0;
	int			 strip_auth, has_host;

	strip_auth = s->server->has_auth && !r->pass_credentials;
	has_host = client_host(s, &host, &hostlen);

	b->off = b->len = 0;
	if (out_add(b, req->method, req->methodlen) == -1 ||
	    out_add(b, " ", 1) == -1 ||
	    out_backend_target(b, s, u) == -1 ||
	    out_str(b, " HTTP/1.1\r\nHost: ") == -1)
		return -1;
	if (r->preserve_host && has_host) {
		if (out_add(b, host, hostlen) == -1)
			return -1;
	} else if (out_str(b, u->hostport) == -1)
		return -1;
	if (out_add(b, "\r\n", 2) == -1)
		return -1;

	for (i = 0; i < req->nfields; i++) {
		f = &req->fields[i];
		if (f->drop || hop_by_hop(f->id))
			continue;
		/*
		 * CGI and its heirs read X_Forwarded_For as X-Forwarded-For:
		 * a name with an underscore could pass for one proxyd sets.
		 */
		if (memchr(f->name, '_', f->namelen) != NULL)
			continue;
		switch (f->id) {
		case HDR_HOST:
		case HDR_CONTENT_LENGTH:
		case HDR_TRANSFER_ENCODING:
		case HDR_EXPECT:
		case HDR_X_FORWARDED_FOR:
		case HDR_X_FORWARDED_PROTO:
		case HDR_X_FORWARDED_HOST:
			continue;
		case HDR_VIA:
			if (r->via != VIA_OFF)
				continue;
			break;
		case HDR_AUTHORIZATION:
			if (strip_auth)
				continue;
			break;
		default:
			break;
		}
		if (!request_protected(f->id) &&
		    connection_names(req->fields, req->nfields, f))
			continue;
		if (out_field(b, f->name, f->namelen, f->value,
		    f->valuelen) == -1)
			return -1;
	}

	if (out_joined(b, "X-Forwarded-For", req->fields, req->nfields,
	    HDR_X_FORWARDED_FOR, s->peer) == -1)
		return -1;
	if (out_str(b, s->tls ? "X-Forwarded-Proto: https\r\n" :
	    "X-Forwarded-Proto: http\r\n") == -1)
		return -1;
	if (has_host && out_field(b, "X-Forwarded-Host", 16, host,
	    hostlen) == -1)
		return -1;
	if (r->via == VIA_ON || r->via == VIA_FULL) {
		via_value(s, req->minor, via, sizeof(via));
		if (out_joined(b, "Via", req->fields, req->nfields, HDR_VIA,
		    via) == -1)
			return -1;
	}
	if (out_framing(b, req->framing, req->content_length) == -1)
		return -1;
	if (websocket && out_str(b,
	    "Connection: Upgrade\r\nUpgrade: websocket\r\n") == -1)
		return -1;
	return out_add(b, "\r\n", 2);
}

/* Is path p (length len) equal to or below base?  Sets the rest. */
static int
path_below(const char *base, size_t baselen, const char *p, size_t len,
    size_t *rest)
{
	if (baselen == 0) {
		if (len > 0 && p[0] != '/')
			return 0;
		*rest = 0;
		return 1;
	}
	if (len < baselen || memcmp(p, base, baselen) != 0)
		return 0;
	if (len > baselen && p[baselen] != '/' && p[baselen] != '?' &&
	    p[baselen] != '#')
		return 0;
	*rest = baselen;
	return 1;
}

/* The public name: the client's Host as sent if it names this server. */
static void
public_host(const struct session *s, const char **h, size_t *hlen,
    int with_port)
{
	const char	*v = NULL;
	size_t		 len = 0;

	if (s->host_named && client_host(s, &v, &len)) {
		*h = with_port ? v : s->host;
		*hlen = with_port ? len : s->hostlen;
		return;
	}
	*h = s->server->name;
	*hlen = strlen(s->server->name);
}

/*
 * Split an absolute http(s) URL into scheme, host and port; *pathoff is
 * where its path (or query) begins.  0 if it is not one.
 */
static int
url_split(const char *v, size_t len, int *tls, const char **host,
    size_t *hostlen, unsigned int *port, size_t *pathoff)
{
	size_t		 i, hs, he;
	unsigned int	 pn = 0;

	if (len >= 7 && strncasecmp(v, "http://", 7) == 0) {
		*tls = 0;
		i = 7;
	} else if (len >= 8 && strncasecmp(v, "https://", 8) == 0) {
		*tls = 1;
		i = 8;
	} else
		return 0;
	hs = i;
	if (i < len && v[i] == '[') {
		while (i < len && v[i] != ']')
			i++;
		if (i == len)
			return 0;
		i++;
		*host = v + hs + 1;
		*hostlen = i - hs - 2;
	} else {
		while (i < len && v[i] != ':' && v[i] != '/' && v[i] != '?' &&
		    v[i] != '#' && v[i] != '@')
			i++;
		if (i < len && v[i] == '@')
			return 0;
		*host = v + hs;
		*hostlen = i - hs;
	}
	he = i;
	*port = *tls ? 443 : 80;
	if (i < len && v[i] == ':') {
		i++;
		if (i < len && v[i] >= '0' && v[i] <= '9')
			pn = 0;
		while (i < len && v[i] >= '0' && v[i] <= '9') {
			pn = pn * 10 + (v[i] - '0');
			if (pn > 65535)
				return 0;
			i++;
		}
		if (i > he + 1)
			*port = pn;
	}
	if (i < len && v[i] != '/' && v[i] != '?' && v[i] != '#')
		return 0;
	if (*hostlen == 0)
		return 0;
	*pathoff = i;
	return 1;
}

/*
 * Does URL value v point at backend URL u?  On a match *rest is the
 * offset in v of what follows u's path.
 */
static int
url_matches(const struct url *u, const char *v, size_t len, size_t *rest)
{
	const char	*host;
	size_t		 hostlen, pathoff, r;
	unsigned int	 port;
	int		 tls;

	if (len > 0 && v[0] == '/' && (len == 1 || v[1] != '/')) {
		if (!path_below(u->path, u->baselen, v, len, &r))
			return 0;
		*rest = r;
		return 1;
	}
	if (!url_split(v, len, &tls, &host, &hostlen, &port, &pathoff))
		return 0;
	if (tls != u->tls || port != u->port || hostlen != strlen(u->host) ||
	    strncasecmp(host, u->host, hostlen) != 0)
		return 0;
	if (!path_below(u->path, u->baselen, v + pathoff, len - pathoff, &r))
		return 0;
	*rest = pathoff + r;
	return 1;
}

/*
 * The public prefix of a location's backend: its own prefix when it says
 * where to proxy, none when it borrows its server's backend.
 */
static size_t
mapping_prefix(const struct location *loc, const char **prefix)
{
	if (loc->rules.set & RULE_ACTION) {
		*prefix = loc->prefix;
		return loc->prefixlen;
	}
	*prefix = "";
	return 0;
}

/* A location and a URL its responses come from. */
typedef int (*mapping_cb)(const struct location *, const struct url *,
    void *);

/*
 * Every URL the server's responses may name, the serving location's own
 * first, then the other locations' in file order, then the server's.
 */
static int
each_mapping(const struct session *s, mapping_cb cb, void *arg)
{
	const struct location	*loc;
	const struct url	*u;

	loc = s->loc;
	if (loc->rules.proxy != NULL && cb(loc, loc->rules.proxy, arg))
		return 1;
	TAILQ_FOREACH(u, &loc->rules.reverses, entry)
		if (cb(loc, u, arg))
			return 1;
	TAILQ_FOREACH(loc, &s->server->locations, entry) {
		if (loc == s->loc)
			continue;
		if (loc->rules.proxy != NULL && cb(loc, loc->rules.proxy, arg))
			return 1;
		TAILQ_FOREACH(u, &loc->rules.reverses, entry)
			if (cb(loc, u, arg))
				return 1;
	}
	loc = &s->server->root;
	if (loc == s->loc)
		return 0;
	if (loc->rules.proxy != NULL && cb(loc, loc->rules.proxy, arg))
		return 1;
	TAILQ_FOREACH(u, &loc->rules.reverses, entry)
		if (cb(loc, u, arg))
			return 1;
	return 0;
}

struct rewrite {
	const struct session *s;
	const char	*v;
	size_t		 len;
	struct buf	*out;
	int		 failed;
};

static int
rewrite_url_cb(const struct location *loc, const struct url *u, void *arg)
{
	struct rewrite	*rw = arg;
	const char	*h, *prefix;
	size_t		 rest, hlen, plen;

	/* A path alone can only mean the backend that sent it. */
	if (loc != rw->s->loc && rw->len > 0 && rw->v[0] == '/')
		return 0;
	if (!url_matches(u, rw->v, rw->len, &rest))
		return 0;
	public_host(rw->s, &h, &hlen, 1);
	plen = mapping_prefix(loc, &prefix);
	if (out_str(rw->out, rw->s->tls ? "https://" : "http://") == -1 ||
	    out_add(rw->out, h, hlen) == -1 ||
	    out_add(rw->out, prefix, plen) == -1)
		rw->failed = 1;
	else if (plen == 0 && (rest == rw->len ||
	    rw->v[rest] != '/') && out_add(rw->out, "/", 1) == -1)
		rw->failed = 1;
	else if (out_add(rw->out, rw->v + rest, rw->len - rest) == -1)
		rw->failed = 1;
	return 1;
}

/* Write value of a Location, Content-Location or URI field. */
static int
out_url_value(const struct session *s, struct buf *b, const char *v,
    size_t len)
{
	struct rewrite	 rw = { s, v, len, b, 0 };

	if (each_mapping(s, rewrite_url_cb, &rw))
		return rw.failed ? -1 : 0;
	return out_add(b, v, len);
}

struct cookie_attr {
	const struct session *s;
	const char	*v;
	size_t		 len;
	int		 domain;	/* a Domain attribute, else Path */
	struct buf	*out;
	int		 failed;
};

static int
rewrite_cookie_cb(const struct location *loc, const struct url *u, void *arg)
{
	struct cookie_attr *ca = arg;
	const char	*v = ca->v, *h, *prefix;
	size_t		 len = ca->len, rest, hlen, plen;

	if (ca->domain) {
		if (len > 0 && v[0] == '.') {
			v++;
			len--;
		}
		if (len != strlen(u->host) || strncasecmp(v, u->host, len) != 0)
			return 0;
		public_host(ca->s, &h, &hlen, 0);
		if (out_add(ca->out, h, hlen) == -1)
			ca->failed = 1;
		return 1;
	}
	if (len == 0 || v[0] != '/' || loc != ca->s->loc ||
	    !path_below(u->path, u->baselen, v, len, &rest))
		return 0;
	plen = mapping_prefix(loc, &prefix);
	if (out_add(ca->out, prefix, plen) == -1)
		ca->failed = 1;
	else if (plen + (len - rest) == 0)
		ca->failed = out_add(ca->out, "/", 1) == -1;
	else if (out_add(ca->out, v + rest, len - rest) == -1)
		ca->failed = 1;
	return 1;
}

/* A Set-Cookie value with its Path and Domain rewritten. */
static int
out_cookie_value(const struct session *s, struct buf *b, const char *v,
    size_t len)
{
	struct cookie_attr	 ca;
	const char		*p = v, *end = v + len, *semi, *a, *eq;
	size_t			 alen;

	/* The name=value pair goes as it is. */
	semi = memchr(p, ';', end - p);
	if (semi == NULL)
		return out_add(b, v, len);
	if (out_add(b, p, semi - p) == -1)
		return -1;
	p = semi;
	while (p < end) {
		/* p is at a ';' */
		semi = memchr(p + 1, ';', end - p - 1);
		if (semi == NULL)
			semi = end;
		a = p + 1;
		while (a < semi && (*a == ' ' || *a == '\t'))
			a++;
		alen = semi - a;
		if (out_add(b, p, a - p) == -1)
			return -1;
		eq = memchr(a, '=', alen);
		ca.domain = -1;
		if (eq != NULL && eq - a == 4 && strncasecmp(a, "path", 4) == 0)
			ca.domain = 0;
		else if (eq != NULL && eq - a == 6 &&
		    strncasecmp(a, "domain", 6) == 0)
			ca.domain = 1;
		if (ca.domain != -1) {
			ca.s = s;
			ca.v = eq + 1;
			ca.len = semi - eq - 1;
			while (ca.len > 0 && (ca.v[ca.len - 1] == ' ' ||
			    ca.v[ca.len - 1] == '\t'))
				ca.len--;
			ca.out = b;
			ca.failed = 0;
			if (out_add(b, a, eq + 1 - a) == -1)
				return -1;
			if (each_mapping(s, rewrite_cookie_cb, &ca)) {
				if (ca.failed)
					return -1;
			} else if (out_add(b, ca.v, semi - ca.v) == -1)
				return -1;
		} else if (out_add(b, a, alen) == -1)
			return -1;
		p = semi;
	}
	return 0;
}

/*
 * The response head for the client.  framing is how proxyd sends the
 * body on (FRAMING_NONE keeps a HEAD or 304 answer's Content-Length);
 * length is the Content-Length for FRAMING_LENGTH.
 */
/* The Strict-Transport-Security line of hsts, CRLF included. */
int
hsts_field(const struct hsts_conf *hsts, char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len,
	    "Strict-Transport-Security: max-age=%llu%s%s\r\n",
	    (unsigned long long)hsts->max_age,
	    hsts->subdomains ? "; includeSubDomains" : "",
	    hsts->preload ? "; preload" : "");
	return n < 0 || (size_t)n >= len ? 0 : n;
}

int
headers_response(struct session *s, struct buf *b,
    const struct http_response *resp, int framing, int websocket)
{
	const struct rules	*r = &s->loc->rules;
	const struct http_field	*f;
	const struct hsts_conf	*hsts = &s->server->hsts;
	char			 via[300], num[32];
	size_t			 i;
	int			 n;

	b->off = b->len = 0;
	n = snprintf(num, sizeof(num), "HTTP/1.1 %03d ", resp->status);
	if (out_add(b, num, n) == -1 ||
	    out_add(b, resp->reason, resp->reasonlen) == -1 ||
	    out_add(b, "\r\n", 2) == -1)
		return -1;

	for (i = 0; i < resp->nfields; i++) {
		f = &resp->fields[i];
		if (f->drop)
			continue;
		/* Upgrade of a 101 too: proxyd writes its own below. */
		if (hop_by_hop(f->id))
			continue;
		if (!response_protected(f->id) &&
		    connection_names(resp->fields, resp->nfields, f))
			continue;
		switch (f->id) {
		case HDR_TRANSFER_ENCODING:
			continue;
		case HDR_CONTENT_LENGTH:
			/* Kept only where it describes a body not sent. */
			if (framing != FRAMING_NONE)
				continue;
			break;
		case HDR_VIA:
			if (r->via == VIA_ON || r->via == VIA_FULL)
				continue;
			break;
		case HDR_STRICT_TRANSPORT_SECURITY:
			if (s->tls && hsts->enabled)
				continue;
			break;
		case HDR_LOCATION:
		case HDR_CONTENT_LOCATION:
		case HDR_URI:
			if (out_add(b, f->name, f->namelen) == -1 ||
			    out_add(b, ": ", 2) == -1 ||
			    out_url_value(s, b, f->value, f->valuelen) == -1 ||
			    out_add(b, "\r\n", 2) == -1)
				return -1;
			continue;
		case HDR_SET_COOKIE:
			if (out_add(b, f->name, f->namelen) == -1 ||
			    out_add(b, ": ", 2) == -1 ||
			    out_cookie_value(s, b, f->value, f->valuelen) == -1 ||
			    out_add(b, "\r\n", 2) == -1)
				return -1;
			continue;
		default:
			break;
		}
		if (out_field(b, f->name, f->namelen, f->value,
		    f->valuelen) == -1)
			return -1;
	}

	if (!has_field(resp->fields, resp->nfields, HDR_DATE) &&
	    out_field(b, "Date", 4, http_date(), strlen(http_date())) == -1)
		return -1;
	if (r->via == VIA_ON || r->via == VIA_FULL) {
		via_value(s, resp->minor, via, sizeof(via));
		if (out_joined(b, "Via", resp->fields, resp->nfields, HDR_VIA,
		    via) == -1)
			return -1;
	}
	if (s->tls && hsts->enabled) {
		n = hsts_field(hsts, via, sizeof(via));
		if (out_add(b, via, n) == -1)
			return -1;
	}
	if (out_framing(b, framing, resp->content_length) == -1)
		return -1;
	if (websocket) {
		if (out_str(b,
		    "Connection: Upgrade\r\nUpgrade: websocket\r\n") == -1)
			return -1;
	} else if (s->close) {
		if (out_str(b, "Connection: close\r\n") == -1)
			return -1;
	} else if (s->req.minor == 0) {
		if (out_str(b, "Connection: keep-alive\r\n") == -1)
			return -1;
	}
	return out_add(b, "\r\n", 2);
}
