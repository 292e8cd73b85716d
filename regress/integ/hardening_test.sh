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

# Cases found by review: each once let a request do what it must not.

. $(atf_get_srcdir)/lib.subr

hard_conf()
{
	proxyd_conf "prefork 1 max 1" "timeout idle 1s" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $1" \
	    "	location \"/some/part\" { no proxy }" \
	    "	location \"/files/a+b\" { no proxy }" \
	    "	location \"/r\" { redirect to \"http://\$HOST\$REQUEST_URI\" }" \
	    "	location \"/app1\" { proxy to \"http://127.0.0.1:$2/base/\" }" \
	    "	location \"/app2\" { proxy to \"http://127.0.0.1:$3/base2/\" }" \
	    "	proxy to \"http://127.0.0.1:$2/\"" \
	    "}"
}

setup()
{
	port=$(free_port)
	b1=$(free_port)
	b2=$(free_port)
	start_backend one $b1
	start_backend two $b2
	hard_conf $port $b1 $b2
	start_proxyd $port
}

atf_test_case host_copied_before_body cleanup
host_copied_before_body_head()
{
	atf_set descr "the Host used to rewrite a Location is the one the" \
	    "client sent, not bytes of the body that streamed over it"
	atf_set require.user root
}
host_copied_before_body_body()
{
	setup
	body=$(python3 -c 'print("\\r\\nZ" * 33, end="")')
	send $port "POST /redirect?http://127.0.0.1:$b1/x HTTP/1.1\r\nHost: app\r\nContent-Length: 99\r\n\r\n|||$body" \
	    -s -p 0.3 > out
	atf_check_equal "$(status_of out)" "302"
	atf_check_equal "$(field_of out Location)" "http://app/x"
	head_of out | grep -qx 'Z' && atf_fail "body bytes in the head"
	return 0
}
host_copied_before_body_cleanup()
{
	stop_all
}

atf_test_case parameter_only_segments cleanup
parameter_only_segments_head()
{
	atf_set descr "a segment of parameters alone is refused, so that" \
	    "/;x/some/part cannot pass an exclusion of /some/part"
	atf_set require.user root
}
parameter_only_segments_body()
{
	setup
	reject $port one 400 "GET /;x/some/part HTTP/1.1\r\nHost: app\r\n\r\n"
	reject $port one 400 "GET /some/;/part HTTP/1.1\r\nHost: app\r\n\r\n"
	reject $port one 400 "GET /some/part/;/x HTTP/1.1\r\nHost: app\r\n\r\n"
	backend_only $port one app
}
parameter_only_segments_cleanup()
{
	stop_all
}

atf_test_case escaped_exclusion cleanup
escaped_exclusion_head()
{
	atf_set descr "an exclusion holding a reserved character is not" \
	    "passed by escaping it (%2B for +)"
	atf_set require.user root
}
escaped_exclusion_body()
{
	setup
	for p in /files/a+b /files/a%2Bb /files/a%2bb /files/a%2Bb/x; do
		send $port "GET $p HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" > out
		atf_check_equal "$p $(status_of out)" "$p 404"
	done
	backend_only $port one app
}
escaped_exclusion_cleanup()
{
	stop_all
}

atf_test_case early_hints_during_upload cleanup
early_hints_during_upload_head()
{
	atf_set descr "a 103 the backend sends before the body does not stop" \
	    "the body: it is dropped and the final answer relayed"
	atf_set require.user root
}
early_hints_during_upload_body()
{
	setup
	body=$(python3 -c 'print("b" * 5000, end="")')
	want=$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)
	send $port "POST /hints HTTP/1.1\r\nHost: app\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n|||$body" \
	    -s -p 0.3 > out
	atf_check_equal "$(status_of out)" "200"
	atf_check_equal "$(body_of out)" "$want"
	atf_check_equal "$(responses out)" "1"
}
early_hints_during_upload_cleanup()
{
	stop_all
}

atf_test_case underscore_fields_dropped cleanup
underscore_fields_dropped_head()
{
	atf_set descr "request fields with an underscore in the name, which" \
	    "CGI reads as the forwarded fields proxyd sets, are dropped"
	atf_set require.user root
}
underscore_fields_dropped_body()
{
	setup
	send $port "GET /u HTTP/1.1\r\nHost: app\r\nX_Forwarded_For: 6.6.6.6\r\nX-Forwarded_Host: evil\r\nX-Ok: 1\r\nConnection: close\r\n\r\n" > out
	atf_check_equal "$(status_of out)" "200"
	wait_for "${PWD}/rec-one/all.raw" "GET /u " || atf_fail "not relayed"
	backend_has one 'X-Ok: 1\r\n' || atf_fail "a good field was dropped"
	backend_has one '6.6.6.6' && atf_fail "X_Forwarded_For reached the backend"
	backend_has one 'evil' && atf_fail "X-Forwarded_Host reached the backend"
	return 0
}
underscore_fields_dropped_cleanup()
{
	stop_all
}

