# proxyd: an authenticating TLS reverse proxy.  GNU make, no autotools.
#
#	make			build obj/proxyd and obj/proxyctl
#	make check		run the test suite under Kyua
#	make SANITIZE=1 check	the same, built with ASan and UBSan (obj-san/)
#	make demo		install what is missing, build, run a demo
#	make fuzz		build the libFuzzer targets (clang)
#	make install		honours DESTDIR and PREFIX

PREFIX ?=	/usr/local
SBINDIR ?=	$(PREFIX)/sbin
MANDIR ?=	$(PREFIX)/share/man
SYSCONFDIR ?=	/etc
DESTDIR ?=

CC ?=		cc
YACC =		byacc
PKG_CONFIG ?=	pkg-config
PKGS =		libssl libcrypto libbsd-overlay libxcrypt

ifeq ($(SANITIZE),1)
OBJ ?=		obj-san
OPT =		-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined
LDSAN =		-fsanitize=address,undefined
else
OBJ ?=		obj
OPT =		-O2 -g -D_FORTIFY_SOURCE=2
LDSAN =
endif

PKG_CFLAGS :=	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS :=	$(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN =		-Wall -Wextra -Werror -Wshadow -Wpointer-arith \
		-Wmissing-prototypes -Wstrict-prototypes -Wformat=2
HARDEN =	-fstack-protector-strong -fPIE
CFLAGS ?=
ALL_CFLAGS =	-std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) \
		-Icommon -Iproxyd -I$(OBJ) $(CFLAGS)
LDFLAGS ?=
ALL_LDFLAGS =	-pie -Wl,-z,relro,-z,now $(LDSAN) $(LDFLAGS)

COMMON_SRCS =	common/log.c common/ctlproto.c
LIB_SRCS =	proxyd/config.c proxyd/listener.c proxyd/http.c \
		proxyd/path.c proxyd/headers.c proxyd/route.c proxyd/tls.c \
		proxyd/keysign.c proxyd/keyproxy.c \
		proxyd/status.c proxyd/chan.c proxyd/auth.c proxyd/accesslog.c \
		proxyd/htpasswd.c proxyd/htgroup.c
DAEMON_SRCS =	proxyd/proxyd.c proxyd/pool.c proxyd/privsep.c \
		proxyd/worker.c proxyd/io.c proxyd/relay.c proxyd/reply.c \
		proxyd/control.c proxyd/handshake.c proxyd/keyproc.c \
		proxyd/access.c
CTL_SRCS =	proxyd/proxyctl.c

COMMON_OBJS =	$(COMMON_SRCS:%.c=$(OBJ)/build/%.o)
LIB_OBJS =	$(LIB_SRCS:%.c=$(OBJ)/build/%.o) $(OBJ)/build/parse.o \
		$(COMMON_OBJS)
DAEMON_OBJS =	$(DAEMON_SRCS:%.c=$(OBJ)/build/%.o)
# The test build of the daemon: the same objects but worker.c and pool.c,
# which gain switches that steer races into their windows (PROXYD_REGRESS);
# never installed.
REGRESS_SRCS =	proxyd/worker.c proxyd/pool.c
REGRESS_OBJS =	$(filter-out %/worker.o %/pool.o,$(DAEMON_OBJS)) \
		$(REGRESS_SRCS:%.c=$(OBJ)/build/%-regress.o)
