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

# Request parsing through the real daemon (SPEC 4 item 2): every rule of
# rejection gives its status, closes the connection and lets nothing reach
# the backend; what is accepted reaches it in a head and a chunk framing
# that proxyd wrote itself.

. $(atf_get_srcdir)/lib.subr

# Two servers on one listener, both proxying to backend b: "app" (first)
# to its root, "other.example" below /other.
request_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "server \"app\" {" \
	    "	alias \"app.example\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}" \
	    "server \"other.example\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/other/\"" \
	    "}"
	start_proxyd $port
}

H="Host: app\r\n"

# A POST of "hello" with the given fields.
post()
{
	printf '%s' "POST /echo HTTP/1.1\r\n${H}$1\r\nhello"
}

# A chunked POST with the given body framing.
chunked()
{
	printf '%s' "POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n$1"
}

atf_test_case method_not_token cleanup
method_not_token_head()
{
	atf_set descr "a method that is not a token is a 400"
	atf_set require.user root
}
method_not_token_body()
{
	request_setup
	for m in "G(T /" "GE\x7fT /" "G\x80T /" "G:T /" "G@T /" " GET /" \
	    "GET\t/" "GET  /" "\"GET\" /" "G\x00T /"; do
		reject $port b 400 "$m HTTP/1.1\r\n$H\r\n"
	done
	backend_only $port b
	# An unknown method that is a token is relayed.
	send $port "PROPFIND /m HTTP/1.1\r\n${H}Connection: close\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^PROPFIND /m HTTP/1.1"
}
method_not_token_cleanup()
{
	stop_all
}

atf_test_case version_rejected cleanup
version_rejected_head()
{
	atf_set descr "a well-formed version other than 1.0 and 1.1 is a" \
	    "505, a malformed one a 400"
	atf_set require.user root
}
version_rejected_body()
{
	request_setup
	for v in "HTTP/2.0" "HTTP/1.2" "HTTP/3.0" "HTTP/0.9" "HTTP/9.9"; do
		reject $port b 505 "GET / $v\r\n$H\r\n"
	done
	for v in "HTTP/1.1x" "HTTP/1" "http/1.1" "HTTP/1.10" "HTTP/11" \
	    "HTTPS/1.1" "HTTP/1.1 " "HTTP/ 1.1" "HTTP/1,1" "HTTP/a.b" \
	    "HTTP/1.1\x00"; do
		reject $port b 400 "GET / $v\r\n$H\r\n"
	done
	# HTTP/0.9 style, no version at all.
	reject $port b 400 "GET /\r\n\r\n"
	backend_only $port b
}
version_rejected_cleanup()
{
	stop_all
}

atf_test_case target_bytes cleanup
target_bytes_head()
{
	atf_set descr "a request-target byte outside 0x21-0x7E is a 400"
	atf_set require.user root
}
target_bytes_body()
{
	request_setup
	for t in "/a\x7fb" "/a\x80b" "/a\xffb" "/a\xe9b" "/a\x01b" "/a\x00b" \
	    "/a\x1fb" "/a\tb" "/a\x0bb" "/a?q=\x80"; do
		reject $port b 400 "GET $t HTTP/1.1\r\n$H\r\n"
	done
	backend_only $port b
}
target_bytes_cleanup()
{
	stop_all
}

atf_test_case transfer_encoding_rejected cleanup
transfer_encoding_rejected_head()
{
	atf_set descr "Transfer-Encoding twice, not exactly chunked, in" \
	    "HTTP/1.0 or with Content-Length is a 400"
	atf_set require.user root
}
transfer_encoding_rejected_body()
{
	request_setup
	body="5\r\nhello\r\n0\r\n\r\n"
	te="Transfer-Encoding"
	for f in "$te: chunked\r\n$te: chunked" \
	    "$te: gzip\r\n$te: chunked" \
	    "$te: gzip, chunked" "$te: chunked, identity" \
	    "$te: chunked, chunked" "$te: identity" "$te: gzip" \
	    "$te: \"chunked\"" "$te: chunked;q=1" "$te: xchunked" \
	    "$te: chunked\r\nContent-Length: 5" \
	    "Content-Length: 5\r\n$te: chunked" \
	    "Content-Length: 19\r\n$te: chunked"; do
		reject $port b 400 "POST /echo HTTP/1.1\r\n$H$f\r\n\r\n$body"
	done
	reject $port b 400 "POST /echo HTTP/1.0\r\n$te: chunked\r\n\r\n$body"
	reject $port b 400 \
	    "POST /echo HTTP/1.0\r\n$H$te: chunked\r\nConnection: keep-alive\r\n\r\n$body"
	backend_only $port b
}
transfer_encoding_rejected_cleanup()
{
	stop_all
}

