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

# The limits of SPEC 4 item 2 through the real daemon: 414 for a long
# request line, 431 for heads over the size or the number of fields, 413
# for a body over the limit, and 408 when the head is not complete in
# time, however the client trickles it.

. $(atf_get_srcdir)/lib.subr

limits_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "limit header size 1K" \
	    "limit headers 10" \
	    "limit body size 1000" \
	    "timeout header 1s" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

# repeat N [CHAR]: N times the character (default a).
repeat()
{
	python3 -c 'import sys; print(sys.argv[2] * int(sys.argv[1]), end="")' \
	    "$1" "${2:-a}"
}

H="Host: app\r\n"
C="Connection: close\r\n"

atf_test_case uri_too_long cleanup
uri_too_long_head()
{
	atf_set descr "a request line longer than limit header size is a 414"
	atf_set require.user root
}
uri_too_long_body()
{
	limits_setup
	reject $port b 414 "GET /$(repeat 1100) HTTP/1.1\r\n$H\r\n"
	reject $port b 414 "GET /x?$(repeat 1030) HTTP/1.1\r\n$H\r\n"
	# Answered without waiting for the end of the line.
	reject $port b 414 "GET /$(repeat 2000)"
	backend_only $port b
	# Just under the limit, line and fields together.
	send $port "GET /$(repeat 900) HTTP/1.1\r\n$H$C\r\n" > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
}
uri_too_long_cleanup()
{
	stop_all
}

atf_test_case header_too_large cleanup
header_too_large_head()
{
	atf_set descr "request fields over limit header size are a 431"
	atf_set require.user root
}
header_too_large_body()
{
	limits_setup
	reject $port b 431 "GET / HTTP/1.1\r\n${H}X-Big: $(repeat 1100)\r\n\r\n"
	reject $port b 431 \
	    "GET / HTTP/1.1\r\n${H}X-A: $(repeat 400)\r\nX-B: $(repeat 400)\r\nX-C: $(repeat 400)\r\n\r\n"
	# The line fits, line and fields do not.
	reject $port b 431 "GET /$(repeat 1000) HTTP/1.1\r\n${H}X-A: $(repeat 100)\r\n\r\n"
	# Never ended.
	reject $port b 431 "GET / HTTP/1.1\r\n${H}X-Big: $(repeat 1100)"
	backend_only $port b
	send $port "GET / HTTP/1.1\r\n${H}X-A: $(repeat 400)\r\nX-B: $(repeat 400)\r\n$C\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
}
header_too_large_cleanup()
{
	stop_all
}

atf_test_case too_many_headers cleanup
too_many_headers_head()
{
	atf_set descr "more fields than limit headers is a 431"
	atf_set require.user root
}
too_many_headers_body()
{
	limits_setup
	f=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		f="${f}X-F$i: $i\r\n"
	done
	reject $port b 431 "GET / HTTP/1.1\r\n$H$f\r\n"
	reject $port b 431 "GET / HTTP/1.0\r\n${f}X-F11: 11\r\n\r\n"
	backend_only $port b
	# Host, eight more and Connection: ten fields.
	f=""
	for i in 1 2 3 4 5 6 7 8; do
		f="${f}X-F$i: $i\r\n"
	done
	send $port "GET /ten HTTP/1.1\r\n$H$f$C\r\n" > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^X-F8: 8$"
}
too_many_headers_cleanup()
{
	stop_all
}

