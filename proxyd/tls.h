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
 * TLS: the contexts the parent makes for servers and https backends, the
 * session ticket keys it makes and every worker shares, and what a
 * worker does with them: the handshake with a client (SNI, ALPN, OCSP
 * stapling) and with a backend (verification, resumption).
 */

#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct conn;
struct errlist;
struct session;
struct upstream;

#define TICKET_NAME_LEN		16
#define TICKET_AES_LEN		32	/* AES-256-CBC */
#define TICKET_HMAC_LEN		32	/* HMAC-SHA256 */

struct ticket_key {
	unsigned char	 name[TICKET_NAME_LEN];
	unsigned char	 aes[TICKET_AES_LEN];
	unsigned char	 hmac[TICKET_HMAC_LEN];
};

/*
 * The current key seals new tickets; the previous one still opens the
 * tickets it sealed, for one more rotation.
 */
struct ticket_keys {
	struct ticket_key current;
	struct ticket_key previous;
	uint32_t	 have_previous;
};

#define TLS_RECORD_MAX		16384	/* plaintext of one record */
#define CERT_EXPIRY_WARN	(14 * 24 * 3600)	/* seconds */

/* tls.c: the parent, and what a worker's callbacks use. */
void	 tls_init(void);
const char *tls_error(void);
struct evp_pkey_st *tls_key_load(const char *, const char **);
void	 tls_key_done(struct evp_pkey_st *);
void	 tls_key_keep(void);
int	 tls_config(struct config *, struct errlist *);
void	 tls_config_free(struct config *);
void	 tls_tickets_rotate(void);
const struct ticket_keys *tls_tickets(void);
uint64_t tls_ticket_interval(const struct config *);
void	 tls_expiry_warn(const struct config *);

int	 tls_tickets_set(const void *, size_t);
int	 tls_misdirected(const struct session *);

/* handshake.c: a worker. */
int	 tls_accept(struct session *, uint64_t);
int	 tls_connect(struct conn *, struct upstream *, uint64_t);

#endif /* TLS_H */
