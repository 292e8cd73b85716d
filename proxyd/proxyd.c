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
 * The parent: it parses the configuration, binds the listeners, keeps
 * the control socket, and forks and watches the workers.  It runs as
 * root and never reads a byte from a client.
 */

#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "proxyd.h"
#include "proc.h"
#include "conn.h"
#include "control.h"
#include "status.h"
#include "keyproc.h"
#include "tls.h"
#include "log.h"

#define TICK			100	/* ms between two looks at the pool */
#define CTL_CLIENTS_MAX		32

extern char		**environ;

static struct generationlist gens = TAILQ_HEAD_INITIALIZER(gens);
static struct generation *current;
static struct totals	 totals;
static struct definelist defines = TAILQ_HEAD_INITIALIZER(defines);
static char		 conffile[PATH_MAX];
static char		*ctlpath;
static int		 sigfd = -1, ctlfd = -1;
static int		 debug;
static uint64_t		 started;
static int		 stopping;
static uint64_t		 stop_deadline;
static int		 wrote_pidfile;
static struct generation *pending;	/* reloaded, not serving yet */
static struct ctlconn	*reload_waiter;
static uint64_t		 reload_deadline;
static struct ctlconn	*stop_waiter;
static uint64_t		 tickets_due;	/* next rotation of ticket keys */

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr,
	    "usage: proxyd [-dnv] [-D macro=value] [-f file]\n");
	exit(1);
}

/* A worker facing the Internet as root is refused, whatever it says. */
static int
config_refused(const struct config *conf, struct errlist *errs)
{
	if (conf->uid == 0)
		errlist_add(errs, conf->user_file != NULL ? conf->user_file :
		    conf->path, conf->user_line,
		    "user %s: workers must not run as root", conf->user);
	return errs->count > 0 ? -1 : 0;
}

static struct config *
load_config(struct errlist *errs)
{
	struct errlist	 warns = { NULL, 0 };
	struct config	*conf;
	size_t		 i;
	int		 bad;

	if ((conf = parse_config(conffile, &defines, errs)) == NULL)
		return NULL;
	/* All of them, so that every error is told at once. */
	bad = config_refused(conf, errs) == -1;
	if (tls_config(conf, errs) == -1)
		bad = 1;
	if (auth_config(conf, errs, &warns) == -1)
		bad = 1;
	/* Entries that never match: said, not refused. */
	for (i = 0; i < warns.count; i++)
		log_warnx("%s", warns.lines[i]);
	errlist_clear(&warns);
	if (bad) {
		config_free(conf);
		return NULL;
	}
	tls_expiry_warn(conf);
	return conf;
}

/*
 * The access log of conf, opened by the parent, as root, for the
 * workers to append to; -1 if there is none, or it cannot be opened
 * (errs says why).
 */
static int
accesslog_open(const struct config *conf, struct errlist *errs)
{
	int	 fd;

	if (conf->accesslog == NULL)
		return -1;
	fd = open(conf->accesslog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, 0644);
	if (fd == -1 && errs != NULL)
		errlist_add(errs, conf->accesslog_file, conf->accesslog_line,
		    "log access \"%s\": %s", conf->accesslog,
		    strerror(errno));
	return fd;
}

static struct generation *
generation_new(struct config *conf, int logfd)
{
	static unsigned int	 next_id = 1;
	struct generation	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->id = next_id++;
	g->conf = conf;
	g->logfd = logfd;
	TAILQ_INIT(&g->children);
	TAILQ_INSERT_TAIL(&gens, g, entry);
	/* The key processes come first: the workers' sockets go to them. */
	if (keyproc_start(g) == -1)
		log_warnx("generation %u: not all key processes started",
		    g->id);
	return g;
}

static void
generation_drain(struct generation *g)
{
	g->draining = 1;
	g->drain_deadline = now_ms() + g->conf->timeout_shutdown;
	pool_drain(g);
	keyproc_drain(g);
}

/* Forget draining generations whose workers are all gone. */
static void
generations_collect(void)
{
	struct generation	*g, *next;

	TAILQ_FOREACH_SAFE(g, &gens, entry, next) {
		if (!g->draining || pool_count(g, -1) > 0 ||
		    keyproc_alive(g) > 0)
			continue;
		TAILQ_REMOVE(&gens, g, entry);
		log_info("generation %u ended", g->id);
		keyproc_free(g);
		if (g->logfd != -1)
			close(g->logfd);
		config_free(g->conf);
		free(g);
	}
}

