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
 * Unit tests of what the key process does with a request (keysign.c):
 * it signs what TLS asks to sign (a DigestInfo, a PSS encoding, an ECDSA
 * digest) with the key named, and refuses everything else: malformed or
 * oversized requests, unknown keys, operations of the wrong kind, and
 * values that are not signature encodings, which would make it an
 * oracle.
 */

#define OPENSSL_API_COMPAT	0x10101000L

#include <sys/types.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atf-c.h>

#include "keyproc.h"

static EVP_PKEY *
key(const char *cmd, const char *path)
{
	EVP_PKEY	*pk;
	FILE		*fp;

	ATF_REQUIRE_EQ(system(cmd), 0);
	ATF_REQUIRE((fp = fopen(path, "r")) != NULL);
	pk = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	ATF_REQUIRE(pk != NULL);
	return pk;
}

static struct signkey	 keys[3];	/* [1] RSA-2048, [2] P-256 */

static void
setup(void)
{
	ATF_REQUIRE_EQ(keysign_key(&keys[1], key("openssl genpkey -algorithm "
	    "RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null",
	    "rsa.pem")), 0);
	ATF_REQUIRE_EQ(keysign_key(&keys[2], key("openssl genpkey -algorithm "
	    "EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null",
	    "ec.pem")), 0);
	ATF_CHECK(keys[1].rsa && keys[1].size == 256 && keys[1].bits == 2048);
	ATF_CHECK(!keys[2].rsa);
}

static int
ask(struct keyreq *rq, ssize_t n, struct keyans *ans)
{
	keysign_handle(keys, 3, rq, n, ans);
	return ans->h.status;
}

static ssize_t
req(struct keyreq *rq, uint32_t seq, unsigned int keyid, int op, int pad,
    const void *data, size_t len)
{
	memset(rq, 0, sizeof(*rq));
	rq->h.seq = seq;
	rq->h.keyid = keyid;
	rq->h.op = op;
	rq->h.padding = pad;
	rq->h.len = len;
	memcpy(rq->data, data, len);
	return sizeof(rq->h) + len;
}

ATF_TC_WITHOUT_HEAD(refusals);
ATF_TC_BODY(refusals, tc)
{
	struct keyreq	 rq;
	struct keyans	 ans;
	unsigned char	 d[KEYPROC_DATA_MAX];
	ssize_t		 n;

	setup();
	memset(d, 0x12, sizeof(d));
	n = req(&rq, 7, 2, KEYOP_ECDSA_SIGN, 0, d, 32);
	/* The frame. */
	ATF_CHECK_EQ(ask(&rq, 3, &ans), KEY_EMSG);
	ATF_CHECK_EQ(ask(&rq, sizeof(rq.h) - 1, &ans), KEY_EMSG);
	ATF_CHECK_EQ(ask(&rq, sizeof(rq) + 1, &ans), KEY_EMSG);
	ATF_CHECK_EQ(ask(&rq, 8192, &ans), KEY_EMSG);
	ATF_CHECK_EQ(ask(&rq, n - 1, &ans), KEY_EMSG);
	rq.h.len = 33;
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_EMSG);
	ATF_CHECK_EQ(ans.h.seq, 7);
	ATF_CHECK_EQ(ans.h.len, 0);
	/* Keys. */
	n = req(&rq, 8, 0, KEYOP_ECDSA_SIGN, 0, d, 32);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ENOKEY);
	n = req(&rq, 8, 3, KEYOP_ECDSA_SIGN, 0, d, 32);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ENOKEY);
	n = req(&rq, 8, 65535, KEYOP_ECDSA_SIGN, 0, d, 32);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ENOKEY);
	/* Operations for the kind of key. */
	n = req(&rq, 9, 2, 0, 0, d, 32);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_EOP);
	n = req(&rq, 9, 2, KEYOP_RSA_SIGN, KEYPAD_NONE, d, 32);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_EOP);
	n = req(&rq, 9, 1, KEYOP_ECDSA_SIGN, 0, d, 32);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_EOP);
	n = req(&rq, 9, 1, KEYOP_RSA_SIGN, 4 /* OAEP */, d, 51);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_EOP);
	/* Lengths. */
	n = req(&rq, 10, 2, KEYOP_ECDSA_SIGN, 0, d, 0);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ELEN);
	n = req(&rq, 10, 2, KEYOP_ECDSA_SIGN, 0, d, EVP_MAX_MD_SIZE + 1);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ELEN);
	n = req(&rq, 10, 1, KEYOP_RSA_SIGN, KEYPAD_NONE, d, 255);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ELEN);
	n = req(&rq, 10, 1, KEYOP_RSA_SIGN, KEYPAD_PKCS1, d, 246);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ELEN);
	/* No oracle: a value of our choosing is not signed. */
	n = req(&rq, 11, 1, KEYOP_RSA_SIGN, KEYPAD_NONE, d, 256);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ENOTSIG);
	d[255] = 0xbc;
	n = req(&rq, 11, 1, KEYOP_RSA_SIGN, KEYPAD_NONE, d, 256);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ENOTSIG);
	n = req(&rq, 11, 1, KEYOP_RSA_SIGN, KEYPAD_PKCS1, d, 51);
	ATF_CHECK_EQ(ask(&rq, n, &ans), KEY_ENOTSIG);
}

