#! /usr/bin/env atf-sh
#
# Copyright (c) 2026 The proxyd authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# The process model, seen from outside: workers unprivileged, chrooted and
# unable to regain privileges; a dead worker replaced while requests go
# on; startup failures that are one clear line and exit 1; stop.

. $(atf_get_srcdir)/lib.subr

simple_conf()
{
	proxyd_conf "prefork ${2:-3}" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $1" \
	    "	proxy to \"http://127.0.0.1:$3/\"" \
	    "}"
}

# A field of /proc/PID/status, tabs folded to spaces.
proc_field()
{
	sed -n "s/^$2:[[:space:]]*//p" /proc/$1/status | tr -s '\t ' '  '
}

atf_test_case workers_unprivileged cleanup
workers_unprivileged_head()
{
	atf_set descr "workers run as nobody, chrooted, no groups, NoNewPrivs"
	atf_set require.user root
}
workers_unprivileged_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	simple_conf $port 3 $bport
	start_proxyd $port
	wait_workers 3 || atf_fail "three workers did not come up"
	nobody_uid=$(id -u nobody)
	nobody_gid=$(id -g nobody)
	pids=$(worker_pids)
	[ $(echo "$pids" | wc -w) -eq 3 ] || atf_fail "not 3 workers: $pids"
	for p in $pids; do
		atf_check_equal "$(proc_field $p Uid)" \
		    "$nobody_uid $nobody_uid $nobody_uid $nobody_uid"
		atf_check_equal "$(proc_field $p Gid)" \
		    "$nobody_gid $nobody_gid $nobody_gid $nobody_gid"
		atf_check_equal "$(proc_field $p Groups)" ""
		atf_check_equal "$(proc_field $p NoNewPrivs)" "1"
		atf_check_equal "$(proc_field $p CapEff)" "0000000000000000"
		atf_check_equal "$(readlink /proc/$p/root)" "${PWD}/empty"
	done
	# The parent stays root and outside the chroot.
	atf_check_equal "$(proc_field $(proxyd_pid) Uid)" "0 0 0 0"
	atf_check_equal "$(readlink /proc/$(proxyd_pid)/root)" "/"
}
workers_unprivileged_cleanup()
{
	stop_all
}

atf_test_case process_titles cleanup
process_titles_head()
{
	atf_set descr "process titles say what each process is"
	atf_set require.user root
}
process_titles_body()
{
	port=$(free_port)
	simple_conf $port 2 $(free_port)
	start_proxyd $port
	wait_workers 2
	atf_check_equal "$(tr '\0' ' ' < /proc/$(proxyd_pid)/cmdline | \
	    sed 's/ *$//')" "proxyd: parent"
	titles=$(for p in $(worker_pids); do
		tr '\0' ' ' < /proc/$p/cmdline | sed 's/ *$//'; echo
	done | sort)
	atf_check_equal "$titles" "proxyd: worker 1 (gen 1)
proxyd: worker 2 (gen 1)"
}
process_titles_cleanup()
{
	stop_all
}

atf_test_case worker_replaced cleanup
worker_replaced_head()
{
	atf_set descr "a killed worker is replaced within a second while" \
	    "requests keep succeeding"
	atf_set require.user root
}
worker_replaced_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	simple_conf $port 3 $bport
	start_proxyd $port
	wait_workers 3
	# The victim serves a slow request of its own, so that no request
	# of the loop can be in its hands when it dies.
	curl -s -o /dev/null http://127.0.0.1:$port/slow/3000 &
	slow=$!
	n=0
	while :; do
		victim=$(ctl status | sed -n 's/^worker .*: pid \([0-9]*\), busy,.*/\1/p')
		[ -n "$victim" ] && break
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "no worker took the slow request"
		sleep 0.02
	done

	# Requests in a loop while the worker dies.
	( i=0; while [ $i -lt 40 ]; do
		curl -s -o /dev/null -w '%{http_code}\n' \
		    http://127.0.0.1:$port/x
		i=$((i + 1))
	done > codes.txt ) &
	loop=$!
	sleep 0.1
	kill -KILL $victim
	t0=$(date +%s%N)
	n=0
	while :; do
		now=$(worker_pids | sort)
		if [ $(echo "$now" | wc -w) -eq 3 ] && \
		    ! echo "$now" | grep -qx "$victim"; then
			break
		fi
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "worker not replaced"
		sleep 0.01
	done
	t1=$(date +%s%N)
	elapsed=$(( (t1 - t0) / 1000000 ))
	[ $elapsed -lt 1000 ] || atf_fail "replaced after ${elapsed} ms"
	wait $loop
	wait $slow
	atf_check_equal "$(sort -u codes.txt)" "200"
	atf_check_equal "$(wc -l < codes.txt)" "40"
	grep -q "killed by signal 9" proxyd.log || \
	    atf_fail "the death was not logged"
}
worker_replaced_cleanup()
{
	stop_all
}

