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

# Header rules (SPEC 4 items 7 and 8): hop-by-hop fields removed both
# ways and a Connection token unable to remove what must stay, the
# forwarded fields, Via in its four modes, preserve host, and the reverse
# rewriting of response URLs and cookies to the public name.

. $(atf_get_srcdir)/lib.subr

headers_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "server \"app\" {" \
	    "	alias \"app.example\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/voff\" { via off }" \
	    "	location \"/vfull\" { via full }" \
	    "	location \"/vblock\" { via block }" \
	    "	location \"/keep\" { preserve host }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

H="Host: app\r\n"
C="Connection: close\r\n"

# ask REQUEST-LINE-AND-FIELDS [BODY]: send them with Connection: close,
# an empty line and BODY; the answer is in ask.out.
ask()
{
	send $port "$1$C\r\n$2" > ask.out
	[ "$(status_of ask.out)" = "200" ] || \
	    atf_fail "$(head -1 ask.out) for: $1"
}

# seen NAME: the values of field NAME the backend saw in the last
# request (the default route lists them in its answer).
seen()
{
	body_of ask.out | sed -n "s/^$1: //Ip"
}

# got NAME: the values of field NAME in the last answer.
got()
{
	field_of ask.out "$1"
}

atf_test_case hop_by_hop_request cleanup
hop_by_hop_request_head()
{
	atf_set descr "hop-by-hop fields and those Connection names are not" \
	    "sent to the backend"
	atf_set require.user root
}
hop_by_hop_request_body()
{
	headers_setup
	ask "GET /h HTTP/1.1\r\n${H}Connection: keep-alive, X-Secret\r\nconnection: x-other\r\nX-Secret: s\r\nX-Other: o\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade: foo/2\r\nProxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\nX-Kept: k\r\nAuthorization: Basic dXNlcjpwdw==\r\n"
	for f in X-Secret X-Other Keep-Alive TE Trailer Upgrade \
	    Proxy-Authorization Proxy-Connection; do
		[ -z "$(seen $f)" ] || atf_fail "$f reached the backend"
	done
	seen Connection | grep -qi "secret\|other" && \
	    atf_fail "the client's Connection reached the backend"
	atf_check_equal "$(seen X-Kept)" "k"
	# A server without authenticate passes Authorization on.
	atf_check_equal "$(seen Authorization)" "Basic dXNlcjpwdw=="
}
hop_by_hop_request_cleanup()
{
	stop_all
}

atf_test_case connection_protected cleanup
connection_protected_head()
{
	atf_set descr "a Connection token cannot remove Host, the framing" \
	    "fields or the fields proxyd sets"
	atf_set require.user root
}
connection_protected_body()
{
	headers_setup
	prot="Host, Content-Length, Transfer-Encoding, X-Forwarded-For"
	prot="$prot, X-Forwarded-Proto, X-Forwarded-Host, Via"
	ask "POST /p HTTP/1.1\r\n${H}Connection: $prot, X-Gone\r\nX-Gone: g\r\nX-Forwarded-For: 192.0.2.1\r\nVia: 1.0 fred\r\nContent-Length: 3\r\n" abc
	atf_check_equal "$(seen Host)" "127.0.0.1:$bport"
	atf_check_equal "$(seen Content-Length)" "3"
	atf_check_equal "$(seen X-Forwarded-For)" "192.0.2.1, 127.0.0.1"
	atf_check_equal "$(seen X-Forwarded-Proto)" "http"
	atf_check_equal "$(seen X-Forwarded-Host)" "app"
	atf_check_equal "$(seen Via)" "1.0 fred, 1.1 app"
	atf_check_equal "$(seen X-Gone)" ""
	body_match ask.out "^body: 3 bytes$"
	# The same for a chunked body.
	ask "POST /p HTTP/1.1\r\n${H}Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n" \
	    "3\r\nabc\r\n0\r\n\r\n"
	seen Transfer-Encoding | grep -qix chunked || \
	    atf_fail "Transfer-Encoding removed: $(shown ask.out)"
	body_match ask.out "^body: 3 bytes$"
}
connection_protected_cleanup()
{
	stop_all
}

