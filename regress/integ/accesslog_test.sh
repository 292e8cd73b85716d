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

# The access log (SPEC.md section 6): one line per request in Apache's
# common and combined formats, what clients send escaped, lines never
# broken or lost while the file is renamed and reopened under load, and
# what log analysers and logrotate make of it.

. $(atf_get_srcdir)/lib.subr

TOP=$(cd "$(dirname "$(readlink -f "$(atf_get_srcdir)/lib.subr")")/../.." && pwd)

# A combined line: what every line of these tests must look like.
COMBINED='^[0-9a-f.:]+ - [^ ]+ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}\] "([^"\\]|\\.)*" [0-9]{3} ([0-9]+|-) "([^"\\]|\\.)*" "([^"\\]|\\.)*"$'

log_setup()
{
	port=$(free_port)
	bport=$(free_port)
	dead=$(free_port)
	start_backend b $bport
	mkdir -p logs
	printf 'alice:%s\n' "$(openssl passwd -apr1 secret)" > users
	chmod 644 users
	proxyd_conf "prefork ${2:-2}" \
	    "log access \"${PWD}/logs/access.log\" ${1:-combined}" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/private\" {" \
	    "		authenticate \"R\" users \"${PWD}/users\"" \
	    "	}" \
	    "	location \"/old\" { redirect to \"/new\" }" \
	    "	location \"/none\" { no proxy }" \
	    "	location \"/down\" { proxy to \"http://127.0.0.1:$dead/\" }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

# wait_lines FILE N: until FILE has N lines (the line is written once
# the answer is sent).
wait_lines()
{
	_n=60
	while [ $_n -gt 0 ]; do
		[ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}

# line_of N: line N of the log.
line_of()
{
	sed -n "${1}p" logs/access.log
}

atf_test_case line_per_request cleanup
line_per_request_head()
{
	atf_set descr "one combined line per request with the right fields" \
	    "for 200, 301, 400 (bad request line), 401, 404, 502 and an" \
	    "upgrade; the user of Basic authentication in the user field"
	atf_set require.user root
}
line_per_request_body()
{
	log_setup
	curl -s -o /dev/null -A "agent/1" -e "http://ref.example/" \
	    "http://127.0.0.1:$port/bytes/1000?x=1"
	curl -s -o /dev/null http://127.0.0.1:$port/old
	send $port 'NOT A REQUEST\r\n\r\n' > /dev/null
	curl -s -o /dev/null -u alice:wrong http://127.0.0.1:$port/private/
	curl -s -o /dev/null -u alice:secret http://127.0.0.1:$port/private/x
	curl -s -o /dev/null http://127.0.0.1:$port/none
	curl -s -o /dev/null http://127.0.0.1:$port/down/
	send $port "GET /ws HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\nSec-WebSocket-Version: 13\r\n\r\nhello" > /dev/null
	wait_lines logs/access.log 8 || \
	    atf_fail "$(wc -l < logs/access.log) lines: $(cat logs/access.log)"
	cat logs/access.log
	while IFS= read -r l; do
		echo "$l" | grep -Eq "$COMBINED" || atf_fail "not combined: $l"
	done < logs/access.log
	line_of 1 | grep -Fq '127.0.0.1 - - [' || atf_fail "$(line_of 1)"
	line_of 1 | grep -Fq '"GET /bytes/1000?x=1 HTTP/1.1" 200 1000 "http://ref.example/" "agent/1"' || \
	    atf_fail "200: $(line_of 1)"
	line_of 2 | grep -Eq '"GET /old HTTP/1.1" 301 (-|[0-9]+) "-" "curl/' || \
	    atf_fail "301: $(line_of 2)"
	line_of 3 | grep -Fq '"NOT A REQUEST" 400 ' || atf_fail "400: $(line_of 3)"
	line_of 4 | grep -Fq ' - alice [' || atf_fail "401 user: $(line_of 4)"
	line_of 4 | grep -Fq '"GET /private/ HTTP/1.1" 401 ' || \
	    atf_fail "401: $(line_of 4)"
	line_of 5 | grep -Fq ' - alice [' || atf_fail "user: $(line_of 5)"
	line_of 5 | grep -Fq '"GET /private/x HTTP/1.1" 200 ' || \
	    atf_fail "200 auth: $(line_of 5)"
	line_of 6 | grep -Fq '"GET /none HTTP/1.1" 404 ' || \
	    atf_fail "404: $(line_of 6)"
	line_of 7 | grep -Fq '"GET /down/ HTTP/1.1" 502 ' || \
	    atf_fail "502: $(line_of 7)"
	line_of 8 | grep -Fq '"GET /ws HTTP/1.1" 101 ' || \
	    atf_fail "101: $(line_of 8)"
}
line_per_request_cleanup()
{
	stop_all
}

atf_test_case common_format cleanup
common_format_head()
{
	atf_set descr "log access FILE common writes Apache's common format"
	atf_set require.user root
}
common_format_body()
{
	log_setup common
	curl -s -o /dev/null -A "agent/1" http://127.0.0.1:$port/bytes/10
	wait_lines logs/access.log 1 || atf_fail "no line"
	line_of 1 | grep -Eq '^127\.0\.0\.1 - - \[[^]]+\] "GET /bytes/10 HTTP/1\.1" 200 10$' || \
	    atf_fail "$(line_of 1)"
}
common_format_cleanup()
{
	stop_all
}

atf_test_case hostile_strings cleanup
hostile_strings_head()
{
	atf_set descr "a hostile User-Agent, Referer, request line and user" \
	    "name are escaped as Apache does: a line cannot be split or forged"
	atf_set require.user root
}
hostile_strings_body()
{
	log_setup
	send $port 'GET /x HTTP/1.1\r\nHost: app\r\nUser-Agent: a"b\\c\xff\t" 200 0 "forged\r\nReferer: r"q\r\nConnection: close\r\n\r\n' > /dev/null
	send $port 'GET /a"b\x7f HTTP/1.1\r\nHost: app\r\n\r\n' > /dev/null
	send $port "GET /private/ HTTP/1.1\r\nHost: app\r\nAuthorization: Basic $(printf 'ev"il\\\001\377:pw' | base64 -w0)\r\nConnection: close\r\n\r\n" > /dev/null
	wait_lines logs/access.log 3 || atf_fail "$(cat logs/access.log)"
	cat logs/access.log
	atf_check_equal "$(wc -l < logs/access.log)" 3
	while IFS= read -r l; do
		echo "$l" | grep -Eq "$COMBINED" || atf_fail "broken: $l"
	done < logs/access.log
	line_of 1 | grep -Fq '"GET /x HTTP/1.1" 200 ' || atf_fail "$(line_of 1)"
	line_of 1 | grep -Fq '"r\"q" "a\"b\\c\xff\t\" 200 0 \"forged"' || \
	    atf_fail "agent: $(line_of 1)"
	line_of 2 | grep -Fq '"GET /a\"b\x7f HTTP/1.1" 400' || \
	    atf_fail "request line: $(line_of 2)"
	line_of 3 | grep -Fq ' - ev\"il\\\x01\xff [' || \
	    atf_fail "user: $(line_of 3)"
}
hostile_strings_cleanup()
{
	stop_all
}

atf_test_case reopen_under_load cleanup
reopen_under_load_head()
{
	atf_set descr "16 clients making requests for 5 s while the log is" \
	    "renamed and reopened 10 times: the lines of all the files are" \
	    "the requests answered, none broken or mixed"
	atf_set require.user root
	atf_set timeout 120
}
reopen_under_load_body()
{
	not_with_sanitizers "a timing test"
	log_setup combined 24
	python3 - $port > answered.txt <<'PY' &
import socket, sys, threading, time
port, end = int(sys.argv[1]), time.time() + 5
counts = [0] * 16
def client(k):
    s = None
    i = 0
    while time.time() < end:
        try:
            if s is None:
                s = socket.create_connection(("127.0.0.1", port), 5)
                s.settimeout(5)
            s.sendall(b"GET /c%d/%d HTTP/1.1\r\nHost: app\r\nUser-Agent: client %d\r\n\r\n" % (k, i, k))
            got = b""
            while not got.endswith(b"\n") or b"\r\n\r\n" not in got:
                part = s.recv(65536)
                if not part:
                    raise OSError("closed")
                got += part
            if got.startswith(b"HTTP/1.1 200"):
                counts[k] += 1
            if b"Connection: close" in got:
                s.close()
                s = None
        except OSError:
            s = None
        i += 1
threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(counts))
PY
	load=$!
	for r in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.4
		mv logs/access.log logs/access.log.$r
		ctl log reopen > /dev/null || atf_fail "reopen $r failed"
	done
	wait $load
	answered=$(cat answered.txt)
	[ "$answered" -gt 100 ] || atf_fail "only $answered requests"
	# The last lines may still be on their way.
	n=0
	while [ "$(cat logs/access.log* | wc -l)" -lt "$answered" ]; do
		n=$((n + 1))
		[ $n -gt 40 ] && break
		sleep 0.05
	done
	cat logs/access.log* > all.txt
	atf_check_equal "$(wc -l < all.txt)" "$answered"
	bad=$(grep -cEv "$COMBINED" all.txt)
	atf_check_equal "$bad" 0
	# Every file but the first took some of them.
	for r in 2 3 4 5 6 7 8 9 10; do
		[ -s logs/access.log.$r ] || atf_fail "access.log.$r is empty"
	done
}
reopen_under_load_cleanup()
{
	stop_all
}

atf_test_case reopen_fails_cleanly cleanup
reopen_fails_cleanly_head()
{
	atf_set descr "proxyctl log reopen exits 1 with the reason when the" \
	    "file cannot be opened, and the old file stays in use; SIGUSR1" \
	    "reopens as well"
	atf_set require.user root
}
reopen_fails_cleanly_body()
{
	log_setup
	curl -s -o /dev/null http://127.0.0.1:$port/one
	wait_lines logs/access.log 1 || atf_fail "no first line"
	# The directory goes away: the file cannot be opened anew (root may
	# write anywhere, so a missing directory it is).
	mv logs moved
	atf_check -s exit:1 -o match:"^log: cannot open ${PWD}/logs/access.log: No such file or directory$" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" log reopen
	curl -s -o /dev/null http://127.0.0.1:$port/two
	wait_lines moved/access.log 2 || atf_fail "the old file is not used"
	grep -q "cannot open" proxyd.log || atf_fail "not logged"
	mv moved logs
	mv logs/access.log logs/access.log.1
	kill -USR1 $(proxyd_pid)
	n=0
	while [ ! -e logs/access.log ]; do
		n=$((n + 1))
		[ $n -gt 60 ] && atf_fail "SIGUSR1 did not reopen"
		sleep 0.05
	done
	curl -s -o /dev/null http://127.0.0.1:$port/three
	wait_lines logs/access.log 1 || atf_fail "nothing in the new file"
	grep -q "/three" logs/access.log || atf_fail "$(cat logs/access.log)"
}
reopen_fails_cleanly_cleanup()
{
	stop_all
}

atf_test_case no_access_log cleanup
no_access_log_head()
{
	atf_set descr "without log access nothing is written, and log reopen" \
	    "still answers"
	atf_set require.user root
}
no_access_log_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" "}"
	start_proxyd $port
	curl -s -o /dev/null http://127.0.0.1:$port/x
	atf_check -s exit:0 -o inline:"log: reopened\n" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" log reopen
	ls > files.txt
	grep -qi access files.txt && atf_fail "a log file appeared here"
	return 0
}
no_access_log_cleanup()
{
	stop_all
}

