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
 * User files as Apache's htpasswd writes them, and password verification.
 *
 * A file is read as mod_authn_file reads it: lines trimmed of white space
 * at both ends (so CRLF works), '#' comments and blank lines skipped, the
 * user name up to the first ':', the hash up to the next ':' (Apache
 * ignores further fields), the first entry of a user wins.  What Apache
 * would silently never match is loaded as never matching and warned
 * about, with its line; a line that is no entry at all is an error.
 *
 * Verified: bcrypt ($2y$, $2a$, $2b$), SHA-256, SHA-512 and yescrypt
 * crypt(3) ($5$, $6$, $y$) through libxcrypt; Apache's MD5 ($apr1$) and
 * {SHA}, which libxcrypt lacks, on OpenSSL's digests.
 */

#include <sys/types.h>

#include <crypt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "proxyd.h"
#include "auth.h"

/* A file with more problems than this is shown in part. */
#define USERDB_MESSAGES_MAX	100

#define USERDB_SEED		0x70726f7879645553ULL
#define USERDB_CLASSES_MAX	16

enum hashkind {
	HASH_EMPTY = 0,			/* never match: */
	HASH_PLAIN,
	HASH_DES,
	HASH_MD5CRYPT,
	HASH_UNKNOWN,
	HASH_BCRYPT,			/* verified: */
	HASH_APR1,
	HASH_SHA1,
	HASH_SHA256,
	HASH_SHA512,
	HASH_YESCRYPT
};
#define HASH_USABLE(k)		((k) >= HASH_BCRYPT)

static const char *const hashkind_names[] = {
	[HASH_EMPTY] =		"empty",
	[HASH_PLAIN] =		"plaintext",
	[HASH_DES] =		"DES crypt",
	[HASH_MD5CRYPT] =	"MD5 crypt",
	[HASH_UNKNOWN] =	"unknown format",
};

struct uentry {
	const char	*user;		/* in the file's buffer, NUL-ended */
	const char	*hash;
	size_t		 userlen;
	size_t		 hashlen;
	size_t		 classlen;	/* hash prefix naming kind and cost */
	enum hashkind	 kind;
	int		 line;
};

struct userdb {
	char			*buf;		/* the file */
	size_t			 buflen;
	struct uentry		*entries;	/* file order */
	size_t			 nentries;
	uint32_t		*slots;		/* entry index + 1, 0: free */
	size_t			 mask;
	const struct uentry	*dummy;		/* for unknown users */
	uint64_t		 id;
};

/* What a message about the file needs, and how many it has had. */
struct msgs {
	const char		*name;
	struct errlist		*errs;
	struct errlist		*warns;
	size_t			 nerrs;
	size_t			 nwarns;
};

static const char itoa64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * libxcrypt's work area (about 32 KiB), and the digests: one each for
 * the process, since a worker checks one password at a time.
 */
static struct crypt_data	 cdata;
static EVP_MD			*md_md5, *md_sha1;
static EVP_MD_CTX		*md_ctx;

static uint64_t			 userdb_nextid;

/*
 * Formats
 */

static int
is_itoa64(unsigned char c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') ||
	    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
all_itoa64(const char *s, size_t n)
{
	while (n-- > 0)
		if (!is_itoa64(*s++))
			return 0;
	return 1;
}

static int
is_b64(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || c == '+' || c == '/';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A crypt salt byte other than the '$' that ends it. */
static int
is_saltchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '$' && c != ':';
}

/* Length of the field at s (ending at '$' or the end), 0 if none. */
static size_t
field(const char *s, const char *end, int (*ok)(unsigned char))
{
	const char	*p = s;

	while (p < end && *p != '$' && ok(*p))
		p++;
	return p - s;
}

/* "$2y$NN$" and 53 bytes of salt and hash. */
static enum hashkind
classify_bcrypt(const char *h, size_t len, size_t *classlen)
{
	int	 cost;

	if (len != 60 || h[6] != '$' || !is_digit(h[4]) || !is_digit(h[5]))
		return HASH_UNKNOWN;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31 || !all_itoa64(h + 7, 53))
		return HASH_UNKNOWN;
	*classlen = 7;
	return HASH_BCRYPT;
}

/* "$apr1$", a salt of at most 8 bytes, "$", 22 bytes of hash. */
static enum hashkind
classify_apr1(const char *h, size_t len, size_t *classlen)
{
	const char	*p = h + 6, *end = h + len;
	size_t		 n;

	n = field(p, end, is_saltchar);
	p += n;
	if (n > 8 || p == end || *p != '$')
		return HASH_UNKNOWN;
	p++;
	if (end - p != 22 || !all_itoa64(p, 22))
		return HASH_UNKNOWN;
	*classlen = 6;
	return HASH_APR1;
}