atf_test_case hop_by_hop_response cleanup
hop_by_hop_response_head()
{
	atf_set descr "hop-by-hop fields of a response and those its" \
	    "Connection names are not passed to the client"
	atf_set require.user root
}
hop_by_hop_response_body()
{
	headers_setup
	ask "GET /fields?Connection=X-Resp-Secret%2C+Content-Length%2C+Via%2C+Date&X-Resp-Secret=s&Keep-Alive=timeout%3D5&Trailer=X-T&Upgrade=foo&Proxy-Authenticate=Basic&Proxy-Connection=keep-alive&TE=trailers&X-Kept=k HTTP/1.1\r\n$H"
	for f in X-Resp-Secret Keep-Alive Trailer Upgrade Proxy-Authenticate \
	    Proxy-Connection TE; do
		[ -z "$(got $f)" ] || atf_fail "$f reached the client"
	done
	got Connection | grep -qi "secret\|length\|via\|date" && \
	    atf_fail "the backend's Connection reached the client"
	atf_check_equal "$(got X-Kept)" "k"
	atf_check_equal "$(got Content-Length)" "7"
	[ -n "$(got Date)" ] || atf_fail "Date was removed"
	[ -n "$(got Via)" ] || atf_fail "Via was removed"
	atf_check_equal "$(body_of ask.out)" "fields"
}
hop_by_hop_response_cleanup()
{
	stop_all
}

atf_test_case forwarded cleanup
forwarded_head()
{
	atf_set descr "X-Forwarded-For gets the client appended," \
	    "X-Forwarded-Proto and X-Forwarded-Host are replaced"
	atf_set require.user root
}
forwarded_body()
{
	headers_setup
	ask "GET / HTTP/1.1\r\nHost: app.example:$port\r\nX-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-For: 192.0.2.2, 192.0.2.3\r\nX-Forwarded-Host: evil.example\r\nx-forwarded-proto: https\r\nx-forwarded-host: evil2.example\r\n"
	atf_check_equal "$(seen X-Forwarded-For)" \
	    "192.0.2.1, 192.0.2.2, 192.0.2.3, 127.0.0.1"
	atf_check_equal "$(seen X-Forwarded-Proto)" "http"
	atf_check_equal "$(seen X-Forwarded-Host)" "app.example:$port"
	ask "GET / HTTP/1.1\r\n$H"
	atf_check_equal "$(seen X-Forwarded-For)" "127.0.0.1"
	atf_check_equal "$(seen X-Forwarded-Proto)" "http"
	atf_check_equal "$(seen X-Forwarded-Host)" "app"
	# An absolute-form target is the Host (RFC 9112 3.2.2).
	ask "GET http://app.example:$port/ HTTP/1.1\r\nHost: evil.example\r\n"
	atf_check_equal "$(seen X-Forwarded-Host)" "app.example:$port"
	ask "GET http://app.example:$port/ HTTP/1.0\r\n"
	atf_check_equal "$(seen X-Forwarded-Host)" "app.example:$port"
}
forwarded_cleanup()
{
	stop_all
}

atf_test_case via_on cleanup
via_on_head()
{
	atf_set descr "via on appends 1.1 NAME (1.0 for HTTP/1.0) to requests" \
	    "and responses"
	atf_set require.user root
}
via_on_body()
{
	headers_setup
	ask "GET / HTTP/1.1\r\n$H"
	atf_check_equal "$(seen Via)" "1.1 app"
	atf_check_equal "$(got Via)" "1.1 app"
	ask "GET / HTTP/1.1\r\n${H}Via: 1.0 fred\r\nVia: 1.1 barney\r\n"
	atf_check_equal "$(seen Via)" "1.0 fred, 1.1 barney, 1.1 app"
	ask "GET / HTTP/1.0\r\n"
	atf_check_equal "$(seen Via)" "1.0 app"
	ask "GET /fields?Via=1.1+back HTTP/1.1\r\n$H"
	atf_check_equal "$(got Via)" "1.1 back, 1.1 app"
}
via_on_cleanup()
{
	stop_all
}

