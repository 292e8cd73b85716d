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
 * The key processes of a generation: forked by the parent before the
 * workers, one per CPU, each reading the private keys itself while still
 * root, then chrooted and unprivileged like a worker, doing nothing but
 * answer the signing requests of the workers assigned to it.  A worker
 * gets a socketpair of its own to its key process, so no worker waits
 * behind another's request in a shared queue; the parent hands the key
 * process its end over the key process's channel.
 *
 * A key process that dies is replaced, and the workers it served get new
 * sockets; their handshakes in flight fail and are counted.  At a drain
 * a key process stays until its last worker is gone.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "chan.h"
#include "keyproc.h"
#include "tls.h"
#include "log.h"

#define KEYPROCS_MAX		16
#define QUICK_DEATH		1000	/* ms */
#define QUICK_DEATHS_MAX	5
#define KEYPROC_EVENTS		32

/* How many key processes a generation has: one per CPU. */
unsigned int
keyproc_count(void)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > KEYPROCS_MAX)
		n = KEYPROCS_MAX;
	return n;
}

static int
conf_has_keys(const struct config *conf)
{
	const struct server	*srv;

	TAILQ_FOREACH(srv, &conf->servers, entry)
		if (srv->keyid != 0 && srv->ssl_ctx != NULL)
			return 1;
	return 0;
}

/*
 * In the key process: read every key of the configuration, and keep
 * those that match their certificate.  keys[srv->keyid].
 */
static struct signkey *
keys_load(const struct config *conf, size_t *nkeys)
{
	const struct server	*srv;
	struct signkey		*keys;
	EVP_PKEY		*pkey;
	const char		*why;
	size_t			 n = 0;

	TAILQ_FOREACH(srv, &conf->servers, entry)
		if (srv->keyid >= n)
			n = srv->keyid + 1;
	if ((keys = calloc(n, sizeof(*keys))) == NULL)
		fatal("%s", __func__);
	TAILQ_FOREACH(srv, &conf->servers, entry) {
		if (srv->keyid == 0 || srv->ssl_ctx == NULL)
			continue;
		if ((pkey = tls_key_load(srv->tls.key, &why)) == NULL) {
			log_warnx("tls key \"%s\": %s", srv->tls.key, why);
			continue;
		}
		if (X509_check_private_key(SSL_CTX_get0_certificate(
		    srv->ssl_ctx), pkey) != 1 ||
		    keysign_key(&keys[srv->keyid], pkey) == -1) {
			log_warnx("tls key \"%s\" no longer matches tls "
			    "certificate \"%s\"", srv->tls.key,
			    srv->tls.certificate);
			tls_key_done(pkey);
			memset(&keys[srv->keyid], 0, sizeof(keys[0]));
			continue;
		}
	}
	tls_key_keep();
	ERR_clear_error();
	*nkeys = n;
	return keys;
}

/* Answer one request on a worker's socket; -1 when the worker is gone. */
static int
keyproc_serve(int fd, const struct signkey *keys, size_t nkeys)
{
	struct keyreq	 rq;
	struct keyans	 ans;
	ssize_t		 n;

	n = recv(fd, &rq, sizeof(rq), MSG_TRUNC | MSG_DONTWAIT);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	keysign_handle(keys, nkeys, &rq, n, &ans);
	/* Never wait for a worker that does not read its answers. */
	(void)send(fd, &ans, sizeof(ans.h) + ans.h.len,
	    MSG_DONTWAIT | MSG_NOSIGNAL);
	explicit_bzero(&rq, sizeof(rq));
	explicit_bzero(&ans, sizeof(ans));
	return 0;
}

