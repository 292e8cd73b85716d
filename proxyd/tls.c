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
 * TLS with OpenSSL.  The parent makes one server context per server that
 * listens with tls (certificate, chain, key, OCSP response, the
 * listener's protocols, ciphers and ticket lifetime) and one client
 * context per https backend, before it forks the workers, which inherit
 * them.  It also makes the session ticket keys and rotates them; every
 * worker gets them over its channel, so a ticket one worker sealed opens
 * in any other.
 *
 * No private key is in those contexts: each holds the public half of its
 * certificate's key, whose private operations go to the key process
 * (keyproxy.c, keyproc.c).  The parent reads a key only to check that it
 * matches its certificate, and OpenSSL's memory is wiped as it is freed
 * meanwhile: OpenSSL 3's PEM decoder frees its copy of the key unwiped.
 *
 * In a worker, a handshake starts on the context of the listener's first
 * server; the ClientHello callback then moves it to the context of the
 * server SNI names.  Each server context carries the SHA-256 of its
 * certificate as session id context, so a session never resumes into a
 * server with another certificate.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "proxyd.h"
#include "conn.h"
#include "tls.h"
#include "keyproc.h"
#include "log.h"

/* ECDHE and AEAD only, for TLS 1.2; TLS 1.3 suites are all AEAD. */
#define TLS_CIPHERS_DEFAULT \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS_GROUPS		"X25519:P-256"
#define KEY_FILE_MAX		(1024 * 1024)
#define OCSP_FILE_MAX		(64 * 1024)

static struct ticket_keys tickets;
static int		 tickets_made;
static int		 wipe_on_free;

static const unsigned char alpn_http11[] = { 8, 'h', 't', 't', 'p', '/', '1',
	'.', '1' };

/*
 * OpenSSL's allocator, which wipes what it frees while wipe_on_free is
 * set: while the parent holds a private key.  Set before any other
 * OpenSSL call, or OpenSSL refuses it.
 */
static void *
tls_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return malloc(n);
}

static void *
tls_realloc(void *p, size_t n, const char *file, int line)
{
	size_t	 old;
	void	*q;

	(void)file;
	(void)line;
	if (!wipe_on_free || p == NULL || n == 0)
		return realloc(p, n);
	/* realloc() could leave a copy behind. */
	old = malloc_usable_size(p);
	if ((q = malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	explicit_bzero(p, old);
	free(p);
	return q;
}

static void
tls_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p != NULL && wipe_on_free)
		explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

void
tls_init(void)
{
	if (CRYPTO_set_mem_functions(tls_malloc, tls_realloc, tls_free) != 1)
		fatalx("CRYPTO_set_mem_functions");
}

/* The first error OpenSSL queued, for a message; the queue is emptied. */
const char *
tls_error(void)
{
	static char	 buf[256];
	unsigned long	 e;

	if ((e = ERR_peek_error()) == 0)
		strlcpy(buf, "unknown error", sizeof(buf));
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/*
 * Read a whole file with read(2), not stdio, so that no copy of a key
 * stays in a buffer we do not own; the caller wipes and frees it.
 */
static unsigned char *
file_read(const char *path, size_t max, size_t *lenp, const char **why)
{
	struct stat	 st;
	unsigned char	*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	*why = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)max) {
		*why = !S_ISREG(st.st_mode) ? "not a regular file" :
		    "file too large";
		close(fd);
		return NULL;
	}
	if ((buf = malloc(st.st_size + 1)) == NULL) {
		*why = strerror(errno);
		close(fd);
		return NULL;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	*lenp = len;
	return buf;
}

static void
file_wipe(unsigned char *buf, size_t len)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return 0;
}

/*
 * A private key from a PEM file, read so that no copy of it lingers: with
 * read(2) into a buffer wiped after, and OpenSSL's memory wiped as it is
 * freed until the caller is done with the key (key_done).
 */
EVP_PKEY *
tls_key_load(const char *path, const char **why)
{
	unsigned char	*buf;
	size_t		 len;
	BIO		*bio;
	EVP_PKEY	*pkey = NULL;

	wipe_on_free = 1;
	if ((buf = file_read(path, KEY_FILE_MAX, &len, why)) == NULL) {
		wipe_on_free = 0;
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(buf, len)) != NULL) {
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	file_wipe(buf, len);
	if (pkey == NULL) {
		*why = tls_error();
		wipe_on_free = 0;
	}
	return pkey;
}

