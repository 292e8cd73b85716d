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
 * The key process: the only holder of the servers' private keys, which
 * signs TLS handshakes for the workers (SPEC.md section 2).  A worker's
 * TLS contexts carry each certificate with a key object that holds only
 * the public half; its private operations become a request to the key
 * process, over a SOCK_SEQPACKET socketpair of the worker's own.
 */

#ifndef KEYPROC_H
#define KEYPROC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct config;
struct generation;
struct generationlist;
struct evp_pkey_st;
struct x509_st;

/* The operations a worker may ask for. */
#define KEYOP_RSA_SIGN		1	/* RSA private op on a signature
					   encoding: PKCS#1 DigestInfo, or
					   an EMSA-PSS encoding (no padding) */
#define KEYOP_ECDSA_SIGN	2	/* ECDSA over a digest, DER out */

#define KEYPAD_PKCS1		1	/* as RSA_PKCS1_PADDING */
#define KEYPAD_NONE		3	/* as RSA_NO_PADDING */

#define KEYPROC_DATA_MAX	512	/* an RSA-4096 modulus */
#define KEYPROC_KEYS_MAX	4096

/* Answers. */
#define KEY_OK			0
#define KEY_EMSG		(-1)	/* short, long, inconsistent length */
#define KEY_ENOKEY		(-2)	/* no such key */
#define KEY_EOP			(-3)	/* operation or padding not for it */
#define KEY_ELEN		(-4)	/* wrong input length for the op */
#define KEY_ENOTSIG		(-5)	/* not a signature encoding */
#define KEY_ECRYPTO		(-6)	/* the operation failed */

struct keyreq_hdr {
	uint32_t	 seq;		/* echoed in the answer */
	uint16_t	 keyid;
	uint8_t		 op;		/* KEYOP_* */
	uint8_t		 padding;	/* KEYPAD_* for RSA */
	uint32_t	 len;		/* of data */
};

struct keyreq {
	struct keyreq_hdr h;
	unsigned char	 data[KEYPROC_DATA_MAX];
};

struct keyans_hdr {
	uint32_t	 seq;
	int32_t		 status;	/* KEY_OK or KEY_E* */
	uint32_t	 len;
};

struct keyans {
	struct keyans_hdr h;
	unsigned char	 data[KEYPROC_DATA_MAX];
};

/* A loaded private key, in the key process. */
struct signkey {
	struct evp_pkey_st *pkey;	/* NULL: not loaded */
	int		 rsa;		/* else ECDSA */
	size_t		 size;		/* RSA: modulus bytes */
	int		 bits;		/* RSA: modulus bits */
};

/* keysign.c: checking and carrying out a request, pure. */
void	 keysign_handle(const struct signkey *, size_t, const void *,
	    ssize_t, struct keyans *);
int	 keysign_is_pss(const unsigned char *, size_t, int);
int	 keysign_is_digestinfo(const unsigned char *, size_t);
int	 keysign_key(struct signkey *, struct evp_pkey_st *);

/* keyproxy.c: the key objects of a worker's contexts. */
struct evp_pkey_st *keyproxy_new(struct x509_st *, unsigned int,
	    const char **);
extern int (*keyproxy_call)(unsigned int, int, int, const unsigned char *,
	    size_t, unsigned char *, size_t);

/* handshake.c: a worker's requests to its key process. */
void	 keyclient_set(int);

/* keyproc.c: the parent's side, and the key process. */
void	 keyproc_init(struct generationlist *);
void	 keyproc_maintain(struct generationlist *, uint64_t);
unsigned int keyproc_count(void);
int	 keyproc_start(struct generation *);
int	 keyproc_peer(struct generation *, unsigned int);
int	 keyproc_reap(pid_t, int);
void	 keyproc_drain(struct generation *);
void	 keyproc_kill(struct generation *);
unsigned int keyproc_alive(const struct generation *);
void	 keyproc_free(struct generation *);

#endif /* KEYPROC_H */
