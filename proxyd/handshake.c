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
 * The handshakes of a worker, with a client and with an https backend,
 * against the deadlines of the connection; the contexts come from the
 * parent (tls.c).  The signature a handshake needs is asked of the key
 * process (keyclient_call), with a deadline, through io_poll like any
 * other wait.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proxyd.h"
#include "conn.h"
#include "keyproc.h"
#include "tls.h"
#include "log.h"

#define KEY_TIMEOUT	2000	/* ms a key process may take to answer */

static int		 keyfd = -1;
static uint32_t		 keyseq;
static int		 key_trouble;	/* logged, until it works again */

static void
key_failed(const char *why)
{
	if (!key_trouble)
		log_warnx("key process: %s; handshakes fail until it "
		    "answers again", why);
	key_trouble = 1;
}

/*
 * Ask the key process for a signature: the answer's length, or -1 (no
 * key process, it refused, it is gone or too slow).
 */
static int
keyclient_call(unsigned int keyid, int op, int padding,
    const unsigned char *in, size_t inlen, unsigned char *out, size_t outmax)
{
	struct keyreq	 rq;
	struct keyans	 ans;
	struct pollfd	 pfd;
	uint64_t	 deadline = now_ms() + KEY_TIMEOUT;
	ssize_t		 n;
	int		 fd = keyfd, rv;

	if (fd == -1) {
		key_failed("none to ask");
		return -1;
	}
	if (inlen > sizeof(rq.data) || keyid > UINT16_MAX)
		return -1;
	memset(&rq.h, 0, sizeof(rq.h));
	rq.h.seq = ++keyseq;
	rq.h.keyid = keyid;
	rq.h.op = op;
	rq.h.padding = padding;
	rq.h.len = inlen;
	memcpy(rq.data, in, inlen);
	if (send(fd, &rq, sizeof(rq.h) + inlen, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    -1) {
		key_failed(strerror(errno));
		return -1;
	}
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((rv = io_poll(&pfd, 1, deadline)) <= 0) {
			key_failed(rv == 0 ? "no answer in time" :
			    strerror(errno));
			return -1;
		}
		if (fd != keyfd) {
			/* Replaced while we waited: ask again next time. */
			return -1;
		}
		n = recv(fd, &ans, sizeof(ans), MSG_TRUNC | MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			key_failed(n == 0 ? "gone" : strerror(errno));
			return -1;
		}
		if (n < (ssize_t)sizeof(ans.h) || n > (ssize_t)sizeof(ans) ||
		    ans.h.len != (size_t)n - sizeof(ans.h))
			return -1;
		if (ans.h.seq != rq.h.seq)
			continue;	/* an answer to an older question */
		if (ans.h.status != KEY_OK || ans.h.len > outmax) {
			log_warnx("key process refused key %u: %d", keyid,
			    ans.h.status);
			return -1;
		}
		rv = ans.h.len;
		memcpy(out, ans.data, rv);
		explicit_bzero(&ans, sizeof(ans));
		key_trouble = 0;
		return rv;
	}
}

/* The socket to the key process, at start and when it is replaced. */
void
keyclient_set(int fd)
{
	if (keyfd != -1 && keyfd != fd)
		close(keyfd);
	keyfd = fd;
	keyproxy_call = keyclient_call;
}

/*
 * A plain HTTP request where TLS was expected: say so, in plain text.
 * Its first line, as far as it came, is kept for the access log.
 */
static void
plain_on_tls(struct session *s)
{
	static const char msg[] = "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 16\r\n"
	    "Connection: close\r\n\r\n400 Bad Request\n";
	ssize_t		 n;

	n = recv(s->client.fd, s->in.data, s->in.size, MSG_PEEK |
	    MSG_DONTWAIT);
	if (n > 0)
		reqinfo_line(&s->info, s->in.data, n);

	(void)conn_write(&s->client, msg, sizeof(msg) - 1,
	    now_ms() + s->conf->timeout_body);
	s->info.bytes = 16;
	s->status = 400;
	s->linger = 1;
}

/*
 * The handshake with a client, against the deadline of the first request
 * head.  0 when done; -1 when the connection is to be closed (a failure
 * is logged, briefly).
 */
