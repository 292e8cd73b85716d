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

# The answers proxyd writes itself (SPEC 4 item 9): short and correct
# HTTP with a Content-Length, never an echo of the request or of what the
# backend sent, no version, and Connection: close whenever proxyd closes,
# in particular when it answers before reading the request body.

. $(atf_get_srcdir)/lib.subr

errors_setup()
{
	port=$(free_port)
	bport=$(free_port)
	dport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "limit header size 2K" \
	    "limit body size 1000" \
	    "timeout header 1s" \
	    "timeout backend 1s" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/np\" { no proxy }" \
	    "	location \"/dead\" { proxy to \"http://127.0.0.1:$dport/\" }" \
	    "	location \"/moved\" { redirect to \"http://elsewhere.example/\" }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
	version=$(ctl status | sed -n 's/^proxyd: //p')
	[ -n "$version" ] || atf_fail "no version in proxyctl status"
}

M="Zq7Marker"

# check_error FILE STATUS CLOSED: FILE holds one short answer STATUS with
# a Content-Length that fits its body, nothing of the marker, the name or
# the version of proxyd; CLOSED (1 or 0) says whether proxyd closed, and
# then it must have said Connection: close.
check_error()
{
	python3 -c 'import re, sys
path, status, closed, marker, version = sys.argv[1:]
d = open(path, "rb").read()
i = d.find(b"\r\n\r\n")
if i < 0:
    sys.exit("no complete head: %r" % d[:300])
head, body = d[:i].decode("latin-1"), d[i + 4:]
lines = head.split("\r\n")
m = re.match(r"HTTP/1\.1 (\d{3}) [A-Za-z -]+$", lines[0])
if m is None or m.group(1) != status:
    sys.exit("status line %r, not %s" % (lines[0], status))
fields = {}
for l in lines[1:]:
    name, _, value = l.partition(":")
    if not re.match(r"^[A-Za-z0-9-]+$", name):
        sys.exit("bad field line %r" % l)
    fields.setdefault(name.lower(), []).append(value.strip())
cl = fields.get("content-length")
if cl is None or len(cl) != 1:
    sys.exit("Content-Length: %r" % cl)
if int(cl[0]) != len(body):
    sys.exit("Content-Length %s for %d bytes: %r" % (cl[0], len(body), d))
if len(d) > 1024:
    sys.exit("not short: %d bytes" % len(d))
low = d.lower()
for bad in (marker.lower().encode(), b"proxyd", version.encode()):
    if bad in low:
        sys.exit("%r in the answer: %r" % (bad, d))
conn = [v.lower() for v in fields.get("connection", [])]
if closed == "1" and conn != ["close"]:
    sys.exit("closed without Connection: close: %r" % head)
if closed == "0" and "close" in conn:
    sys.exit("Connection: close but not closed: %r" % head)' \
	    "$1" "$2" "$3" "$M" "$version" || atf_fail "bad $2 answer"
}

# error STATUS REQUEST [ARGS]: REQUEST is answered with a correct STATUS
# and the connection closed.
error()
{
	send $port "$2" -c $3 > err.out
	_closed=$(( $? == 0 ))
	check_error err.out $1 $_closed
	[ $_closed -eq 1 ] || atf_fail "connection left open after $1"
}

hex()
{
	python3 -c 'import sys
print(sys.argv[1].encode("latin-1").decode("unicode_escape").encode(
    "latin-1").hex())' "$1"
}