atf_test_case via_off cleanup
via_off_head()
{
	atf_set descr "via off leaves Via as it is both ways"
	atf_set require.user root
}
via_off_body()
{
	headers_setup
	ask "GET /voff HTTP/1.1\r\n$H"
	atf_check_equal "$(seen Via)" ""
	atf_check_equal "$(got Via)" ""
	ask "GET /voff HTTP/1.1\r\n${H}Via: 1.0 fred\r\n"
	atf_check_equal "$(seen Via)" "1.0 fred"
	ask "GET /voff/fields?Via=1.1+back HTTP/1.1\r\n$H"
	atf_check_equal "$(got Via)" "1.1 back"
}
via_off_cleanup()
{
	stop_all
}

atf_test_case via_full cleanup
via_full_head()
{
	atf_set descr "via full adds the proxyd version as a comment"
	atf_set require.user root
}
via_full_body()
{
	headers_setup
	ask "GET /vfull HTTP/1.1\r\n${H}Via: 1.0 fred\r\n"
	seen Via | grep -qE '^1\.0 fred, 1\.1 app \(proxyd/[0-9][0-9.]*\)$' || \
	    atf_fail "request Via: $(seen Via)"
	got Via | grep -qE '^1\.1 app \(proxyd/[0-9][0-9.]*\)$' || \
	    atf_fail "response Via: $(got Via)"
	ask "GET /vfull HTTP/1.0\r\n"
	seen Via | grep -qE '^1\.0 app \(proxyd/[0-9][0-9.]*\)$' || \
	    atf_fail "HTTP/1.0 request Via: $(seen Via)"
}
via_full_cleanup()
{
	stop_all
}

atf_test_case via_block cleanup
via_block_head()
{
	atf_set descr "via block removes Via from requests and adds none"
	atf_set require.user root
}
via_block_body()
{
	headers_setup
	ask "GET /vblock HTTP/1.1\r\n${H}Via: 1.0 fred\r\nVia: 1.1 barney\r\n"
	atf_check_equal "$(seen Via)" ""
	got Via | grep -q "app" && atf_fail "Via added: $(got Via)"
	return 0
}
via_block_cleanup()
{
	stop_all
}

atf_test_case preserve_host cleanup
preserve_host_head()
{
	atf_set descr "the backend gets its own host and port, or with" \
	    "preserve host the client's Host"
	atf_set require.user root
}
preserve_host_body()
{
	headers_setup
	ask "GET /x HTTP/1.1\r\nHost: app.example:$port\r\n"
	atf_check_equal "$(seen Host)" "127.0.0.1:$bport"
	ask "GET /keep/x HTTP/1.1\r\nHost: app.example:$port\r\n"
	atf_check_equal "$(seen Host)" "app.example:$port"
	ask "GET /keep/x HTTP/1.1\r\nHost: Other.Example\r\n"
	atf_check_equal "$(seen Host)" "Other.Example"
	# An absolute-form target is the Host (RFC 9112 3.2.2).
	ask "GET http://app.example:$port/keep/x HTTP/1.1\r\nHost: evil.example\r\n"
	atf_check_equal "$(seen Host)" "app.example:$port"
	ask "GET http://App.Example/keep/x HTTP/1.0\r\n"
	atf_check_equal "$(seen Host)" "App.Example"
}
preserve_host_cleanup()
{
	stop_all
}

# A server with proxied locations only, first on its listener, and one
# proxying its root after it.
reverse_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "server \"rev.example\" {" \
	    "	alias \"app.example\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/app1\" { proxy to \"http://127.0.0.1:$bport/base/\" }" \
	    "	location \"/rev\" {" \
	    "		proxy to \"http://127.0.0.1:$bport/r/\"" \
	    "		reverse \"http://internal.example/old/\"" \
	    "	}" \
	    "	location \"/nop\" { no proxy }" \
	    "	no proxy" \
	    "}" \
	    "server \"root.example\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