atf_test_case long_redirect cleanup
long_redirect_head()
{
	atf_set descr "a redirect whose Location is long is still answered"
	atf_set require.user root
}
long_redirect_body()
{
	setup
	q=$(python3 -c 'print("a" * 6000, end="")')
	send $port "GET /r?$q HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" > out
	atf_check_equal "$(status_of out)" "301"
	atf_check_equal "$(field_of out Location)" "http://app/r?$q"
}
long_redirect_cleanup()
{
	stop_all
}

atf_test_case http10_keepalive_answers cleanup
http10_keepalive_answers_head()
{
	atf_set descr "an answer proxyd writes itself to an HTTP/1.0 client" \
	    "that asked for keep-alive says Connection: keep-alive"
	atf_set require.user root
}
http10_keepalive_answers_body()
{
	setup
	send $port "GET /some/part HTTP/1.0\r\nConnection: keep-alive\r\n\r\n|||GET /files/a+b HTTP/1.0\r\n\r\n" \
	    -s -p 0.2 -c > out || atf_fail "connection not closed at the end"
	atf_check_equal "$(responses out 404)" "2"
	atf_check_equal "$(field_of out Connection)" "keep-alive"
}
http10_keepalive_answers_cleanup()
{
	stop_all
}

atf_test_case relative_location_own_backend cleanup
relative_location_own_backend_head()
{
	atf_set descr "a path-only Location is rewritten only against the" \
	    "backend that sent it"
	atf_set require.user root
}
relative_location_own_backend_body()
{
	setup
	send $port "GET /app1/redirect?/base2/x HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" > out
	atf_check_equal "$(field_of out Location)" "/base2/x"
	send $port "GET /app1/redirect?/base/y HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" > out
	atf_check_equal "$(field_of out Location)" "http://app/app1/y"
	send $port "GET /app1/cookie?c=1;%20Path=/base2 HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" > out
	atf_check_equal "$(field_of out Set-Cookie)" "c=1;%20Path=/base2"
}
relative_location_own_backend_cleanup()
{
	stop_all
}

atf_test_case linger_after_early_answer cleanup
linger_after_early_answer_head()
{
	atf_set descr "an answer given while the client is still sending its" \
	    "body reaches the client whole, not lost in a reset"
	atf_set require.user root
}
linger_after_early_answer_body()
{
	setup
	python3 - $port > out <<'PY' || atf_fail "no clean end after the answer"
import socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
n = 512 * 1024
s.sendall(b"POST /some/part HTTP/1.1\r\nHost: app\r\n"
          b"Content-Length: %d\r\n\r\n" % n)
errors = []
def feed():
    try:
        left = n
        while left > 0:
            left -= s.send(b"x" * min(left, 65536))
    except OSError as e:
        errors.append(e)
t = threading.Thread(target=feed, daemon=True)
t.start()
got = b""
s.settimeout(5)
clean = False
try:
    while True:
        part = s.recv(65536)
        if not part:
            clean = True
            break
        got += part
except OSError as e:
    sys.stderr.write("%s\n" % e)
t.join(5)
sys.stdout.buffer.write(got)
# The answer whole, an orderly end, and the rest of the body taken in
# rather than refused with a reset.
sys.exit(0 if b"404 Not Found\n" in got and clean and not errors and
         not t.is_alive() else 1)
PY
	atf_check_equal "$(status_of out)" "404"
	atf_check_equal "$(field_of out Connection)" "close"
}
linger_after_early_answer_cleanup()
{
	stop_all
}

atf_test_case idle_backend_expires_in_session cleanup
idle_backend_expires_in_session_head()
{
	atf_set descr "an idle backend connection is closed after timeout" \
	    "idle even while the worker is busy with a long client session"
	atf_set require.user root
}
idle_backend_expires_in_session_body()
{
	setup
	# One request to backend two, then a session of requests to one;
	# backend two must see its connection closed while it goes on.
	python3 - $port "${PWD}/rec-two" <<'PY' || \
	    atf_fail "the idle connection to backend two was kept"
import glob, os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
def get(path):
    s.sendall(b"GET %s HTTP/1.1\r\nHost: app\r\n\r\n" % path)
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"bytes\n"):
        got += s.recv(65536)
get(b"/app2/a")
for i in range(6):
    time.sleep(0.4)
    get(b"/b%d" % i)
    for raw in glob.glob(os.path.join(sys.argv[2], "conn-*.raw")):
        if b"/base2/a" in open(raw, "rb").read() and \
                os.path.exists(raw[:-4] + ".closed"):
            sys.exit(0)
sys.exit(1)
PY
}
idle_backend_expires_in_session_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case host_copied_before_body
	atf_add_test_case parameter_only_segments
	atf_add_test_case escaped_exclusion
	atf_add_test_case early_hints_during_upload
	atf_add_test_case underscore_fields_dropped
	atf_add_test_case long_redirect
	atf_add_test_case http10_keepalive_answers
	atf_add_test_case relative_location_own_backend
	atf_add_test_case linger_after_early_answer
	atf_add_test_case idle_backend_expires_in_session
}