atf_test_case content_length_rejected cleanup
content_length_rejected_head()
{
	atf_set descr "a Content-Length that is not 1*DIGIT, overflows or" \
	    "differs from another is a 400"
	atf_set require.user root
}
content_length_rejected_body()
{
	request_setup
	cl="Content-Length"
	for v in "+5" "-5" "0x5" "5,5" "5, 5" "5 5" "5a" "5.0" "" "five" \
	    "99999999999999999999" "18446744073709551616" \
	    "9223372036854775808" "\"5\""; do
		reject $port b 400 "$(post "$cl: $v\r\n")"
	done
	reject $port b 400 "$(post "$cl: 5\r\n$cl: 6\r\n")"
	reject $port b 400 "$(post "$cl: 6\r\n$cl: 5\r\n")"
	reject $port b 400 "$(post "$cl: 5\r\nX-A: b\r\n$cl: 50\r\n")"
	backend_only $port b
}
content_length_rejected_cleanup()
{
	stop_all
}

atf_test_case content_length_repeated cleanup
content_length_repeated_head()
{
	atf_set descr "equal Content-Length fields are sent on as one"
	atf_set require.user root
}
content_length_repeated_body()
{
	request_setup
	send $port "$(post "Content-Length: 5\r\nContent-Length: 5\r\nConnection: close\r\n")" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	atf_check_equal "$(body_of ok.out)" "hello"
	atf_check -o inline:"1\n" -x \
	    "tr -d '\r' < rec-b/all.raw | sed '/^\$/q' | grep -ci '^content-length:'"
	atf_check -o inline:"Content-Length: 5\n" -x \
	    "tr -d '\r' < rec-b/all.raw | sed '/^\$/q' | grep -i '^content-length:'"
	# Leading zeros are digits; proxyd writes the value itself.
	rm -f rec-b/all.raw
	send $port "$(post "Content-Length: 005\r\nContent-Length: 5\r\nConnection: close\r\n")" \
	    > ok2.out
	atf_check_equal "$(status_of ok2.out)" "200"
	atf_check_equal "$(body_of ok2.out)" "hello"
	atf_check -o inline:"Content-Length: 5\n" -x \
	    "tr -d '\r' < rec-b/all.raw | sed '/^\$/q' | grep -i '^content-length:'"
	# Whitespace around a field value is not part of it (RFC 9110 5.5).
	rm -f rec-b/all.raw
	send $port "$(post "Content-Length: \t5 \t\r\nConnection: close\r\n")" \
	    > ok3.out
	atf_check_equal "$(status_of ok3.out)" "200"
	atf_check_equal "$(body_of ok3.out)" "hello"
	atf_check -o inline:"Content-Length: 5\n" -x \
	    "tr -d '\r' < rec-b/all.raw | sed '/^\$/q' | grep -i '^content-length:'"
}
content_length_repeated_cleanup()
{
	stop_all
}

atf_test_case field_syntax_rejected cleanup
field_syntax_rejected_head()
{
	atf_set descr "obs-fold, whitespace before the colon and a field name" \
	    "that is not a token are a 400"
	atf_set require.user root
}
field_syntax_rejected_body()
{
	request_setup
	for f in "X-A: a\r\n b" "X-A: a\r\n\tb" "X-A: a\r\n  \r\nX-B: c" \
	    "X-A : b" "X-A\t: b" "Host : app" "X(A): b" "X A: b" ": b" \
	    "X\x80A: b" "X@A: b" "X\"A: b" "X-A b" "X[A]: b" "X/A: b" \
	    "X\x00A: b" "X-A\x7f: b"; do
		reject $port b 400 "GET / HTTP/1.1\r\n$H$f\r\n\r\n"
	done
	# A fold right after the request line.
	reject $port b 400 "GET / HTTP/1.1\r\n Host: app\r\n\r\n"
	reject $port b 400 "GET / HTTP/1.1\r\n\tX-A: b\r\n$H\r\n"
	backend_only $port b
}
field_syntax_rejected_cleanup()
{
	stop_all
}