/* Keeping the keys tls_key_load() gave (the key process): no more wiping. */
void
tls_key_keep(void)
{
	wipe_on_free = 0;
}

/* Done with a key tls_key_load() gave: freed, and the wiping stops. */
void
tls_key_done(EVP_PKEY *pkey)
{
	EVP_PKEY_free(pkey);
	wipe_on_free = 0;
}

/* The state of the session a callback runs for. */
static struct session *
ssl_session(SSL *ssl)
{
	return SSL_get_app_data(ssl);
}

/*
 * The server name of a ClientHello's server_name extension (RFC 6066
 * section 3), if it holds a host name that fits.
 */
static int
sni_name(const unsigned char *p, size_t len, char *name, size_t size)
{
	size_t	 listlen, namelen;

	if (len < 2)
		return -1;
	listlen = (p[0] << 8) | p[1];
	p += 2;
	len -= 2;
	if (listlen != len)
		return -1;
	while (len >= 3) {
		namelen = (p[1] << 8) | p[2];
		if (namelen > len - 3)
			return -1;
		if (p[0] == TLSEXT_NAMETYPE_host_name) {
			if (namelen == 0 || namelen >= size ||
			    memchr(p + 3, '\0', namelen) != NULL)
				return -1;
			memcpy(name, p + 3, namelen);
			name[namelen] = '\0';
			return 0;
		}
		p += 3 + namelen;
		len -= 3 + namelen;
	}
	return -1;
}

/* Choose the server, and so the certificate, by SNI (SPEC.md 4.1). */
static int
client_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct session		*s = ssl_session(ssl);
	struct server		*srv;
	const unsigned char	*p;
	size_t			 len;
	char			 name[256];

	(void)alert;
	(void)arg;
	if (s == NULL)
		return SSL_CLIENT_HELLO_ERROR;
	srv = s->listener->servers[0];
	if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p,
	    &len) == 1 && sni_name(p, len, name, sizeof(name)) == 0 &&
	    (srv = server_find(s->listener, name, strlen(name))) == NULL)
		srv = s->listener->servers[0];
	s->sni_server = srv;
	if (srv->ssl_ctx != NULL && srv->ssl_ctx != SSL_get_SSL_CTX(ssl))
		SSL_set_SSL_CTX(ssl, srv->ssl_ctx);
	return SSL_CLIENT_HELLO_SUCCESS;
}

static int
alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned char	*sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, alpn_http11,
	    sizeof(alpn_http11), in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* Staple the OCSP response of the server SNI chose, if it has one. */
static int
ocsp_cb(SSL *ssl, void *arg)
{
	struct session	*s = ssl_session(ssl);
	unsigned char	*resp;

	(void)arg;
	if (s == NULL || s->sni_server == NULL ||
	    s->sni_server->ocsp == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	if ((resp = OPENSSL_malloc(s->sni_server->ocsplen)) == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	memcpy(resp, s->sni_server->ocsp, s->sni_server->ocsplen);
	if (SSL_set_tlsext_status_ocsp_resp(ssl, resp,
	    s->sni_server->ocsplen) != 1) {
		OPENSSL_free(resp);
		return SSL_TLSEXT_ERR_NOACK;
	}
	return SSL_TLSEXT_ERR_OK;
}

static int
ticket_mac_init(EVP_MAC_CTX *hctx, const struct ticket_key *k)
{
	OSSL_PARAM	 params[3];

	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)k->hmac, sizeof(k->hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    "SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	return EVP_MAC_CTX_set_params(hctx, params);
}

/*
 * Seal a new ticket with the current key, or open one with the key its
 * name says: 1 opened (or sealed), 2 opened with the previous key (so a
 * new ticket is sent), 0 unknown key (a full handshake), -1 error.
 */
static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char iv[16],
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const struct ticket_key	*k;

	(void)ssl;
	if (!tickets_made)
		return enc ? -1 : 0;
	if (enc) {
		k = &tickets.current;
		memcpy(name, k->name, TICKET_NAME_LEN);
		if (RAND_bytes(iv, 16) != 1 ||
		    EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
		    iv) != 1 || ticket_mac_init(hctx, k) != 1)
			return -1;
		return 1;
	}
	if (CRYPTO_memcmp(name, tickets.current.name, TICKET_NAME_LEN) == 0)
		k = &tickets.current;
	else if (tickets.have_previous && CRYPTO_memcmp(name,
	    tickets.previous.name, TICKET_NAME_LEN) == 0)
		k = &tickets.previous;
	else
		return 0;
	if (EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
	    iv) != 1 || ticket_mac_init(hctx, k) != 1)
		return -1;
	return k == &tickets.current ? 1 : 2;
}