static __attribute__((__noreturn__)) void
keyproc_main(struct config *conf, unsigned int gen, unsigned int index,
    int chan)
{
	struct epoll_event	 ev, events[KEYPROC_EVENTS];
	struct chan_msg		 msg;
	struct signkey		*keys;
	struct sigaction	 sa;
	sigset_t		 none;
	size_t			 nkeys;
	pid_t			 parent = getppid();
	int			 ep, n, i, fd, rv, peers = 0, draining = 0;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	proc_title("key %u (gen %u)", index + 1, gen);
	privsep_close_fds(NULL, &chan, 1);
	keys = keys_load(conf, &nkeys);
	privsep_drop(conf);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		_exit(0);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = chan;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, chan, &ev) == -1)
		fatal("epoll_ctl");

	while (!draining || peers > 0) {
		n = epoll_wait(ep, events, KEYPROC_EVENTS, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			fd = events[i].data.fd;
			if (fd != chan) {
				if (keyproc_serve(fd, keys, nkeys) == -1) {
					close(fd);
					peers--;
				}
				continue;
			}
			while ((rv = chan_recv(chan, &msg)) != 0) {
				if (rv == -1)
					_exit(0);	/* the parent is gone */
				if (rv == -2)
					continue;
				if (msg.type == CHAN_DRAIN)
					draining = 1;
				else if (msg.type == CHAN_KEYPEER) {
					ev.events = EPOLLIN;
					ev.data.fd = msg.fd;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, msg.fd,
					    &ev) == -1)
						close(msg.fd);
					else
						peers++;
				} else if (msg.fd != -1)
					close(msg.fd);
			}
		}
	}
	_exit(0);
}

static int
keyproc_spawn(struct generation *g, struct keyproc *kp)
{
	pid_t	 pid;
	int	 sv[2];

	if (chan_pair(sv) == -1) {
		log_warn("key process channel");
		return -1;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("fork key process");
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		keyproc_main(g->conf, g->id, kp->index, sv[1]);
		/* NOTREACHED */
	default:
		close(sv[1]);
		kp->pid = pid;
		kp->chan = sv[0];
		kp->started = now_ms();
		kp->drained = 0;
		return 0;
	}
}

/* The key processes of a new generation, if it has keys at all. */
int
keyproc_start(struct generation *g)
{
	unsigned int	 i, n;

	if (!conf_has_keys(g->conf))
		return 0;
	n = keyproc_count();
	if ((g->keyprocs = calloc(n, sizeof(*g->keyprocs))) == NULL)
		return -1;
	g->nkeyprocs = n;
	for (i = 0; i < n; i++) {
		g->keyprocs[i].index = i;
		g->keyprocs[i].gen = g;
		g->keyprocs[i].chan = -1;
		if (keyproc_spawn(g, &g->keyprocs[i]) == -1)
			return -1;
	}
	return 0;
}

/* A socketpair between kp and a worker: the worker's end, or -1. */
static int
keyproc_pair(struct keyproc *kp)
{
	int	 sv[2];

	if (kp->pid == 0 || kp->chan == -1)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("key process socketpair");
		return -1;
	}
	if (chan_send(kp->chan, CHAN_KEYPEER, NULL, 0, sv[0]) == -1) {
		log_warn("key %u (gen %u): channel", kp->index + 1,
		    kp->gen->id);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[0]);
	return sv[1];
}

/* The socket to the key process for worker number; -1 if none. */
int
keyproc_peer(struct generation *g, unsigned int number)
{
	if (g->nkeyprocs == 0)
		return -1;
	return keyproc_pair(&g->keyprocs[number % g->nkeyprocs]);
}

/* Give the workers kp serves new sockets to it. */
static void
keyproc_replumb(struct keyproc *kp)
{
	struct generation	*g = kp->gen;
	struct child		*c;
	int			 fd;

	TAILQ_FOREACH(c, &g->children, genentry) {
		if (c->number % g->nkeyprocs != kp->index || c->chan == -1)
			continue;
		if ((fd = keyproc_pair(kp)) == -1)
			continue;
		if (chan_send(c->chan, CHAN_KEYPEER, NULL, 0, fd) == -1)
			log_warn("worker %u: channel", c->number);
		close(fd);
	}
}

