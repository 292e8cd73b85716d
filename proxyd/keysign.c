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
 * What the key process does with a request from a worker, as a pure
 * function: check it as hostile input, then sign.  A worker that a bug
 * handed to an attacker may send anything; what must never come back is
 * an oracle: a raw RSA private operation on a value of the attacker's
 * choice would decrypt as well as sign.  So an RSA input without padding
 * must be an EMSA-PSS encoding (what TLS 1.3 and RSA-PSS in TLS 1.2 sign,
 * with OpenSSL doing the encoding), and one with PKCS#1 padding a
 * DigestInfo; ECDSA takes a digest.  There is no decryption at all: the
 * TLS contexts offer no RSA key exchange.
 */

#include <sys/types.h>

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "keyproc.h"

#define HASHES		3	/* SHA-256, -384, -512 */

static int
mgf1_xor(const EVP_MD *md, const unsigned char *seed, size_t seedlen,
    unsigned char *out, size_t outlen)
{
	unsigned char	 buf[EVP_MAX_MD_SIZE + 4], h[EVP_MAX_MD_SIZE];
	unsigned int	 hlen, i;
	uint32_t	 c;
	size_t		 off = 0;

	if (seedlen > EVP_MAX_MD_SIZE)
		return 0;
	memcpy(buf, seed, seedlen);
	for (c = 0; off < outlen; c++) {
		buf[seedlen] = c >> 24;
		buf[seedlen + 1] = c >> 16;
		buf[seedlen + 2] = c >> 8;
		buf[seedlen + 3] = c;
		if (!EVP_Digest(buf, seedlen + 4, h, &hlen, md, NULL))
			return 0;
		for (i = 0; i < hlen && off < outlen; i++)
			out[off++] ^= h[i];
	}
	return 1;
}

/*
 * Is in (the length of the modulus) an EMSA-PSS encoding (RFC 8017
 * 9.1.1) with SHA-256, -384 or -512 and a salt as long as the hash, as
 * TLS makes them?  A value chosen to decrypt is not, but by a chance of
 * about one in 2^1500.
 */
int
keysign_is_pss(const unsigned char *in, size_t len, int modbits)
{
	static const char *const names[HASHES] = { "SHA256", "SHA384",
	    "SHA512" };
	static const size_t lens[HASHES] = { 32, 48, 64 };
	unsigned char	 db[KEYPROC_DATA_MAX];
	size_t		 emlen = len, dblen, hlen, j, k;
	int		 embits = modbits - 1, ok;
	EVP_MD		*md;

	if (len == 0 || len > KEYPROC_DATA_MAX || modbits < 2)
		return 0;
	if ((embits & 7) == 0) {
		/* The encoding is a byte shorter than the modulus. */
		if (in[0] != 0)
			return 0;
		in++;
		emlen--;
	}
	if (emlen == 0 || in[emlen - 1] != 0xbc)
		return 0;
	for (k = 0; k < HASHES; k++) {
		hlen = lens[k];
		if (emlen < 2 * hlen + 2)
			continue;
		dblen = emlen - hlen - 1;
		memcpy(db, in, dblen);
		if ((md = EVP_MD_fetch(NULL, names[k], NULL)) == NULL)
			return 0;
		ok = mgf1_xor(md, in + dblen, hlen, db, dblen);
		EVP_MD_free(md);
		if (!ok)
			return 0;
		if (embits & 7)
			db[0] &= 0xff >> (8 - (embits & 7));
		/* DB = 00 .. 00 || 01 || salt */
		for (j = 0; j < dblen - hlen - 1 && db[j] == 0; j++)
			;
		if (j == dblen - hlen - 1 && db[j] == 0x01)
			return 1;
	}
	return 0;
}