/* The TLS versions of a "tls protocols" string, checked by the parser. */
static void
protocol_range(const char *protocols, int *min, int *max)
{
	int	 has12, has13;

	if (protocols == NULL)
		protocols = TLS_PROTOCOLS_DEFAULT;
	has12 = strcasestr(protocols, "tlsv1.2") != NULL;
	has13 = strcasestr(protocols, "tlsv1.3") != NULL;
	*min = has12 ? TLS1_2_VERSION : TLS1_3_VERSION;
	*max = has13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

static int
cert_chain_file(SSL_CTX *ctx, const char *path)
{
	BIO	*bio;
	X509	*x;
	int	 n = 0;

	if ((bio = BIO_new_file(path, "r")) == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) !=
	    NULL) {
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			X509_free(x);
			BIO_free(bio);
			return -1;
		}
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	return n > 0 ? 0 : -1;
}

static int
ocsp_load(struct server *srv, struct errlist *errs)
{
	const struct tls_conf	*tls = &srv->tls;
	const unsigned char	*p;
	unsigned char		*buf;
	const char		*why;
	OCSP_RESPONSE		*resp;
	size_t			 len;

	if ((buf = file_read(tls->ocsp, OCSP_FILE_MAX, &len, &why)) ==
	    NULL) {
		errlist_add(errs, srv->file, tls->ocsp_line,
		    "cannot read tls ocsp \"%s\": %s", tls->ocsp, why);
		return -1;
	}
	p = buf;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, len)) == NULL ||
	    p != buf + len) {
		OCSP_RESPONSE_free(resp);
		free(buf);
		ERR_clear_error();
		errlist_add(errs, srv->file, tls->ocsp_line,
		    "tls ocsp \"%s\" is not a DER OCSP response", tls->ocsp);
		return -1;
	}
	OCSP_RESPONSE_free(resp);
	srv->ocsp = buf;
	srv->ocsplen = len;
	return 0;
}

/* The identity and the end of validity of the server's certificate. */
static int
cert_note(struct server *srv, X509 *leaf)
{
	const ASN1_TIME	*na;
	struct tm	 tm;
	unsigned int	 n = sizeof(srv->cert_id);

	if (X509_digest(leaf, EVP_sha256(), srv->cert_id, &n) != 1)
		return -1;
	if ((na = X509_get0_notAfter(leaf)) == NULL ||
	    ASN1_TIME_to_tm(na, &tm) != 1)
		return -1;
	srv->cert_expiry = timegm(&tm);
	return 0;
}