/* "$5$" or "$6$", maybe "rounds=N$", a salt of at most 16, "$", hash. */
static enum hashkind
classify_sha(const char *h, size_t len, size_t *classlen)
{
	const char	*p = h + 3, *end = h + len;
	size_t		 n, want = h[1] == '5' ? 43 : 86;

	if (end - p > 7 && memcmp(p, "rounds=", 7) == 0) {
		p += 7;
		n = field(p, end, is_digit);
		p += n;
		if (n == 0 || n > 9 || p == end || *p != '$')
			return HASH_UNKNOWN;
		p++;
	}
	*classlen = p - h;
	n = field(p, end, is_saltchar);
	p += n;
	if (n > 16 || p == end || *p != '$')
		return HASH_UNKNOWN;
	p++;
	if ((size_t)(end - p) != want || !all_itoa64(p, want))
		return HASH_UNKNOWN;
	return h[1] == '5' ? HASH_SHA256 : HASH_SHA512;
}

/* "$y$", parameters, "$", salt, "$", 43 bytes of hash. */
static enum hashkind
classify_yescrypt(const char *h, size_t len, size_t *classlen)
{
	const char	*p = h + 3, *end = h + len;
	size_t		 n;

	n = field(p, end, is_itoa64);
	p += n;
	if (n == 0 || p == end || *p != '$')
		return HASH_UNKNOWN;
	p++;
	*classlen = p - h;
	n = field(p, end, is_itoa64);
	p += n;
	if (p == end || *p != '$')
		return HASH_UNKNOWN;
	p++;
	if (end - p != 43 || !all_itoa64(p, 43))
		return HASH_UNKNOWN;
	return HASH_YESCRYPT;
}

/*
 * The kind of a hash as written; a supported kind only when it is well
 * formed, so that a damaged entry is warned about at load rather than
 * silently failing at every login.
 */
static enum hashkind
classify(const char *h, size_t len, size_t *classlen)
{
	size_t	 i;

	*classlen = 0;
	if (len == 0)
		return HASH_EMPTY;
	if (len > 4 && h[0] == '$' && h[1] == '2' && h[3] == '$' &&
	    (h[2] == 'y' || h[2] == 'a' || h[2] == 'b'))
		return classify_bcrypt(h, len, classlen);
	if (len > 6 && memcmp(h, "$apr1$", 6) == 0)
		return classify_apr1(h, len, classlen);
	if (len > 3 && (memcmp(h, "$5$", 3) == 0 || memcmp(h, "$6$", 3) == 0))
		return classify_sha(h, len, classlen);
	if (len > 3 && memcmp(h, "$y$", 3) == 0)
		return classify_yescrypt(h, len, classlen);
	if (len == 33 && memcmp(h, "{SHA}", 5) == 0 && h[32] == '=') {
		for (i = 5; i < 32; i++)
			if (!is_b64(h[i]))
				return HASH_UNKNOWN;
		*classlen = 5;
		return HASH_SHA1;
	}
	if (len > 3 && memcmp(h, "$1$", 3) == 0)
		return HASH_MD5CRYPT;
	if ((len == 13 && all_itoa64(h, 13)) ||
	    (len == 20 && h[0] == '_' && all_itoa64(h + 1, 19)))
		return HASH_DES;
	if (h[0] == '$' || h[0] == '{')
		return HASH_UNKNOWN;
	return HASH_PLAIN;
}

/*
 * Verification
 */

