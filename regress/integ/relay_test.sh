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

# Relaying (SPEC 4 item 7): bodies streamed intact both ways in the
# framing each side expects, keep-alive with clients and backends, a safe
# retry on a dead kept-alive backend connection, 100-continue, bodiless
# answers, server-sent events, Connection: close, WebSocket, and what the
# client gets when the backend refuses, hangs, answers garbage or stops
# in the middle of a body.

. $(atf_get_srcdir)/lib.subr

# One worker, so that consecutive requests share its backend connection.
relay_setup()
{
	port=$(free_port)
	bport=$(free_port)
	dport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1 max 1" \
	    "timeout backend 1s" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/np\" { no proxy }" \
	    "	location \"/dead\" { proxy to \"http://127.0.0.1:$dport/\" }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

H="Host: app\r\n"
C="Connection: close\r\n"

atf_test_case upload_length cleanup
upload_length_head()
{
	atf_set descr "a request body of several MiB with Content-Length" \
	    "arrives intact"
	atf_set require.user root
}
upload_length_body()
{
	relay_setup
	head -c 3500000 /dev/urandom > up.bin
	sum=$(sha256sum < up.bin | cut -d' ' -f1)
	atf_check -o inline:"$sum\n" curl -sS --data-binary @up.bin \
	    -H "Content-Type: application/octet-stream" \
	    http://127.0.0.1:$port/sha
	head_of rec-b/all.raw > bhead.txt
	grep -q "^Content-Length: 3500000$" bhead.txt || \
	    atf_fail "backend head: $(shown bhead.txt)"
}
upload_length_cleanup()
{
	stop_all
}

atf_test_case upload_chunked cleanup
upload_chunked_head()
{
	atf_set descr "a chunked request body of several MiB arrives intact" \
	    "and stays chunked"
	atf_set require.user root
}
upload_chunked_body()
{
	relay_setup
	head -c 3500000 /dev/urandom > up.bin
	sum=$(sha256sum < up.bin | cut -d' ' -f1)
	# The backend, a Python script, is slow to hash its first upload:
	# warm it, so that timeout backend 1s measures proxyd, not Python.
	curl -s -o /dev/null --data-binary @up.bin \
	    -H "Transfer-Encoding: chunked" http://127.0.0.1:$port/sha
	atf_check -o inline:"$sum\n" curl -sS --data-binary @up.bin \
	    -H "Transfer-Encoding: chunked" \
	    -H "Content-Type: application/octet-stream" \
	    http://127.0.0.1:$port/sha
	head_of rec-b/all.raw > bhead.txt
	grep -qi "^Transfer-Encoding: chunked$" bhead.txt || \
	    atf_fail "not chunked to the backend: $(shown bhead.txt)"
	grep -qi "^Content-Length:" bhead.txt && \
	    atf_fail "Content-Length to the backend: $(shown bhead.txt)"
	return 0
}
upload_chunked_cleanup()
{
	stop_all
}

# fetch PATH [CURL ARGS...]: GET PATH with curl into out.bin, the head
# into hdr.txt (CRs removed).
fetch()
{
	_path=$1
	shift
	curl -sS -o out.bin -D hdr.raw "$@" "http://127.0.0.1:$port$_path" || \
	    atf_fail "curl $_path failed"
	tr -d '\r' < hdr.raw > hdr.txt
}

atf_test_case download cleanup
download_head()
{
	atf_set descr "response bodies of several MiB arrive intact, with a" \
	    "length, chunked or delimited by closing"
	atf_set require.user root
}
download_body()
{
	relay_setup
	n=5000000
	pattern $n > want.bin
	fetch /bytes/$n
	cmp -s out.bin want.bin || atf_fail "/bytes/$n differs"
	grep -qx "Content-Length: $n" hdr.txt || atf_fail "$(shown hdr.txt)"
	fetch /chunked/$n
	cmp -s out.bin want.bin || atf_fail "/chunked/$n differs"
	grep -qix "Transfer-Encoding: chunked" hdr.txt || \
	    atf_fail "a chunked body not chunked to an HTTP/1.1 client:" \
	    "$(shown hdr.txt)"
	fetch /close/$n
	cmp -s out.bin want.bin || atf_fail "/close/$n differs"
	# HTTP/1.0 clients: a length or the end of the connection.
	for r in bytes chunked close; do
		fetch /$r/$n -0
		cmp -s out.bin want.bin || atf_fail "/$r/$n in HTTP/1.0 differs"
		grep -qi "^Transfer-Encoding" hdr.txt && \
		    atf_fail "chunked to an HTTP/1.0 client: $(shown hdr.txt)"
		grep -q "^HTTP/1.[01] 200" hdr.txt || atf_fail "$(shown hdr.txt)"
	done
	return 0
}
download_cleanup()
{
	stop_all
}

atf_test_case chunked_rewritten cleanup
chunked_rewritten_head()
{
	atf_set descr "a chunked response is re-framed: no extensions, no" \
	    "trailers"
	atf_set require.user root
}
chunked_rewritten_body()
{
	relay_setup
	send $port "GET /chunked/20000 HTTP/1.1\r\n$H$C\r\n" -c > ch.out || \
	    atf_fail "not closed"
	python3 -c 'import re, sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"\r\n\r\n") + 4
body, out = d[i:], b""
while True:
    m = re.match(b"([0-9a-fA-F]+)\r\n", body)
    if m is None:
        sys.exit("bad chunk size line: %r" % body[:40])
    n = int(m.group(1), 16)
    body = body[m.end():]
    if n == 0:
        break
    out += body[:n]
    if body[n:n + 2] != b"\r\n":
        sys.exit("no CRLF after the data")
    body = body[n + 2:]
if body != b"\r\n":
    sys.exit("a trailer or more after the last chunk: %r" % body)
p = bytes(range(256)) * 100
if out != p[:20000]:
    sys.exit("the body differs")' ch.out || atf_fail "bad chunked response"
	grep -qa "X-Trailer" ch.out && atf_fail "the trailer was passed on"
	return 0
}
chunked_rewritten_cleanup()
{
	stop_all
}

atf_test_case keepalive_client cleanup
keepalive_client_head()
{
	atf_set descr "several requests on one client connection"
	atf_set require.user root
}
keepalive_client_body()
{
	relay_setup
	atf_check -o inline:"1\n0\n0\n" curl -s -o /dev/null -o /dev/null \
	    -o /dev/null -w '%{num_connects}\n' http://127.0.0.1:$port/a \
	    http://127.0.0.1:$port/bytes/100000 http://127.0.0.1:$port/chunked/50000
	# Pipelined, the last one asking to close.
	send $port "GET /p1 HTTP/1.1\r\n$H\r\nPOST /echo HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcPOST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\nGET /p3 HTTP/1.1\r\n$H$C\r\n" \
	    -c > pipe.out || atf_fail "not closed after Connection: close"
	atf_check_equal "$(responses pipe.out 200)" "4"
	grep -qa "abcHTTP/1.1 200" pipe.out || atf_fail "no abc: $(shown pipe.out)"
	grep -qa "deHTTP/1.1 200" pipe.out || atf_fail "no de: $(shown pipe.out)"
	grep -qa "^GET /p3 HTTP/1.1" pipe.out || atf_fail "third not answered"
	# HTTP/1.0 with keep-alive.
	send $port "GET /k1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /k2 HTTP/1.0\r\n\r\n" \
	    -c > ten.out || atf_fail "HTTP/1.0 connection not closed"
	atf_check_equal "$(responses ten.out 200)" "2"
	field_of ten.out Connection | grep -qix "keep-alive" || \
	    atf_fail "no Connection: keep-alive for HTTP/1.0: $(shown ten.out)"
}
keepalive_client_cleanup()
{
	stop_all
}

atf_test_case backend_reuse cleanup
backend_reuse_head()
{
	atf_set descr "a worker reuses its backend connection"
	atf_set require.user root
}
backend_reuse_body()
{
	relay_setup
	for p in /r1 /r2 /r3; do
		atf_check -o ignore curl -sS http://127.0.0.1:$port$p
	done
	atf_check_equal "$(nonempty_conns b)" "1"
	atf_check_equal "$(grep -c '^GET /r[123] ' rec-b/all.raw)" "3"
}
backend_reuse_cleanup()
{
	stop_all
}

atf_test_case idle_timeouts cleanup
idle_timeouts_head()
{
	atf_set descr "idle client and backend connections are closed after" \
	    "timeout idle"
	atf_set require.user root
}
idle_timeouts_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1 max 1" \
	    "timeout idle 1s" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
	t0=$(date +%s%N)
	send $port "GET /idle HTTP/1.1\r\n$H\r\n" -t 4 -c > idle.out || \
	    atf_fail "the idle client connection was not closed"
	t1=$(date +%s%N)
	atf_check_equal "$(status_of idle.out)" "200"
	ms=$(( (t1 - t0) / 1000000 ))
	[ $ms -ge 800 ] && [ $ms -le 2500 ] || \
	    atf_fail "idle client closed after $ms ms"
	# The backend connection the request used goes too.
	conn=$(grep -l "^GET /idle " rec-b/conn-*.raw)
	wait_for_file "${conn%.raw}.closed" || \
	    atf_fail "the idle backend connection was kept"
	t2=$(date +%s%N)
	ms=$(( (t2 - t0) / 1000000 ))
	[ $ms -le 3000 ] || atf_fail "idle backend closed after $ms ms"
}
idle_timeouts_cleanup()
{
	stop_all
}