atf_test_case port_taken cleanup
port_taken_head()
{
	atf_set descr "a taken port gives one clear line and exit 1"
	atf_set require.user root
}
port_taken_body()
{
	port=$(free_port)
	start_backend taken $port
	simple_conf $port 1 $port
	atf_check -s exit:1 -o empty -e save:err.txt \
	    "${PROXYD}" -d -f "${PWD}/proxyd.conf"
	atf_check_equal "$(cat err.txt)" \
	    "proxyd: cannot listen on 127.0.0.1:$port: Address already in use"
}
port_taken_cleanup()
{
	stop_all
}

atf_test_case address_not_local
address_not_local_head()
{
	atf_set descr "an address that is not local gives exit 1"
	atf_set require.user root
}
address_not_local_body()
{
	port=$(free_port)
	proxyd_conf "server \"app\" {" \
	    "	listen on 192.0.2.1 port $port" \
	    "	proxy to \"http://127.0.0.1:9/\"" \
	    "}"
	atf_check -s exit:1 -o empty -e save:err.txt \
	    "${PROXYD}" -d -f "${PWD}/proxyd.conf"
	atf_check_equal "$(cat err.txt)" \
	    "proxyd: cannot listen on 192.0.2.1:$port: Cannot assign requested address"
}

atf_test_case bad_config
bad_config_head()
{
	atf_set descr "a bad configuration gives FILE:LINE errors and exit 1"
	atf_set require.user root
}
bad_config_body()
{
	proxyd_conf "prefork 2" \
	    "frobnicate on" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $(free_port)" \
	    "	bogus 1" \
	    "	proxy to \"http://127.0.0.1:9/\"" \
	    "}"
	atf_check -s exit:1 -o empty -e save:err.txt \
	    "${PROXYD}" -d -f "${PWD}/proxyd.conf"
	atf_check_equal "$(cat err.txt)" \
"${PWD}/proxyd.conf:5: unknown keyword \"frobnicate\"
${PWD}/proxyd.conf:8: unknown keyword \"bogus\""
	atf_check -s exit:1 -o empty -e save:err2.txt \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
	atf_check_equal "$(cat err.txt)" "$(cat err2.txt)"

	# A configuration that parses but makes no sense.
	proxyd_conf "server \"app\" {" \
	    "	proxy to \"http://127.0.0.1:9/\"" \
	    "}"
	atf_check -s exit:1 -o empty \
	    -e inline:"${PWD}/proxyd.conf:4: server \"app\" has no listen\n" \
	    "${PROXYD}" -d -f "${PWD}/proxyd.conf"
}

atf_test_case config_ok
config_ok_head()
{
	atf_set descr "proxyd -n prints configuration OK and exits 0"
	atf_set require.user root
}
config_ok_body()
{
	simple_conf $(free_port) 1 $(free_port)
	atf_check -s exit:0 -o inline:"configuration OK\n" -e empty \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
}

atf_test_case not_root
not_root_head()
{
	atf_set descr "started as another user, proxyd says so and exits 1"
	atf_set require.user root
	atf_set require.progs setpriv
}
not_root_body()
{
	simple_conf $(free_port) 1 $(free_port)
	atf_check -s exit:1 -o empty \
	    -e inline:"proxyd: must be started as root\n" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "${PROXYD}" -d -f "${PWD}/proxyd.conf"
}

atf_test_case stop_gracefully cleanup
stop_gracefully_head()
{
	atf_set descr "SIGTERM and proxyctl stop end proxyd with status 0" \
	    "after the request in progress"
	atf_set require.user root
}
stop_gracefully_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	simple_conf $port 2 $bport
	start_proxyd $port
	# A slow request in progress is answered, not cut.
	curl -s -o slow.out -w '%{http_code}' \
	    http://127.0.0.1:$port/slow/700 > slow.code &
	c=$!
	sleep 0.2
	kill -TERM $(proxyd_pid)
	wait $c
	atf_check_equal "$(cat slow.code)" "200"
	wait $(proxyd_pid)
	atf_check_equal "$?" "0"
	[ ! -e "${PWD}/ctl.sock" ] || atf_fail "control socket left behind"

	start_proxyd $port
	atf_check -s exit:0 -o ignore "${PROXYCTL}" -s "${PWD}/ctl.sock" stop
	n=0
	while kill -0 $(proxyd_pid) 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "proxyd did not stop"
		sleep 0.05
	done
	atf_check -s exit:1 -e match:"proxyd is not running" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" status
}
stop_gracefully_cleanup()
{
	stop_all
}