static struct keyproc *
keyproc_find(struct generationlist *gens, pid_t pid)
{
	struct generation	*g;
	unsigned int		 i;

	TAILQ_FOREACH(g, gens, entry)
		for (i = 0; i < g->nkeyprocs; i++)
			if (g->keyprocs[i].pid == pid)
				return &g->keyprocs[i];
	return NULL;
}

static struct generationlist	*keyproc_gens;

void
keyproc_init(struct generationlist *gens)
{
	keyproc_gens = gens;
}

/* A dead child that may be a key process: 1 if it was one. */
int
keyproc_reap(pid_t pid, int status)
{
	struct keyproc		*kp;
	struct generation	*g;

	if (keyproc_gens == NULL ||
	    (kp = keyproc_find(keyproc_gens, pid)) == NULL)
		return 0;
	g = kp->gen;
	close(kp->chan);
	kp->chan = -1;
	kp->pid = 0;
	if (g->draining || kp->drained)
		return 1;
	if (WIFSIGNALED(status))
		log_warnx("key %u (gen %u, pid %d) killed by signal %d",
		    kp->index + 1, g->id, pid, WTERMSIG(status));
	else
		log_warnx("key %u (gen %u, pid %d) exited with status %d",
		    kp->index + 1, g->id, pid, WEXITSTATUS(status));
	if (now_ms() - kp->started < QUICK_DEATH) {
		if (++kp->quick_deaths >= QUICK_DEATHS_MAX) {
			log_warnx("key processes keep dying at start; "
			    "waiting a second");
			kp->respawn_after = now_ms() + 1000;
			kp->quick_deaths = 0;
			return 1;
		}
	} else
		kp->quick_deaths = 0;
	if (keyproc_spawn(g, kp) == 0)
		keyproc_replumb(kp);
	return 1;
}

/* Replace the key processes whose replacement had to wait. */
void
keyproc_maintain(struct generationlist *gens, uint64_t now)
{
	struct generation	*g;
	struct keyproc		*kp;
	unsigned int		 i;

	TAILQ_FOREACH(g, gens, entry) {
		if (g->draining)
			continue;
		for (i = 0; i < g->nkeyprocs; i++) {
			kp = &g->keyprocs[i];
			if (kp->pid != 0 || now < kp->respawn_after)
				continue;
			if (keyproc_spawn(g, kp) == 0)
				keyproc_replumb(kp);
		}
	}
}

/* Key processes go once their last worker is gone. */
void
keyproc_drain(struct generation *g)
{
	struct keyproc	*kp;
	unsigned int	 i;

	for (i = 0; i < g->nkeyprocs; i++) {
		kp = &g->keyprocs[i];
		if (kp->pid == 0 || kp->drained)
			continue;
		if (chan_send(kp->chan, CHAN_DRAIN, NULL, 0, -1) == -1)
			kill(kp->pid, SIGTERM);
		kp->drained = 1;
	}
}

void
keyproc_kill(struct generation *g)
{
	unsigned int	 i;

	for (i = 0; i < g->nkeyprocs; i++)
		if (g->keyprocs[i].pid != 0)
			kill(g->keyprocs[i].pid, SIGKILL);
}

unsigned int
keyproc_alive(const struct generation *g)
{
	unsigned int	 i, n = 0;

	for (i = 0; i < g->nkeyprocs; i++)
		if (g->keyprocs[i].pid != 0)
			n++;
	return n;
}

void
keyproc_free(struct generation *g)
{
	unsigned int	 i;

	for (i = 0; i < g->nkeyprocs; i++)
		if (g->keyprocs[i].chan != -1)
			close(g->keyprocs[i].chan);
	free(g->keyprocs);
	g->keyprocs = NULL;
	g->nkeyprocs = 0;
}
