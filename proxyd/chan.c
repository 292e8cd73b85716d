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
 * The channel from the parent to a worker.  The parent never blocks on
 * it: a message that does not fit in the socket now is owed and sent
 * again later (pool.c).  The worker checks each message as it would any
 * input: version, type, exact length, and a descriptor only where one is
 * expected.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "tls.h"

/* The payload length each type must have; -1: any up to the maximum. */
static const int chan_len[CHAN_TYPE_MAX] = {
	[CHAN_DRAIN] = 0,
	[CHAN_LOGFD] = 0,
	[CHAN_TICKETS] = sizeof(struct ticket_keys),
	[CHAN_KEYPEER] = 0,
};

int
chan_pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

/* Send one message, and fd with it unless -1.  Never waits. */
int
chan_send(int sock, enum chan_type type, const void *payload, size_t len,
    int fd)
{
	struct chan_hdr	 hdr;
	struct msghdr	 msg;
	struct iovec	 iov[2];
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr	*cmsg;

	if (len > CHAN_PAYLOAD_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	hdr.version = CHAN_VERSION;
	hdr.type = type;
	hdr.len = len;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)payload;
	iov[1].iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = len > 0 ? 2 : 1;
	if (fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		return -1;
	return 0;
}

/*
 * Check a packet as received, with the descriptor that came along (or
 * -1), and fill in msg.  -1 if it is not a message we know.
 */
int
chan_check(const void *buf, size_t n, int fd, struct chan_msg *msg)
{
	struct chan_hdr	 hdr;

	if (n < sizeof(hdr))
		return -1;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != CHAN_VERSION || hdr.type == 0 ||
	    hdr.type >= CHAN_TYPE_MAX || hdr.len != n - sizeof(hdr) ||
	    hdr.len > CHAN_PAYLOAD_MAX)
		return -1;
	if (chan_len[hdr.type] != -1 && hdr.len != chan_len[hdr.type])
		return -1;
	if ((hdr.type == CHAN_LOGFD || hdr.type == CHAN_KEYPEER) != (fd != -1))
		return -1;
	msg->type = hdr.type;
	msg->len = hdr.len;
	memcpy(msg->payload, (const char *)buf + sizeof(hdr), hdr.len);
	msg->fd = fd;
	return 0;
}

/*
 * Receive one message.  1: a message in msg; 0: none waiting; -1: the
 * parent is gone or the channel failed (errno set); -2: a malformed
 * message was dropped.  A descriptor that came with a dropped message is
 * closed.
 */
int
chan_recv(int sock, struct chan_msg *msg)
{
	unsigned char	 buf[sizeof(struct chan_hdr) + CHAN_PAYLOAD_MAX + 1];
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(4 * sizeof(int))];
	} cmsgbuf;
	struct cmsghdr	*cmsg;
	ssize_t		 n;
	int		 fds[4], nfds = 0, fd = -1, i, bad = 0;
	size_t		 k;

	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		for (k = 0; CMSG_LEN((k + 1) * sizeof(int)) <=
		    cmsg->cmsg_len && nfds < 4; k++)
			memcpy(&fds[nfds++], CMSG_DATA(cmsg) + k * sizeof(int),
			    sizeof(int));
	}
	if (nfds == 1)
		fd = fds[0];
	else if (nfds > 1)
		bad = 1;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || bad ||
	    chan_check(buf, n, fd, msg) == -1) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return -2;
	}
	return 1;
}
