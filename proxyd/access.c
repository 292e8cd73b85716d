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
 * Authentication of a request in a worker (SPEC.md 4.6): Basic
 * credentials checked against the user file the parent loaded, with a
 * cache of successful checks in this worker's own memory (a cache shared
 * by workers could be written by any one of them), then the require
 * lines of the location, evaluated on every request.  Credentials are
 * wiped once used.  A wrong password is logged in one fixed line.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "proxyd.h"
#include "conn.h"
#include "auth.h"
#include "log.h"

#define AUTH_CACHE_ENTRIES	1024
#define AUTH_CACHE_TTL		(3600 * SEC)

static struct authcache	*cache;

void
access_init(void)
{
	if ((cache = authcache_new(AUTH_CACHE_ENTRIES, AUTH_CACHE_TTL)) ==
	    NULL)
		fatal("authentication cache");
}

/* The fixed line fail2ban's filter (etc/fail2ban) looks for. */
static void
access_failed(const struct session *s, const char *user, size_t userlen)
{
	char	 name[AUTH_ESCAPE_SIZE];

	auth_escape(name, sizeof(name), user, userlen);
	log_warnx("auth failure: client %s, user \"%s\", server \"%s\"",
	    s->peer, name, s->server->name);
}

/*
 * 0 when the request may pass, else the status to answer: 401 (no or
 * wrong credentials; *failed tells that some were given), 403 (a user the
 * require lines do not admit).
 */
int
access_check(struct session *s, int *failed)
{
	const struct rules	*r = &s->loc->rules;
	const struct authconf	*auth = r->auth;
	const struct http_field	*f, *given = NULL;
	struct credentials	 cred;
	size_t			 i;
	int			 ok;

	*failed = 0;
	for (i = 0; i < s->req.nfields; i++) {
		f = &s->req.fields[i];
		if (f->id != HDR_AUTHORIZATION)
			continue;
		if (given != NULL) {
			/* Two sets of credentials: neither is believed. */
			*failed = 1;
			access_failed(s, "", 0);
			return 401;
		}
		given = f;
	}
	if (given == NULL)
		return 401;
	if (auth_basic_parse(given->value, given->valuelen, &cred) == -1) {
		*failed = 1;
		access_failed(s, "", 0);
		return 401;
	}
	/* The access log names the user, right or wrong, as Apache does. */
	memcpy(s->info.user, cred.user, cred.userlen);
	s->info.user[cred.userlen] = '\0';
	ok = authcache_hit(cache, auth->userdb, cred.user, cred.userlen,
	    cred.pass, cred.passlen, now_ms());
	if (!ok && (ok = userdb_verify(auth->userdb, cred.user, cred.userlen,
	    cred.pass, cred.passlen)))
		authcache_add(cache, auth->userdb, cred.user, cred.userlen,
		    cred.pass, cred.passlen, now_ms());
	if (!ok) {
		*failed = 1;
		access_failed(s, cred.user, cred.userlen);
		credentials_clear(&cred);
		return 401;
	}
	ok = auth_require_ok(&r->requires, auth->groupdb, cred.user,
	    cred.userlen);
	credentials_clear(&cred);
	return ok ? 0 : 403;
}