atf_test_case backend_retry cleanup
backend_retry_head()
{
	atf_set descr "a request that can be sent again is retried once when" \
	    "a reused backend connection turns out dead; a POST is not"
	atf_set require.user root
}
backend_retry_body()
{
	relay_setup
	atf_check -o inline:"dropnext\n" curl -sS http://127.0.0.1:$port/dropnext
	send $port "GET /after HTTP/1.1\r\n$H$C\r\n" > after.out
	atf_check_equal "$(status_of after.out)" "200"
	body_match after.out "^GET /after HTTP/1.1"
	atf_check_equal "$(grep -c '^GET /after ' rec-b/all.raw)" "2"
	# The backend closes after answering.
	atf_check -o inline:"once\n" curl -sS http://127.0.0.1:$port/once
	atf_check -o match:"^GET /after-once " curl -sS \
	    http://127.0.0.1:$port/after-once
	# A POST with a body is not sent twice.
	atf_check -o inline:"dropnext\n" curl -sS http://127.0.0.1:$port/dropnext
	send $port "POST /echo HTTP/1.1\r\n${H}Content-Length: 4\r\n$C\r\npost" \
	    > post.out
	atf_check_equal "$(grep -c '^POST /echo ' rec-b/all.raw)" "1"
	atf_check_equal "$(status_of post.out)" "502"
}
backend_retry_cleanup()
{
	stop_all
}

