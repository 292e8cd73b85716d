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
 * The channel from the parent to each worker, and to each key process: a
 * SOCK_SEQPACKET socketpair made at spawn, carrying small versioned
 * messages, one a packet.
 */

#ifndef CHAN_H
#define CHAN_H

#include <stddef.h>
#include <stdint.h>

#define CHAN_VERSION		1

enum chan_type {
	CHAN_DRAIN = 1,		/* stop accepting, finish, exit */
	CHAN_LOGFD,		/* a new access log descriptor comes along */
	CHAN_TICKETS,		/* TLS session ticket keys */
	CHAN_KEYPEER,		/* a socket to or from the key process */
	CHAN_TYPE_MAX
};

struct chan_hdr {
	uint8_t		 version;
	uint8_t		 type;
	uint16_t	 len;		/* of the payload that follows */
};

#define CHAN_PAYLOAD_MAX	1024

struct chan_msg {
	enum chan_type	 type;
	size_t		 len;
	unsigned char	 payload[CHAN_PAYLOAD_MAX];
	int		 fd;		/* passed along, or -1 */
};

int	 chan_pair(int [2]);
int	 chan_send(int, enum chan_type, const void *, size_t, int);
int	 chan_recv(int, struct chan_msg *);
int	 chan_check(const void *, size_t, int, struct chan_msg *);

#endif /* CHAN_H */
