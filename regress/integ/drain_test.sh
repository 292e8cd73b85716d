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

# Workers told to go (reload, retirement, stop) lose nothing: a
# connection the kernel woke a worker for is served, a kept-alive
# connection gets its next request answered with Connection: close, and
# the parent acts on nothing a worker could have written.

. $(atf_get_srcdir)/lib.subr

LONE=$(atf_get_srcdir)/lone.py

drain_conf()
{
	proxyd_conf "prefork $2" \
	    "$4" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $1" \
	    "	proxy to \"http://127.0.0.1:$3/\"" \
	    "}"
}

# start_regress PORT: start_proxyd with the test build, which pauses
# PROXYD_REGRESS_WAKE_PAUSE ms between a wake-up and the rest.
start_regress()
{
	[ -x "${PROXYD_REGRESS}" ] || atf_skip "no test build (PROXYD_REGRESS)"
	PROXYD_REGRESS_WAKE_PAUSE=150 PROXYD="${PROXYD_REGRESS}" \
	    start_proxyd "$1"
}

atf_test_case reload_lone_requests cleanup
reload_lone_requests_head()
{
	atf_set descr "50 reloads, each with one lone request sent from" \
	    "100 ms before to 150 ms after it: every one is answered, though" \
	    "workers pause 150 ms after each wake-up"
	atf_set require.user root
	atf_set timeout 300
}
reload_lone_requests_body()
{
	not_with_sanitizers "a timing test"
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port 2 $bport
	start_regress $port
	python3 "${LONE}" reload $port "${PROXYCTL}" "${PWD}/ctl.sock" 50 \
	    > lone.out 2>&1
	rc=$?
	cat lone.out
	[ $rc -eq 0 ] || atf_fail "$(tail -1 lone.out)"
}
reload_lone_requests_cleanup()
{
	stop_all
}

atf_test_case retire_lone_requests cleanup
retire_lone_requests_head()
{
	atf_set descr "while the pool shrinks back to its minimum, one" \
	    "retirement a second, lone requests one after the other are all" \
	    "answered, though workers pause 150 ms after each wake-up"
	atf_set require.user root
	atf_set timeout 300
}
retire_lone_requests_body()
{
	not_with_sanitizers "a timing test"
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port "1 max 4" $bport
	# Retirements go to the worker a lone request wakes.
	PROXYD_REGRESS_RETIRE_OLDEST=1 start_regress $port
	python3 "${LONE}" retire $port "${PROXYCTL}" "${PWD}/ctl.sock" 4 4 \
	    > lone.out 2>&1
	rc=$?
	cat lone.out
	[ $rc -eq 0 ] || atf_fail "$(tail -1 lone.out)"
}
retire_lone_requests_cleanup()
{
	stop_all
}

atf_test_case stop_lone_request cleanup
stop_lone_request_head()
{
	atf_set descr "a request that wakes a worker just before a stop is" \
	    "answered, with Connection: close"
	atf_set require.user root
}
stop_lone_request_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port 1 $bport
	start_regress $port
	curl -s -D head.txt -o /dev/null -w '%{http_code}' --max-time 2 \
	    http://127.0.0.1:$port/last > code.txt &
	c=$!
	# The worker is in its pause when the stop comes.
	sleep 0.05
	ctl stop > /dev/null
	wait $c
	atf_check_equal "$(cat code.txt)" "200"
	grep -qi '^Connection: close' head.txt || \
	    atf_fail "answered without Connection: close"
}
stop_lone_request_cleanup()
{
	stop_all
}

atf_test_case reload_answers_kept_alive cleanup
reload_answers_kept_alive_head()
{
	atf_set descr "after a reload, a kept-alive connection of the old" \
	    "generation has its next request answered with Connection:" \
	    "close; one that stays silent is closed after timeout idle"
	atf_set require.user root
}
reload_answers_kept_alive_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port 2 $bport "timeout idle 2s"
	start_proxyd $port
	python3 - $port "${PROXYCTL}" "${PWD}/ctl.sock" <<'PY' || \
	    atf_fail "kept-alive connections not treated as SPEC.md says"
import socket, subprocess, sys, time

def exchange(s, path):
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: app\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"\n"):
        part = s.recv(65536)
        if not part:
            break
        got += part
    return got