atf_test_case body_too_large cleanup
body_too_large_head()
{
	atf_set descr "a body over limit body size is a 413, by its" \
	    "Content-Length or as its chunks come"
	atf_set require.user root
}
body_too_large_body()
{
	limits_setup
	# Answered at once, without waiting for the body.
	reject $port b 413 "POST /sha HTTP/1.1\r\n${H}Content-Length: 1001\r\n\r\n"
	atf_check_equal "$(field_of reject.out Connection)" "close"
	reject $port b 413 \
	    "POST /sha HTTP/1.1\r\n${H}Content-Length: 9223372036854775807\r\n\r\nabc"
	reject $port b 413 \
	    "POST /sha HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3e9\r\n$(repeat 1001)\r\n0\r\n\r\n"
	atf_check_equal "$(field_of reject.out Connection)" "close"
	reject $port b 413 \
	    "POST /sha HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n258\r\n$(repeat 600)\r\n191\r\n$(repeat 401)\r\n0\r\n\r\n"
	backend_only $port b
	# At the limit.
	sum=$(repeat 1000 | sha256sum | cut -d' ' -f1)
	send $port "POST /sha HTTP/1.1\r\n${H}Content-Length: 1000\r\n$C\r\n$(repeat 1000)" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	atf_check_equal "$(body_of ok.out)" "$sum"
	send $port "POST /sha HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n$C\r\n258\r\n$(repeat 600)\r\n190\r\n$(repeat 400)\r\n0\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	atf_check_equal "$(body_of ok.out)" "$sum"
}
body_too_large_cleanup()
{
	stop_all
}

# trickle PORT DATA PAUSE: send DATA (Python escapes) a byte at a time,
# PAUSE seconds apart, until proxyd answers or closes; print the answer,
# then the seconds from connect to the answer on a last line.
trickle()
{
	python3 -c 'import socket, sys, time
data = sys.argv[2].encode("latin-1").decode("unicode_escape").encode(
    "latin-1")
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.time()
s.setblocking(False)
got = b""
for b in data:
    try:
        s.send(bytes([b]))
    except OSError:
        pass
    time.sleep(float(sys.argv[3]))
    try:
        got = s.recv(65536)
        break
    except BlockingIOError:
        pass
    except OSError:
        break
t1 = time.time()
s.setblocking(True)
s.settimeout(3)
try:
    while True:
        more = s.recv(65536)
        if not more:
            break
        got += more
except OSError:
    pass
sys.stdout.buffer.write(got + b"\n%.2f\n" % (t1 - t0))' "$@"
}

atf_test_case header_timeout cleanup
header_timeout_head()
{
	atf_set descr "timeout header is an absolute deadline: a client" \
	    "sending its head a byte at a time gets a 408 when it passes"
	atf_set require.user root
}
header_timeout_body()
{
	limits_setup
	trickle $port "GET /slow HTTP/1.1\r\nHost: app\r\nX-A: $(repeat 40)\r\n\r\n" \
	    0.05 > slow.out
	atf_check_equal "$(status_of slow.out)" "408"
	t=$(tail -1 slow.out)
	python3 -c "import sys; sys.exit(not 0.8 <= $t <= 2.0)" || \
	    atf_fail "408 after $t s, not after the 1 s deadline"
	backend_empty b
	# Silence from the start.
	t0=$(date +%s%N)
	send $port "" -c > silent.out || atf_fail "the silent client was not closed"
	t1=$(date +%s%N)
	atf_check_equal "$(status_of silent.out)" "408"
	ms=$(( (t1 - t0) / 1000000 ))
	[ $ms -ge 800 ] && [ $ms -le 1800 ] || \
	    atf_fail "silent client answered after $ms ms"
	backend_only $port b
}
header_timeout_cleanup()
{
	stop_all
}

atf_test_case header_timeout_keepalive cleanup
header_timeout_keepalive_head()
{
	atf_set descr "on a kept-alive connection the head deadline starts" \
	    "at the first byte of the next request"
	atf_set require.user root
}
header_timeout_keepalive_body()
{
	limits_setup
	send $port "GET /one HTTP/1.1\r\n$H\r\n|||GET /two HTTP/1.1\r\n$H$C\r\n" \
	    -s -p 1.3 > ka.out
	atf_check_equal "$(responses ka.out 200)" "2"
	grep -q "^GET /two " rec-b/all.raw || atf_fail "/two not relayed"
}
header_timeout_keepalive_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case uri_too_long
	atf_add_test_case header_too_large
	atf_add_test_case too_many_headers
	atf_add_test_case body_too_large
	atf_add_test_case header_timeout
	atf_add_test_case header_timeout_keepalive
}
