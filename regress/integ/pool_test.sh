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

# The pool and the generations: growth when all workers are busy and
# retirement back to the minimum, reload to a new generation without
# refusing a connection, a bad reload keeping the old configuration,
# limit clients per address, and running as a daemon.

. $(atf_get_srcdir)/lib.subr

pool_conf()
{
	proxyd_conf "prefork $2" \
	    "timeout shutdown 5s" \
	    "$4" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $1" \
	    "	proxy to \"http://127.0.0.1:$3/\"" \
	    "}"
}

status_field()
{
	ctl status | sed -n "s/^$1: //p"
}

total_workers()
{
	ctl status | sed -n 's/^workers: \([0-9]*\) total.*/\1/p'
}

atf_test_case pool_grows_and_shrinks cleanup
pool_grows_and_shrinks_head()
{
	atf_set descr "the pool grows when all workers are busy, up to max," \
	    "and idle workers above the minimum are retired"
	atf_set require.user root
}
pool_grows_and_shrinks_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $port "2 max 6" $bport
	start_proxyd $port
	wait_workers 2
	atf_check_equal "$(total_workers)" "2"
	# Eight clients each holding a worker for a while.
	i=0
	clients=
	while [ $i -lt 8 ]; do
		curl -s -o /dev/null -w '%{http_code}\n' \
		    http://127.0.0.1:$port/slow/1500 >> codes.txt &
		clients="$clients $!"
		i=$((i + 1))
	done
	n=0
	while [ "$(total_workers)" -lt 6 ]; do
		n=$((n + 1))
		[ $n -gt 40 ] && atf_fail "pool did not grow: $(total_workers)"
		sleep 0.05
	done
	sleep 0.3
	atf_check_equal "$(total_workers)" "6"
	wait $clients
	# All eight were served, the last two once workers were free.
	atf_check_equal "$(sort -u codes.txt)" "200"
	atf_check_equal "$(wc -l < codes.txt)" "8"
	# Back to the minimum, one retirement at a time.
	n=0
	while [ "$(total_workers)" -gt 2 ]; do
		n=$((n + 1))
		[ $n -gt 160 ] && atf_fail "pool did not shrink: $(total_workers)"
		sleep 0.05
	done
}
pool_grows_and_shrinks_cleanup()
{
	stop_all
}

