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
 * Group files as Apache's mod_authz_groupfile reads them:
 *
 *	group: user1 user2 ...
 *
 * Lines trimmed of white space at both ends, '#' comments and blank
 * lines skipped, the group name up to the first ':', the members
 * separated by any white space; a member may be quoted with '"' or '\''
 * (a backslash escapes the quote or a backslash), as Apache's words are.
 * A group named on several lines has the members of all of them.
 * Unlike Apache, white space before the ':' is not part of the name.
 *
 * The (group, member) pairs are kept in one hash table, so a membership
 * test costs the same whatever the size of the file.
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxyd.h"
#include "auth.h"

#define GROUPDB_ERRORS_MAX	100
#define GROUPDB_SEED		0x70726f7879644753ULL

struct gmember {
	const char	*group;		/* in the file's buffer */
	size_t		 grouplen;
	const char	*user;
	size_t		 userlen;
};

struct groupdb {
	char		*buf;
	struct gmember	*members;
	size_t		 nmembers;
	size_t		 cap;
	uint32_t	*slots;		/* member index + 1, 0: free */
	size_t		 mask;
};

static uint64_t
pair_hash(const char *group, size_t grouplen, const char *user,
    size_t userlen)
{
	return auth_hash(auth_hash(GROUPDB_SEED, group, grouplen), user,
	    userlen);
}

static const struct gmember *
lookup(const struct groupdb *db, const char *group, size_t grouplen,
    const char *user, size_t userlen)
{
	const struct gmember	*m;
	size_t			 i;
	uint32_t		 s;

	i = pair_hash(group, grouplen, user, userlen) & db->mask;
	while ((s = db->slots[i]) != 0) {
		m = &db->members[s - 1];
		if (m->grouplen == grouplen && m->userlen == userlen &&
		    memcmp(m->group, group, grouplen) == 0 &&
		    memcmp(m->user, user, userlen) == 0)
			return m;
		i = (i + 1) & db->mask;
	}
	return NULL;
}

int
groupdb_member(const struct groupdb *db, const char *group,
    const char *user, size_t userlen)
{
	if (db == NULL || group == NULL)
		return 0;
	return lookup(db, group, strlen(group), user, userlen) != NULL;
}

/*
 * The next member in [*cur, end), unquoted and unescaped in place (what
 * comes out is never longer than what went in).
 */
static int
next_word(char **cur, char *end, char **word, size_t *wordlen)
{
	char	*p = *cur, *o;
	char	 q;

	while (p < end && auth_isspace(*p))
		p++;
	if (p == end)
		return 0;
	if (*p == '"' || *p == '\'') {
		q = *p++;
		*word = o = p;
		while (p < end && *p != q) {
			if (*p == '\\' && end - p > 1 &&
			    (p[1] == q || p[1] == '\\'))
				p++;
			*o++ = *p++;
		}
		if (p < end)
			p++;
	} else {
		*word = o = p;
		while (p < end && !auth_isspace(*p)) {
			if (*p == '\\' && end - p > 1 && p[1] == '\\')
				p++;
			*o++ = *p++;
		}
	}
	*wordlen = o - *word;
	*cur = p;
	return 1;
}

static int
add_member(struct groupdb *db, const char *group, size_t grouplen,
    const char *user, size_t userlen)
{
	struct gmember	*m;
	size_t		 cap;

	if (db->nmembers == db->cap) {
		cap = db->cap == 0 ? 64 : db->cap * 2;
		/* The table's slots hold an index + 1 in 32 bits. */
		if (cap > UINT32_MAX / 2 ||
		    (m = reallocarray(db->members, cap, sizeof(*m))) == NULL)
			return -1;
		db->members = m;
		db->cap = cap;
	}
	m = &db->members[db->nmembers++];
	m->group = group;
	m->grouplen = grouplen;
	m->user = user;
	m->userlen = userlen;
	return 0;
}

static int
build_table(struct groupdb *db)
{
	const struct gmember	*m;
	size_t			 size = 16, i, j;

	while (size < db->nmembers * 2)
		size *= 2;
	if ((db->slots = calloc(size, sizeof(*db->slots))) == NULL)
		return -1;
	db->mask = size - 1;
	for (i = 0; i < db->nmembers; i++) {
		m = &db->members[i];
		if (lookup(db, m->group, m->grouplen, m->user,
		    m->userlen) != NULL)
			continue;		/* listed twice */
		j = pair_hash(m->group, m->grouplen, m->user, m->userlen) &
		    db->mask;
		while (db->slots[j] != 0)
			j = (j + 1) & db->mask;
		db->slots[j] = i + 1;
	}
	return 0;
}

static void
error_line(const char *name, struct errlist *errs, size_t *nerrs, int line,
    const char *msg)
{
	if ((*nerrs)++ < GROUPDB_ERRORS_MAX && errs != NULL)
		errlist_add(errs, name, line, "%s", msg);
}

/* Takes buf, len + 1 bytes, whatever happens. */
static struct groupdb *
groupdb_parse_owned(char *buf, size_t len, const char *name,
    struct errlist *errs)
{
	struct groupdb	*db;
	char		*cur, *s, *colon, *g, *ge, *p, *w;
	size_t		 n, wlen, nerrs = 0;
	int		 line = 0;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		free(buf);
		goto nomem;
	}
	db->buf = buf;
	cur = buf;
	while (auth_nextline(&cur, buf + len, &s, &n)) {
		line++;
		if (n == 0 || s[0] == '#')
			continue;
		if (memchr(s, '\0', n) != NULL) {
			error_line(name, errs, &nerrs, line,
			    "NUL byte in line");
			continue;
		}
		if ((colon = memchr(s, ':', n)) == NULL) {
			error_line(name, errs, &nerrs, line,
			    "missing ':' after the group name");
			continue;
		}
		g = s;
		ge = colon;
		while (ge > g && auth_isspace(ge[-1]))
			ge--;
		if (ge == g) {
			error_line(name, errs, &nerrs, line,
			    "empty group name");
			continue;
		}
		p = colon + 1;
		while (next_word(&p, s + n, &w, &wlen)) {
			if (wlen == 0)
				continue;
			if (add_member(db, g, ge - g, w, wlen) == -1)
				goto nomem;
		}
	}
	if (nerrs > GROUPDB_ERRORS_MAX && errs != NULL)
		errlist_add(errs, name, 0, "%zu more errors",
		    nerrs - GROUPDB_ERRORS_MAX);
	if (nerrs > 0) {
		groupdb_free(db);
		return NULL;
	}
	if (build_table(db) == -1)
		goto nomem;
	return db;

 nomem:
	if (errs != NULL)
		errlist_add(errs, name, 0, "out of memory");
	groupdb_free(db);
	return NULL;
}

struct groupdb *
groupdb_parse(const char *text, size_t len, const char *name,
    struct errlist *errs)
{
	char	*buf;

	if (len == SIZE_MAX || (buf = malloc(len + 1)) == NULL) {
		if (errs != NULL)
			errlist_add(errs, name, 0, "out of memory");
		return NULL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return groupdb_parse_owned(buf, len, name, errs);
}

struct groupdb *
groupdb_load(const char *path, struct errlist *errs)
{
	char	*buf;
	size_t	 len;

	if (auth_readfile(path, &buf, &len, errs) == -1)
		return NULL;
	return groupdb_parse_owned(buf, len, path, errs);
}

void
groupdb_free(struct groupdb *db)
{
	if (db == NULL)
		return;
	free(db->buf);
	free(db->members);
	free(db->slots);
	free(db);
}