atf_test_case errors_short cleanup
errors_short_head()
{
	atf_set descr "error answers are short, with Content-Length, without" \
	    "request bytes or version, and closed with Connection: close"
	atf_set require.user root
}
errors_short_body()
{
	errors_setup
	H="Host: app\r\nX-$M: $M-value\r\n"
	error 400 "GET /$M HTTP/1.1\r\n${H}X-Bad: $M\x01\r\n\r\n"
	error 400 "GET /$M/../../x HTTP/1.1\r\n$H\r\n"
	error 400 "GET /$M%2f HTTP/1.1\r\n$H\r\n"
	error 400 "GET /$M HTTP/1.1\r\nX-$M: 1\r\n\r\n"
	error 400 "GET http://$M.example/ HTTP/1.1\r\n$H\r\n"
	error 400 "$M /$M HTTP/1.1x\r\n$H\r\n"
	error 400 "POST /$M HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n$M\r\n"
	error 405 "TRACE /$M HTTP/1.1\r\n${H}Max-Forwards: 0\r\n\r\n"
	error 408 "GET /$M HTTP/1.1\r\n$H"
	error 413 "POST /$M HTTP/1.1\r\n${H}Content-Length: 5000\r\n\r\n$M"
	error 414 "GET /$(python3 -c "print('$M' * 300)") HTTP/1.1\r\n$H\r\n"
	error 431 "GET /$M HTTP/1.1\r\n${H}X-Big: $(python3 -c "print('$M' * 300)")\r\n\r\n"
	error 505 "GET /$M HTTP/2.0\r\nHost: $M\r\n\r\n"
	error 502 "GET /dead/$M HTTP/1.1\r\n$H\r\n"
	error 502 "GET /raw?$(hex "HTTP/1.1 200 $M\r\nX-$M: \x01$M\r\n\r\n") HTTP/1.1\r\n$H\r\n"
	error 502 "GET /raw?$(hex "HTTP/1.1 $M\r\n\r\n") HTTP/1.1\r\n$H\r\n"
	error 504 "GET /hang/$M HTTP/1.1\r\n$H\r\n"
	backend_has b "GET /hang/$M" || atf_fail "the 504 was not a backend's"
	# A 404 may keep the connection; it is short all the same.
	send $port "GET /np/$M HTTP/1.1\r\n$H\r\n" -t 0.5 > err.out
	check_error err.out 404 0
	send $port "GET /np/$M HTTP/1.1\r\n${H}Connection: close\r\n\r\n" -c \
	    > err.out || atf_fail "not closed after Connection: close"
	check_error err.out 404 1
}
errors_short_cleanup()
{
	stop_all
}

atf_test_case errors_unread_body cleanup
errors_unread_body_head()
{
	atf_set descr "an answer before the request body was read says" \
	    "Connection: close and closes"
	atf_set require.user root
}
errors_unread_body_body()
{
	errors_setup
	H="Host: app\r\n"
	for t in /np/x /moved/x; do
		send $port "POST $t HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\nonly part" \
		    -c > ub.out || atf_fail "$t: not closed with the body unread"
		atf_check_equal "$(field_of ub.out Connection)" "close"
		send $port "POST $t HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhel" \
		    -c > ub.out || atf_fail "$t: not closed with chunks unread"
		atf_check_equal "$(field_of ub.out Connection)" "close"
	done
	send $port "POST /np/x HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\n" -c \
	    > ub.out || atf_fail "not closed with the body unsent"
	check_error ub.out 404 1
	send $port "POST /x HTTP/1.1\r\n${H}Content-Length: 2000\r\n\r\n" -c \
	    > ub.out || atf_fail "not closed after 413"
	check_error ub.out 413 1
	backend_empty b
}
errors_unread_body_cleanup()
{
	stop_all
}

atf_test_case errors_client_limit cleanup
errors_client_limit_head()
{
	atf_set descr "a connection over limit clients per address is closed" \
	    "at once, at most after a short 503"
	atf_set require.user root
}
errors_client_limit_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 3" \
	    "limit clients per address 1" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
	wait_workers 3
	version=$(ctl status | sed -n 's/^proxyd: //p')
	# A first connection that holds its worker.
	send $port "GET /held HTTP/1.1\r\nHost: app\r\n" -t 5 > held.out &
	remember_pid $!
	n=0
	until ctl status | grep -q "^workers: .* [1-9][0-9]* busy"; do
		n=$((n + 1))
		[ $n -gt 60 ] && atf_fail "the first connection was not taken"
		sleep 0.05
	done
	t0=$(date +%s%N)
	send $port "GET /second HTTP/1.1\r\nHost: app\r\n\r\n" -c > over.out || \
	    atf_fail "the connection over the limit was not closed"
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -lt 1000 ] || atf_fail "not closed at once"
	if [ -s over.out ]; then
		check_error over.out 503 1
	fi
	grep -q "^GET /second" rec-b/all.raw && atf_fail "/second was relayed"
	return 0
}
errors_client_limit_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case errors_short
	atf_add_test_case errors_unread_body
	atf_add_test_case errors_client_limit
}