static void
errlist_text(const struct errlist *errs, char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < errs->count; i++) {
		strlcat(buf, errs->lines[i], len);
		strlcat(buf, "\n", len);
	}
}

/*
 * Reload: parse and check the new configuration; if it is good, take
 * over the sockets still configured, bind the new ones and fork a new
 * generation.  The old generation keeps serving until a new worker
 * accepts (reload_check), so that a new generation that cannot start
 * leaves the old configuration in place.
 */
static void
reload(struct ctlconn *c)
{
	struct errlist	 errs = { NULL, 0 };
	struct config	*conf;
	char		 text[8192];
	size_t		 i;
	int		 logfd = -1;

	if (pending != NULL) {
		if (c != NULL)
			control_reply(c, 1, "reload: already in progress\n");
		return;
	}
	log_info("reloading %s", conffile);
	conf = load_config(&errs);
	if (conf != NULL && listeners_bind(conf, current->conf, &errs) == -1) {
		config_free(conf);
		conf = NULL;
	}
	if (conf != NULL && (logfd = accesslog_open(conf, &errs)) == -1 &&
	    conf->accesslog != NULL) {
		listeners_bind(current->conf, conf, NULL);
		listeners_close(conf);
		config_free(conf);
		conf = NULL;
	}
	if (conf == NULL || (pending = generation_new(conf, logfd)) == NULL) {
		if (conf != NULL) {
			listeners_bind(current->conf, conf, NULL);
			listeners_close(conf);
			config_free(conf);
			if (logfd != -1)
				close(logfd);
			errlist_add(&errs, conffile, 0, "out of memory");
		}
		for (i = 0; i < errs.count; i++)
			log_warnx("%s", errs.lines[i]);
		log_warnx("reload failed; the old configuration stays");
		if (c != NULL) {
			errlist_text(&errs, text, sizeof(text));
			control_reply(c, 1, text);
		}
		errlist_clear(&errs);
		return;
	}
	if (strcmp(conf->socket, ctlpath) != 0)
		log_warnx("socket %s: the control socket changes only at "
		    "restart", conf->socket);
	reload_waiter = c;
	reload_deadline = now_ms() + CTL_RELOAD_TIMEOUT;
	pool_maintain(&gens, now_ms());
}

/*
 * Switch over once a worker of the new generation accepts; give up on
 * it, keeping the old one, if none does in time.
 */
static void
reload_check(void)
{
	struct generation	*old;
	char			 text[128];
	int			 status;

	if (pending == NULL)
		return;
	if (pool_count(pending, SLOT_IDLE) + pool_count(pending, SLOT_BUSY) >
	    0) {
		old = current;
		current = pending;
		/* What the new generation did not take over was removed. */
		listeners_close(old->conf);
		generation_drain(old);
		snprintf(text, sizeof(text), "reload: ok (generation %u)\n",
		    current->id);
		status = 0;
	} else if (now_ms() >= reload_deadline) {
		listeners_bind(current->conf, pending->conf, NULL);
		listeners_close(pending->conf);
		generation_drain(pending);
		pool_kill(pending);
		keyproc_kill(pending);
		snprintf(text, sizeof(text), "reload: the workers of "
		    "generation %u did not start; the old configuration "
		    "stays\n", pending->id);
		status = 1;
	} else
		return;
	pending = NULL;
	if (status == 0)
		log_info("%s", text);
	else
		log_warnx("%s", text);
	if (reload_waiter != NULL)
		control_reply(reload_waiter, status, text);
	reload_waiter = NULL;
}

void
parent_reload(struct ctlconn *c)
{
	reload(c);
}

/*
 * Open the access log anew (after logrotate moved it) and hand the new
 * descriptor to every worker that writes to that file; they take it up
 * between two requests.  The old file stays in use if the new one cannot
 * be opened.  0, or 1 with text saying why.
 */