CTL_OBJS =	$(CTL_SRCS:%.c=$(OBJ)/build/%.o) $(COMMON_OBJS)
HEADERS =	$(wildcard proxyd/*.h common/*.h)

UNIT_TESTS =	$(basename $(notdir $(wildcard regress/unit/t_*.c)))
INTEG_TESTS =	$(notdir $(wildcard regress/integ/*_test.sh))
TEST_HELPERS =	$(notdir $(wildcard regress/integ/*.py regress/integ/*.subr))
FUZZERS =	fuzz_request fuzz_chunked fuzz_path fuzz_auth

.PHONY: all check check-run check-build clean install deps demo fuzz \
		fuzz-run

all: $(OBJ)/proxyd $(OBJ)/proxyctl

$(OBJ)/build/%.o: %.c $(HEADERS) $(OBJ)/parse.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/parse.c $(OBJ)/parse.h: proxyd/parse.y
	@mkdir -p $(OBJ)
	$(YACC) -d -o $(OBJ)/parse.c proxyd/parse.y

$(OBJ)/build/parse.o: $(OBJ)/parse.c $(HEADERS)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $(OBJ)/parse.c


$(OBJ)/libproxyd.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(OBJ)/proxyd: $(DAEMON_OBJS) $(OBJ)/libproxyd.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(DAEMON_OBJS) $(OBJ)/libproxyd.a $(PKG_LIBS)

$(OBJ)/build/%-regress.o: %.c $(HEADERS) $(OBJ)/parse.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DPROXYD_REGRESS -c -o $@ $<

$(OBJ)/proxyd-regress: $(REGRESS_OBJS) $(OBJ)/libproxyd.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(REGRESS_OBJS) $(OBJ)/libproxyd.a \
	    $(PKG_LIBS)

$(OBJ)/proxyctl: $(CTL_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_OBJS) $(PKG_LIBS)

# The test tree: unit test programs, the integration scripts and their
# helpers, and the Kyuafile, all under $(OBJ)/regress.
$(OBJ)/regress/t_%: regress/unit/t_%.c $(OBJ)/libproxyd.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags atf-c) \
	    $(ALL_LDFLAGS) -o $@ $< $(OBJ)/libproxyd.a \
	    $(shell $(PKG_CONFIG) --libs atf-c) $(PKG_LIBS)

check-build: all $(OBJ)/proxyd-regress $(UNIT_TESTS:%=$(OBJ)/regress/%)
	@mkdir -p $(OBJ)/regress
	cp regress/Kyuafile $(OBJ)/regress/Kyuafile
	for f in $(INTEG_TESTS) $(TEST_HELPERS); do \
		ln -sf $(CURDIR)/regress/integ/$$f $(OBJ)/regress/$$f; \
	done

# The daemon's sanitizer reports, which a test cannot always see, are
# collected by the tests' cleanups and each counts as a failure.
SAN_REPORTS =	$(CURDIR)/$(OBJ)/regress/sanitizer-reports.txt

check: deps
	$(MAKE) check-run

check-run: check-build
	@rm -f $(OBJ)/regress/results.db $(SAN_REPORTS)
	-cd $(OBJ)/regress && PROXYD=$(CURDIR)/$(OBJ)/proxyd \
	    PROXYD_REGRESS=$(CURDIR)/$(OBJ)/proxyd-regress \
	    PROXYCTL=$(CURDIR)/$(OBJ)/proxyctl \
	    PROXYD_SANITIZER_REPORTS=$(if $(SANITIZE),$(SAN_REPORTS)) \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/regress/lsan.supp:print_suppressions=0 \
	    kyua test --results-file=results.db
	@cd $(OBJ)/regress && kyua report --results-file=results.db \
	    --verbose --results-filter=broken,failed | \
	    sed -n '/^===> [^ ]*:[^ ]*$$/,/^===> Failed tests/p' | head -300
	@if [ -s $(SAN_REPORTS) ]; then \
		echo "sanitizer reports from the daemon:"; \
		head -100 $(SAN_REPORTS); \
	fi
	@san=$$(grep -c '^=== ' $(SAN_REPORTS) 2>/dev/null || true); \
	cd $(OBJ)/regress && kyua report --results-file=results.db | \
	    awk -v san=$${san:-0} '/^Test cases:/ { gsub(",", ""); \
	    t = $$3; s = $$5; x = $$7; b = $$10; f = $$12; \
	    printf "%d passed, %d failed\n", t - s - x - b - f, \
	    b + f + san; bad = b + f + san } END { exit bad != 0 }'

# libFuzzer targets: pure parsers under ASan and UBSan.
FUZZ_CFLAGS =	-std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		$(PKG_CFLAGS) -Icommon -Iproxyd
fuzz: $(FUZZERS:%=$(OBJ)/fuzz/%)

$(OBJ)/fuzz/%: regress/fuzz/%.c proxyd/http.c proxyd/path.c $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< proxyd/http.c proxyd/path.c $(PKG_LIBS)

AUTH_SRCS =	proxyd/auth.c proxyd/htpasswd.c proxyd/htgroup.c
$(OBJ)/fuzz/fuzz_auth: regress/fuzz/fuzz_auth.c $(AUTH_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(AUTH_SRCS) $(PKG_LIBS)

FUZZ_SECONDS ?=	60
fuzz-run: fuzz
	for f in $(FUZZERS); do \
		mkdir -p $(OBJ)/fuzz/corpus-$$f; \
		$(OBJ)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
		    -max_len=8192 $(OBJ)/fuzz/corpus-$$f \
		    regress/fuzz/seed-$$f || exit 1; \
	done

# What building needs, and what the tests need besides.  "make deps"
# installs what is missing (as root); "make check" and "make demo" call it
# first, so that a fresh machine says what it lacks before anything fails.
BUILD_DEPS =	build-essential byacc pkg-config libssl-dev libbsd-dev \
		libcrypt-dev
TEST_DEPS =	kyua atf-sh libatf-dev curl openssl python3 procps iproute2 wrk \
		apache2-utils whois fail2ban goaccess logrotate
deps:
	@missing=; for p in $(BUILD_DEPS) $(if $(DEMO_ONLY),python3 curl \
	    openssl,$(TEST_DEPS)); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "missing packages:$$missing"; \
			echo "run as root: make deps"; \
			exit 1; \
		fi; \
		echo "installing:$$missing"; \
		apt-get update && apt-get install -y $$missing; \
	fi

demo:
	$(MAKE) DEMO_ONLY=1 deps
	$(MAKE) all
	./etc/demo.sh $(OBJ)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/proxyd
	install -m 555 $(OBJ)/proxyd $(OBJ)/proxyctl $(DESTDIR)$(SBINDIR)
	install -m 444 proxyd.conf.5 $(DESTDIR)$(MANDIR)/man5
	install -m 444 proxyd.8 proxyctl.8 $(DESTDIR)$(MANDIR)/man8
	install -m 644 etc/proxyd.conf \
	    $(DESTDIR)$(SYSCONFDIR)/proxyd/proxyd.conf.example
	install -d $(DESTDIR)$(SYSCONFDIR)/init.d \
	    $(DESTDIR)/lib/systemd/system
	install -d $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
	    $(DESTDIR)$(SYSCONFDIR)/fail2ban/filter.d
	# The scripts name the programs where PREFIX put them.
	for f in proxyd.init:$(SYSCONFDIR)/init.d/proxyd:755 \
	    proxyd.service:/lib/systemd/system/proxyd.service:644 \
	    proxyd-logreopen.service:/lib/systemd/system/proxyd-logreopen.service:644 \
	    proxyd.logrotate:$(SYSCONFDIR)/logrotate.d/proxyd:644; do \
		sed 's|/usr/local/sbin|$(SBINDIR)|g' etc/$${f%%:*} \
		    > $(DESTDIR)$$(echo $$f | cut -d: -f2) && \
		chmod $${f##*:} $(DESTDIR)$$(echo $$f | cut -d: -f2) || exit 1; \
	done
	install -d -m 755 $(DESTDIR)/var/log/proxyd
	install -m 644 etc/fail2ban/proxyd.conf \
	    $(DESTDIR)$(SYSCONFDIR)/fail2ban/filter.d/proxyd.conf
	install -d -m 755 $(DESTDIR)/var/empty
	getent passwd proxyd >/dev/null || \
	    useradd --system --no-create-home --home-dir /var/empty \
	    --shell /usr/sbin/nologin proxyd

clean:
	rm -rf obj obj-san