atf_test_case field_value_rejected cleanup
field_value_rejected_head()
{
	atf_set descr "NUL, CR, control bytes and DEL in a field value are a 400"
	atf_set require.user root
}
field_value_rejected_body()
{
	request_setup
	for c in '\x00' '\r' '\x01' '\x08' '\x0b' '\x0c' '\x1b' '\x1f' \
	    '\x7f'; do
		reject $port b 400 "GET / HTTP/1.1\r\n${H}X-A: a${c}b\r\n\r\n"
		reject $port b 400 "GET / HTTP/1.1\r\n${H}X-A: ab${c}\r\n\r\n"
	done
	# In the Host value too.
	reject $port b 400 "GET / HTTP/1.1\r\nHost: ap\x7fp\r\n\r\n"
	backend_only $port b
}
field_value_rejected_cleanup()
{
	stop_all
}

atf_test_case field_value_accepted cleanup
field_value_accepted_head()
{
	atf_set descr "HTAB and bytes 0x80-0xFF in a field value are relayed" \
	    "as they are"
	atf_set require.user root
}
field_value_accepted_body()
{
	request_setup
	send $port "GET /v HTTP/1.1\r\n${H}X-Tab: a\tb\r\nX-High: caf\xe9 \x80\xff\r\nConnection: close\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	backend_has b "\r\nX-Tab: a\tb\r\n" || \
	    atf_fail "X-Tab not relayed as it was: $(shown rec-b/all.raw)"
	backend_has b "\r\nX-High: caf\xe9 \x80\xff\r\n" || \
	    atf_fail "X-High not relayed as it was: $(shown rec-b/all.raw)"
}
field_value_accepted_cleanup()
{
	stop_all
}

atf_test_case chunked_rejected cleanup
chunked_rejected_head()
{
	atf_set descr "an invalid chunk size or extension, a size over" \
	    "2^63-1 and a chunk line without CRLF are a 400, and nothing" \
	    "of such a request reaches the backend"
	atf_set require.user root
}
chunked_rejected_body()
{
	request_setup
	for c in "zz\r\nabc\r\n0\r\n\r\n" "\r\nabc\r\n0\r\n\r\n" \
	    "-3\r\nabc\r\n0\r\n\r\n" "0x3\r\nabc\r\n0\r\n\r\n" \
	    " 3\r\nabc\r\n0\r\n\r\n" "+3\r\nabc\r\n0\r\n\r\n" \
	    "8000000000000000\r\nabc\r\n0\r\n\r\n" \
	    "ffffffffffffffff\r\nabc\r\n0\r\n\r\n" \
	    "10000000000000003\r\nabc\r\n0\r\n\r\n" \
	    "3;\r\nabc\r\n0\r\n\r\n" "3;=x\r\nabc\r\n0\r\n\r\n" \
	    "3;a=\r\nabc\r\n0\r\n\r\n" "3;a=\"x\r\nabc\r\n0\r\n\r\n" \
	    "3;a b\r\nabc\r\n0\r\n\r\n" "3;a=b c\r\nabc\r\n0\r\n\r\n" \
	    "3;a=\x01\r\nabc\r\n0\r\n\r\n" "3 \r\nabc\r\n0\r\n\r\n" \
	    "3\nabc\r\n0\r\n\r\n" "3;a=b\nabc\r\n0\r\n\r\n" \
	    "3\rabc\r\n0\r\n\r\n" "3\r\nabc\n0\r\n\r\n" \
	    "3\r\nabcX\r\n0\r\n\r\n" "3\r\nabc0\r\n\r\n" \
	    "3\r\nabc\r\n0\n\r\n" "3\r\nabc\r\n0\r\n\n" \
	    "3\r\nabc\r\n0\r\nX A: b\r\n\r\n" \
	    "3\r\nabc\r\n0\r\nX-A: \x01\r\n\r\n" \
	    "3\r\nabc\r\n0\r\n b\r\n\r\n"; do
		reject $port b 400 "$(chunked "$c")"
	done
	backend_only $port b
}
chunked_rejected_cleanup()
{
	stop_all
}

