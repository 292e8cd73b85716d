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
 * Unit tests of the channel from the parent to a worker (chan.c): what a
 * worker accepts as a message and what it drops, and messages with and
 * without a descriptor over a real socketpair.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include "chan.h"
#include "tls.h"

#define TK	sizeof(struct ticket_keys)

static size_t
packet(unsigned char *buf, int version, int type, int len, size_t payload)
{
	struct chan_hdr	 hdr;

	hdr.version = version;
	hdr.type = type;
	hdr.len = len;
	memcpy(buf, &hdr, sizeof(hdr));
	memset(buf + sizeof(hdr), 'p', payload);
	return sizeof(hdr) + payload;
}

ATF_TC_WITHOUT_HEAD(check_messages);
ATF_TC_BODY(check_messages, tc)
{
	unsigned char	 buf[2 * CHAN_PAYLOAD_MAX];
	struct chan_msg	 msg;
	size_t		 n;

	n = packet(buf, CHAN_VERSION, CHAN_DRAIN, 0, 0);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), 0);
	ATF_CHECK_EQ(msg.type, CHAN_DRAIN);
	ATF_CHECK_EQ(msg.fd, -1);
	/* A drain carries nothing. */
	ATF_CHECK_EQ(chan_check(buf, n, 7, &msg), -1);
	n = packet(buf, CHAN_VERSION, CHAN_DRAIN, 1, 1);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	/* A log descriptor comes with exactly its descriptor. */
	n = packet(buf, CHAN_VERSION, CHAN_LOGFD, 0, 0);
	ATF_CHECK_EQ(chan_check(buf, n, 7, &msg), 0);
	ATF_CHECK_EQ(msg.fd, 7);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	/* Version, type, length. */
	n = packet(buf, CHAN_VERSION + 1, CHAN_DRAIN, 0, 0);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	n = packet(buf, CHAN_VERSION, 0, 0, 0);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	n = packet(buf, CHAN_VERSION, CHAN_TYPE_MAX, 0, 0);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	n = packet(buf, CHAN_VERSION, 255, 0, 0);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	/* Ticket keys: exactly their size, no descriptor. */
	n = packet(buf, CHAN_VERSION, CHAN_TICKETS, TK, TK);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), 0);
	ATF_CHECK_EQ(msg.len, TK);
	ATF_CHECK_EQ(chan_check(buf, n, 7, &msg), -1);
	n = packet(buf, CHAN_VERSION, CHAN_TICKETS, TK + 1, TK);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	n = packet(buf, CHAN_VERSION, CHAN_TICKETS, TK - 1, TK);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	n = packet(buf, CHAN_VERSION, CHAN_TICKETS, 10, 10);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	n = packet(buf, CHAN_VERSION, CHAN_TICKETS, CHAN_PAYLOAD_MAX + 1,
	    CHAN_PAYLOAD_MAX + 1);
	ATF_CHECK_EQ(chan_check(buf, n, -1, &msg), -1);
	/* Shorter than a header. */
	ATF_CHECK_EQ(chan_check(buf, 0, -1, &msg), -1);
	ATF_CHECK_EQ(chan_check(buf, sizeof(struct chan_hdr) - 1, -1, &msg),
	    -1);
}

ATF_TC_WITHOUT_HEAD(over_a_socketpair);
ATF_TC_BODY(over_a_socketpair, tc)
{
	unsigned char	 buf[64];
	struct chan_msg	 msg;
	struct stat	 a, b;
	int		 sv[2], fd;
	size_t		 n;

	ATF_REQUIRE(chan_pair(sv) == 0);
	/* Nothing yet. */
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), 0);
	ATF_REQUIRE(chan_send(sv[0], CHAN_DRAIN, NULL, 0, -1) == 0);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), 1);
	ATF_CHECK_EQ(msg.type, CHAN_DRAIN);
	/* A descriptor arrives as the same open file. */
	ATF_REQUIRE((fd = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE(chan_send(sv[0], CHAN_LOGFD, NULL, 0, fd) == 0);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), 1);
	ATF_CHECK_EQ(msg.type, CHAN_LOGFD);
	ATF_REQUIRE(msg.fd != -1 && msg.fd != fd);
	ATF_REQUIRE(fstat(fd, &a) == 0 && fstat(msg.fd, &b) == 0);
	ATF_CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	ATF_CHECK(fcntl(msg.fd, F_GETFD) & FD_CLOEXEC);
	close(msg.fd);
	/* A drain that brings a descriptor is dropped, and so is it. */
	ATF_REQUIRE(chan_send(sv[0], CHAN_DRAIN, NULL, 0, fd) == 0);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), -2);
	/* Garbage, then a good message: the good one still comes. */
	n = packet(buf, 9, 9, 3, 3);
	ATF_REQUIRE(write(sv[0], buf, n) == (ssize_t)n);
	ATF_REQUIRE(write(sv[0], "x", 1) == 1);
	ATF_REQUIRE(chan_send(sv[0], CHAN_DRAIN, NULL, 0, -1) == 0);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), -2);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), -2);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), 1);
	ATF_CHECK_EQ(msg.type, CHAN_DRAIN);
	/* An oversized payload is not sent at all. */
	ATF_CHECK_EQ(chan_send(sv[0], CHAN_TICKETS, buf,
	    CHAN_PAYLOAD_MAX + 1, -1), -1);
	ATF_CHECK_EQ(errno, EMSGSIZE);
	/* The parent gone. */
	close(sv[0]);
	ATF_CHECK_EQ(chan_recv(sv[1], &msg), -1);
	close(sv[1]);
	close(fd);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, check_messages);
	ATF_TP_ADD_TC(tp, over_a_socketpair);
	return atf_no_error();
}