atf_test_case goaccess_reads_it cleanup
goaccess_reads_it_head()
{
	atf_set descr "goaccess parses the combined log with" \
	    "--log-format=COMBINED and counts the same requests"
	atf_set require.user root
	atf_set require.progs goaccess
}
goaccess_reads_it_body()
{
	log_setup
	for i in $(seq 1 25); do
		curl -s -o /dev/null -A "agent $i" "http://127.0.0.1:$port/p$i"
	done
	curl -s -o /dev/null http://127.0.0.1:$port/none
	send $port 'NOT A REQUEST\r\n\r\n' > /dev/null
	wait_lines logs/access.log 27 || atf_fail "$(wc -l < logs/access.log)"
	goaccess logs/access.log --log-format=COMBINED --no-global-config \
	    -o report.json > goaccess.out 2>&1 || \
	    atf_fail "goaccess: $(cat goaccess.out)"
	total=$(python3 -c 'import json, sys
r = json.load(open("report.json"))
g = r["general"]
print(g["total_requests"], g.get("failed_requests", 0))')
	atf_check_equal "$total" "27 0"
}
goaccess_reads_it_cleanup()
{
	stop_all
}

atf_test_case logrotate_snippet cleanup
logrotate_snippet_head()
{
	atf_set descr "logrotate -f with the shipped snippet leaves a rotated" \
	    "file and a fresh one that keeps filling"
	atf_set require.user root
	atf_set require.progs logrotate
}
logrotate_snippet_body()
{
	log_setup
	curl -s -o /dev/null http://127.0.0.1:$port/before
	wait_lines logs/access.log 1 || atf_fail "no line"
	# The snippet as shipped, with this test's file and socket.
	sed -e "s|/var/log/proxyd/access.log|${PWD}/logs/access.log|" \
	    -e "s|/usr/local/sbin/proxyctl|${PROXYCTL} -s ${PWD}/ctl.sock|" \
	    -e 's|create 0644 root root|create 0644|' \
	    "$TOP/etc/proxyd.logrotate" > logrotate.conf
	grep -q "log reopen" logrotate.conf || atf_fail "snippet changed?"
	logrotate -f -s "${PWD}/logrotate.state" logrotate.conf > lr.out 2>&1 || \
	    atf_fail "logrotate: $(cat lr.out)"
	[ -s logs/access.log.1 ] || atf_fail "no rotated file: $(ls logs)"
	grep -q "/before" logs/access.log.1 || atf_fail "rotated file"
	curl -s -o /dev/null http://127.0.0.1:$port/after
	wait_lines logs/access.log 1 || atf_fail "the fresh file stays empty"
	grep -q "/after" logs/access.log || atf_fail "$(cat logs/access.log)"
	grep -q "/after" logs/access.log.1 && atf_fail "still the old file"
	return 0
}
logrotate_snippet_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case line_per_request
	atf_add_test_case common_format
	atf_add_test_case hostile_strings
	atf_add_test_case reopen_under_load
	atf_add_test_case reopen_fails_cleanly
	atf_add_test_case no_access_log
	atf_add_test_case goaccess_reads_it
	atf_add_test_case logrotate_snippet
}