# rewritten LOCATION WANT [HOST [PREFIX]]: a backend Location LOCATION
# reaches the client as WANT.
rewritten()
{
	_q=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")
	ask "GET ${4:-/app1}/fields?Location=${_q} HTTP/1.1\r\nHost: ${3:-app.example:$port}\r\n"
	[ "$(got Location)" = "$2" ] || \
	    atf_fail "Location $1 became \"$(got Location)\", not $2"
}

atf_test_case reverse_location cleanup
reverse_location_head()
{
	atf_set descr "Location naming the backend is rewritten to the" \
	    "public scheme, host and prefix; other URLs are not"
	atf_set require.user root
}
reverse_location_body()
{
	reverse_setup
	b="http://127.0.0.1:$bport"
	pub="http://app.example:$port"
	rewritten "$b/base/x" "$pub/app1/x"
	rewritten "$b/base/x/y?q=1&r=%2F" "$pub/app1/x/y?q=1&r=%2F"
	rewritten "$b/base/" "$pub/app1/"
	rewritten "$b/base" "$pub/app1"
	rewritten "$b/base?q" "$pub/app1?q"
	rewritten "$b/base/x#f" "$pub/app1/x#f"
	rewritten "HTTP://127.0.0.1:$bport/base/x" "$pub/app1/x"
	rewritten "/base/y" "$pub/app1/y"
	rewritten "/base" "$pub/app1"
	# The Host as sent, when it names the server; else the name.
	rewritten "$b/base/x" "http://APP.example/app1/x" "APP.example"
	rewritten "$b/base/x" "http://rev.example/app1/x" "nosuch.example:$port"
	# An absolute-form target is the Host (RFC 9112 3.2.2).
	q=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$b/base/x")
	for v in "1.1\r\nHost: evil.example" "1.0"; do
		ask "GET http://app.example:$port/app1/fields?Location=$q HTTP/$v\r\n"
		atf_check_equal "$(got Location)" "$pub/app1/x"
	done
	# From the other location of the server.
	rewritten "$b/r/z" "$pub/rev/z"
	# The extra reverse URL: host case-insensitive, default port.
	rewritten "http://internal.example/old/z" "$pub/rev/z" "" /rev
	rewritten "http://INTERNAL.Example/old/z" "$pub/rev/z" "" /rev
	rewritten "http://internal.example:80/old/z" "$pub/rev/z" "" /rev
	rewritten "http://internal.example/old" "$pub/rev" "" /rev
	# Not the backend: left alone.
	for u in "http://127.0.0.1:$((bport + 1))/base/x" \
	    "http://localhost:$bport/base/x" "https://127.0.0.1:$bport/base/x" \
	    "http://127.0.0.1/base/x" "$b/based/x" "$b/other/x" "$b/" "$b" \
	    "/other/y" "/based" "//127.0.0.1:$bport/base/x" "base/x" \
	    "http://internal.example:8080/old/z" "https://internal.example/old/z" \
	    "http://internal.example/older" "http://example.org/base/x" \
	    "http://user@127.0.0.1:$bport/base/x"; do
		rewritten "$u" "$u"
	done
}
reverse_location_cleanup()
{
	stop_all
}

atf_test_case reverse_other_fields cleanup
reverse_other_fields_head()
{
	atf_set descr "Content-Location and URI are rewritten like Location"
	atf_set require.user root
}
reverse_other_fields_body()
{
	reverse_setup
	ask "GET /app1/fields?Content-Location=http%3A%2F%2F127.0.0.1%3A$bport%2Fbase%2Fc&URI=%2Fbase%2Fu&X-Other=http%3A%2F%2F127.0.0.1%3A$bport%2Fbase%2Fo HTTP/1.1\r\nHost: app.example:$port\r\n"
	atf_check_equal "$(got Content-Location)" \
	    "http://app.example:$port/app1/c"
	atf_check_equal "$(got URI)" "http://app.example:$port/app1/u"
	atf_check_equal "$(got X-Other)" "http://127.0.0.1:$bport/base/o"
	# The redirect route of the backend, through a server at the root.
	send $port "GET /redirect?http://127.0.0.1:$bport/a/b HTTP/1.1\r\nHost: root.example:$port\r\n$C\r\n" \
	    > redir.out
	atf_check_equal "$(status_of redir.out)" "302"
	atf_check_equal "$(field_of redir.out Location)" \
	    "http://root.example:$port/a/b"
}
reverse_other_fields_cleanup()
{
	stop_all
}