static int
verify(EVP_PKEY *pk, int padding, const unsigned char *sig, size_t siglen,
    const unsigned char *tbs, size_t tbslen)
{
	EVP_PKEY_CTX	*ctx;
	int		 rv;

	ATF_REQUIRE((ctx = EVP_PKEY_CTX_new(pk, NULL)) != NULL);
	ATF_REQUIRE(EVP_PKEY_verify_init(ctx) > 0);
	if (padding != 0)
		ATF_REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx, padding) > 0);
	rv = EVP_PKEY_verify(ctx, sig, siglen, tbs, tbslen);
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

ATF_TC_WITHOUT_HEAD(signatures);
ATF_TC_BODY(signatures, tc)
{
	struct keyreq	 rq;
	struct keyans	 ans;
	unsigned char	 digest[32], di[51], em[256], m[256];
	static const unsigned char prefix[19] = { 0x30, 0x31, 0x30, 0x0d,
	    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	    0x05, 0x00, 0x04, 0x20 };
	RSA		*rsa;
	ssize_t		 n;

	setup();
	memset(digest, 0x5a, sizeof(digest));
	/* ECDSA over a digest. */
	n = req(&rq, 20, 2, KEYOP_ECDSA_SIGN, 0, digest, 32);
	ATF_REQUIRE_EQ(ask(&rq, n, &ans), KEY_OK);
	ATF_CHECK_EQ(ans.h.seq, 20);
	ATF_CHECK_EQ(verify(keys[2].pkey, 0, ans.data, ans.h.len, digest,
	    32), 1);
	/* RSA PKCS#1 v1.5 over a SHA-256 DigestInfo. */
	memcpy(di, prefix, sizeof(prefix));
	memcpy(di + sizeof(prefix), digest, 32);
	ATF_CHECK(keysign_is_digestinfo(di, sizeof(di)));
	ATF_CHECK(!keysign_is_digestinfo(di, sizeof(di) - 1));
	n = req(&rq, 21, 1, KEYOP_RSA_SIGN, KEYPAD_PKCS1, di, sizeof(di));
	ATF_REQUIRE_EQ(ask(&rq, n, &ans), KEY_OK);
	ATF_CHECK_EQ(ans.h.len, 256);
	ATF_CHECK_EQ(verify(keys[1].pkey, RSA_PKCS1_PADDING, ans.data,
	    ans.h.len, di, sizeof(di)), 1);
	/* RSA-PSS: the encoding OpenSSL makes for TLS, signed raw. */
	ATF_REQUIRE((rsa = EVP_PKEY_get1_RSA(keys[1].pkey)) != NULL);
	ATF_REQUIRE_EQ(RSA_padding_add_PKCS1_PSS(rsa, em, digest, EVP_sha256(),
	    -1), 1);
	ATF_CHECK(keysign_is_pss(em, 256, 2048));
	n = req(&rq, 22, 1, KEYOP_RSA_SIGN, KEYPAD_NONE, em, 256);
	ATF_REQUIRE_EQ(ask(&rq, n, &ans), KEY_OK);
	ATF_REQUIRE_EQ(RSA_public_decrypt(256, ans.data, m, rsa,
	    RSA_NO_PADDING), 256);
	ATF_CHECK(memcmp(m, em, 256) == 0);
	ATF_CHECK_EQ(RSA_verify_PKCS1_PSS(rsa, digest, EVP_sha256(), m, -1),
	    1);
	/* One bit off and it is no PSS encoding. */
	em[100] ^= 1;
	ATF_CHECK(!keysign_is_pss(em, 256, 2048));
	em[100] ^= 1;
	em[255] = 0xbd;
	ATF_CHECK(!keysign_is_pss(em, 256, 2048));
	RSA_free(rsa);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, refusals);
	ATF_TP_ADD_TC(tp, signatures);
	return atf_no_error();
}