int
tls_accept(struct session *s, uint64_t deadline)
{
	SSL		*ssl;
	unsigned char	 first;
	ssize_t		 n;
	int		 rv, err;

	/* A TLS connection begins with a handshake record. */
	if (conn_wait(&s->client, POLLIN, deadline) != 1)
		return -1;
	do {
		n = recv(s->client.fd, &first, 1, MSG_PEEK);
	} while (n == -1 && errno == EINTR);
	if (n != 1)
		return -1;
	if (first != 0x16) {
		if (first >= 'A' && first <= 'Z')
			plain_on_tls(s);
		return -1;
	}
	if ((ssl = SSL_new(s->listener->servers[0]->ssl_ctx)) == NULL) {
		log_warnx("%s: SSL_new: %s", s->peer, tls_error());
		return -1;
	}
	SSL_set_app_data(ssl, s);
	if (SSL_set_fd(ssl, s->client.fd) != 1) {
		SSL_free(ssl);
		return -1;
	}
	s->sni_server = s->listener->servers[0];
	s->client.ssl = ssl;
	for (;;) {
		ERR_clear_error();
		if ((rv = SSL_accept(ssl)) == 1)
			return 0;
		err = SSL_get_error(ssl, rv);
		if (err == SSL_ERROR_WANT_READ)
			s->client.want = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			s->client.want = POLLOUT;
		else
			break;
		if (conn_wait(&s->client, s->client.want, deadline) != 1) {
			log_info("%s: tls handshake timed out", s->peer);
			goto fail;
		}
	}
	log_info("%s: tls handshake failed: %s", s->peer,
	    err == SSL_ERROR_SSL ? tls_error() : err == SSL_ERROR_SYSCALL &&
	    errno != 0 ? strerror(errno) : "connection closed");
 fail:
	ERR_clear_error();
	s->client.ssl = NULL;
	s->client.want = 0;
	SSL_free(ssl);
	s->tls_failed = 1;
	return -1;
}

/*
 * The handshake with an https backend on c, connected: SNI and the host
 * name checked unless it is an address, the last session resumed.
 */
int
tls_connect(struct conn *c, struct upstream *up, uint64_t deadline)
{
	SSL		*ssl;
	long		 verify;
	int		 rv, err;

	if ((ssl = SSL_new(up->ssl_ctx)) == NULL ||
	    SSL_set_fd(ssl, c->fd) != 1) {
		log_warnx("backend %s: SSL_new: %s", up->host, tls_error());
		SSL_free(ssl);
		return -1;
	}
	SSL_set_app_data(ssl, up);
	if (!up->host_is_ip)
		SSL_set_tlsext_host_name(ssl, up->host);
	if (!up->tls_noverify && (up->host_is_ip ?
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), up->host) :
	    SSL_set1_host(ssl, up->host)) != 1) {
		log_warnx("backend %s: cannot check its name", up->host);
		SSL_free(ssl);
		return -1;
	}
	if (up->session != NULL)
		SSL_set_session(ssl, up->session);
	c->ssl = ssl;
	for (;;) {
		ERR_clear_error();
		if ((rv = SSL_connect(ssl)) == 1)
			return 0;
		err = SSL_get_error(ssl, rv);
		if (err == SSL_ERROR_WANT_READ)
			c->want = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			c->want = POLLOUT;
		else
			break;
		if (conn_wait(c, c->want, deadline) != 1) {
			log_warnx("backend %s port %u: tls handshake timed "
			    "out", up->host, up->port);
			goto fail;
		}
	}
	verify = SSL_get_verify_result(ssl);
	if (verify != X509_V_OK)
		log_warnx("backend %s port %u: certificate not verified: %s",
		    up->host, up->port, X509_verify_cert_error_string(verify));
	else
		log_warnx("backend %s port %u: tls handshake failed: %s",
		    up->host, up->port, err == SSL_ERROR_SSL ? tls_error() :
		    "connection closed");
 fail:
	ERR_clear_error();
	/* A session that failed is not one to resume. */
	SSL_SESSION_free(up->session);
	up->session = NULL;
	c->ssl = NULL;
	c->want = 0;
	SSL_free(ssl);
	return -1;
}