atf_test_case reload_new_generation cleanup
reload_new_generation_head()
{
	atf_set descr "proxyctl reload starts a new generation that serves" \
	    "the new configuration"
	atf_set require.user root
}
reload_new_generation_body()
{
	port=$(free_port)
	b1=$(free_port)
	b2=$(free_port)
	start_backend one $b1
	start_backend two $b2
	pool_conf $port 2 $b1
	start_proxyd $port
	atf_check -o match:"^GET /x " curl -s http://127.0.0.1:$port/x
	[ -s rec-one/all.raw ] || atf_fail "backend one got nothing"
	pool_conf $port 2 $b2
	atf_check -s exit:0 -o inline:"reload: ok (generation 2)\n" "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	atf_check_equal "$(status_field generation)" "2"
	curl -s http://127.0.0.1:$port/y > /dev/null
	grep -q "GET /y " rec-two/all.raw || atf_fail "backend two not used"
	grep -q "GET /y " rec-one/all.raw && atf_fail "backend one still used"
	# The old workers are gone; the titles name the new generation.
	n=0
	while [ "$(total_workers)" -ne 2 ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "old generation did not end"
		sleep 0.05
	done
	for p in $(worker_pids); do
		tr '\0' ' ' < /proc/$p/cmdline | grep -q "(gen 2)" || \
		    atf_fail "worker $p is not of generation 2"
	done
	# SIGHUP does the same.
	kill -HUP $(proxyd_pid)
	n=0
	while [ "$(status_field generation)" != 3 ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "SIGHUP did not reload"
		sleep 0.05
	done
}
reload_new_generation_cleanup()
{
	stop_all
}

atf_test_case reload_bad_config cleanup
reload_bad_config_head()
{
	atf_set descr "a reload with errors reports them, exits 1, and the" \
	    "old configuration keeps serving"
	atf_set require.user root
}
reload_bad_config_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $port 2 $bport
	start_proxyd $port
	printf 'frobnicate on\n' >> proxyd.conf
	atf_check -s exit:1 \
	    -o match:"^${PWD}/proxyd.conf:[0-9]+: unknown keyword \"frobnicate\"" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	atf_check_equal "$(status_field generation)" "1"
	atf_check -o match:"^GET /still " curl -s http://127.0.0.1:$port/still
}
reload_bad_config_cleanup()
{
	stop_all
}

atf_test_case reload_refuses_nothing cleanup
reload_refuses_nothing_head()
{
	atf_set descr "no request fails while reloads switch generations," \
	    "and a request in progress finishes with Connection: close"
	atf_set require.user root
}
reload_refuses_nothing_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $port 3 $bport
	start_proxyd $port
	# A slow request in progress across the reload.
	curl -s -D slow.head -o /dev/null http://127.0.0.1:$port/slow/800 &
	slow=$!
	# Clients hammering with new connections and with keep-alive.
	( i=0; while [ $i -lt 150 ]; do
		curl -s -o /dev/null -w '%{http_code}\n' \
		    http://127.0.0.1:$port/a
		i=$((i + 1))
	done > codes1.txt ) &
	l1=$!
	( i=0; while [ $i -lt 30 ]; do
		curl -s -w '%{http_code}\n' \
		    -o /dev/null http://127.0.0.1:$port/k1 \
		    -o /dev/null http://127.0.0.1:$port/k2 \
		    -o /dev/null http://127.0.0.1:$port/k3
		i=$((i + 1))
	done > codes2.txt ) &
	l2=$!
	sleep 0.2
	for r in 1 2 3; do
		ctl reload > /dev/null || atf_fail "reload $r failed"
		sleep 0.15
	done
	wait $l1 $l2 $slow
	atf_check_equal "$(sort -u codes1.txt codes2.txt)" "200"
	atf_check_equal "$(cat codes1.txt codes2.txt | wc -l)" "240"
	grep -q '^HTTP/1.1 200' slow.head || atf_fail "slow request cut"
	grep -qi '^Connection: close' slow.head || \
	    atf_fail "old generation answered without Connection: close"
}
reload_refuses_nothing_cleanup()
{
	stop_all
}

atf_test_case clients_per_address cleanup
clients_per_address_head()
{
	atf_set descr "limit clients per address closes a further connection" \
	    "at once, with a 503 on a plain listener"
	atf_set require.user root
}
clients_per_address_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $port "6 max 6" $bport "limit clients per address 2"
	start_proxyd $port
	wait_workers 6
	curl -s -o /dev/null http://127.0.0.1:$port/slow/1500 &
	c1=$!
	curl -s -o /dev/null http://127.0.0.1:$port/slow/1500 &
	c2=$!
	sleep 0.4
	atf_check -o match:"^HTTP/1.1 503 " python3 "${RAWHTTP}" $port -t 2 \
	    -d 'GET / HTTP/1.1\r\nHost: app\r\n\r\n'
	wait $c1 $c2
	atf_check -o match:"^HTTP/1.1 200 " python3 "${RAWHTTP}" $port -t 2 \
	    -d 'GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n'
}
clients_per_address_cleanup()
{
	stop_all
}