static int
log_reopen(char *text, size_t len)
{
	struct generation	*g;
	const char		*path = current->conf->accesslog;
	int			 fd;

	if (path == NULL) {
		snprintf(text, len, "log: reopened\n");
		return 0;
	}
	if ((fd = accesslog_open(current->conf, NULL)) == -1) {
		snprintf(text, len, "log: cannot open %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	TAILQ_FOREACH(g, &gens, entry) {
		if (g->conf->accesslog == NULL ||
		    strcmp(g->conf->accesslog, path) != 0)
			continue;
		if (g->logfd != -1)
			close(g->logfd);
		g->logfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		pool_owe(g, OWE_LOGFD);
	}
	close(fd);
	pool_flush(&gens);
	snprintf(text, len, "log: reopened\n");
	return 0;
}

void
parent_log_reopen(struct ctlconn *c)
{
	char	 text[PATH_MAX + 128];
	int	 rv;

	rv = log_reopen(text, sizeof(text));
	if (rv != 0)
		log_warnx("%.*s", (int)strcspn(text, "\n"), text);
	control_reply(c, rv, text);
}

static void
stop(void)
{
	struct generation	*g;

	if (stopping)
		return;
	stopping = 1;
	log_info("stopping");
	stop_deadline = now_ms() + current->conf->timeout_shutdown;
	TAILQ_FOREACH(g, &gens, entry) {
		listeners_close(g->conf);
		if (!g->draining)
			generation_drain(g);
	}
	if (reload_waiter != NULL)
		control_reply(reload_waiter, 1, "reload: proxyd is stopping\n");
	reload_waiter = NULL;
	pending = NULL;
	if (ctlfd != -1) {
		close(ctlfd);
		ctlfd = -1;
	}
}

/* proxyctl stop is answered once no worker holds a listening socket. */
static void
stop_check(void)
{
	if (stop_waiter == NULL || pool_listening(&gens))
		return;
	control_reply(stop_waiter, 0, "stop: proxyd stopped accepting\n");
	stop_waiter = NULL;
}

void
parent_stop(struct ctlconn *c)
{
	if (stop_waiter != NULL) {
		control_reply(c, 1, "stop: already in progress\n");
		return;
	}
	stop_waiter = c;
	stop();
}

void
parent_status(struct ctlconn *c)
{
	struct status_info	 si;
	char			*text;

	memset(&si, 0, sizeof(si));
	si.pid = getpid();
	si.uptime = (now_ms() - started) / 1000;
	si.generation = current->id;
	si.config = conffile;
	si.conf = current->conf;
	si.now = time(NULL);
	si.totals = totals;
	text = NULL;
	if (pool_status(&gens, &si) == 0)
		text = status_format(&si);
	free((void *)si.workers);
	free((void *)si.draining);
	if (text == NULL) {
		control_reply(c, 1, "status: out of memory\n");
		return;
	}
	control_reply(c, 0, text);
	free(text);
}

static void
write_pidfile(void)
{
	FILE	*fp;

	if ((fp = fopen(PROXYD_PIDFILE, "w")) == NULL) {
		log_warn("%s", PROXYD_PIDFILE);
		return;
	}
	fprintf(fp, "%d\n", (int)getpid());
	fclose(fp);
	wrote_pidfile = 1;
}

static void
parent_exit(void)
{
	if (ctlpath != NULL)
		unlink(ctlpath);
	if (wrote_pidfile)
		unlink(PROXYD_PIDFILE);
	log_info("stopped");
	exit(0);
}

/*
 * Rotate the session ticket keys once a ticket lifetime, and send them to
 * every worker; the previous key still opens tickets for one more.
 */
static void
tickets_check(uint64_t now)
{
	struct generation	*g;
	uint64_t		 interval = tls_ticket_interval(current->conf);

	if (interval == 0) {
		tickets_due = 0;
		return;
	}
	if (tickets_due == 0 || tickets_due > now + interval)
		tickets_due = now + interval;
	if (now < tickets_due)
		return;
	tls_tickets_rotate();
	TAILQ_FOREACH(g, &gens, entry)
		pool_owe(g, OWE_TICKETS);
	tickets_due = now + interval;
	log_debug("session ticket keys rotated");
}

static void
signals_setup(void)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
}

static void
signals_dispatch(void)
{
	struct signalfd_siginfo	 si;
	char			 text[PATH_MAX + 128];

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			pool_reap(&gens, &totals);
			break;
		case SIGHUP:
			if (!stopping)
				reload(NULL);
			break;
		case SIGUSR1:
			if (log_reopen(text, sizeof(text)) != 0)
				log_warnx("%.*s", (int)strcspn(text, "\n"),
				    text);
			else
				log_info("log files reopened");
			break;
		case SIGTERM:
		case SIGINT:
			stop();
			break;
		}
	}
}

