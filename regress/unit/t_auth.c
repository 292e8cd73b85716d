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
 * Unit tests of authentication against SPEC.md section 4 item 6: hashes
 * made by the real htpasswd, openssl passwd and mkpasswd, verified right
 * and wrong; user and group files as Apache reads them; what never
 * matches and is warned about; Basic credentials; require; the cache.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/time.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atf-c.h>

#include "proxyd.h"
#include "auth.h"

#define L(s)		s, sizeof(s) - 1
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static struct errlist	 errs, warns;

static void
lists_clear(void)
{
	errlist_clear(&errs);
	errlist_clear(&warns);
}

static struct userdb *
users(const char *text)
{
	lists_clear();
	return userdb_parse(text, strlen(text), "users", &errs, &warns);
}

static struct groupdb *
groups(const char *text)
{
	lists_clear();
	return groupdb_parse(text, strlen(text), "groups", &errs);
}

static int
verify(const struct userdb *db, const char *user, const char *pass)
{
	return userdb_verify(db, user, strlen(user), pass, strlen(pass));
}

static int
has_line(const struct errlist *list, const char *line)
{
	size_t	 i;

	for (i = 0; i < list->count; i++)
		if (strcmp(list->lines[i], line) == 0)
			return 1;
	return 0;
}

static void
dump(const char *what, const struct errlist *list)
{
	size_t	 i;

	for (i = 0; i < list->count; i++)
		fprintf(stderr, "%s: %s\n", what, list->lines[i]);
}