atf_test_case expect_continue cleanup
expect_continue_head()
{
	atf_set descr "Expect: 100-continue is answered with 100 before the" \
	    "body, and not where the location refuses the request"
	atf_set require.user root
}
expect_continue_body()
{
	relay_setup
	t0=$(date +%s%N)
	send $port "POST /sha HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n$C\r\n|||hello" \
	    -u "100 Continue" > cont.out
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -lt 1500 ] || \
	    atf_fail "no 100 Continue before the body"
	atf_check_equal "$(head -1 cont.out | tr -d '\r')" \
	    "HTTP/1.1 100 Continue"
	sed -n 3p cont.out | grep -q "^HTTP/1.1 200 " || \
	    atf_fail "no 200 after the 100: $(shown cont.out)"
	grep -qa "$(printf hello | sha256sum | cut -d' ' -f1)" cont.out || \
	    atf_fail "the body did not arrive: $(shown cont.out)"
	grep -qi "^Expect:" rec-b/all.raw && atf_fail "Expect reached the backend"
	# A location that does not relay: no 100, and the connection closes.
	send $port "POST /np/x HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n" \
	    -c > np.out || atf_fail "not closed after the unread body"
	atf_check_equal "$(status_of np.out)" "404"
	grep -qa "100 Continue" np.out && atf_fail "100 Continue for a 404"
	atf_check_equal "$(field_of np.out Connection)" "close"
	return 0
}
expect_continue_cleanup()
{
	stop_all
}