static SSL_CTX *
server_ctx(struct config *conf, struct server *srv, struct errlist *errs)
{
	const struct tls_conf	*tls = &srv->tls;
	SSL_CTX			*ctx;
	EVP_PKEY		*pkey;
	X509			*leaf;
	const char		*why;
	char			*ciphers;
	int64_t			 lifetime;
	int			 min, max, rv;

	(void)conf;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		errlist_add(errs, srv->file, srv->line, "tls: %s",
		    tls_error());
		return NULL;
	}
	protocol_range(tls->protocols, &min, &max);
	SSL_CTX_set_min_proto_version(ctx, min);
	SSL_CTX_set_max_proto_version(ctx, max);
	/* An end without close_notify is seen as an end: HTTP frames it. */
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* No RSA key exchange: the key process does not decrypt. */
	if (asprintf(&ciphers, "%s:!kRSA", tls->ciphers != NULL ?
	    tls->ciphers : TLS_CIPHERS_DEFAULT) == -1)
		fatal("%s", __func__);
	rv = SSL_CTX_set_cipher_list(ctx, ciphers);
	free(ciphers);
	if (rv != 1) {
		ERR_clear_error();
		errlist_add(errs, srv->file, tls->ciphers != NULL ?
		    tls->ciphers_line : srv->line,
		    "tls ciphers \"%s\": no cipher OpenSSL knows",
		    tls->ciphers != NULL ? tls->ciphers : "");
		goto fail;
	}
	if (SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) != 1) {
		errlist_add(errs, srv->file, srv->line, "tls groups: %s",
		    tls_error());
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, tls->certificate) != 1) {
		errlist_add(errs, srv->file, tls->certificate_line,
		    "cannot load tls certificate \"%s\": %s",
		    tls->certificate, tls_error());
		goto fail;
	}
	if (tls->chain != NULL && cert_chain_file(ctx, tls->chain) == -1) {
		errlist_add(errs, srv->file, tls->chain_line,
		    "cannot load tls chain \"%s\": %s", tls->chain,
		    tls_error());
		goto fail;
	}
	leaf = SSL_CTX_get0_certificate(ctx);
	if (leaf == NULL || cert_note(srv, leaf) == -1) {
		errlist_add(errs, srv->file, tls->certificate_line,
		    "tls certificate \"%s\": cannot read it: %s",
		    tls->certificate, tls_error());
		goto fail;
	}
	/*
	 * What the worker gets: the public half, signing by key process.
	 * That the key fits its certificate, parsing checked already.
	 */
	if ((pkey = keyproxy_new(leaf, srv->keyid, &why)) == NULL) {
		errlist_add(errs, srv->file, tls->key_line,
		    "tls key \"%s\": %s", tls->key, why);
		goto fail;
	}
	rv = SSL_CTX_use_PrivateKey(ctx, pkey) == 1 &&
	    SSL_CTX_check_private_key(ctx) == 1;
	EVP_PKEY_free(pkey);
	if (!rv) {
		errlist_add(errs, srv->file, tls->key_line,
		    "tls key \"%s\": %s", tls->key, tls_error());
		goto fail;
	}
	SSL_CTX_set_session_id_context(ctx, srv->cert_id,
	    sizeof(srv->cert_id));
	if (tls->ocsp != NULL && ocsp_load(srv, errs) == -1)
		goto fail;

	lifetime = tls->ticket_lifetime == -1 ? (int64_t)TLS_TICKET_DEFAULT :
	    tls->ticket_lifetime;
	/* Sessions resume from tickets only: a worker's cache is its own. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (lifetime == 0) {
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(ctx, 0);
	} else {
		SSL_CTX_set_timeout(ctx, lifetime / SEC > 0 ?
		    lifetime / SEC : 1);
		SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
	}
	SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, NULL);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
	SSL_CTX_set_tlsext_status_cb(ctx, ocsp_cb);
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Sessions a backend gives us, kept to resume the next connection. */
static int
backend_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct upstream	*up = SSL_get_app_data(ssl);

	if (up == NULL || !SSL_SESSION_is_resumable(sess))
		return 0;
	SSL_SESSION_free(up->session);
	up->session = sess;
	return 1;
}

static X509_STORE	*system_store;

/*
 * The system's bundle, loaded whole now: in the chroot a worker could
 * not read it when a backend's certificate comes to be verified.
 */
static X509_STORE *
system_bundle(void)
{
	const char	*path;

	if (system_store != NULL)
		return system_store;
	if ((path = getenv(X509_get_default_cert_file_env())) == NULL)
		path = X509_get_default_cert_file();
	if ((system_store = X509_STORE_new()) == NULL)
		return NULL;
	if (X509_STORE_load_file(system_store, path) != 1) {
		log_warnx("system certificate bundle %s: %s", path,
		    tls_error());
	}
	return system_store;
}

static SSL_CTX *
backend_ctx(struct upstream *up, struct errlist *errs)
{
	SSL_CTX		*ctx;
	X509_STORE	*store;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		errlist_add(errs, up->file, up->line, "tls: %s", tls_error());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_alpn_protos(ctx, alpn_http11, sizeof(alpn_http11));
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, backend_session_cb);
	if (up->tls_noverify) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (up->tls_ca != NULL) {
		if (SSL_CTX_load_verify_file(ctx, up->tls_ca) != 1) {
			errlist_add(errs, up->file, up->line,
			    "backend tls ca \"%s\": %s", up->tls_ca,
			    tls_error());
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if ((store = system_bundle()) != NULL)
		SSL_CTX_set1_cert_store(ctx, store);
	return ctx;
}

/*
 * Make the TLS contexts of a configuration: one per server that listens
 * with tls, one per https backend.  Errors are FILE:LINE.
 */
int
tls_config(struct config *conf, struct errlist *errs)
{
	struct listener	*l;
	struct upstream	*up;
	struct server	*srv;
	size_t		 i, before = errs->count;
	unsigned int	 keyid = 0;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (!l->tls)
			continue;
		for (i = 0; i < l->nservers; i++) {
			srv = l->servers[i];
			if (srv->keyid != 0 || srv->tls.certificate == NULL ||
			    srv->tls.key == NULL)
				continue;
			srv->keyid = ++keyid;
			srv->ssl_ctx = server_ctx(conf, srv, errs);
		}
	}
	TAILQ_FOREACH(up, &conf->upstreams, entry)
		if (up->tls && up->ssl_ctx == NULL)
			up->ssl_ctx = backend_ctx(up, errs);
	return errs->count > before ? -1 : 0;
}