static void
write_file(const char *path, const char *text, size_t len)
{
	int	 fd;

	ATF_REQUIRE((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) !=
	    -1);
	ATF_REQUIRE(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

static size_t
b64(const unsigned char *in, size_t len, char *out)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (len - i == 1) {
		v = in[i] << 16;
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = in[i] << 16 | in[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* "Basic " and the base64 of len bytes of raw. */
static int
parse_raw(const void *raw, size_t len, struct credentials *cred)
{
	char	 value[2048];
	size_t	 n;

	ATF_REQUIRE(len * 4 / 3 + 16 < sizeof(value));
	memcpy(value, "Basic ", 6);
	n = 6 + b64(raw, len, value + 6);
	return auth_basic_parse(value, n, cred);
}

/*
 * Hash vectors
 */

struct hashvec {
	const char	*tool;
	const char	*hash;
	const char	*pass;
};

/*
 * Made with the commands named, copied as they printed them (apache2-utils
 * 2.4.x, OpenSSL 3.0, whois's mkpasswd).
 */
static const struct hashvec hashvec[] = {
	{ "htpasswd -nbB -C 5",
	  "$2y$05$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F.lvwYoni6",
	  "secret" },
	{ "htpasswd -nbB -C 10",
	  "$2y$10$fHwB2pSiNwO6Pp4anHwZ2.OjJ2q297t9C/lTlZS/fdsQfOvYUVUvC",
	  "cost10" },
	{ "mkpasswd -m bcrypt -R 5",
	  "$2b$05$o7U4hEIELNZzj4lXILD2J.zuhrXUoPlEjt0rxXdk1xMlv1MqgHyXC",
	  "bcryptb" },
	{ "mkpasswd -m bcrypt-a -R 5",
	  "$2a$05$rqxkTdYwZYu7dhBm2xDWr.hh0FS3dWFKIUg.pXWl7ZRV8nXUKCrhO",
	  "bcrypta" },
	{ "htpasswd -nbm",
	  "$apr1$37Qm6ZAV$DjqdsE05DCRLCnoKZh1ME/",
	  "p\xc3\xa4ssword" },
	{ "htpasswd -nbm (empty password)",
	  "$apr1$u0ZQmsEt$uD8XL7O74fKJvQSCbc318/",
	  "" },
	{ "openssl passwd -apr1",
	  "$apr1$Kr/O7VjP$pQv4U58nNvwvr3TfenhB30",
	  "aprpw" },
	{ "openssl passwd -apr1 -salt ab",
	  "$apr1$ab$FmDrMoymp9vNTAdQpBmkf0",
	  "short-salt" },
	{ "openssl passwd -apr1 (over 16 bytes)",
	  "$apr1$uardhGTH$ZFh34P8z30bKAJ8AawG6d0",
	  "a much longer password, over sixteen bytes, to loop" },
	{ "htpasswd -nbs",
	  "{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=",
	  "hunter2" },
	{ "htpasswd -nbs (empty password)",
	  "{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
	  "" },
	{ "htpasswd -nb2",
	  "$5$E6NOFUcpd/5sohTp$3Ju/QOJB2lqNLuu/TQDHMrp1iznSKV.g59nk5t5B7c.",
	  "pw-256" },
	{ "htpasswd -nb2 -r 1000",
	  "$5$rounds=1000$5jXKJMKqBvtPnUh3$"
	  "8Q/HHLDasE7Ji7mMyWvf.8V4vAJzrklgrJJBcYqRoNA",
	  "rounds" },
	{ "htpasswd -nb5",
	  "$6$dId/E81suGUzn8vj$0PlGDyKJwNSxLPm0rYiQZR4ttbUKaI4lQzurkJzT0Xti"
	  "r4DcTafw/.CN45eDd0nNrhxIzIVBDXxpKCW.Nzl901",
	  "pw-512" },
	{ "openssl passwd -5",
	  "$5$Knz3x7WLOxvsq6lo$I4s7Nq8gIxSEblHzyUDvDLDOcMbtb4h5wbtmh8Avg46",
	  "sha256pw" },
	{ "openssl passwd -6",
	  "$6$M7j3o63GjzWM7RMx$Gw1pNWRw6YH8cHS.tvj1xnxYPThvRhv45I6qR7Gszzw"
	  "XfGVK/exWLW1.uH9UsZZ5DQRUefP/OjVtO70PQEh4K1",
	  "sha512pw" },
	{ "mkpasswd -m yescrypt",
	  "$y$j9T$6CErf4FefElG7CwTR.keA0$ak0buDIIu31agvi1/6CBrxq9G0RGcsr7Il4"
	  "syXnaneC",
	  "yespw" },
	{ "mkpasswd -m yescrypt -R 3",
	  "$y$j7T$559qLI462Cr3IFVfZC.8T0$3dbBDBtGR2L7aq3vjTP7naT4KCpZp6k89q"
	  "ynPq8GUV9",
	  "yes, colon: here" },
};

ATF_TC_WITHOUT_HEAD(hash_vectors);
ATF_TC_BODY(hash_vectors, tc)
{
	const struct hashvec	*v;
	struct userdb		*db;
	char			 text[512], wrong[300];
	size_t			 i, n;

	for (i = 0; i < NITEMS(hashvec); i++) {
		v = &hashvec[i];
		snprintf(text, sizeof(text), "user:%s\n", v->hash);
		db = users(text);
		ATF_REQUIRE_MSG(db != NULL, "%s", v->tool);
		ATF_CHECK_MSG(warns.count == 0, "%s: warned", v->tool);
		ATF_CHECK_MSG(verify(db, "user", v->pass) == 1,
		    "%s: right password refused", v->tool);
		n = strlen(v->pass);
		/* One more byte, one less, one changed, another case. */
		snprintf(wrong, sizeof(wrong), "%sx", v->pass);
		ATF_CHECK_MSG(verify(db, "user", wrong) == 0,
		    "%s: %s accepted", v->tool, wrong);
		if (n > 0) {
			ATF_CHECK_MSG(userdb_verify(db, L("user"), v->pass,
			    n - 1) == 0, "%s: prefix accepted", v->tool);
			memcpy(wrong, v->pass, n + 1);
			wrong[n - 1] ^= 1;
			ATF_CHECK_MSG(verify(db, "user", wrong) == 0,
			    "%s: %s accepted", v->tool, wrong);
		}
		ATF_CHECK_MSG(verify(db, "User", v->pass) == 0,
		    "%s: user names are case-sensitive", v->tool);
		ATF_CHECK_MSG(verify(db, "nobody", v->pass) == 0,
		    "%s: unknown user accepted", v->tool);
		userdb_free(db);
	}
}

/* A few entries share a file, each checked by its own algorithm. */
ATF_TC_WITHOUT_HEAD(mixed_file);
ATF_TC_BODY(mixed_file, tc)
{
	struct userdb	*db;
	char		 text[8192], user[16];
	size_t		 i, off = 0;

	for (i = 0; i < NITEMS(hashvec); i++)
		off += snprintf(text + off, sizeof(text) - off, "u%zu:%s\n",
		    i, hashvec[i].hash);
	ATF_REQUIRE((db = users(text)) != NULL);
	ATF_CHECK_EQ(userdb_count(db), NITEMS(hashvec));
	for (i = 0; i < NITEMS(hashvec); i++) {
		snprintf(user, sizeof(user), "u%zu", i);
		ATF_CHECK_MSG(verify(db, user, hashvec[i].pass) == 1, "%s",
		    hashvec[i].tool);
		snprintf(user, sizeof(user), "u%zu",
		    (i + 1) % NITEMS(hashvec));
		ATF_CHECK_MSG(verify(db, user, hashvec[i].pass) == 0 ||
		    strcmp(hashvec[i].pass, hashvec[(i + 1) %
		    NITEMS(hashvec)].pass) == 0, "%s", hashvec[i].tool);
	}
	userdb_free(db);
}

/*
 * What never matches: each warned about once with its line, and refused
 * with the very password it holds or encodes.
 */
ATF_TC_WITHOUT_HEAD(never_matches);
ATF_TC_BODY(never_matches, tc)
{
	struct userdb	*db;

	db = users(
	    "# htpasswd -nbd frank desdes\n"
	    "frank:HRl1K3BkoKCt.\n"
	    "gina:plain\n"
	    "md5:$1$QQCE5lJG$TaTMK/R9oFrxvfeWIexiW/\n"
	    "x2x:$2x$05$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F.lvwYoni6\n"
	    "ssha:{SSHA}abcdefgh\n"
	    "scrypt:$7$CU..../....B60pLiwZBt1S8bF9Pu5aa/$YvoKhgmnlA7XROQ45Gf1"
	    "18PhxTKaGTcLEx/ZA3QhKZ1\n"
	    "bsdi:_J9..eJfw4g9VYJ4WJwA\n"
	    "empty:\n"
	    "shortbcrypt:$2y$05$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F\n"
	    "badcost:$2y$99$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F.lvwY"
	    "oni6\n"
	    "longsalt:$apr1$123456789$DjqdsE05DCRLCnoKZh1ME/\n"
	    "shortsha:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h=\n"
	    "odd\001name:secret\n"
	    "ok:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n");
	ATF_REQUIRE(db != NULL);
	ATF_CHECK_EQ(errs.count, 0);
	dump("warning", &warns);
	ATF_CHECK_EQ(warns.count, 13);
	ATF_CHECK(has_line(&warns,
	    "users:2: user frank: DES crypt password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:3: user gina: plaintext password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:4: user md5: MD5 crypt password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:5: user x2x: unknown format password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:6: user ssha: unknown format password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:7: user scrypt: unknown format password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:8: user bsdi: DES crypt password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:9: user empty: empty password never matches"));
	ATF_CHECK(has_line(&warns, "users:10: user shortbcrypt: "
	    "unknown format password never matches"));
	ATF_CHECK(has_line(&warns, "users:11: user badcost: "
	    "unknown format password never matches"));
	ATF_CHECK(has_line(&warns, "users:12: user longsalt: "
	    "unknown format password never matches"));
	ATF_CHECK(has_line(&warns, "users:13: user shortsha: "
	    "unknown format password never matches"));
	ATF_CHECK(has_line(&warns,
	    "users:14: user odd\\001name: plaintext password never matches"));
	ATF_CHECK(verify(db, "frank", "desdes") == 0);
	ATF_CHECK(verify(db, "frank", "HRl1K3BkoKCt.") == 0);
	ATF_CHECK(verify(db, "gina", "plain") == 0);
	ATF_CHECK(verify(db, "md5", "md5pw") == 0);
	ATF_CHECK(verify(db, "x2x", "secret") == 0);
	ATF_CHECK(verify(db, "empty", "") == 0);
	ATF_CHECK(verify(db, "shortbcrypt", "secret") == 0);
	ATF_CHECK(verify(db, "badcost", "secret") == 0);
	ATF_CHECK(verify(db, "longsalt", "p\xc3\xa4ssword") == 0);
	ATF_CHECK(verify(db, "odd\001name", "secret") == 0);
	ATF_CHECK(verify(db, "ok", "hunter2") == 1);
	userdb_free(db);

	/* Nothing usable: nobody gets in, and nothing breaks. */
	ATF_REQUIRE((db = users("a:plain\nb:HRl1K3BkoKCt.\n")) != NULL);
	ATF_CHECK(verify(db, "a", "plain") == 0);
	ATF_CHECK(verify(db, "c", "x") == 0);
	userdb_free(db);
}

/* Lines as htpasswd writes them and as Apache reads them. */
ATF_TC_WITHOUT_HEAD(file_format);
ATF_TC_BODY(file_format, tc)
{
	struct userdb	*db;

	db = users(
	    "# a comment\r\n"
	    "\r\n"
	    "alice:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\r\n"
	    "   \t\n"
	    "  # an indented comment\n"
	    "\tbob:$apr1$37Qm6ZAV$DjqdsE05DCRLCnoKZh1ME/  \t\r\n"
	    "carol:$apr1$Kr/O7VjP$pQv4U58nNvwvr3TfenhB30:extra:fields\n"
	    "#dave:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "alice:$apr1$Kr/O7VjP$pQv4U58nNvwvr3TfenhB30\n"
	    "j\xc3\xbcrgen smith:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "erin:$2y$05$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F.lvwYoni6");
	ATF_REQUIRE(db != NULL);
	ATF_CHECK_EQ(errs.count, 0);
	dump("warning", &warns);
	ATF_CHECK_EQ(warns.count, 1);
	ATF_CHECK(has_line(&warns, "users:9: user alice: duplicate entry "
	    "never matches, line 3 is used"));
	ATF_CHECK_EQ(userdb_count(db), 5);

	/* The first entry of a user wins. */
	ATF_CHECK(verify(db, "alice", "hunter2") == 1);
	ATF_CHECK(verify(db, "alice", "aprpw") == 0);
	/* White space and CR around a line are not part of it. */
	ATF_CHECK(verify(db, "bob", "p\xc3\xa4ssword") == 1);
	ATF_CHECK(verify(db, "\tbob", "p\xc3\xa4ssword") == 0);
	/* A field after the hash is ignored, as Apache does. */
	ATF_CHECK(verify(db, "carol", "aprpw") == 1);
	ATF_CHECK(verify(db, "#dave", "hunter2") == 0);
	ATF_CHECK(verify(db, "dave", "hunter2") == 0);
	/* Inner white space and UTF-8 are part of a name. */
	ATF_CHECK(verify(db, "j\xc3\xbcrgen smith", "hunter2") == 1);
	ATF_CHECK(verify(db, "j\xc3\xbcrgen", "hunter2") == 0);
	/* The last line has no newline. */
	ATF_CHECK(verify(db, "erin", "secret") == 1);
	userdb_free(db);

	/* Empty files and files of comments load, with nobody in them. */
	ATF_REQUIRE((db = users("")) != NULL);
	ATF_CHECK_EQ(userdb_count(db), 0);
	ATF_CHECK(verify(db, "a", "") == 0);
	userdb_free(db);
	ATF_REQUIRE((db = users("# nobody\n\n\r\n")) != NULL);
	ATF_CHECK_EQ(userdb_count(db), 0);
	ATF_CHECK_EQ(warns.count + errs.count, 0);
	userdb_free(db);
}

/* A line that is no entry is an error with its line, and no database. */
ATF_TC_WITHOUT_HEAD(file_errors);
ATF_TC_BODY(file_errors, tc)
{
	struct userdb	*db;
	static const char nul[] = "a:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "b\0c:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n";

	db = users("alice:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "no colon here\n"
	    ":{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "ok:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "  \t:x\n");
	ATF_CHECK(db == NULL);
	dump("error", &errs);
	ATF_CHECK_EQ(errs.count, 3);
	ATF_CHECK(has_line(&errs, "users:2: missing ':' after the user name"));
	ATF_CHECK(has_line(&errs, "users:3: empty user name"));
	ATF_CHECK(has_line(&errs, "users:5: empty user name"));

	lists_clear();
	db = userdb_parse(nul, sizeof(nul) - 1, "users", &errs, &warns);
	ATF_CHECK(db == NULL);
	ATF_CHECK(has_line(&errs, "users:2: NUL byte in line"));

	/* Many bad lines: some shown, then a count. */
	{
		char	*text;
		size_t	 i;

		ATF_REQUIRE((text = malloc(1000 * 4 + 1)) != NULL);
		for (i = 0; i < 1000; i++)
			memcpy(text + 4 * i, "bad\n", 4);
		text[4000] = '\0';
		db = users(text);
		ATF_CHECK(db == NULL);
		ATF_CHECK_EQ(errs.count, 101);
		ATF_CHECK(has_line(&errs, "users:0: 900 more errors"));
		for (i = 0; i < 1000; i++)
			memcpy(text + 4 * i, "a:b\n", 4);
		db = users(text);
		ATF_CHECK(db != NULL);
		ATF_CHECK_EQ(warns.count, 101);
		userdb_free(db);
		free(text);
	}
	lists_clear();
}

/* The file on disk: read whole, errors named after it. */
ATF_TC_WITHOUT_HEAD(file_load);
ATF_TC_BODY(file_load, tc)
{
	struct userdb	*db;
	struct groupdb	*gdb;
	static const char text[] = "alice:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\r\n"
	    "bob:plain";

	write_file("htpasswd", text, sizeof(text) - 1);
	lists_clear();
	ATF_REQUIRE((db = userdb_load("htpasswd", &errs, &warns)) != NULL);
	ATF_CHECK(verify(db, "alice", "hunter2") == 1);
	ATF_CHECK(has_line(&warns,
	    "htpasswd:2: user bob: plaintext password never matches"));
	userdb_free(db);

	lists_clear();
	ATF_CHECK(userdb_load("missing", &errs, &warns) == NULL);
	ATF_CHECK(has_line(&errs, "missing: No such file or directory"));
	lists_clear();
	ATF_CHECK(userdb_load(".", &errs, &warns) == NULL);
	ATF_CHECK(has_line(&errs, ".: not a regular file"));

	write_file("groups", "staff: alice\n", 13);
	lists_clear();
	ATF_REQUIRE((gdb = groupdb_load("groups", &errs)) != NULL);
	ATF_CHECK(groupdb_member(gdb, "staff", L("alice")) == 1);
	groupdb_free(gdb);
	ATF_CHECK(groupdb_load("missing", &errs) == NULL);
	lists_clear();
}

/*
 * Unknown users and odd credentials take the one path and lose: the
 * unknown user with the password of a known one, NUL bytes that crypt
 * would not see, names and passwords over the limit.
 */
ATF_TC_WITHOUT_HEAD(verify_refusals);
ATF_TC_BODY(verify_refusals, tc)
{
	struct userdb	*db;
	char		 big[300];

	db = users("alice:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n"
	    "bob:$2y$05$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F.lvwYoni6\n"
	    "carol:$2y$05$ygnOIMzkrtOyfuH2kiyB6eoNepFlON2H/38QQm9.BA0F.lvwYoni6"
	    "\n");
	ATF_REQUIRE(db != NULL);
	ATF_CHECK(verify(db, "bob", "secret") == 1);
	ATF_CHECK(verify(db, "nobody", "secret") == 0);
	ATF_CHECK(verify(db, "nobody", "hunter2") == 0);
	ATF_CHECK(verify(db, "", "secret") == 0);
	ATF_CHECK(userdb_verify(db, L("bob\0"), L("secret")) == 0);
	ATF_CHECK(userdb_verify(db, L("bob"), L("secret\0")) == 0);
	ATF_CHECK(userdb_verify(db, L("bob"), L("secret\0x")) == 0);
	ATF_CHECK(userdb_verify(db, L("alice"), L("hunter2\0")) == 0);
	ATF_CHECK(userdb_verify(db, L("alice"), L("hunter2")) == 1);
	memset(big, 'a', sizeof(big));
	ATF_CHECK(userdb_verify(db, L("bob"), big, sizeof(big)) == 0);
	ATF_CHECK(userdb_verify(db, big, sizeof(big), L("secret")) == 0);
	ATF_CHECK(userdb_verify(NULL, L("bob"), L("secret")) == 0);
	userdb_free(db);

	/* A name over 255 bytes is warned about and never matches. */
	{
		char	 text[600];

		memset(text, 'n', 256);
		snprintf(text + 256, sizeof(text) - 256,
		    ":{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n");
		ATF_REQUIRE((db = users(text)) != NULL);
		ATF_CHECK_EQ(warns.count, 1);
		ATF_CHECK(userdb_exists(db, text, 256));
		ATF_CHECK(userdb_verify(db, text, 256, L("hunter2")) == 0);
		userdb_free(db);
		snprintf(text + 255, sizeof(text) - 255,
		    ":{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n");
		ATF_REQUIRE((db = users(text)) != NULL);
		ATF_CHECK_EQ(warns.count, 0);
		ATF_CHECK(userdb_verify(db, text, 255, L("hunter2")) == 1);
		userdb_free(db);
	}
}

/*
 * Unknown users cost what known ones do.  Not asserted (a loaded machine
 * would make it flaky), printed for a reader: bcrypt cost 10 against
 * the dummy and against a real entry.
 */
ATF_TC_WITHOUT_HEAD(verify_timing);
ATF_TC_BODY(verify_timing, tc)
{
	struct userdb	*db;
	struct timespec	 t0, t1, t2;
	int		 i;

	db = users("a:$apr1$37Qm6ZAV$DjqdsE05DCRLCnoKZh1ME/\n"
	    "ten:$2y$10$fHwB2pSiNwO6Pp4anHwZ2.OjJ2q297t9C/lTlZS/fdsQfOvYUVUvC\n"
	    "ten2:$2y$10$fHwB2pSiNwO6Pp4anHwZ2.OjJ2q297t9C/lTlZS/fdsQfOvYUVUvC"
	    "\n");
	ATF_REQUIRE(db != NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 3; i++)
		ATF_CHECK(verify(db, "ten", "wrong") == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < 3; i++)
		ATF_CHECK(verify(db, "nobody", "wrong") == 0);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	fprintf(stderr, "bcrypt cost 10: wrong password %.1f ms, "
	    "unknown user %.1f ms\n",
	    ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) /
	    3, ((t2.tv_sec - t1.tv_sec) * 1e3 +
	    (t2.tv_nsec - t1.tv_nsec) / 1e6) / 3);
	userdb_free(db);
}

/*
 * 100,000 users load fast and every one is found.  The time is printed,
 * not asserted.
 */
ATF_TC_WITHOUT_HEAD(load_100k);
ATF_TC_BODY(load_100k, tc)
{
	struct userdb	*db;
	struct timespec	 t0, t1;
	char		*text, name[32];
	size_t		 i, off = 0, size = 100000 * 80;
	int		 n;

	ATF_REQUIRE((text = malloc(size)) != NULL);
	for (i = 0; i < 100000; i++) {
		n = snprintf(text + off, size - off, "user%zu:$2y$10$"
		    "fHwB2pSiNwO6Pp4anHwZ2.OjJ2q297t9C/lTlZS/fdsQfOvY%05zu\n",
		    i, i);
		ATF_REQUIRE(n > 0 && (size_t)n < size - off);
		off += n;
	}
	write_file("big", text, off);
	free(text);
	lists_clear();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	db = userdb_load("big", &errs, &warns);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ATF_REQUIRE(db != NULL);
	ATF_CHECK_EQ(warns.count, 0);
	ATF_CHECK_EQ(userdb_count(db), 100000);
	fprintf(stderr, "100000 users loaded in %.1f ms\n",
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	for (i = 0; i < 100000; i++) {
		n = snprintf(name, sizeof(name), "user%zu", i);
		if (!userdb_exists(db, name, n))
			atf_tc_fail("%s not found", name);
	}
	ATF_CHECK(!userdb_exists(db, L("user100000")));
	ATF_CHECK(!userdb_exists(db, L("user")));
	userdb_free(db);
}

/*
 * Group files
 */

ATF_TC_WITHOUT_HEAD(group_file);
ATF_TC_BODY(group_file, tc)
{
	struct groupdb	*db;

	db = groups(
	    "# employees and others\r\n"
	    "employees: alice bob\r\n"
	    "\r\n"
	    "staff:\tcarol   dave\t\t erin \r\n"
	    "  # indented comment: mallory\n"
	    "employees:carol\n"
	    "staffers: frank\n"
	    "admins : alice\n"
	    "quoted: \"john doe\" 'o\\'brien' back\\\\slash \"\"\n"
	    "empty:\n"
	    "staff: alice alice\n"
	    "dots: a.b a-b a@b\n"
	    "last: zed");
	ATF_REQUIRE(db != NULL);
	ATF_CHECK_EQ(errs.count, 0);

	/* Several lines of one group add up. */
	ATF_CHECK(groupdb_member(db, "employees", L("alice")));
	ATF_CHECK(groupdb_member(db, "employees", L("bob")));
	ATF_CHECK(groupdb_member(db, "employees", L("carol")));
	/* Tabs, runs of spaces, CR. */
	ATF_CHECK(groupdb_member(db, "staff", L("carol")));
	ATF_CHECK(groupdb_member(db, "staff", L("dave")));
	ATF_CHECK(groupdb_member(db, "staff", L("erin")));
	ATF_CHECK(!groupdb_member(db, "staff", L("erin\r")));
	ATF_CHECK(!groupdb_member(db, "staff", L("")));
	/* A user in several groups. */
	ATF_CHECK(groupdb_member(db, "staff", L("alice")));
	ATF_CHECK(groupdb_member(db, "admins", L("alice")));
	/* Prefixes are other names. */
	ATF_CHECK(groupdb_member(db, "staffers", L("frank")));
	ATF_CHECK(!groupdb_member(db, "staff", L("frank")));
	ATF_CHECK(!groupdb_member(db, "staffers", L("carol")));
	ATF_CHECK(!groupdb_member(db, "staf", L("carol")));
	ATF_CHECK(!groupdb_member(db, "employees", L("alic")));
	ATF_CHECK(!groupdb_member(db, "employees", L("alicex")));
	/* Comments are not members, case counts. */
	ATF_CHECK(!groupdb_member(db, "  # indented comment", L("mallory")));
	ATF_CHECK(!groupdb_member(db, "# employees and others", L("")));
	ATF_CHECK(!groupdb_member(db, "Employees", L("alice")));
	ATF_CHECK(!groupdb_member(db, "employees", L("Alice")));
	/* Quoted and escaped members, as Apache reads words. */
	ATF_CHECK(groupdb_member(db, "quoted", L("john doe")));
	ATF_CHECK(groupdb_member(db, "quoted", L("o'brien")));
	ATF_CHECK(groupdb_member(db, "quoted", L("back\\slash")));
	ATF_CHECK(!groupdb_member(db, "quoted", L("john")));
	ATF_CHECK(!groupdb_member(db, "quoted", L("\"john")));
	ATF_CHECK(groupdb_member(db, "dots", L("a@b")));
	ATF_CHECK(groupdb_member(db, "last", L("zed")));
	ATF_CHECK(!groupdb_member(db, "empty", L("")));
	ATF_CHECK(!groupdb_member(db, "nosuch", L("alice")));
	ATF_CHECK(!groupdb_member(NULL, "employees", L("alice")));
	groupdb_free(db);

	ATF_REQUIRE((db = groups("")) != NULL);
	ATF_CHECK(!groupdb_member(db, "a", L("b")));
	groupdb_free(db);
}

ATF_TC_WITHOUT_HEAD(group_errors);
ATF_TC_BODY(group_errors, tc)
{
	ATF_CHECK(groups("a: b\nno colon\n : x\n\t:\r\nok: y\n") == NULL);
	dump("error", &errs);
	ATF_CHECK_EQ(errs.count, 3);
	ATF_CHECK(has_line(&errs,
	    "groups:2: missing ':' after the group name"));
	ATF_CHECK(has_line(&errs, "groups:3: empty group name"));
	ATF_CHECK(has_line(&errs, "groups:4: empty group name"));
	lists_clear();
}

/* Lines of any length, many groups, many members. */
ATF_TC_WITHOUT_HEAD(group_large);
ATF_TC_BODY(group_large, tc)
{
	struct groupdb	*db;
	char		*text, name[32], group[32];
	size_t		 i, off = 0, size = 4 * 1024 * 1024;
	int		 n;

	ATF_REQUIRE((text = malloc(size)) != NULL);
	off = snprintf(text, size, "everyone:");
	for (i = 0; i < 50000; i++)
		off += snprintf(text + off, size - off, " u%zu", i);
	text[off++] = '\n';
	for (i = 0; i < 20000; i++)
		off += snprintf(text + off, size - off, "g%zu: u%zu u%zu\n",
		    i % 1000, i, i + 1);
	text[off] = '\0';
	db = groups(text);
	free(text);
	ATF_REQUIRE(db != NULL);
	for (i = 0; i < 50000; i++) {
		n = snprintf(name, sizeof(name), "u%zu", i);
		if (!groupdb_member(db, "everyone", name, n))
			atf_tc_fail("%s not in everyone", name);
	}
	for (i = 0; i < 20000; i++) {
		snprintf(group, sizeof(group), "g%zu", i % 1000);
		n = snprintf(name, sizeof(name), "u%zu", i + 1);
		if (!groupdb_member(db, group, name, n))
			atf_tc_fail("%s not in %s", name, group);
	}
	ATF_CHECK(!groupdb_member(db, "g0", L("u2")));
	ATF_CHECK(!groupdb_member(db, "everyone", L("u50000")));
	groupdb_free(db);
}

/*
 * Credentials
 */

ATF_TC_WITHOUT_HEAD(basic_parse);
ATF_TC_BODY(basic_parse, tc)
{
	struct credentials	 c;

#define OK(v, u, p) do {						\
	ATF_CHECK_MSG(auth_basic_parse(L(v), &c) == 0, "%s refused", v); \
	ATF_CHECK_MSG(c.userlen == sizeof(u) - 1 &&			\
	    memcmp(c.user, u, c.userlen) == 0 && c.user[c.userlen] == 0, \
	    "%s: user", v);						\
	ATF_CHECK_MSG(c.passlen == sizeof(p) - 1 &&			\
	    memcmp(c.pass, p, c.passlen) == 0 && c.pass[c.passlen] == 0, \
	    "%s: password", v);						\
} while (0)
#define BAD(v) do {							\
	ATF_CHECK_MSG(auth_basic_parse(L(v), &c) == -1, "%s accepted", v); \
	ATF_CHECK(c.userlen == 0 && c.passlen == 0 && c.user[0] == 0);	\
} while (0)

	OK("Basic YWxpY2U6c2VjcmV0", "alice", "secret");
	OK("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame");
	OK("basic YWxpY2U6c2VjcmV0", "alice", "secret");
	OK("BASIC YWxpY2U6c2VjcmV0", "alice", "secret");
	OK("bAsIc YWxpY2U6c2VjcmV0", "alice", "secret");
	OK("Basic    YWxpY2U6c2VjcmV0", "alice", "secret");
	OK("Basic \tYWxpY2U6c2VjcmV0", "alice", "secret");
	OK("  Basic YWxpY2U6c2VjcmV0  \t", "alice", "secret");
	OK("Basic YWxpY2U6c2VjcmU=", "alice", "secre");
	/* Split at the first colon; an empty password is a password. */
	OK("Basic YTpiOmM=", "a", "b:c");
	OK("Basic YTo=", "a", "");
	/* NUL bytes decode; verification refuses them. */
	OK("Basic YWwAaWNlOnB3", "al\0ice", "pw");
	OK("Basic dXNlcjpwAHc=", "user", "p\0w");

	BAD("");
	BAD(" ");
	BAD("Basic");
	BAD("Basic ");
	BAD("Basic    ");
	BAD("BasicYWxpY2U6c2VjcmV0");
	BAD("Basix YWxpY2U6c2VjcmV0");
	BAD("Bearer YWxpY2U6c2VjcmV0");
	BAD("Digest username=\"alice\"");
	BAD("YWxpY2U6c2VjcmV0");
	/* No colon; empty user name. */
	BAD("Basic bm9jb2xvbg==");
	BAD("Basic OnB3");
	/* Bad base64: alphabet, padding, length, trailing bits, garbage. */
	BAD("Basic YWxpY2U6c2VjcmV0!");
	BAD("Basic YWxpY2U6c2Vj*mV0");
	BAD("Basic YWxpY2U6c2VjcmV0=");
	BAD("Basic YWxpY2U6c2VjcmU");
	BAD("Basic YWxpY2U6c2VjcmU==");
	BAD("Basic YWxpY2U6c2VjcmV=");
	BAD("Basic bm9jb2xvbh==");
	BAD("Basic YTo=YTo=");
	BAD("Basic ====");
	BAD("Basic A===");
	BAD("Basic YWxpY2U6c2VjcmV0 x");
	BAD("Basic YWxpY2U6 c2VjcmV0");
	BAD("Basic YWxpY2U6c2VjcmV0,");
	BAD("Basic YWxpY2U6c2VjcmV0\r\n");
	BAD("Basic YWxpY2U6c2VjcmV0\0");
	BAD("Basic YWxp\0Y2U6c2VjcmV0");
	BAD("Basic -_-_");
#undef OK
#undef BAD
}

ATF_TC_WITHOUT_HEAD(basic_lengths);
ATF_TC_BODY(basic_lengths, tc)
{
	struct credentials	 c;
	unsigned char		 raw[600];

	/* 255 bytes of user and 255 of password: the most there is. */
	memset(raw, 'u', 255);
	raw[255] = ':';
	memset(raw + 256, 'p', 255);
	ATF_REQUIRE(parse_raw(raw, 511, &c) == 0);
	ATF_CHECK_EQ(c.userlen, 255);
	ATF_CHECK_EQ(c.passlen, 255);
	ATF_CHECK_EQ(c.user[255], '\0');
	ATF_CHECK_EQ(c.pass[255], '\0');

	/* 256 of either is too long. */
	memset(raw, 'u', 256);
	raw[256] = ':';
	memset(raw + 257, 'p', 10);
	ATF_CHECK(parse_raw(raw, 267, &c) == -1);
	memset(raw, 'u', 10);
	raw[10] = ':';
	memset(raw + 11, 'p', 256);
	ATF_CHECK(parse_raw(raw, 267, &c) == -1);
	ATF_CHECK(parse_raw(raw, 266, &c) == 0);
	ATF_CHECK_EQ(c.passlen, 255);
	/* Colons after the first count in the password's length. */
	memset(raw + 11, ':', 255);
	ATF_CHECK(parse_raw(raw, 266, &c) == 0);
	ATF_CHECK(parse_raw(raw, 267, &c) == -1);
	/* A long name with no colon at all. */
	memset(raw, 'u', 600);
	ATF_CHECK(parse_raw(raw, 600, &c) == -1);

	/* Every split of a short pair round-trips. */
	{
		static const char	 s[] = "ab:cd:ef";
		size_t			 n;

		for (n = 1; n <= sizeof(s) - 1; n++) {
			if (n < 3)
				ATF_CHECK(parse_raw(s, n, &c) == -1);
			else {
				ATF_CHECK(parse_raw(s, n, &c) == 0);
				ATF_CHECK(c.userlen == 2 && c.passlen == n - 3);
			}
		}
	}

	credentials_clear(&c);
	ATF_CHECK(c.userlen == 0 && c.passlen == 0 && c.pass[0] == '\0');
}

/*
 * Require
 */

static struct require *
req_add(struct requirelist *rl, enum require_type type, const char **names,
    size_t n)
{
	struct require	*r;

	ATF_REQUIRE((r = calloc(1, sizeof(*r))) != NULL);
	r->type = type;
	r->names = (char **)names;
	r->nnames = n;
	TAILQ_INSERT_TAIL(rl, r, entry);
	return r;
}

static void
req_free(struct requirelist *rl)
{
	struct require	*r;

	while ((r = TAILQ_FIRST(rl)) != NULL) {
		TAILQ_REMOVE(rl, r, entry);
		free(r);
	}
}

ATF_TC_WITHOUT_HEAD(require_eval);
ATF_TC_BODY(require_eval, tc)
{
	struct requirelist	 rl;
	struct groupdb		*gdb;
	static const char	*users1[] = { "specialContractor", "bob" };
	static const char	*groups1[] = { "employees" };
	static const char	*groups2[] = { "nosuch", "admins" };

	TAILQ_INIT(&rl);
	ATF_REQUIRE((gdb = groups("employees: alice carol\n"
	    "admins: dave\n")) != NULL);

	/* None: valid-user. */
	ATF_CHECK(auth_require_ok(&rl, gdb, L("anyone")));
	ATF_CHECK(auth_require_ok(NULL, NULL, L("anyone")));

	req_add(&rl, REQUIRE_GROUP, groups1, 1);
	ATF_CHECK(auth_require_ok(&rl, gdb, L("alice")));
	ATF_CHECK(auth_require_ok(&rl, gdb, L("carol")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("bob")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("dave")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("alic")));
	/* Without a group file no group has members. */
	ATF_CHECK(!auth_require_ok(&rl, NULL, L("alice")));

	/* Any one line suffices. */
	req_add(&rl, REQUIRE_USER, users1, 2);
	ATF_CHECK(auth_require_ok(&rl, gdb, L("alice")));
	ATF_CHECK(auth_require_ok(&rl, gdb, L("specialContractor")));
	ATF_CHECK(auth_require_ok(&rl, gdb, L("bob")));
	ATF_CHECK(auth_require_ok(&rl, NULL, L("bob")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("specialcontractor")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("bo")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("bobby")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("dave")));

	/* Any one name of a line suffices. */
	req_add(&rl, REQUIRE_GROUP, groups2, 2);
	ATF_CHECK(auth_require_ok(&rl, gdb, L("dave")));
	ATF_CHECK(!auth_require_ok(&rl, gdb, L("mallory")));

	req_add(&rl, REQUIRE_VALID_USER, NULL, 0);
	ATF_CHECK(auth_require_ok(&rl, gdb, L("mallory")));
	req_free(&rl);
	groupdb_free(gdb);
}

/*
 * Cache
 */

static size_t
heap_in_use(void)
{
	struct mallinfo2	 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

ATF_TC_WITHOUT_HEAD(cache);
ATF_TC_BODY(cache, tc)
{
	struct authcache	*ac;
	struct userdb		*db1, *db2;
	const char		*text = "alice:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n";
	char			 user[32], big[300];
	size_t			 i, before;
	int			 n, hits;

	ATF_REQUIRE((db1 = users(text)) != NULL);
	ATF_REQUIRE((db2 = users(text)) != NULL);
	ATF_REQUIRE((ac = authcache_new(64, 0)) != NULL);

	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L("hunter2"), 0));
	authcache_add(ac, db1, L("alice"), L("hunter2"), 0);
	ATF_CHECK(authcache_hit(ac, db1, L("alice"), L("hunter2"), 1));
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L("hunter3"), 1));
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L("hunter"), 1));
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L(""), 1));
	ATF_CHECK(!authcache_hit(ac, db1, L("alic"), L("ehunter2"), 1));
	ATF_CHECK(!authcache_hit(ac, db1, L("Alice"), L("hunter2"), 1));
	/* Another user file, even with the same contents. */
	ATF_CHECK(!authcache_hit(ac, db2, L("alice"), L("hunter2"), 1));
	ATF_CHECK(!authcache_hit(ac, NULL, L("alice"), L("hunter2"), 1));
	/* What cannot be credentials is neither added nor found. */
	memset(big, 'x', sizeof(big));
	authcache_add(ac, db1, L("alice"), big, sizeof(big), 1);
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), big, sizeof(big), 1));
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), big, 255, 1));
	authcache_add(ac, db1, L("alice"), big, 255, 1);
	ATF_CHECK(authcache_hit(ac, db1, L("alice"), big, 255, 1));
	/* A NULL cache caches nothing. */
	authcache_add(NULL, db1, L("alice"), L("hunter2"), 1);
	ATF_CHECK(!authcache_hit(NULL, db1, L("alice"), L("hunter2"), 1));

	authcache_clear(ac);
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L("hunter2"), 1));

	/* Bounded: many entries later the heap is what it was. */
	authcache_add(ac, db1, L("alice"), L("hunter2"), 10);
	before = heap_in_use();
	for (i = 0; i < 100000; i++) {
		n = snprintf(user, sizeof(user), "user%zu", i);
		authcache_add(ac, db1, user, n, L("pw"), 10 + i);
		ATF_REQUIRE(authcache_hit(ac, db1, user, n, L("pw"), 10 + i));
	}
	ATF_CHECK_EQ(heap_in_use(), before);
	/* The old ones have made room for the new. */
	for (i = 0, hits = 0; i < 100000; i++) {
		n = snprintf(user, sizeof(user), "user%zu", i);
		hits += authcache_hit(ac, db1, user, n, L("pw"), 100010);
	}
	ATF_CHECK(hits > 0 && hits <= 64);
	for (i = 99990, hits = 0; i < 100000; i++) {
		n = snprintf(user, sizeof(user), "user%zu", i);
		hits += authcache_hit(ac, db1, user, n, L("pw"), 100010);
	}
	ATF_CHECK(hits >= 5);
	authcache_free(ac);

	/* Entries expire. */
	ATF_REQUIRE((ac = authcache_new(16, 1000)) != NULL);
	authcache_add(ac, db1, L("alice"), L("hunter2"), 5000);
	ATF_CHECK(authcache_hit(ac, db1, L("alice"), L("hunter2"), 5000));
	ATF_CHECK(authcache_hit(ac, db1, L("alice"), L("hunter2"), 5999));
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L("hunter2"), 6000));
	ATF_CHECK(!authcache_hit(ac, db1, L("alice"), L("hunter2"), 4999));
	/* Adding again renews. */
	authcache_add(ac, db1, L("alice"), L("hunter2"), 7000);
	ATF_CHECK(authcache_hit(ac, db1, L("alice"), L("hunter2"), 7500));
	authcache_free(ac);

	/* Two caches have two keys: one's MAC means nothing to the other. */
	ATF_REQUIRE((ac = authcache_new(0, 0)) != NULL);
	authcache_add(ac, db1, L("alice"), L("hunter2"), 0);
	ATF_CHECK(authcache_hit(ac, db1, L("alice"), L("hunter2"), 0));
	authcache_free(ac);

	userdb_free(db1);
	userdb_free(db2);
	lists_clear();
}