/* Is in a DER DigestInfo of SHA-1 or SHA-2, as PKCS#1 v1.5 signs? */
int
keysign_is_digestinfo(const unsigned char *in, size_t len)
{
	static const struct {
		unsigned char	 prefix[19];
		size_t		 prefixlen;
		size_t		 hashlen;
	} di[] = {
		{ { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03,
		    0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 }, 15, 20 },
		{ { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
		    0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
		    0x20 }, 19, 32 },
		{ { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
		    0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04,
		    0x30 }, 19, 48 },
		{ { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
		    0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04,
		    0x40 }, 19, 64 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(di) / sizeof(di[0]); i++)
		if (len == di[i].prefixlen + di[i].hashlen &&
		    memcmp(in, di[i].prefix, di[i].prefixlen) == 0)
			return 1;
	return 0;
}

/* Describe a loaded key for keysign_handle(); -1 if not RSA or EC. */
int
keysign_key(struct signkey *k, EVP_PKEY *pkey)
{
	memset(k, 0, sizeof(*k));
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		k->rsa = 1;
		k->size = EVP_PKEY_get_size(pkey);
		k->bits = EVP_PKEY_get_bits(pkey);
		if (k->size == 0 || k->size > KEYPROC_DATA_MAX)
			return -1;
		break;
	case EVP_PKEY_EC:
		break;
	default:
		return -1;
	}
	k->pkey = pkey;
	return 0;
}

/*
 * Answer the request of n bytes in req (n as received, perhaps larger
 * than the buffer) with the keys[nkeys].  Never fails but in the answer.
 */
void
keysign_handle(const struct signkey *keys, size_t nkeys, const void *req,
    ssize_t n, struct keyans *ans)
{
	const struct keyreq	*rq = req;
	const struct signkey	*k;
	EVP_PKEY_CTX		*ctx;
	size_t			 outlen = sizeof(ans->data);
	int			 ok;

	ans->h.seq = n >= (ssize_t)sizeof(uint32_t) ? rq->h.seq : 0;
	ans->h.len = 0;
	if (n < (ssize_t)sizeof(rq->h) || n > (ssize_t)sizeof(*rq) ||
	    rq->h.len != (size_t)n - sizeof(rq->h)) {
		ans->h.status = KEY_EMSG;
		return;
	}
	if (rq->h.keyid >= nkeys || keys[rq->h.keyid].pkey == NULL) {
		ans->h.status = KEY_ENOKEY;
		return;
	}
	k = &keys[rq->h.keyid];
	switch (rq->h.op) {
	case KEYOP_RSA_SIGN:
		if (!k->rsa || (rq->h.padding != KEYPAD_PKCS1 &&
		    rq->h.padding != KEYPAD_NONE)) {
			ans->h.status = KEY_EOP;
			return;
		}
		if (rq->h.padding == KEYPAD_NONE ? rq->h.len != k->size :
		    rq->h.len == 0 || rq->h.len + 11 > k->size) {
			ans->h.status = KEY_ELEN;
			return;
		}
		if (rq->h.padding == KEYPAD_NONE ?
		    !keysign_is_pss(rq->data, rq->h.len, k->bits) :
		    !keysign_is_digestinfo(rq->data, rq->h.len)) {
			ans->h.status = KEY_ENOTSIG;
			return;
		}
		break;
	case KEYOP_ECDSA_SIGN:
		if (k->rsa) {
			ans->h.status = KEY_EOP;
			return;
		}
		if (rq->h.len == 0 || rq->h.len > EVP_MAX_MD_SIZE) {
			ans->h.status = KEY_ELEN;
			return;
		}
		break;
	default:
		ans->h.status = KEY_EOP;
		return;
	}
	/* With no digest set, the signature is over the input as it is. */
	ok = (ctx = EVP_PKEY_CTX_new(k->pkey, NULL)) != NULL &&
	    EVP_PKEY_sign_init(ctx) > 0 && (!k->rsa ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, rq->h.padding ==
	    KEYPAD_NONE ? RSA_NO_PADDING : RSA_PKCS1_PADDING) > 0) &&
	    EVP_PKEY_sign(ctx, ans->data, &outlen, rq->data, rq->h.len) > 0;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (!ok || outlen > sizeof(ans->data)) {
		ans->h.status = KEY_ECRYPTO;
		return;
	}
	ans->h.status = KEY_OK;
	ans->h.len = outlen;
}