atf_test_case status_lines cleanup
status_lines_head()
{
	atf_set descr "proxyctl status starts with the lines of SPEC 7"
	atf_set require.user root
}
status_lines_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	simple_conf $port 2 $bport
	start_proxyd $port
	wait_workers 2
	before=$(ctl status | sed -n 's/^connections: //p')
	curl -s -o /dev/null http://127.0.0.1:$port/
	curl -s -o /dev/null http://127.0.0.1:$port/status/404
	ctl status > status.txt
	atf_check -o match:"^proxyd: [0-9.]+$" sed -n 1p status.txt
	atf_check -o inline:"pid: $(proxyd_pid)\n" sed -n 2p status.txt
	atf_check -o match:"^uptime: [0-9]+$" sed -n 3p status.txt
	atf_check -o inline:"generation: 1\n" sed -n 4p status.txt
	atf_check -o inline:"config: ${PWD}/proxyd.conf\n" sed -n 5p status.txt
	atf_check -o match:"^workers: 2 total, [01] busy, [12] idle \(min 2, max 256\)$" \
	    sed -n 6p status.txt
	atf_check -o inline:"connections: $((before + 2))\n" sed -n 7p status.txt
	atf_check -o inline:"requests: 2 (2xx 1, 3xx 0, 4xx 1, 5xx 0)\n" \
	    sed -n 8p status.txt
	atf_check -o inline:"auth failures: 0\n" sed -n 9p status.txt
}
status_lines_cleanup()
{
	stop_all
}

atf_test_case ctl_not_running
ctl_not_running_head()
{
	atf_set descr "proxyctl says when proxyd is not running"
}
ctl_not_running_body()
{
	atf_check -s exit:1 \
	    -e inline:"proxyctl: proxyd is not running (${PWD}/none.sock)\n" \
	    "${PROXYCTL}" -s "${PWD}/none.sock" status
}

atf_test_case check_refuses_what_startup_refuses
check_refuses_what_startup_refuses_head()
{
	atf_set descr "proxyd -n refuses what startup would: user root," \
	    "and what only making the TLS contexts finds"
	atf_set require.user root
}
check_refuses_what_startup_refuses_body()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -subj /CN=app -keyout k.pem -out c.pem -days 2 \
	    > /dev/null 2>&1 || atf_fail "openssl req"
	chmod 600 k.pem
	proxyd_conf "user \"root\"" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 tls port $(free_port)" \
	    "	tls certificate \"${PWD}/c.pem\"" \
	    "	tls key \"${PWD}/k.pem\"" \
	    "	tls ciphers \"NO-SUCH-CIPHER\"" \
	    "	proxy to \"http://127.0.0.1:$(free_port)/\"" \
	    "}"
	sed -i '1d' proxyd.conf
	atf_check -s exit:1 -o empty -e save:err.txt \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
	grep -q "proxyd.conf:3: user root: workers must not run as root" \
	    err.txt || atf_fail "user root accepted: $(cat err.txt)"
	grep -q "proxyd.conf:8: tls ciphers \"NO-SUCH-CIPHER\": no cipher" \
	    err.txt || atf_fail "bad ciphers accepted: $(cat err.txt)"
}

atf_test_case example_config
example_config_head()
{
	atf_set descr "the example configuration passes proxyd -n"
	atf_set require.user root
}
# example_files CONF: CONF with /etc/proxyd and /var/log/proxyd moved here,
# and the certificate, key, user and group files it names made, into
# example.conf.
example_files()
{
	mkdir -p etc/ssl/private log
	sed -e "s|/etc/proxyd|${PWD}/etc|g" -e "s|/var/log/proxyd|${PWD}/log|g" \
	    "$1" > example.conf
	chmod 644 example.conf
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -subj /CN=app1.example.com -days 30 \
	    -keyout etc/ssl/private/app1.key -out etc/ssl/app1.crt \
	    > /dev/null 2>&1 || atf_fail "openssl req"
	chmod 600 etc/ssl/private/app1.key
	printf 'specialContractor:%s\n' "$(openssl passwd -apr1 x)" \
	    > etc/users
	printf 'employees: alice bob\n' > etc/groups
	chmod 644 etc/users etc/groups
}