port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port), 5)
b = socket.create_connection(("127.0.0.1", port), 5)
a.settimeout(5)
b.settimeout(5)
first_a = exchange(a, b"/a1")
first_b = exchange(b, b"/b1")
if b"200 OK" not in first_a or b"200 OK" not in first_b:
    sys.exit("no first answers")
subprocess.run([sys.argv[2], "-s", sys.argv[3], "reload"], check=True,
               stdout=subprocess.DEVNULL)
# a: its next request, a second after the reload, is answered once more.
time.sleep(1)
again = exchange(a, b"/a2")
if not again.startswith(b"HTTP/1.1 200") or \
        b"\r\nConnection: close\r\n" not in again:
    sys.exit("next request after reload: %r" % again[:200])
if a.recv(1) != b"":
    sys.exit("not closed after the answer with Connection: close")
# b: silent; closed by timeout idle (2 s after its last answer), not
# at once and not never.
t0 = time.monotonic()
end = b.recv(1)
waited = time.monotonic() - t0
if end != b"" or waited < 0.5 or waited > 3.5:
    sys.exit("silent connection: %r after %.1f s" % (end, waited))
PY
}
reload_answers_kept_alive_cleanup()
{
	stop_all
}

atf_test_case reload_under_keepalive_load cleanup
reload_under_keepalive_load_head()
{
	atf_set descr "wrk with 32 kept-alive connections for 20 s while" \
	    "proxyctl reload runs every 4 s: no socket error, no non-2xx"
	atf_set require.user root
	atf_set require.progs wrk
	atf_set timeout 120
}
reload_under_keepalive_load_body()
{
	not_with_sanitizers "a timing test"
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port "40 max 80" $bport
	start_proxyd $port
	wait_workers 40
	# A slow answer is not a lost one: the backend is a Python script.
	wrk -t 2 -c 32 -d 20s --timeout 10s http://127.0.0.1:$port/k \
	    > wrk.out 2>&1 &
	w=$!
	for r in 1 2 3 4; do
		sleep 4
		ctl reload > /dev/null || atf_fail "reload $r failed"
	done
	wait $w
	cat wrk.out
	grep -q "requests in" wrk.out || atf_fail "wrk did not run"
	! grep -q "Socket errors" wrk.out || \
	    atf_fail "$(grep 'Socket errors' wrk.out)"
	! grep -q "Non-2xx" wrk.out || atf_fail "$(grep 'Non-2xx' wrk.out)"
}
reload_under_keepalive_load_cleanup()
{
	stop_all
}

atf_test_case hostile_scoreboard cleanup
hostile_scoreboard_head()
{
	atf_set descr "with the shared scoreboard overwritten by a worker" \
	    "(a bystander's pid, pid 1, the parent's pid, huge counts), the" \
	    "parent signals nothing it did not fork through reload," \
	    "retirement and stop, keeps serving, and its status stays sane"
	atf_set require.user root
	atf_set timeout 120
}
hostile_scoreboard_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port "2 max 4" $bport
	start_proxyd $port
	# A bystander that records any signal it gets.
	python3 -c 'import os, signal, sys, time
def got(n, f):
    open("bystander.sig", "a").write("%d\n" % n)
for s in range(1, 32):
    try:
        signal.signal(s, got)
    except (OSError, ValueError, RuntimeError):
        pass
open("bystander.ready", "w").close()
while True:
    time.sleep(1)' > /dev/null 2>&1 &
	bystander=$!
	remember_pid $bystander
	wait_for_file bystander.ready || atf_fail "bystander did not start"
	parent=$(proxyd_pid)
	overwrite()
	{
		python3 "$(atf_get_srcdir)/scribble.py" "$1" $bystander $parent \
		    || atf_fail "could not write the scoreboard"
	}
	curl -s -o /dev/null http://127.0.0.1:$port/before
	overwrite "$(worker_pids | head -1)"
	# Serving, status, reload.
	atf_check -o match:"^GET /after " curl -s http://127.0.0.1:$port/after
	ctl status > status1.txt || atf_fail "status failed"
	check_status status1.txt
	atf_check -o match:"generation 2" "${PROXYCTL}" -s "${PWD}/ctl.sock" \
	    reload
	# Again on the new generation, then grow and let it shrink.
	sleep 0.3
	overwrite "$(worker_pids | head -1)"
	slow=
	for i in 1 2 3 4 5 6; do
		curl -s -o /dev/null http://127.0.0.1:$port/slow/300 &
		slow="$slow $!"
	done
	wait $slow
	sleep 2.5
	atf_check -o match:"^GET /still " curl -s http://127.0.0.1:$port/still
	ctl status > status2.txt || atf_fail "status failed"
	check_status status2.txt
	atf_check -s exit:0 -o ignore "${PROXYCTL}" -s "${PWD}/ctl.sock" stop
	n=0
	while running $parent; do
		n=$((n + 1))
		[ $n -gt 200 ] && atf_fail "proxyd did not stop"
		sleep 0.05
	done
	running $bystander || atf_fail "the bystander was killed"
	[ ! -e bystander.sig ] || \
	    atf_fail "the bystander got signals: $(tr '\n' ' ' < bystander.sig)"
}
hostile_scoreboard_cleanup()
{
	stop_all
}