atf_test_case no_body cleanup
no_body_head()
{
	atf_set descr "HEAD, 204 and 304 answers carry no body and leave the" \
	    "connection usable"
	atf_set require.user root
}
no_body_body()
{
	relay_setup
	send $port "HEAD /bytes/1000 HTTP/1.1\r\n$H\r\nGET /status/204 HTTP/1.1\r\n$H\r\nGET /status/304 HTTP/1.1\r\n$H\r\nHEAD /chunked/500 HTTP/1.1\r\n$H\r\nGET /bytes/10 HTTP/1.1\r\n$H$C\r\n" \
	    -c > nb.out || atf_fail "not closed"
	python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
want = [(200, False), (204, False), (304, False), (200, False), (200, True)]
for status, body in want:
    i = d.index(b"\r\n\r\n") + 4
    head, d = d[:i].decode("latin-1"), d[i:]
    lines = head.split("\r\n")
    got = int(lines[0].split()[1])
    if got != status:
        sys.exit("status %d instead of %d: %r" % (got, status, head))
    fields = dict((l.split(":", 1)[0].lower(), l.split(":", 1)[1].strip())
                  for l in lines[1:] if l)
    if body:
        n = int(fields["content-length"])
        if d[:n] != bytes(range(10)):
            sys.exit("bad last body %r" % d[:n])
        d = d[n:]
if d:
    sys.exit("bytes left over: %r" % d[:100])' nb.out || \
	    atf_fail "bad sequence of answers: $(shown nb.out)"
}
no_body_cleanup()
{
	stop_all
}

atf_test_case server_sent_events cleanup
server_sent_events_head()
{
	atf_set descr "events reach the client as the backend sends them"
	atf_set require.user root
}
server_sent_events_body()
{
	relay_setup
	python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.time()
s.sendall(b"GET /sse HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n")
d, first = b"", None
while True:
    got = s.recv(65536)
    if not got:
        break
    d += got
    if first is None and b"data: event 0" in d:
        first = time.time()
if first is None:
    sys.exit("no first event: %r" % d)
last = float(d.split(b"data: event 2 ")[1].split(b"\n")[0])
print("first event after %.3f s, last sent %.3f s after it" %
      (first - t0, last - first))
if first - t0 > 0.25 or first > last:
    sys.exit("the first event came late")
if b"transfer-encoding: chunked" not in d.lower():
    sys.exit("not chunked")
if b"text/event-stream" not in d:
    sys.exit("no Content-Type")' $port || atf_fail "events were held back"
}
server_sent_events_cleanup()
{
	stop_all
}

atf_test_case connection_close cleanup
connection_close_head()
{
	atf_set descr "Connection: close from the client is honoured"
	atf_set require.user root
}
connection_close_body()
{
	relay_setup
	send $port "GET /c1 HTTP/1.1\r\n$H$C\r\nGET /c2 HTTP/1.1\r\n$H\r\n" \
	    -c > cc.out || atf_fail "not closed after Connection: close"
	atf_check_equal "$(responses cc.out)" "1"
	atf_check_equal "$(field_of cc.out Connection)" "close"
	grep -q "^GET /c2 " rec-b/all.raw && atf_fail "/c2 was relayed"
	# HTTP/1.0 without keep-alive.
	send $port "GET /c3 HTTP/1.0\r\n\r\nGET /c4 HTTP/1.0\r\n\r\n" -c \
	    > ten.out || atf_fail "HTTP/1.0 not closed"
	atf_check_equal "$(responses ten.out)" "1"
	grep -q "^GET /c4 " rec-b/all.raw && atf_fail "/c4 was relayed"
	return 0
}
connection_close_cleanup()
{
	stop_all
}