atf_test_case daemon_mode cleanup
daemon_mode_head()
{
	atf_set descr "without -d proxyd daemonizes and writes its pid file"
	atf_set require.user root
}
daemon_mode_body()
{
	[ -e /run/proxyd.pid ] && atf_skip "/run/proxyd.pid exists: another proxyd"
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $port 2 $bport
	atf_check -s exit:0 -o empty -e empty "${PROXYD}" -f "${PWD}/proxyd.conf"
	# The daemon writes its pid file once the starting process is gone.
	n=0
	while [ ! -s /run/proxyd.pid ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "no pid file"
		sleep 0.02
	done
	pid=$(cat /run/proxyd.pid)
	remember_pid $pid
	atf_check_equal "$(ctl status | sed -n 's/^pid: //p')" "$pid"
	wait_port $port || atf_fail "not listening"
	atf_check -o match:"^GET /d " curl -s http://127.0.0.1:$port/d
	atf_check -s exit:0 -o ignore "${PROXYCTL}" -s "${PWD}/ctl.sock" stop
	n=0
	while kill -0 $pid 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "did not stop"
		sleep 0.05
	done
	[ ! -e /run/proxyd.pid ] || atf_fail "pid file left behind"
}
daemon_mode_cleanup()
{
	stop_all
}

atf_test_case reload_listeners cleanup
reload_listeners_head()
{
	atf_set descr "a reload closes a removed listener once the new" \
	    "generation serves, opens a new one, and a port that cannot be" \
	    "bound fails the reload with FILE:LINE"
	atf_set require.user root
}
reload_listeners_body()
{
	p1=$(free_port)
	p2=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $p1 2 $bport
	start_proxyd $p1
	pool_conf $p2 2 $bport
	atf_check -s exit:0 -o match:"generation 2" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	atf_check -o match:"^GET /new " curl -s http://127.0.0.1:$p2/new
	# The old port is closed, in the parent and in every worker.
	n=0
	while curl -s -o /dev/null http://127.0.0.1:$p1/; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "port $p1 still accepts"
		sleep 0.05
	done
	# A port that is taken: the reload fails and says where.
	taken=$(free_port)
	start_backend taken $taken
	proxyd_conf "prefork 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $p2" \
	    "	listen on 127.0.0.1 port $taken" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	atf_check -s exit:1 -o inline:"${PWD}/proxyd.conf:7: cannot listen on 127.0.0.1:$taken: Address already in use\n" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	atf_check -o match:"^GET /still " curl -s http://127.0.0.1:$p2/still
	atf_check_equal "$(status_field generation)" "2"
}
reload_listeners_cleanup()
{
	stop_all
}

atf_test_case stop_closes_ports cleanup
stop_closes_ports_head()
{
	atf_set descr "once proxyctl stop returns no connection is accepted," \
	    "while the request in progress still gets its answer"
	atf_set require.user root
}
stop_closes_ports_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	pool_conf $port 3 $bport
	start_proxyd $port
	curl -s -o /dev/null -w '%{http_code}' \
	    http://127.0.0.1:$port/slow/1000 > slow.code &
	slow=$!
	sleep 0.2
	atf_check -s exit:0 -o inline:"stop: proxyd stopped accepting\n" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" stop
	atf_check -s exit:7 -o ignore -e ignore \
	    curl -s --max-time 2 http://127.0.0.1:$port/
	wait $slow
	atf_check_equal "$(cat slow.code)" "200"
}
stop_closes_ports_cleanup()
{
	stop_all
}

atf_test_case heap_steady cleanup
heap_steady_head()
{
	atf_set descr "serving requests of every kind leaves a worker's heap" \
	    "as it was: nothing leaks per request"
	atf_set require.user root
}
heap_steady_body()
{
	port=$(free_port)
	bport=$(free_port)
	dead=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1 max 1" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/none\" { no proxy }" \
	    "	location \"/old\" { redirect to \"/new\" }" \
	    "	location \"/down\" { proxy to \"http://127.0.0.1:$dead/\" }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
	heap()
	{
		# The heap is sampled at most once a second, after a connection.
		sleep 1.1
		curl -s -o /dev/null http://127.0.0.1:$port/none
		ctl status | sed -n 's/^worker 1 .*, heap \([0-9]*\)$/\1/p'
	}
	python3 "$(atf_get_srcdir)/mix.py" $port 20 || atf_fail "warm-up failed"
	h1=$(heap)
	[ -n "$h1" ] || atf_fail "no heap in the status"
	[ "$h1" -gt 0 ] || atf_skip "mallinfo2 reports nothing (sanitizer)"
	python3 "$(atf_get_srcdir)/mix.py" $port 200 || atf_fail "mix failed"
	h2=$(heap)
	atf_check_equal "$h1" "$h2"
}
heap_steady_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case heap_steady
	atf_add_test_case reload_listeners
	atf_add_test_case stop_closes_ports
	atf_add_test_case pool_grows_and_shrinks
	atf_add_test_case reload_new_generation
	atf_add_test_case reload_bad_config
	atf_add_test_case reload_refuses_nothing
	atf_add_test_case clients_per_address
	atf_add_test_case daemon_mode
}