static __attribute__((__noreturn__)) void
parent_loop(void)
{
	struct pollfd	 pfd[2 + CTL_CLIENTS_MAX];
	struct generation *g;
	uint64_t	 now;
	int		 n, nctl;

	for (;;) {
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ctlfd;
		pfd[1].events = POLLIN;
		nctl = control_pollfds(pfd + 2, CTL_CLIENTS_MAX);
		n = poll(pfd, 2 + nctl, TICK);
		if (n == -1 && errno != EINTR)
			fatal("poll");
		if (n > 0) {
			if (pfd[0].revents)
				signals_dispatch();
			if (ctlfd != -1 && pfd[1].revents)
				control_accept(ctlfd);
			control_dispatch(pfd + 2, nctl);
		}
		pool_reap(&gens, &totals);
		now = now_ms();
		if (stopping) {
			stop_check();
			n = 0;
			TAILQ_FOREACH(g, &gens, entry)
				n += pool_count(g, -1) + keyproc_alive(g);
			if (n == 0) {
				stop_check();
				parent_exit();
			}
			if (now >= stop_deadline)
				TAILQ_FOREACH(g, &gens, entry) {
					pool_kill(g);
					keyproc_kill(g);
				}
			pool_flush(&gens);
			continue;
		}
		tickets_check(now);
		keyproc_maintain(&gens, now);
		pool_maintain(&gens, now);
		pool_flush(&gens);
		reload_check();
		generations_collect();
	}
}

int
main(int argc, char *argv[])
{
	struct errlist	 errs = { NULL, 0 };
	struct config	*conf;
	const char	*file = PROXYD_CONF;
	int		 ch, noaction = 0, verbose = 0, logfd;
	size_t		 i;

	/* Before OpenSSL allocates anything: its allocator wipes keys. */
	tls_init();
	proc_title_init(argc, argv, environ);
	while ((ch = getopt(argc, argv, "D:df:nv")) != -1) {
		switch (ch) {
		case 'D':
			if (define_add(&defines, optarg) == -1) {
				fprintf(stderr, "proxyd: -D %s: expected "
				    "macro=value\n", optarg);
				exit(1);
			}
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!noaction && geteuid() != 0) {
		fprintf(stderr, "proxyd: must be started as root\n");
		exit(1);
	}
	log_init(1, LOG_DAEMON);
	log_setverbose(verbose);
	/* The parent leaves its directory when it daemonizes. */
	if (realpath(file, conffile) == NULL &&
	    strlcpy(conffile, file, sizeof(conffile)) >= sizeof(conffile)) {
		fprintf(stderr, "proxyd: %s: path too long\n", file);
		exit(1);
	}

	/* -n refuses exactly what startup would. */
	conf = load_config(&errs);
	if (conf == NULL) {
		for (i = 0; i < errs.count; i++)
			fprintf(stderr, "%s\n", errs.lines[i]);
		if (errs.count == 0)
			fprintf(stderr, "proxyd: %s: cannot load\n", file);
		exit(1);
	}
	if (noaction) {
		printf("configuration OK\n");
		exit(0);
	}
	if (control_in_use(conf->socket)) {
		fprintf(stderr, "proxyd: already running (%s)\n",
		    conf->socket);
		exit(1);
	}
	if (listeners_bind(conf, NULL, NULL) == -1)
		exit(1);
	if ((logfd = accesslog_open(conf, &errs)) == -1 &&
	    conf->accesslog != NULL) {
		fprintf(stderr, "%s\n", errs.lines[0]);
		exit(1);
	}
	if ((ctlfd = control_open(conf->socket)) == -1)
		exit(1);
	if ((ctlpath = strdup(conf->socket)) == NULL)
		fatal("strdup");

	if (!debug) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, conf->syslog_facility);
		write_pidfile();
	}
	proc_title("parent");
	log_info("started, generation 1");
	started = now_ms();
	signals_setup();
	pool_init();
	keyproc_init(&gens);
	/* Workers inherit the first keys; later ones go on the channel. */
	tls_tickets_rotate();
	tickets_due = tls_ticket_interval(conf) == 0 ? 0 :
	    now_ms() + tls_ticket_interval(conf);
	if ((current = generation_new(conf, logfd)) == NULL)
		fatal("generation");
	pool_maintain(&gens, now_ms());
	parent_loop();
}