atf_test_case websocket cleanup
websocket_head()
{
	atf_set descr "Upgrade: websocket is relayed and bytes go both ways" \
	    "after the 101"
	atf_set require.user root
}
websocket_body()
{
	relay_setup
	send $port "GET /ws HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n|||ping-one|||ping-two" \
	    -u "Switching Protocols" -w -c > ws.out || \
	    atf_fail "the tunnel did not close after the client"
	atf_check_equal "$(status_of ws.out)" "101"
	field_of ws.out Upgrade | grep -qix websocket || \
	    atf_fail "no Upgrade: websocket: $(shown ws.out)"
	atf_check_equal "$(body_of ws.out)" "ping-oneping-two"
	head_of rec-b/all.raw > bhead.txt
	grep -qix "Upgrade: websocket" bhead.txt || atf_fail "$(shown bhead.txt)"
	grep -qi "^Connection:.*upgrade" bhead.txt || atf_fail "$(shown bhead.txt)"
	grep -q "^Sec-WebSocket-Key: dGhlIHNhbXBsZQ==$" bhead.txt || \
	    atf_fail "$(shown bhead.txt)"
	backend_has b "ping-oneping-two" || atf_fail "the backend got no data"
	# Bytes sent right behind the head go through too.
	send $port "GET /ws HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: eA==\r\n\r\nearly|||late" \
	    -u "Switching Protocols" -w -c > ws2.out || atf_fail "not closed"
	atf_check_equal "$(status_of ws2.out)" "101"
	atf_check_equal "$(body_of ws2.out)" "earlylate"
	# A 101 without Upgrade: websocket is a bad gateway.
	x=$(printf 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n' | od -An -tx1 | tr -d ' \n')
	send $port "GET /raw?$x HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n" \
	    -c > ws3.out || atf_fail "not closed"
	atf_check_equal "$(status_of ws3.out)" "502"
}
websocket_cleanup()
{
	stop_all
}

atf_test_case upgrade_removed cleanup
upgrade_removed_head()
{
	atf_set descr "other Upgrade values, h2c included, are removed"
	atf_set require.user root
}
upgrade_removed_body()
{
	relay_setup
	send $port "GET /h2 HTTP/1.1\r\n${H}Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n$C\r\n" \
	    > h2.out
	atf_check_equal "$(status_of h2.out)" "200"
	# A websocket upgrade on a POST, or without Connection: upgrade.
	send $port "POST /wp HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n$C\r\n" \
	    > wp.out
	atf_check_equal "$(status_of wp.out)" "200"
	send $port "GET /wc HTTP/1.1\r\n${H}Upgrade: websocket\r\n$C\r\n" \
	    > wc.out
	atf_check_equal "$(status_of wc.out)" "200"
	for f in Upgrade HTTP2-Settings; do
		grep -qai "^$f:" rec-b/all.raw && \
		    atf_fail "$f reached the backend: $(shown rec-b/all.raw)"
	done
	grep -qai "^Connection:.*upgrade" rec-b/all.raw && \
	    atf_fail "Connection: upgrade reached the backend"
	# A backend switching protocols unasked is a bad gateway.
	x=$(printf 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n' | od -An -tx1 | tr -d ' \n')
	send $port "GET /raw?$x HTTP/1.1\r\n${H}Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n" \
	    -c > u.out || atf_fail "not closed"
	atf_check_equal "$(status_of u.out)" "502"
}
upgrade_removed_cleanup()
{
	stop_all
}

atf_test_case backend_refused cleanup
backend_refused_head()
{
	atf_set descr "a backend that refuses the connection gives a 502"
	atf_set require.user root
}
backend_refused_body()
{
	relay_setup
	send $port "GET /dead/x HTTP/1.1\r\n$H\r\n" -c > dead.out || \
	    atf_fail "not closed"
	atf_check_equal "$(status_of dead.out)" "502"
}
backend_refused_cleanup()
{
	stop_all
}

atf_test_case backend_timeout cleanup
backend_timeout_head()
{
	atf_set descr "a backend that does not answer within timeout backend" \
	    "gives a 504"
	atf_set require.user root
}
backend_timeout_body()
{
	relay_setup
	t0=$(date +%s%N)
	send $port "GET /hang HTTP/1.1\r\n$H\r\n" -c > hang.out || \
	    atf_fail "not closed"
	t1=$(date +%s%N)
	atf_check_equal "$(status_of hang.out)" "504"
	ms=$(( (t1 - t0) / 1000000 ))
	[ $ms -ge 900 ] && [ $ms -le 2000 ] || atf_fail "504 after $ms ms"
}
backend_timeout_cleanup()
{
	stop_all
}

# hex TEXT: TEXT (Python escapes) in hexadecimal, for the /raw route.
hex()
{
	python3 -c 'import sys
print(sys.argv[1].encode("latin-1").decode("unicode_escape").encode(
    "latin-1").hex())' "$1"
}

atf_test_case invalid_response cleanup
invalid_response_head()
{
	atf_set descr "a response head with invalid syntax, control bytes or" \
	    "ambiguous framing gives a 502"
	atf_set require.user root
}
invalid_response_body()
{
	relay_setup
	ok="HTTP/1.1 200 OK\r\n"
	for r in "${ok}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello" \
	    "${ok}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n" \
	    "${ok}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" \
	    "${ok}Transfer-Encoding: gzip, chunked\r\n\r\n" \
	    "${ok}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" \
	    "${ok}Content-Length: -1\r\n\r\n" "${ok}Content-Length: 5x\r\n\r\n" \
	    "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello" \
	    "${ok}Content-Length: 5\n\r\nhello" \
	    "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n" \
	    "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n" \
	    "HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" \
	    "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X-A: a\x01b\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X-A: a\x00b\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X-A: a\x7fb\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X-A: a\rb\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X-A : b\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X-A: b\r\n folded\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}X A: b\r\nContent-Length: 0\r\n\r\n" \
	    "${ok}Content-Length: 5\r\n" "garbage\r\n\r\n" ""; do
		send $port "GET /raw?$(hex "$r") HTTP/1.1\r\n$H\r\n" -c \
		    > inv.out || atf_fail "not closed after: $r"
		[ "$(status_of inv.out)" = "502" ] || \
		    atf_fail "$r: $(head -1 inv.out)"
	done
}
invalid_response_cleanup()
{
	stop_all
}

atf_test_case interim_response cleanup
interim_response_head()
{
	atf_set descr "interim 1xx answers of the backend do not end the" \
	    "response"
	atf_set require.user root
}
interim_response_body()
{
	relay_setup
	x=$(hex "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	send $port "GET /raw?$x HTTP/1.1\r\n$H$C\r\n" -c > im.out || \
	    atf_fail "not closed"
	grep -qa "100 Continue" im.out && atf_fail "a 100 nobody asked for"
	tr -d '\r' < im.out | grep -q "^HTTP/1.1 200 " || \
	    atf_fail "no final answer: $(shown im.out)"
	atf_check_equal "$(tail -c 2 im.out)" "ok"
}
interim_response_cleanup()
{
	stop_all
}

atf_test_case backend_cut cleanup
backend_cut_head()
{
	atf_set descr "a backend closing in the middle of a body closes the" \
	    "client connection without a complete response"
	atf_set require.user root
}
backend_cut_body()
{
	relay_setup
	x=$(hex "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n$(pattern 3000 | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')")
	curl -sS -o cut.bin "http://127.0.0.1:$port/raw?$x" 2>curl.err
	rc=$?
	[ $rc -eq 18 ] || atf_fail "curl exit $rc, not 18: $(shown curl.err)"
	n=$(wc -c < cut.bin)
	[ $n -lt 100000 ] || atf_fail "$n bytes of 100000"
	# The same on the raw connection: head, part of the body, close.
	send $port "GET /raw?$x HTTP/1.1\r\n$H\r\n" -c > cut.out || \
	    atf_fail "the client connection was left open"
	atf_check_equal "$(status_of cut.out)" "200"
	# A chunked body without its last chunk.
	x=$(hex "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
	curl -sS -o cut2.bin "http://127.0.0.1:$port/raw?$x" 2>curl.err
	rc=$?
	[ $rc -eq 18 ] || [ $rc -eq 56 ] || \
	    atf_fail "chunked: curl exit $rc: $(shown curl.err)"
	send $port "GET /raw?$x HTTP/1.1\r\n$H\r\n" -c > cut2.out || \
	    atf_fail "the client connection was left open (chunked)"
	grep -qa "^0" cut2.out && atf_fail "a last chunk was made up"
	# A backend silent in the middle of a body past timeout backend.
	x=$(hex "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")
	t0=$(date +%s%N)
	send $port "GET /stall?$x HTTP/1.1\r\n$H\r\n" -t 4 -c > stall.out || \
	    atf_fail "the client connection was left open (silent backend)"
	t1=$(date +%s%N)
	atf_check_equal "$(status_of stall.out)" "200"
	atf_check_equal "$(body_of stall.out)" "some"
	ms=$(( (t1 - t0) / 1000000 ))
	[ $ms -ge 900 ] && [ $ms -le 2500 ] || atf_fail "closed after $ms ms"
}
backend_cut_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case upload_length
	atf_add_test_case upload_chunked
	atf_add_test_case download
	atf_add_test_case chunked_rewritten
	atf_add_test_case keepalive_client
	atf_add_test_case backend_reuse
	atf_add_test_case idle_timeouts
	atf_add_test_case backend_retry
	atf_add_test_case expect_continue
	atf_add_test_case no_body
	atf_add_test_case server_sent_events
	atf_add_test_case connection_close
	atf_add_test_case websocket
	atf_add_test_case upgrade_removed
	atf_add_test_case backend_refused
	atf_add_test_case backend_timeout
	atf_add_test_case invalid_response
	atf_add_test_case interim_response
	atf_add_test_case backend_cut
}
