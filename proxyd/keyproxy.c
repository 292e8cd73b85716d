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
 * The key objects of a worker's TLS contexts: the public half of each
 * certificate's key, with a method whose private operations ask the key
 * process (keyproxy_call, which the worker sets).
 *
 * Why RSA_METHOD and EC_KEY_METHOD, deprecated as they are in OpenSSL 3,
 * rather than a provider: they are a few dozen lines against the key
 * manager and signature implementation a provider needs, and OpenSSL
 * hands them exactly what the key process must check (the PSS encoding
 * or DigestInfo it built, the ECDSA digest).  The method must be set
 * before the key is assigned to the EVP_PKEY: only a key with a method of
 * its own stays on the path that calls it.
 */

#define OPENSSL_API_COMPAT	0x10101000L

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "keyproc.h"

int (*keyproxy_call)(unsigned int, int, int, const unsigned char *, size_t,
    unsigned char *, size_t);

static RSA_METHOD	*rsa_method;
static EC_KEY_METHOD	*ec_method;
static int		 rsa_index = -1, ec_index = -1;

static int
call(unsigned int keyid, int op, int padding, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t outmax)
{
	if (keyproxy_call == NULL)
		return -1;
	return keyproxy_call(keyid, op, padding, in, inlen, out, outmax);
}

/*
 * Every RSA signature: PKCS#1 v1.5 (padding PKCS1, a DigestInfo), or
 * PSS (no padding: OpenSSL made the encoding).  The signature is as long
 * as the modulus.
 */
static int
rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	uintptr_t	 id = (uintptr_t)RSA_get_ex_data(rsa, rsa_index);
	int		 size = RSA_size(rsa), pad;

	if (id == 0 || flen <= 0 || size <= 0)
		return -1;
	if (padding == RSA_PKCS1_PADDING)
		pad = KEYPAD_PKCS1;
	else if (padding == RSA_NO_PADDING)
		pad = KEYPAD_NONE;
	else
		return -1;
	if (call(id - 1, KEYOP_RSA_SIGN, pad, from, flen, to, size) != size)
		return -1;
	return size;
}

/* Decryption is never asked of the key process: no RSA key exchange. */
static int
rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	(void)flen;
	(void)from;
	(void)to;
	(void)rsa;
	(void)padding;
	return -1;
}

/* ECDSA_sign(): the DER signature, from the key process. */
static int
ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
    unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	uintptr_t	 id = (uintptr_t)EC_KEY_get_ex_data(ec, ec_index);
	unsigned char	 der[KEYPROC_DATA_MAX];
	const unsigned char *p = der;
	ECDSA_SIG	*s;
	int		 n, max = ECDSA_size(ec);

	(void)type;
	(void)kinv;
	(void)r;
	if (id == 0 || dlen <= 0 || max <= 0)
		return 0;
	n = call(id - 1, KEYOP_ECDSA_SIGN, 0, dgst, dlen, der, sizeof(der));
	if (n <= 0 || n > max)
		return 0;
	/* What comes back must at least be a signature. */
	if ((s = d2i_ECDSA_SIG(NULL, &p, n)) == NULL || p != der + n) {
		ECDSA_SIG_free(s);
		return 0;
	}
	ECDSA_SIG_free(s);
	memcpy(sig, der, n);
	*siglen = n;
	return 1;
}

static ECDSA_SIG *
ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *ec)
{
	unsigned char	 der[KEYPROC_DATA_MAX];
	const unsigned char *p = der;
	unsigned int	 len = 0;

	if (!ec_sign(0, dgst, dlen, der, &len, kinv, r, ec))
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, len);
}

/* What needs the private key and is not a signature: refused. */
static int
ec_sign_setup(EC_KEY *ec, BN_CTX *ctx, BIGNUM **kinv, BIGNUM **r)
{
	(void)ec;
	(void)ctx;
	(void)kinv;
	(void)r;
	return 0;
}

static int
ec_compute_key(unsigned char **psec, size_t *pseclen, const EC_POINT *pub,
    const EC_KEY *ec)
{
	(void)psec;
	(void)pseclen;
	(void)pub;
	(void)ec;
	return 0;
}