example_config_body()
{
	top=$(cd "$(dirname "$(readlink -f "$(atf_get_srcdir)/process_test.sh")")/../.." && pwd)
	[ -d /var/empty ] || mkdir -m 755 /var/empty
	user=proxyd
	getent passwd proxyd > /dev/null || user=nobody
	example_files "$top/etc/proxyd.conf"
	atf_check -s exit:0 -o inline:"configuration OK\n" -e empty \
	    "${PROXYD}" -n -D run_as=$user -f "${PWD}/example.conf"
}

atf_test_case one_wakes_per_connection cleanup
one_wakes_per_connection_head()
{
	atf_set descr "a new connection wakes one idle worker, not all of them"
	atf_set require.user root
}
one_wakes_per_connection_body()
{
	port=$(free_port)
	proxyd_conf "prefork 6 max 6" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	no proxy" \
	    "}"
	start_proxyd $port
	wait_workers 6
	switches()
	{
		for p in $(worker_pids | sort); do
			sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' \
			    /proc/$p/status
		done | tr '\n' ' '
	}
	sleep 0.2
	for i in 1 2 3; do
		before=$(switches)
		curl -s -o /dev/null http://127.0.0.1:$port/
		sleep 0.2
		after=$(switches)
		woke=$(python3 -c 'import sys
b, a = sys.argv[1].split(), sys.argv[2].split()
print(sum(1 for x, y in zip(b, a) if x != y))' "$before" "$after")
		atf_check_equal "$woke" "1"
	done
}
one_wakes_per_connection_cleanup()
{
	stop_all
}

atf_test_case make_install
make_install_head()
{
	atf_set descr "make install puts programs, manuals, the example" \
	    "configuration, init script, systemd units, logrotate snippet and" \
	    "fail2ban filter under DESTDIR and PREFIX"
	atf_set require.user root
	atf_set require.progs make
}
make_install_body()
{
	top=$(cd "$(dirname "$(readlink -f "$(atf_get_srcdir)/process_test.sh")")/../.." && pwd)
	dest="${PWD}/dest"
	atf_check -s exit:0 -o ignore -e ignore \
	    make -C "$top" OBJ="$(dirname "${PROXYD}")" install \
	    DESTDIR="$dest" PREFIX=/opt/p
	for f in /opt/p/sbin/proxyd /opt/p/sbin/proxyctl \
	    /opt/p/share/man/man8/proxyd.8 /opt/p/share/man/man8/proxyctl.8 \
	    /opt/p/share/man/man5/proxyd.conf.5 \
	    /etc/proxyd/proxyd.conf.example /etc/init.d/proxyd \
	    /lib/systemd/system/proxyd.service \
	    /lib/systemd/system/proxyd-logreopen.service \
	    /etc/logrotate.d/proxyd /etc/fail2ban/filter.d/proxyd.conf; do
		[ -f "$dest$f" ] || atf_fail "$f not installed"
	done
	[ -d "$dest/var/empty" ] || atf_fail "no chroot directory"
	getent passwd proxyd > /dev/null || atf_fail "no proxyd user"
	[ -d /var/empty ] || mkdir -m 755 /var/empty
	[ -d "$dest/var/log/proxyd" ] || atf_fail "no log directory"
	example_files "$dest/etc/proxyd/proxyd.conf.example"
	atf_check -s exit:0 -o inline:"configuration OK\n" -e empty \
	    "$dest/opt/p/sbin/proxyd" -n -f "${PWD}/example.conf"
	grep -q "^ExecReload=/opt/p/sbin/proxyctl reload" \
	    "$dest/lib/systemd/system/proxyd.service" || \
	    atf_fail "the unit does not name PREFIX's proxyctl"
	grep -q "/opt/p/sbin/proxyctl log reopen" \
	    "$dest/etc/logrotate.d/proxyd" || atf_fail "logrotate snippet"
}

atf_init_test_cases()
{
	atf_add_test_case make_install
	atf_add_test_case one_wakes_per_connection
	atf_add_test_case check_refuses_what_startup_refuses
	atf_add_test_case example_config
	atf_add_test_case workers_unprivileged
	atf_add_test_case process_titles
	atf_add_test_case worker_replaced
	atf_add_test_case port_taken
	atf_add_test_case address_not_local
	atf_add_test_case bad_config
	atf_add_test_case config_ok
	atf_add_test_case not_root
	atf_add_test_case stop_gracefully
	atf_add_test_case status_lines
	atf_add_test_case ctl_not_running
}
