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
 * Basic credentials (RFC 7617), require evaluation, the per-worker cache
 * of successful password checks, and what the user and group file
 * parsers share: reading a file whole, splitting it into lines as
 * Apache does, the table hash and the escaping of names for messages.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proxyd.h"
#include "auth.h"

/* Larger user or group files are refused rather than read. */
#define AUTH_FILE_MAX		(128 * 1024 * 1024)
#define AUTH_FILE_TOOBIG	"larger than 128 MiB"

#define AUTHCACHE_WAYS		2
#define AUTHCACHE_MAX		(1 << 20)	/* entries */
#define AUTHCACHE_MACLEN	32		/* HMAC-SHA256 */

struct authcache_entry {
	uint8_t		 mac[AUTHCACHE_MACLEN];
	uint64_t	 added;			/* ms */
	int		 used;
};

struct authcache {
	struct authcache_entry	*entries;
	size_t			 nsets;		/* a power of two */
	uint64_t		 ttl;		/* ms, 0: forever */
	uint8_t			 key[32];
};

/*
 * Files
 */

static void
file_error(struct errlist *errs, const char *path, const char *reason)
{
	if (errs != NULL)
		errlist_add(errs, NULL, 0, "%s: %s", path, reason);
}

int
auth_readfile(const char *path, char **bufp, size_t *lenp,
    struct errlist *errs)
{
	struct stat	 st;
	char		*buf = NULL, *nbuf;
	size_t		 len = 0, size;
	ssize_t		 n;
	int		 fd, saved;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		file_error(errs, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		file_error(errs, path, strerror(errno));
		goto fail;
	}
	/* A FIFO would block the parent, a directory reads as nothing. */
	if (!S_ISREG(st.st_mode)) {
		file_error(errs, path, "not a regular file");
		goto fail;
	}
	if (st.st_size > AUTH_FILE_MAX) {
		file_error(errs, path, AUTH_FILE_TOOBIG);
		goto fail;
	}
	/*
	 * One byte more than the file, where the parsers end a last line,
	 * and some room to see the end of a file that was not growing
	 * without growing the buffer.
	 */
	size = (size_t)st.st_size + 1 + 4096;
	if ((buf = malloc(size)) == NULL)
		goto nomem;
	for (;;) {
		if (len + 1 == size) {
			if (size > AUTH_FILE_MAX) {
				file_error(errs, path, AUTH_FILE_TOOBIG);
				goto fail;
			}
			if ((nbuf = realloc(buf, size * 2)) == NULL)
				goto nomem;
			buf = nbuf;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			file_error(errs, path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;

 nomem:
	file_error(errs, path, strerror(ENOMEM));
 fail:
	saved = errno;
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	close(fd);
	errno = saved;
	return -1;
}

/* Apache's apr_isspace() in the C locale. */
int
auth_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

/*
 * The next line of [*cur, end), without its LF and with white space
 * trimmed at both ends, as Apache reads its files (so CRLF files read
 * like LF files).  The byte after the returned line is writable: it is
 * the trimmed white space, the LF, or the extra byte past end that every
 * buffer given here must have.  Returns 0 when no line is left.
 */
int
auth_nextline(char **cur, char *end, char **line, size_t *linelen)
{
	char	*s = *cur, *e, *nl;

	if (s >= end)
		return 0;
	if ((nl = memchr(s, '\n', end - s)) != NULL) {
		e = nl;
		*cur = nl + 1;
	} else {
		e = end;
		*cur = end;
	}
	while (s < e && auth_isspace(*s))
		s++;
	while (e > s && auth_isspace(e[-1]))
		e--;
	*line = s;
	*linelen = e - s;
	return 1;
}

/*
 * FNV-1a with a seed, then MurmurHash3's finalizer to spread the bits
 * over the low ones the tables use.  The tables hold what the operator
 * wrote; a client only looks up, so it cannot lengthen the chains.
 */
uint64_t
auth_hash(uint64_t seed, const void *data, size_t len)
{
	const unsigned char	*p = data;
	uint64_t		 h = seed ^ 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * A user name for a message or a log line: every byte that is not
 * printable ASCII, white space, '"' and '\' escaped, so that a name can
 * neither break the line nor imitate its fields; cut after AUTH_NAME_MAX
 * bytes with "...".  dst should have AUTH_ESCAPE_SIZE bytes.
 */
void
auth_escape(char *dst, size_t dstsize, const char *src, size_t len)
{
	char	 tmp[4 * AUTH_NAME_MAX + 1];
	size_t	 n = len > AUTH_NAME_MAX ? AUTH_NAME_MAX : len;

	/* strvisx() needs 4 * n + 1 bytes; libbsd's strnvisx() overruns. */
	strvisx(tmp, src, n,
	    VIS_OCTAL | VIS_CSTYLE | VIS_WHITE | VIS_DQ | VIS_NOLOCALE);
	strlcpy(dst, tmp, dstsize);
	if (n < len)
		strlcat(dst, "...", dstsize);
	explicit_bzero(tmp, sizeof(tmp));
}

/*
 * Basic credentials
 */

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The decoded bytes go straight into cred: up to the first colon the
 * user name, after it the password, each bounded by AUTH_NAME_MAX.  The
 * base64 must be canonical (RFC 4648 with padding, the unused bits
 * zero): there is one spelling of each pair of credentials.
 */
int
auth_basic_parse(const char *value, size_t len, struct credentials *cred)
{
	const unsigned char	*p = (const unsigned char *)value;
	const unsigned char	*end = p + len, *tok;
	uint32_t		 acc = 0;
	size_t			 toklen, i, pad;
	unsigned int		 nbits = 0;
	int			 v, colon = 0, rv = -1;
	unsigned char		 c = 0;

	credentials_clear(cred);
	while (p < end && is_ows(*p))
		p++;
	if (end - p < 5 || strncasecmp((const char *)p, "basic", 5) != 0)
		goto done;
	p += 5;
	if (p == end || !is_ows(*p))
		goto done;
	while (p < end && is_ows(*p))
		p++;
	tok = p;
	while (p < end && !is_ows(*p))
		p++;
	toklen = p - tok;
	while (p < end && is_ows(*p))
		p++;
	if (p != end || toklen == 0 || toklen % 4 != 0)
		goto done;

	pad = 0;
	if (tok[toklen - 1] == '=')
		pad = tok[toklen - 2] == '=' ? 2 : 1;
	for (i = 0; i < toklen - pad; i++) {
		if ((v = b64val(tok[i])) == -1)
			goto done;
		acc = (acc << 6 | v) & 0xffffff;
		nbits += 6;
		if (nbits < 8)
			continue;
		nbits -= 8;
		c = acc >> nbits;
		if (!colon && c == ':')
			colon = 1;
		else if (!colon) {
			if (cred->userlen == AUTH_NAME_MAX)
				goto done;
			cred->user[cred->userlen++] = c;
		} else {
			if (cred->passlen == AUTH_NAME_MAX)
				goto done;
			cred->pass[cred->passlen++] = c;
		}
	}
	/* What padding leaves over must be zero bits, and only that. */
	if (nbits != pad * 2 || (acc & ((1U << nbits) - 1)) != 0)
		goto done;
	if (!colon || cred->userlen == 0)
		goto done;
	cred->user[cred->userlen] = '\0';
	cred->pass[cred->passlen] = '\0';
	rv = 0;
 done:
	explicit_bzero(&acc, sizeof(acc));
	explicit_bzero(&c, sizeof(c));
	if (rv == -1)
		credentials_clear(cred);
	return rv;
}

void
credentials_clear(struct credentials *cred)
{
	explicit_bzero(cred, sizeof(*cred));
}

/*
 * Require
 */

static int
name_is(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && memcmp(name, s, len) == 0;
}

int
auth_require_ok(const struct requirelist *requires,
    const struct groupdb *groups, const char *user, size_t userlen)
{
	const struct require	*req;
	size_t			 i;

	if (requires == NULL || TAILQ_EMPTY(requires))
		return 1;
	TAILQ_FOREACH(req, requires, entry) {
		switch (req->type) {
		case REQUIRE_VALID_USER:
			return 1;
		case REQUIRE_USER:
			for (i = 0; i < req->nnames; i++)
				if (name_is(req->names[i], user, userlen))
					return 1;
			break;
		case REQUIRE_GROUP:
			for (i = 0; i < req->nnames; i++)
				if (groupdb_member(groups, req->names[i],
				    user, userlen))
					return 1;
			break;
		}
	}
	return 0;
}

/*
 * The cache of successful checks
 *
 * Each worker keeps its own: a cache shared between workers could be
 * written by one taken-over worker and admit anyone everywhere.  A set
 * is chosen by the MAC itself, so no client can aim at one, and holds
 * AUTHCACHE_WAYS entries; a new entry takes a free or expired way, or
 * else the oldest.
 */

static int
get_random(void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = getrandom(p, len, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

struct authcache *
authcache_new(size_t entries, uint64_t ttl_ms)
{
	struct authcache	*ac;
	size_t			 nsets = 1;

	if (entries > AUTHCACHE_MAX)
		entries = AUTHCACHE_MAX;
	while (nsets * AUTHCACHE_WAYS < entries)
		nsets *= 2;
	if ((ac = calloc(1, sizeof(*ac))) == NULL)
		return NULL;
	if ((ac->entries = calloc(nsets * AUTHCACHE_WAYS,
	    sizeof(*ac->entries))) == NULL) {
		free(ac);
		return NULL;
	}
	ac->nsets = nsets;
	ac->ttl = ttl_ms;
	if (get_random(ac->key, sizeof(ac->key)) == -1) {
		authcache_free(ac);
		return NULL;
	}
	return ac;
}

void
authcache_clear(struct authcache *ac)
{
	if (ac == NULL)
		return;
	explicit_bzero(ac->entries,
	    ac->nsets * AUTHCACHE_WAYS * sizeof(*ac->entries));
}

void
authcache_free(struct authcache *ac)
{
	if (ac == NULL)
		return;
	authcache_clear(ac);
	free(ac->entries);
	explicit_bzero(ac, sizeof(*ac));
	free(ac);
}

/*
 * The MAC of (user file, user, password), each length-prefixed so that
 * no two triples share an input.  -1 for what cannot be credentials.
 */
static int
authcache_mac(const struct authcache *ac, const struct userdb *db,
    const char *user, size_t userlen, const char *pass, size_t passlen,
    uint8_t mac[AUTHCACHE_MACLEN])
{
	uint8_t		 msg[8 + 2 + AUTH_NAME_MAX + 2 + AUTH_NAME_MAX];
	uint64_t	 id;
	size_t		 n = 0;
	unsigned int	 maclen = 0;
	int		 i, rv = 0;

	if (db == NULL || userlen > AUTH_NAME_MAX || passlen > AUTH_NAME_MAX)
		return -1;
	id = userdb_id(db);
	for (i = 0; i < 8; i++)
		msg[n++] = id >> (56 - 8 * i);
	msg[n++] = userlen >> 8;
	msg[n++] = userlen;
	memcpy(msg + n, user, userlen);
	n += userlen;
	msg[n++] = passlen >> 8;
	msg[n++] = passlen;
	memcpy(msg + n, pass, passlen);
	n += passlen;
	if (HMAC(EVP_sha256(), ac->key, sizeof(ac->key), msg, n, mac,
	    &maclen) == NULL || maclen != AUTHCACHE_MACLEN)
		rv = -1;
	explicit_bzero(msg, sizeof(msg));
	return rv;
}

static size_t
authcache_set(const struct authcache *ac, const uint8_t *mac)
{
	uint64_t	 x = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		x = x << 8 | mac[i];
	return (x & (ac->nsets - 1)) * AUTHCACHE_WAYS;
}

static int
authcache_live(const struct authcache *ac, const struct authcache_entry *e,
    uint64_t now)
{
	if (!e->used)
		return 0;
	if (ac->ttl == 0)
		return 1;
	/* A clock that went back, or an old entry: gone. */
	return now >= e->added && now - e->added < ac->ttl;
}

int
authcache_hit(struct authcache *ac, const struct userdb *db,
    const char *user, size_t userlen, const char *pass, size_t passlen,
    uint64_t now)
{
	struct authcache_entry	*e;
	uint8_t			 mac[AUTHCACHE_MACLEN];
	size_t			 set, i;
	int			 hit = 0;

	if (ac == NULL || authcache_mac(ac, db, user, userlen, pass, passlen,
	    mac) == -1)
		return 0;
	set = authcache_set(ac, mac);
	for (i = 0; i < AUTHCACHE_WAYS; i++) {
		e = &ac->entries[set + i];
		if (authcache_live(ac, e, now) &&
		    CRYPTO_memcmp(e->mac, mac, sizeof(mac)) == 0)
			hit = 1;
	}
	explicit_bzero(mac, sizeof(mac));
	return hit;
}

void
authcache_add(struct authcache *ac, const struct userdb *db,
    const char *user, size_t userlen, const char *pass, size_t passlen,
    uint64_t now)
{
	struct authcache_entry	*e, *victim = NULL;
	uint8_t			 mac[AUTHCACHE_MACLEN];
	size_t			 set, i;

	if (ac == NULL || authcache_mac(ac, db, user, userlen, pass, passlen,
	    mac) == -1)
		return;
	set = authcache_set(ac, mac);
	for (i = 0; i < AUTHCACHE_WAYS && victim == NULL; i++) {
		e = &ac->entries[set + i];
		if (authcache_live(ac, e, now) &&
		    CRYPTO_memcmp(e->mac, mac, sizeof(mac)) == 0)
			victim = e;		/* there already: refresh it */
	}
	for (i = 0; i < AUTHCACHE_WAYS && victim == NULL; i++) {
		e = &ac->entries[set + i];
		if (!authcache_live(ac, e, now))
			victim = e;
	}
	if (victim == NULL) {
		victim = &ac->entries[set];
		for (i = 1; i < AUTHCACHE_WAYS; i++) {
			e = &ac->entries[set + i];
			if (e->added < victim->added)
				victim = e;
		}
	}
	memcpy(victim->mac, mac, sizeof(mac));
	victim->added = now;
	victim->used = 1;
	explicit_bzero(mac, sizeof(mac));
}

/*
 * The files of the configuration
 */

static void
auth_load(struct authconf *auth, struct authconf **loaded, size_t nloaded,
    struct errlist *errs, struct errlist *warns)
{
	size_t	 i;

	if (asprintf(&auth->challenge, "WWW-Authenticate: Basic realm=\"%s\", "
	    "charset=\"UTF-8\"", auth->realm) == -1)
		auth->challenge = NULL;
	/* A file named twice is read once. */
	for (i = 0; i < nloaded; i++) {
		if (strcmp(loaded[i]->users, auth->users) != 0 ||
		    (loaded[i]->groups == NULL) != (auth->groups == NULL) ||
		    (auth->groups != NULL &&
		    strcmp(loaded[i]->groups, auth->groups) != 0))
			continue;
		auth->userdb = loaded[i]->userdb;
		auth->groupdb = loaded[i]->groupdb;
		auth->borrowed = 1;
		return;
	}
	auth->userdb = userdb_load(auth->users, errs, warns);
	if (auth->groups != NULL)
		auth->groupdb = groupdb_load(auth->groups, errs);
}

static int
auth_collect(struct rules *r, struct authconf ***loaded, size_t *n,
    struct errlist *errs, struct errlist *warns)
{
	struct authconf	**a;

	if (!(r->set & RULE_AUTH) || r->auth == NULL ||
	    r->auth->userdb != NULL)
		return 0;
	auth_load(r->auth, *loaded, *n, errs, warns);
	if (r->auth->borrowed)
		return 0;
	if ((a = reallocarray(*loaded, *n + 1, sizeof(*a))) == NULL)
		return -1;
	a[(*n)++] = r->auth;
	*loaded = a;
	return 0;
}

/*
 * Read the user and group files of every authenticate statement, in the
 * parent, before the workers start: errors (a file that cannot be read, a
 * malformed line) fail the configuration; warns gets the entries that
 * will never match.
 */
int
auth_config(struct config *conf, struct errlist *errs,
    struct errlist *warns)
{
	struct server	*srv;
	struct location	*loc;
	struct authconf	**loaded = NULL;
	size_t		 n = 0, before = errs->count;
	int		 rv = 0;

	TAILQ_FOREACH(srv, &conf->servers, entry) {
		if (auth_collect(&srv->root.rules, &loaded, &n, errs,
		    warns) == -1)
			rv = -1;
		TAILQ_FOREACH(loc, &srv->locations, entry)
			if (auth_collect(&loc->rules, &loaded, &n, errs,
			    warns) == -1)
				rv = -1;
	}
	free(loaded);
	if (rv == -1)
		errlist_add(errs, conf->path, 0, "out of memory");
	return errs->count > before ? -1 : 0;
}
