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
 * libFuzzer target for the chunked decoder: a body decoded all at once
 * and decoded as it trickles in, in pieces cut where the input says, must
 * give the same data, the same end and the same consumed length.
 *
 * Input: one byte choosing the trailer limit, one byte seeding where the
 * pieces are cut, then the body.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(e)	do { if (!(e)) abort(); } while (0)

struct outcome {
	enum chunked_result end;
	size_t		 consumed;
	uint64_t	 total;
	uint8_t		*data;		/* what one run decoded */
	size_t		 datalen;
	const uint8_t	*expect;	/* what it must match */
};

struct cutter {
	uint32_t	 state;
	uint32_t	 maxstep;
};

static size_t
next_cut(struct cutter *c)
{
	c->state ^= c->state << 13;
	c->state ^= c->state >> 17;
	c->state ^= c->state << 5;
	return 1 + c->state % c->maxstep;
}

static void
take(struct outcome *o, const char *p, size_t len)
{
	if (o->expect != NULL)
		CHECK(o->datalen + len <= o->total &&
		    memcmp(o->expect + o->datalen, p, len) == 0);
	if (o->data != NULL)
		memcpy(o->data + o->datalen, p, len);
	o->datalen += len;
}

/*
 * Runs the decoder over the bytes not consumed yet, each time from an
 * exact copy so that a read past the end is caught, until it needs more
 * than there is.
 */
static enum chunked_result
decode_avail(struct chunked *ck, const uint8_t *in, size_t avail,
    size_t *base, struct outcome *o)
{
	enum chunked_result r;
	size_t		 n = avail - *base, off = 0, doff, dlen, prev;
	char		*copy;

	if ((copy = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	memcpy(copy, in + *base, n);
	do {
		prev = off;
		r = chunked_decode(ck, copy, n, &off, &doff, &dlen);
		CHECK(off >= prev && off <= n);
		if (r == CHUNKED_DATA) {
			CHECK(dlen > 0 && doff >= prev && doff + dlen == off);
			take(o, copy + doff, dlen);
		} else
			CHECK(dlen == 0);
	} while (r == CHUNKED_DATA);
	free(copy);
	*base += off;
	return r;
}

static void
run(const uint8_t *in, size_t len, size_t trailer_max, struct cutter *cut,
    struct outcome *o)
{
	struct chunked	 ck;
	enum chunked_result r;
	size_t		 avail, base = 0;

	chunked_init(&ck, trailer_max);
	avail = cut == NULL ? len : 0;
	for (;;) {
		r = decode_avail(&ck, in, avail, &base, o);
		if (r != CHUNKED_MORE || avail == len)
			break;
		avail += next_cut(cut);
		if (avail > len)
			avail = len;
	}
	o->end = r;
	o->consumed = base;
	CHECK(ck.total == o->datalen);
	if (r == CHUNKED_DONE)
		CHECK(ck.state == CHUNK_DONE &&
		    ck.trailer_bytes <= trailer_max);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome	 whole, piece;
	struct cutter	 cut;
	size_t		 trailer_max;

	if (size < 2)
		return 0;
	trailer_max = (size_t)data[0] * 4;
	cut.state = 0x9e3779b9u ^ data[1];
	cut.maxstep = 1 + data[1] % 32;
	data += 2;
	size -= 2;

	memset(&whole, 0, sizeof(whole));
	if ((whole.data = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	run(data, size, trailer_max, NULL, &whole);
	CHECK(whole.consumed <= size);
	/* What is left unconsumed is at most one incomplete line. */
	if (whole.end == CHUNKED_MORE)
		CHECK(size - whole.consumed < CHUNK_LINE_MAX + trailer_max + 2);

	memset(&piece, 0, sizeof(piece));
	piece.expect = whole.data;
	piece.total = whole.datalen;
	run(data, size, trailer_max, &cut, &piece);
	CHECK(piece.end == whole.end);
	CHECK(piece.consumed == whole.consumed);
	CHECK(piece.datalen == whole.datalen);
	free(whole.data);
	return 0;
}