void
tls_config_free(struct config *conf)
{
	struct server	*srv;
	struct upstream	*up;

	TAILQ_FOREACH(srv, &conf->servers, entry) {
		SSL_CTX_free(srv->ssl_ctx);
		srv->ssl_ctx = NULL;
		free(srv->ocsp);
		srv->ocsp = NULL;
	}
	TAILQ_FOREACH(up, &conf->upstreams, entry) {
		SSL_CTX_free(up->ssl_ctx);
		up->ssl_ctx = NULL;
		SSL_free(up->idle_ssl);
		up->idle_ssl = NULL;
		SSL_SESSION_free(up->session);
		up->session = NULL;
	}
}

/* Warn of certificates that have expired or soon will. */
void
tls_expiry_warn(const struct config *conf)
{
	const struct server	*srv;
	time_t			 now = time(NULL);
	long long		 days;

	TAILQ_FOREACH(srv, &conf->servers, entry) {
		if (srv->ssl_ctx == NULL)
			continue;
		days = ((long long)srv->cert_expiry - now) / 86400;
		if (srv->cert_expiry <= now)
			log_warnx("server %s: tls certificate \"%s\" has "
			    "expired", srv->name, srv->tls.certificate);
		else if (srv->cert_expiry - now < CERT_EXPIRY_WARN)
			log_warnx("server %s: tls certificate \"%s\" expires "
			    "in %lld day%s", srv->name, srv->tls.certificate,
			    days, days == 1 ? "" : "s");
	}
}

/* A new current ticket key; the current one becomes the previous. */
void
tls_tickets_rotate(void)
{
	struct ticket_key	 k;

	if (RAND_bytes((unsigned char *)&k, sizeof(k)) != 1)
		fatalx("RAND_bytes: %s", tls_error());
	if (tickets_made) {
		tickets.previous = tickets.current;
		tickets.have_previous = 1;
	}
	tickets.current = k;
	tickets_made = 1;
	explicit_bzero(&k, sizeof(k));
}

const struct ticket_keys *
tls_tickets(void)
{
	return tickets_made ? &tickets : NULL;
}

/*
 * How often the keys rotate: the shortest ticket lifetime of the tls
 * listeners, so that a ticket still opens for one lifetime at least.
 * 0 when no listener issues tickets.
 */
uint64_t
tls_ticket_interval(const struct config *conf)
{
	const struct listener	*l;
	const struct server	*srv;
	uint64_t		 least = 0, t;

	TAILQ_FOREACH(l, &conf->listeners, entry) {
		if (!l->tls || l->nservers == 0)
			continue;
		srv = l->servers[0];
		t = srv->tls.ticket_lifetime == -1 ? TLS_TICKET_DEFAULT :
		    (uint64_t)srv->tls.ticket_lifetime;
		if (t > 0 && (least == 0 || t < least))
			least = t;
	}
	return least;
}

/* The keys the parent sent on the channel. */
int
tls_tickets_set(const void *p, size_t len)
{
	if (len != sizeof(tickets))
		return -1;
	memcpy(&tickets, p, sizeof(tickets));
	tickets_made = 1;
	return 0;
}

/*
 * Does the Host name a server with another certificate than the one SNI
 * chose?  Then the answer is 421 (SPEC.md 4.1).
 */
int
tls_misdirected(const struct session *s)
{
	if (!s->tls || s->sni_server == NULL || s->server == s->sni_server)
		return 0;
	if (s->server->ssl_ctx == NULL)
		return 1;
	return memcmp(s->server->cert_id, s->sni_server->cert_id,
	    sizeof(s->server->cert_id)) != 0;
}