ATF_TC_WITHOUT_HEAD(escape);
ATF_TC_BODY(escape, tc)
{
	char	 out[AUTH_ESCAPE_SIZE], big[400];

	auth_escape(out, sizeof(out), L("alice"));
	ATF_CHECK_STREQ(out, "alice");
	auth_escape(out, sizeof(out), L("a b\"c\\d\n\r\t\001\x7f\xc3\xa4"));
	ATF_CHECK_STREQ(out, "a\\sb\\\"c\\\\d\\n\\r\\t\\001\\177\\303\\244");
	memset(big, 'a', sizeof(big));
	auth_escape(out, sizeof(out), big, sizeof(big));
	ATF_CHECK_EQ(strlen(out), 258);
	ATF_CHECK_STREQ(out + 255, "...");
	memset(big, '\n', sizeof(big));
	auth_escape(out, sizeof(out), big, sizeof(big));
	ATF_CHECK_EQ(strlen(out), 2 * 255 + 3);
	auth_escape(out, 4, L("abcdef"));
	ATF_CHECK(strlen(out) < 4);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, hash_vectors);
	ATF_TP_ADD_TC(tp, mixed_file);
	ATF_TP_ADD_TC(tp, never_matches);
	ATF_TP_ADD_TC(tp, file_format);
	ATF_TP_ADD_TC(tp, file_errors);
	ATF_TP_ADD_TC(tp, file_load);
	ATF_TP_ADD_TC(tp, verify_refusals);
	ATF_TP_ADD_TC(tp, verify_timing);
	ATF_TP_ADD_TC(tp, load_100k);
	ATF_TP_ADD_TC(tp, group_file);
	ATF_TP_ADD_TC(tp, group_errors);
	ATF_TP_ADD_TC(tp, group_large);
	ATF_TP_ADD_TC(tp, basic_parse);
	ATF_TP_ADD_TC(tp, basic_lengths);
	ATF_TP_ADD_TC(tp, require_eval);
	ATF_TP_ADD_TC(tp, cache);
	ATF_TP_ADD_TC(tp, escape);
	return atf_no_error();
}