static int
methods_init(void)
{
	if (rsa_method != NULL)
		return 0;
	if ((rsa_method = RSA_meth_dup(RSA_PKCS1_OpenSSL())) == NULL ||
	    RSA_meth_set1_name(rsa_method, "proxyd key process") != 1 ||
	    RSA_meth_set_priv_enc(rsa_method, rsa_priv_enc) != 1 ||
	    RSA_meth_set_priv_dec(rsa_method, rsa_priv_dec) != 1)
		return -1;
	if ((ec_method = EC_KEY_METHOD_new(EC_KEY_OpenSSL())) == NULL)
		return -1;
	EC_KEY_METHOD_set_sign(ec_method, ec_sign, ec_sign_setup,
	    ec_sign_sig);
	EC_KEY_METHOD_set_compute_key(ec_method, ec_compute_key);
	rsa_index = RSA_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ec_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (rsa_index < 0 || ec_index < 0)
		return -1;
	return 0;
}

static EVP_PKEY *
rsa_proxy(EVP_PKEY *pub, unsigned int keyid)
{
	BIGNUM		*n = NULL, *e = NULL;
	RSA		*rsa;
	EVP_PKEY	*pk;

	if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    (rsa = RSA_new()) == NULL) {
		BN_free(n);
		BN_free(e);
		return NULL;
	}
	if (RSA_set_method(rsa, rsa_method) != 1 ||
	    RSA_set0_key(rsa, n, e, NULL) != 1) {
		BN_free(n);
		BN_free(e);
		RSA_free(rsa);
		return NULL;
	}
	if (RSA_set_ex_data(rsa, rsa_index, (void *)(uintptr_t)(keyid + 1)) !=
	    1 || (pk = EVP_PKEY_new()) == NULL) {
		RSA_free(rsa);
		return NULL;
	}
	if (EVP_PKEY_assign_RSA(pk, rsa) != 1) {
		RSA_free(rsa);
		EVP_PKEY_free(pk);
		return NULL;
	}
	return pk;
}

static EVP_PKEY *
ec_proxy(EVP_PKEY *pub, unsigned int keyid)
{
	char		 group[64];
	unsigned char	 point[256];
	size_t		 grouplen, pointlen;
	EC_KEY		*ec;
	EVP_PKEY	*pk;
	int		 nid;

	if (EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &grouplen) != 1 ||
	    EVP_PKEY_get_octet_string_param(pub, OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof(point), &pointlen) != 1)
		return NULL;
	if ((nid = OBJ_txt2nid(group)) == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (nid == NID_undef || (ec = EC_KEY_new_by_curve_name(nid)) == NULL)
		return NULL;
	if (EC_KEY_set_method(ec, ec_method) != 1 ||
	    EC_KEY_oct2key(ec, point, pointlen, NULL) != 1 ||
	    EC_KEY_set_ex_data(ec, ec_index, (void *)(uintptr_t)(keyid + 1)) !=
	    1 || (pk = EVP_PKEY_new()) == NULL) {
		EC_KEY_free(ec);
		return NULL;
	}
	if (EVP_PKEY_assign_EC_KEY(pk, ec) != 1) {
		EC_KEY_free(ec);
		EVP_PKEY_free(pk);
		return NULL;
	}
	return pk;
}

/*
 * The key object for the certificate cert, whose private key the key
 * process knows as keyid.  NULL, and *why, for a key of another kind.
 */
EVP_PKEY *
keyproxy_new(X509 *cert, unsigned int keyid, const char **why)
{
	EVP_PKEY	*pub, *pk = NULL;

	*why = "cannot make its key object";
	if (methods_init() == -1 || (pub = X509_get0_pubkey(cert)) == NULL)
		return NULL;
	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_RSA:
		pk = rsa_proxy(pub, keyid);
		break;
	case EVP_PKEY_EC:
		pk = ec_proxy(pub, keyid);
		break;
	default:
		*why = "only RSA and ECDSA keys are supported";
		return NULL;
	}
	ERR_clear_error();
	return pk;
}