# check_status FILE: the lines SPEC.md section 7 fixes, with numbers the
# parent can vouch for.
check_status()
{
	head -9 "$1" > head9.txt
	grep -Eq '^workers: [0-9]+ total, [0-9]+ busy, [0-9]+ idle \(min 2, max 4\)$' \
	    head9.txt || atf_fail "workers line: $(sed -n 6p "$1")"
	total=$(sed -n 's/^workers: \([0-9]*\) total.*/\1/p' "$1")
	busy=$(sed -n 's/^workers: .* total, \([0-9]*\) busy.*/\1/p' "$1")
	idle=$(sed -n 's/^workers: .* busy, \([0-9]*\) idle.*/\1/p' "$1")
	[ $((busy + idle)) -le $total ] || atf_fail "busy + idle > total"
	[ $total -le 12 ] || atf_fail "$total workers"
	grep -Eq '^requests: [0-9]+ \(2xx [0-9]+, 3xx [0-9]+, 4xx [0-9]+, 5xx [0-9]+\)$' \
	    head9.txt || atf_fail "requests line: $(sed -n 8p "$1")"
	grep -Eq '^connections: [0-9]+$' head9.txt || atf_fail "connections"
	atf_check_equal "$(sed -n 's/^pid: //p' "$1")" "$(proxyd_pid)"
}

atf_test_case stopped_worker_blocks_nothing cleanup
stopped_worker_blocks_nothing_head()
{
	atf_set descr "a worker that does not read its channel (stopped)" \
	    "holds up neither reloads nor status, and is killed after" \
	    "timeout shutdown"
	atf_set require.user root
}
stopped_worker_blocks_nothing_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	drain_conf $port 2 $bport "timeout shutdown 2s"
	start_proxyd $port
	stuck=$(worker_pids | head -1)
	kill -STOP $stuck
	for r in 2 3 4 5 6; do
		atf_check -o match:"generation $r" "${PROXYCTL}" \
		    -s "${PWD}/ctl.sock" reload
	done
	atf_check -o match:"^GET /x " curl -s --max-time 2 \
	    http://127.0.0.1:$port/x
	n=0
	while running $stuck; do
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "the stopped worker was not ended"
		sleep 0.05
	done
}
stopped_worker_blocks_nothing_cleanup()
{
	stop_all
}

atf_test_case many_listeners cleanup
many_listeners_head()
{
	atf_set descr "a server may listen on more than 64 ports; every one" \
	    "is served"
	atf_set require.user root
}
many_listeners_body()
{
	bport=$(free_port)
	start_backend b $bport
	ports=$(python3 -c 'import socket
socks = []
for i in range(70):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))')
	lines=
	for p in $ports; do
		lines="$lines	listen on 127.0.0.1 port $p
"
	done
	proxyd_conf "prefork 2" "server \"app\" {" "$lines" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" "}"
	start_proxyd ${ports%% *}
	for p in $ports; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		    http://127.0.0.1:$p/)
		[ "$code" = 200 ] || atf_fail "port $p answered '$code'"
	done
}
many_listeners_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case reload_lone_requests
	atf_add_test_case retire_lone_requests
	atf_add_test_case stop_lone_request
	atf_add_test_case reload_answers_kept_alive
	atf_add_test_case reload_under_keepalive_load
	atf_add_test_case hostile_scoreboard
	atf_add_test_case stopped_worker_blocks_nothing
	atf_add_test_case many_listeners
}