atf_test_case host_rejected cleanup
host_rejected_head()
{
	atf_set descr "HTTP/1.1 without Host, with two, or with a Host that" \
	    "is not host[:port] is a 400"
	atf_set require.user root
}
host_rejected_body()
{
	request_setup
	reject $port b 400 "GET / HTTP/1.1\r\n\r\n"
	reject $port b 400 "GET / HTTP/1.1\r\nX-A: b\r\n\r\n"
	reject $port b 400 "GET / HTTP/1.1\r\nHost: app\r\nHost: app\r\n\r\n"
	reject $port b 400 \
	    "GET / HTTP/1.1\r\nHost: app\r\nHost: other.example\r\n\r\n"
	for h in "" "a b" "a/b" "a:b" "app:99999" "app:123456" \
	    "[::1" "::1" "user@app" "app:80:80" "a,b" "a;b" "app\\\\x" \
	    "http://app" "app?x" "app#x" "[::1]x" "[zz::1]"; do
		reject $port b 400 "GET / HTTP/1.1\r\nHost: $h\r\n\r\n"
	done
	# Host is checked in HTTP/1.0 too.
	reject $port b 400 "GET / HTTP/1.0\r\nHost: a/b\r\n\r\n"
	backend_only $port b
	# Accepted forms, and HTTP/1.0 needs no Host.
	for h in "app" "app:8080" "127.0.0.1" "127.0.0.1:1" "[::1]" \
	    "[::1]:80" "APP.example"; do
		send $port "GET / HTTP/1.1\r\nHost: $h\r\nConnection: close\r\n\r\n" \
		    > ok.out
		atf_check_equal "$h $(status_of ok.out)" "$h 200"
	done
	send $port "GET /ten HTTP/1.0\r\n\r\n" > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^GET /ten HTTP/1.1"
}
host_rejected_cleanup()
{
	stop_all
}

atf_test_case absolute_form cleanup
absolute_form_head()
{
	atf_set descr "an absolute-form target chooses the server; naming no" \
	    "server of the listener is a 400"
	atf_set require.user root
}
absolute_form_body()
{
	request_setup
	reject $port b 400 "GET http://nosuch.example/x HTTP/1.1\r\n$H\r\n"
	reject $port b 400 "GET http://nosuch.example/x HTTP/1.0\r\n\r\n"
	reject $port b 400 "GET http://nosuch.example HTTP/1.1\r\n$H\r\n"
	reject $port b 400 "GET ftp://app/x HTTP/1.1\r\n$H\r\n"
	reject $port b 400 "GET http:///x HTTP/1.1\r\n$H\r\n"
	reject $port b 400 "GET http://a b/x HTTP/1.1\r\n$H\r\n"
	backend_only $port b

	# The authority wins over Host, case-insensitive, port ignored.
	send $port "GET http://other.example/x HTTP/1.1\r\n${H}Connection: close\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^GET /other/x HTTP/1.1"
	send $port "GET http://OTHER.Example:9999/y?q=1 HTTP/1.1\r\n${H}Connection: close\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^GET /other/y\?q=1 HTTP/1.1"
	send $port "GET http://app.example HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^GET / HTTP/1.1"
	send $port "GET http://app.example?x=1 HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^GET /\?x=1 HTTP/1.1"
}
absolute_form_cleanup()
{
	stop_all
}

atf_test_case connect_trace cleanup
connect_trace_head()
{
	atf_set descr "CONNECT and TRACE are a 405 with Allow"
	atf_set require.user root
}
connect_trace_body()
{
	request_setup
	reject $port b 405 "CONNECT app:443 HTTP/1.1\r\nHost: app:443\r\n\r\n"
	allow=$(field_of reject.out Allow)
	[ -n "$allow" ] || atf_fail "405 without Allow"
	echo "$allow" | grep -qE "CONNECT|TRACE" && atf_fail "Allow: $allow"
	reject $port b 405 "TRACE / HTTP/1.1\r\n$H\r\n"
	reject $port b 405 "TRACE /x HTTP/1.0\r\n\r\n"
	reject $port b 405 "CONNECT 127.0.0.1:$bport HTTP/1.0\r\n\r\n"
	backend_only $port b
}
connect_trace_cleanup()
{
	stop_all
}

# check_framing FILE: every line of the request head in FILE ends in
# CRLF, and its chunked body has bare hexadecimal sizes and no trailer.
check_framing()
{
	python3 -c 'import re, sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"\r\n\r\n") + 4
head, body = d[:i], d[i:]
if re.search(b"[^\r]\n", head):
    sys.exit("a head line without CRLF: %r" % head)
while True:
    m = re.match(b"([0-9a-f]+)\r\n", body)
    if m is None:
        sys.exit("bad chunk size line: %r" % body[:40])
    n = int(m.group(1), 16)
    body = body[m.end():]
    if n == 0:
        break
    if body[n:n + 2] != b"\r\n":
        sys.exit("no CRLF after chunk data: %r" % body[:n + 2])
    body = body[n + 2:]
if body != b"\r\n":
    sys.exit("trailer or garbage after the last chunk: %r" % body)' "$1"
}