static int
md_ready(EVP_MD **md, const char *name)
{
	if (md_ctx == NULL && (md_ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (*md == NULL)
		*md = EVP_MD_fetch(NULL, name, NULL);
	return *md != NULL;
}

static int
verify_crypt(const struct uentry *e, const char *pass)
{
	const char	*out;
	int		 ok = 0;

	out = crypt_rn(pass, e->hash, &cdata, sizeof(cdata));
	if (out != NULL && strlen(out) == e->hashlen)
		ok = CRYPTO_memcmp(out, e->hash, e->hashlen) == 0;
	explicit_bzero(&cdata, sizeof(cdata));
	return ok;
}

static int
md5_add(const void *p, size_t n)
{
	return EVP_DigestUpdate(md_ctx, p, n);
}

/* The 16-byte digest of Apache's MD5 crypt, after Poul-Henning Kamp's. */
static int
apr1_digest(const char *pw, size_t pwlen, const char *salt, size_t saltlen,
    unsigned char fin[16])
{
	size_t	 i, n;
	int	 ok;

	/* A digest of password, salt, password feeds the first round. */
	ok = EVP_DigestInit_ex2(md_ctx, md_md5, NULL) &&
	    md5_add(pw, pwlen) && md5_add(salt, saltlen) &&
	    md5_add(pw, pwlen) && EVP_DigestFinal_ex(md_ctx, fin, NULL);
	ok = ok && EVP_DigestInit_ex2(md_ctx, md_md5, NULL) &&
	    md5_add(pw, pwlen) && md5_add("$apr1$", 6) &&
	    md5_add(salt, saltlen);
	for (n = pwlen; ok && n > 0; n -= i) {
		i = n > 16 ? 16 : n;
		ok = md5_add(fin, i);
	}
	/* The bits of the length pick a zero byte or the first of pw. */
	explicit_bzero(fin, 16);
	for (n = pwlen; ok && n != 0; n >>= 1)
		ok = (n & 1) ? md5_add(fin, 1) : md5_add(pw, 1);
	ok = ok && EVP_DigestFinal_ex(md_ctx, fin, NULL);
	/* A thousand rounds, to slow down guessing. */
	for (i = 0; ok && i < 1000; i++) {
		ok = EVP_DigestInit_ex2(md_ctx, md_md5, NULL) &&
		    ((i & 1) ? md5_add(pw, pwlen) : md5_add(fin, 16)) &&
		    (i % 3 == 0 || md5_add(salt, saltlen)) &&
		    (i % 7 == 0 || md5_add(pw, pwlen)) &&
		    ((i & 1) ? md5_add(fin, 16) : md5_add(pw, pwlen)) &&
		    EVP_DigestFinal_ex(md_ctx, fin, NULL);
	}
	EVP_MD_CTX_reset(md_ctx);
	return ok;
}

static void
to64(char *out, unsigned long v, int n)
{
	while (n-- > 0) {
		*out++ = itoa64[v & 0x3f];
		v >>= 6;
	}
}

static int
verify_apr1(const struct uentry *e, const char *pass, size_t passlen)
{
	static const unsigned char order[5][3] = {
		{ 0, 6, 12 }, { 1, 7, 13 }, { 2, 8, 14 }, { 3, 9, 15 },
		{ 4, 10, 5 }
	};
	const char	*salt = e->hash + 6, *dollar;
	unsigned char	 fin[16];
	char		 out[22];
	int		 i, ok = 0;

	if (!md_ready(&md_md5, "MD5"))
		return 0;
	dollar = strchr(salt, '$');
	if (apr1_digest(pass, passlen, salt, dollar - salt, fin)) {
		for (i = 0; i < 5; i++)
			to64(out + 4 * i, (unsigned long)fin[order[i][0]] << 16 |
			    fin[order[i][1]] << 8 | fin[order[i][2]], 4);
		to64(out + 20, fin[11], 2);
		ok = CRYPTO_memcmp(out, dollar + 1, sizeof(out)) == 0;
	}
	explicit_bzero(fin, sizeof(fin));
	explicit_bzero(out, sizeof(out));
	return ok;
}

/* "{SHA}" and the base64 of the password's SHA-1. */
static int
verify_sha1(const struct uentry *e, const char *pass, size_t passlen)
{
	unsigned char	 md[20];
	unsigned char	 out[29];
	int		 ok = 0;

	if (!md_ready(&md_sha1, "SHA1"))
		return 0;
	if (EVP_Digest(pass, passlen, md, NULL, md_sha1, NULL) &&
	    EVP_EncodeBlock(out, md, sizeof(md)) == 28)
		ok = CRYPTO_memcmp(out, e->hash + 5, 28) == 0;
	explicit_bzero(md, sizeof(md));
	explicit_bzero(out, sizeof(out));
	return ok;
}

/* pass is NUL-terminated, as crypt(3) wants it, and passlen long. */
static int
verify_entry(const struct uentry *e, const char *pass, size_t passlen)
{
	switch (e->kind) {
	case HASH_BCRYPT:
	case HASH_SHA256:
	case HASH_SHA512:
	case HASH_YESCRYPT:
		return verify_crypt(e, pass);
	case HASH_APR1:
		return verify_apr1(e, pass, passlen);
	case HASH_SHA1:
		return verify_sha1(e, pass, passlen);
	default:
		return 0;
	}
}

static const struct uentry *
lookup(const struct userdb *db, const char *user, size_t len)
{
	const struct uentry	*e;
	size_t			 i;
	uint32_t		 s;

	i = auth_hash(USERDB_SEED, user, len) & db->mask;
	while ((s = db->slots[i]) != 0) {
		e = &db->entries[s - 1];
		if (e->userlen == len && memcmp(e->user, user, len) == 0)
			return e;
		i = (i + 1) & db->mask;
	}
	return NULL;
}

/*
 * One path for every answer: whether the user is unknown, the entry
 * never matches or the password is wrong, a hash of the same kind and
 * cost is computed and compared in constant time, and only then the
 * answer is decided.
 */
int
userdb_verify(const struct userdb *db, const char *user, size_t userlen,
    const char *pass, size_t passlen)
{
	const struct uentry	*e;
	char			 pw[AUTH_NAME_MAX + 1];
	int			 ok = 1, match;

	if (db == NULL || db->dummy == NULL)
		return 0;
	if (userlen == 0 || userlen > AUTH_NAME_MAX ||
	    passlen > AUTH_NAME_MAX) {
		ok = 0;
		if (passlen > AUTH_NAME_MAX)
			passlen = AUTH_NAME_MAX;
	}
	/* crypt(3) would stop at a NUL: "a\0b" must not pass as "a". */
	if (memchr(user, '\0', userlen) != NULL ||
	    memchr(pass, '\0', passlen) != NULL)
		ok = 0;
	if ((e = lookup(db, user, userlen)) == NULL || !HASH_USABLE(e->kind)) {
		ok = 0;
		e = db->dummy;
	}
	memcpy(pw, pass, passlen);
	pw[passlen] = '\0';
	match = verify_entry(e, pw, passlen);
	explicit_bzero(pw, sizeof(pw));
	return ok & match;
}

/*
 * Loading
 */

static void
warn_entry(struct msgs *, const struct uentry *, const char *, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
warn_entry(struct msgs *m, const struct uentry *e, const char *fmt, ...)
{
	char	 name[AUTH_ESCAPE_SIZE], msg[256];
	va_list	 ap;

	if (m->nwarns++ >= USERDB_MESSAGES_MAX || m->warns == NULL)
		return;
	auth_escape(name, sizeof(name), e->user, e->userlen);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(m->warns, m->name, e->line, "user %s: %s", name, msg);
}

static void
error_line(struct msgs *m, int line, const char *msg)
{
	if (m->nerrs++ < USERDB_MESSAGES_MAX && m->errs != NULL)
		errlist_add(m->errs, m->name, line, "%s", msg);
}

static void
insert(struct userdb *db, size_t idx)
{
	const struct uentry	*e = &db->entries[idx];
	size_t			 i;

	i = auth_hash(USERDB_SEED, e->user, e->userlen) & db->mask;
	while (db->slots[i] != 0)
		i = (i + 1) & db->mask;
	db->slots[i] = idx + 1;
}

/*
 * The entry an unknown user is checked against: the first of the kind
 * and cost most common in the file, so that an unknown name takes as
 * long as most known ones.
 */
static const struct uentry *
pick_dummy(const struct userdb *db)
{
	struct {
		const struct uentry	*first;
		size_t			 count;
	}			 cls[USERDB_CLASSES_MAX];
	const struct uentry	*e, *f;
	size_t			 i, j, ncls = 0, best = 0;

	for (i = 0; i < db->nentries; i++) {
		e = &db->entries[i];
		if (!HASH_USABLE(e->kind))
			continue;
		for (j = 0; j < ncls; j++) {
			f = cls[j].first;
			if (f->kind == e->kind && f->classlen == e->classlen &&
			    memcmp(f->hash, e->hash, e->classlen) == 0)
				break;
		}
		if (j < ncls)
			cls[j].count++;
		else if (ncls < USERDB_CLASSES_MAX) {
			cls[ncls].first = e;
			cls[ncls++].count = 1;
		}
	}
	if (ncls == 0)
		return NULL;
	for (j = 1; j < ncls; j++)
		if (cls[j].count > cls[best].count)
			best = j;
	return cls[best].first;
}

/* Takes buf, len + 1 bytes with a NUL at len, whatever happens. */
static struct userdb *
userdb_parse_owned(char *buf, size_t len, const char *name,
    struct errlist *errs, struct errlist *warns)
{
	struct userdb		*db;
	struct uentry		*e;
	const struct uentry	*first;
	struct msgs		 m = { name, errs, warns, 0, 0 };
	char			*cur, *s, *colon, *hash, *c2;
	size_t			 n, nlines = 1, size = 16;
	int			 line = 0, any = 0;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		goto nomem;
	db->buf = buf;
	db->buflen = len;
	db->id = ++userdb_nextid;
	for (s = buf; (s = memchr(s, '\n', buf + len - s)) != NULL; s++)
		nlines++;
	if ((db->entries = calloc(nlines, sizeof(*db->entries))) == NULL)
		goto nomem;
	while (size < nlines * 2)
		size *= 2;
	if ((db->slots = calloc(size, sizeof(*db->slots))) == NULL)
		goto nomem;
	db->mask = size - 1;

	cur = buf;
	while (auth_nextline(&cur, buf + len, &s, &n)) {
		line++;
		if (n == 0 || s[0] == '#')
			continue;
		if (memchr(s, '\0', n) != NULL) {
			error_line(&m, line, "NUL byte in line");
			continue;
		}
		if ((colon = memchr(s, ':', n)) == NULL) {
			error_line(&m, line, "missing ':' after the user name");
			continue;
		}
		if (colon == s) {
			error_line(&m, line, "empty user name");
			continue;
		}
		e = &db->entries[db->nentries];
		e->user = s;
		e->userlen = colon - s;
		e->hash = hash = colon + 1;
		if ((c2 = memchr(hash, ':', s + n - hash)) != NULL)
			e->hashlen = c2 - hash;
		else
			e->hashlen = s + n - hash;
		e->line = line;
		*colon = '\0';
		hash[e->hashlen] = '\0';

		if ((first = lookup(db, e->user, e->userlen)) != NULL) {
			warn_entry(&m, e, "duplicate entry never matches, "
			    "line %d is used", first->line);
			continue;
		}
		e->kind = classify(e->hash, e->hashlen, &e->classlen);
		if (!HASH_USABLE(e->kind))
			warn_entry(&m, e, "%s password never matches",
			    hashkind_names[e->kind]);
		else if (e->userlen > AUTH_NAME_MAX)
			warn_entry(&m, e, "name longer than %d bytes never "
			    "matches", AUTH_NAME_MAX);
		else
			any = 1;
		insert(db, db->nentries++);
	}
	if (m.nerrs > USERDB_MESSAGES_MAX && errs != NULL)
		errlist_add(errs, name, 0, "%zu more errors",
		    m.nerrs - USERDB_MESSAGES_MAX);
	if (m.nwarns > USERDB_MESSAGES_MAX && warns != NULL)
		errlist_add(warns, name, 0, "%zu more entries never match",
		    m.nwarns - USERDB_MESSAGES_MAX);
	if (m.nerrs > 0) {
		userdb_free(db);
		return NULL;
	}
	if (any) {
		db->dummy = pick_dummy(db);
		/* Fetched here, in the parent, rather than in each worker. */
		md_ready(&md_md5, "MD5");
		md_ready(&md_sha1, "SHA1");
	}
	return db;

 nomem:
	if (errs != NULL)
		errlist_add(errs, name, 0, "out of memory");
	if (db != NULL)
		userdb_free(db);
	else {
		explicit_bzero(buf, len);
		free(buf);
	}
	return NULL;
}

struct userdb *
userdb_parse(const char *text, size_t len, const char *name,
    struct errlist *errs, struct errlist *warns)
{
	char	*buf;

	if (len == SIZE_MAX || (buf = malloc(len + 1)) == NULL) {
		if (errs != NULL)
			errlist_add(errs, name, 0, "out of memory");
		return NULL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return userdb_parse_owned(buf, len, name, errs, warns);
}

struct userdb *
userdb_load(const char *path, struct errlist *errs, struct errlist *warns)
{
	char	*buf;
	size_t	 len;

	if (auth_readfile(path, &buf, &len, errs) == -1)
		return NULL;
	return userdb_parse_owned(buf, len, path, errs, warns);
}

void
userdb_free(struct userdb *db)
{
	if (db == NULL)
		return;
	if (db->buf != NULL) {
		explicit_bzero(db->buf, db->buflen);
		free(db->buf);
	}
	free(db->entries);
	free(db->slots);
	free(db);
}

uint64_t
userdb_id(const struct userdb *db)
{
	return db->id;
}

size_t
userdb_count(const struct userdb *db)
{
	return db == NULL ? 0 : db->nentries;
}

int
userdb_exists(const struct userdb *db, const char *user, size_t len)
{
	return db != NULL && lookup(db, user, len) != NULL;
}