# cookie SET-COOKIE WANT [HOST [PREFIX]]: a backend Set-Cookie reaches
# the client as WANT.
cookie()
{
	_q=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")
	ask "GET ${4:-/app1}/fields?Set-Cookie=${_q} HTTP/1.1\r\nHost: ${3:-app.example:$port}\r\n"
	[ "$(got Set-Cookie)" = "$2" ] || \
	    atf_fail "Set-Cookie $1 became \"$(got Set-Cookie)\", not $2"
}

atf_test_case reverse_cookie cleanup
reverse_cookie_head()
{
	atf_set descr "Set-Cookie Path below the backend path and Domain of" \
	    "the backend host are rewritten"
	atf_set require.user root
}
reverse_cookie_body()
{
	reverse_setup
	cookie "a=1; Path=/base/sub; Domain=127.0.0.1" \
	    "a=1; Path=/app1/sub; Domain=app.example"
	cookie "a=1; Path=/base" "a=1; Path=/app1"
	cookie "a=1; Path=/base/" "a=1; Path=/app1/"
	cookie "a=1; path=/base/x; HttpOnly; Secure" \
	    "a=1; path=/app1/x; HttpOnly; Secure"
	cookie "a=1; Domain=127.0.0.1; Path=/base/x" \
	    "a=1; Domain=rev.example; Path=/app1/x" "nosuch.example"
	cookie "a=1; Domain=internal.example; Path=/old/q" \
	    "a=1; Domain=app.example; Path=/rev/q" "" /rev
	cookie "a=1; Domain=Internal.Example" "a=1; Domain=app.example" "" /rev
	# Each of several cookies.
	ask "GET /app1/fields?Set-Cookie=a%3D1%3B+Path%3D%2Fbase&Set-Cookie=b%3D2%3B+Path%3D%2Fbase%2Fx HTTP/1.1\r\nHost: app.example\r\n"
	atf_check_equal "$(got Set-Cookie | tr '\n' '|')" \
	    "a=1; Path=/app1|b=2; Path=/app1/x|"
	for c in "a=1; Path=/other" "a=1; Path=/based" "a=1; Domain=other.example" \
	    "a=1; Domain=127.0.0.2" "a=/base/x; Max-Age=5" "a=1"; do
		cookie "$c" "$c"
	done
}
reverse_cookie_cleanup()
{
	stop_all
}

atf_test_case no_proxy cleanup
no_proxy_head()
{
	atf_set descr "no proxy answers 404 without asking the backend"
	atf_set require.user root
}
no_proxy_body()
{
	reverse_setup
	for t in /nop /nop/x "/nop;a/b" /elsewhere /; do
		send $port "GET $t HTTP/1.1\r\nHost: app.example\r\n$C\r\n" \
		    > np.out
		atf_check_equal "$t $(status_of np.out)" "$t 404"
	done
	backend_only $port b root.example
}
no_proxy_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case hop_by_hop_request
	atf_add_test_case connection_protected
	atf_add_test_case hop_by_hop_response
	atf_add_test_case forwarded
	atf_add_test_case via_on
	atf_add_test_case via_off
	atf_add_test_case via_full
	atf_add_test_case via_block
	atf_add_test_case preserve_host
	atf_add_test_case reverse_location
	atf_add_test_case reverse_other_fields
	atf_add_test_case reverse_cookie
	atf_add_test_case no_proxy
}