atf_test_case bare_lf_head cleanup
bare_lf_head_head()
{
	atf_set descr "bare LF line endings are accepted in the request head" \
	    "and the backend gets CRLF"
	atf_set require.user root
}
bare_lf_head_body()
{
	request_setup
	send $port "GET /lf HTTP/1.1\nHost: app\nX-A: b\nConnection: close\n\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	body_match ok.out "^X-A: b$"
	send $port "POST /echo HTTP/1.1\r\nHost: app\nTransfer-Encoding: chunked\r\nConnection: close\n\n3\r\nabc\r\n0\r\n\r\n" \
	    > ok2.out
	atf_check_equal "$(status_of ok2.out)" "200"
	atf_check_equal "$(body_of ok2.out)" "abc"
	python3 -c 'import re, sys
d = open(sys.argv[1], "rb").read()
sys.exit(1 if re.search(b"[^\r]\n", d) else 0)' rec-b/all.raw || \
	    atf_fail "a bare LF reached the backend: $(shown rec-b/all.raw)"
}
bare_lf_head_cleanup()
{
	stop_all
}

atf_test_case head_rewritten cleanup
head_rewritten_head()
{
	atf_set descr "the head and the chunk framing the backend gets are" \
	    "written by proxyd: CRLF, no extensions, no trailers"
	atf_set require.user root
}
head_rewritten_body()
{
	request_setup
	send $port "POST /echo HTTP/1.1\r\nHost: app\r\nX-Tight:v\r\nX-Ws: v \t\r\nTransfer-Encoding: Chunked\r\nTrailer: X-Trailer\r\nConnection: close\r\n\r\n3;foo=bar\r\nabc\r\n02;q=\"x y\";r\r\nde\r\n0;z=1\r\nX-Trailer: secret-trailer\r\nX-Other: u\r\n\r\n" \
	    > ok.out
	atf_check_equal "$(status_of ok.out)" "200"
	atf_check_equal "$(body_of ok.out)" "abcde"
	check_framing rec-b/all.raw || atf_fail "framing: $(shown rec-b/all.raw)"
	backend_has b "\r\nX-Tight: v\r\n" || atf_fail "X-Tight not rewritten"
	backend_has b "\r\nX-Ws: v\r\n" || atf_fail "X-Ws not rewritten"
	backend_has b "\r\nTransfer-Encoding: chunked\r\n" || \
	    atf_fail "Transfer-Encoding not written by proxyd"
	for s in "foo" "bar" ";" "secret-trailer" "X-Other" "Trailer:" \
	    "x y"; do
		if grep -qaF -- "$s" rec-b/all.raw; then
			atf_fail "\"$s\" reached the backend: $(shown rec-b/all.raw)"
		fi
	done
}
head_rewritten_cleanup()
{
	stop_all
}

atf_test_case rejected_closes cleanup
rejected_closes_head()
{
	atf_set descr "after a rejection proxyd closes: a pipelined request" \
	    "is not served"
	atf_set require.user root
}
rejected_closes_body()
{
	request_setup
	second="GET /second HTTP/1.1\r\n$H\r\n"
	one()
	{
		reject $port b $1 "$2$second"
		n=$(responses reject.out)
		[ "$n" -eq 1 ] || atf_fail "$n responses to: $2"
	}
	one 505 "GET / HTTP/1.2\r\n$H\r\n"
	one 400 "GET / HTTP/1.1\r\n${H}X A: b\r\n\r\n"
	one 400 "GET / HTTP/1.1\r\n\r\n"
	one 400 "$(chunked "zz\r\n\r\n")"
	one 405 "TRACE / HTTP/1.1\r\n$H\r\n"
	one 400 "GET /%2f HTTP/1.1\r\n$H\r\n"
	backend_only $port b
}
rejected_closes_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case method_not_token
	atf_add_test_case version_rejected
	atf_add_test_case target_bytes
	atf_add_test_case transfer_encoding_rejected
	atf_add_test_case content_length_rejected
	atf_add_test_case content_length_repeated
	atf_add_test_case field_syntax_rejected
	atf_add_test_case field_value_rejected
	atf_add_test_case field_value_accepted
	atf_add_test_case chunked_rejected
	atf_add_test_case host_rejected
	atf_add_test_case absolute_form
	atf_add_test_case connect_trace
	atf_add_test_case bare_lf_head
	atf_add_test_case head_rewritten
	atf_add_test_case rejected_closes
}
