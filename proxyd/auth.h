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
 * HTTP Basic authentication (SPEC.md section 4 item 6): Apache's user
 * and group files, password verification, Basic credentials, require
 * evaluation and the cache of successful checks.  Everything here is a
 * pure function over memory except the two *_load() functions, which
 * read their file and hand it to *_parse().
 *
 *   htpasswd.c	user files and password verification
 *   htgroup.c	group files
 *   auth.c	credentials, require, the cache, what the files share
 *
 * The parent loads the files before the workers start (and again on
 * reload); the workers only look things up.  The verification code keeps
 * one crypt work area and one digest context for the process: a worker
 * is single-threaded.
 */

#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

struct errlist;
struct requirelist;

/* The longest user name and the longest password (SPEC.md 4.6). */
#define AUTH_NAME_MAX		255

/*
 * Decoded Basic credentials.  Both strings are NUL-terminated as well as
 * counted; either may hold a NUL byte of its own, which never matches.
 */
struct credentials {
	char		 user[AUTH_NAME_MAX + 1];
	size_t		 userlen;
	char		 pass[AUTH_NAME_MAX + 1];
	size_t		 passlen;
};

/*
 * Room auth_escape() needs: four bytes for each of at most
 * AUTH_NAME_MAX bytes, "..." when cut, and the NUL.
 */
#define AUTH_ESCAPE_SIZE	(4 * AUTH_NAME_MAX + 4)

struct userdb;
struct groupdb;
struct authcache;

/*
 * htpasswd.c
 *
 * userdb_load() reads an htpasswd file; userdb_parse() parses one held
 * in memory (name is the file name for messages).  Errors are added to
 * errs and make them return NULL: a malformed line as "FILE:LINE:
 * message", a file that cannot be read as "FILE: reason".  Entries that
 * can never match (plaintext, DES and MD5 crypt, unknown formats, later
 * duplicates of a user, names over AUTH_NAME_MAX) are added to warns as
 * "FILE:LINE: user NAME: ..." and loaded as never matching.  At most 100
 * of each are listed, then "FILE:0: N more ...".  errs and warns may be
 * NULL.
 *
 * userdb_verify() returns 1 when pass is user's password, else 0.  An
 * unknown user costs the same as a wrong password: the password is
 * checked against an entry of the kind and cost most common in the
 * file, and the answer forced to 0.
 *
 * userdb_count() and userdb_exists() are for tests and diagnostics: a
 * worker must not use them to answer differently for unknown users.
 */
struct userdb	*userdb_load(const char *, struct errlist *, struct errlist *);
struct userdb	*userdb_parse(const char *, size_t, const char *,
		    struct errlist *, struct errlist *);
void		 userdb_free(struct userdb *);
int		 userdb_verify(const struct userdb *, const char *, size_t,
		    const char *, size_t);
uint64_t	 userdb_id(const struct userdb *);
size_t		 userdb_count(const struct userdb *);
int		 userdb_exists(const struct userdb *, const char *, size_t);

/*
 * htgroup.c
 *
 * groupdb_member() tells whether user is a member of group; a NULL
 * groupdb has no groups.
 */
struct groupdb	*groupdb_load(const char *, struct errlist *);
struct groupdb	*groupdb_parse(const char *, size_t, const char *,
		    struct errlist *);
void		 groupdb_free(struct groupdb *);
int		 groupdb_member(const struct groupdb *, const char *,
		    const char *, size_t);

/*
 * auth.c
 *
 * auth_basic_parse() decodes an Authorization field value into cred:
 * 0, or -1 (cred cleared) for anything but well-formed Basic
 * credentials with a non-empty user name and both parts within
 * AUTH_NAME_MAX.
 *
 * auth_require_ok() tells whether an authenticated user satisfies one of
 * the require lines (none at all means valid-user).
 *
 * auth_escape() writes a user name in a form fit for a log line.
 *
 * The cache records only that a password was right, as an HMAC-SHA256
 * under a key of its own of (user file, user, password).  It is a fixed
 * table: adding never grows it.  Entries expire ttl_ms after they were
 * added (0: never).  The times are the caller's monotonic clock in ms.
 */
int		 auth_basic_parse(const char *, size_t, struct credentials *);
void		 credentials_clear(struct credentials *);
int		 auth_require_ok(const struct requirelist *,
		    const struct groupdb *, const char *, size_t);
void		 auth_escape(char *, size_t, const char *, size_t);

struct authcache *authcache_new(size_t, uint64_t);
void		 authcache_free(struct authcache *);
void		 authcache_clear(struct authcache *);
int		 authcache_hit(struct authcache *, const struct userdb *,
		    const char *, size_t, const char *, size_t, uint64_t);
void		 authcache_add(struct authcache *, const struct userdb *,
		    const char *, size_t, const char *, size_t, uint64_t);

/* Shared by htpasswd.c and htgroup.c. */
int		 auth_readfile(const char *, char **, size_t *,
		    struct errlist *);
int		 auth_nextline(char **, char *, char **, size_t *);
int		 auth_isspace(unsigned char);
uint64_t	 auth_hash(uint64_t, const void *, size_t);

#endif /* AUTH_H */
