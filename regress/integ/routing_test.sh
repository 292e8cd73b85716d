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

# Choosing the server and the location (SPEC 4 items 1, 3 and 4): path
# normalization before any matching, so that no spelling of an excluded
# path reaches the backend, first-match locations on segment boundaries,
# the prefix replaced by the backend path, server choice by Host, and
# redirects answered before any backend is asked.

. $(atf_get_srcdir)/lib.subr

# One server with an excluded part in front of its proxy.
paths_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/some/part\" { no proxy }" \
	    "	location \"/app1\" { proxy to \"http://127.0.0.1:$bport/base/\" }" \
	    "	location \"/app1/deep\" { no proxy }" \
	    "	location \"/app2/\" { proxy to \"http://127.0.0.1:$bport/two\" }" \
	    "	location \"/app3\" { proxy to \"http://127.0.0.1:$bport\" }" \
	    "	location \"/some\" { proxy to \"http://127.0.0.1:$bport/s/\" }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

# get TARGET [HOST]: one GET on its own connection, the answer in get.out.
get()
{
	send $port "GET $1 HTTP/1.1\r\nHost: ${2:-app}\r\nConnection: close\r\n\r\n" \
	    > get.out
}

# relayed TARGET PATH: TARGET is relayed, and the backend gets PATH.
relayed()
{
	get "$1"
	[ "$(status_of get.out)" = "200" ] || \
	    atf_fail "$1: $(head -1 get.out) instead of 200"
	_line=$(body_of get.out | head -1)
	[ "${_line}" = "GET $2 HTTP/1.1" ] || \
	    atf_fail "$1 reached the backend as \"${_line}\", not $2"
}

atf_test_case excluded_spellings cleanup
excluded_spellings_head()
{
	atf_set descr "no spelling of an excluded path reaches the backend"
	atf_set require.user root
}
excluded_spellings_body()
{
	paths_setup
	for t in "/some/part" "/some/part/" "/some/part/x" "//some//part" \
	    "/some/./part" "/x/../some/part" "/%73ome/part" "/some/%70art" \
	    "/%73%6F%6d%65/%70%61%72%74" "/some/part;x=1" "/some/part;x=1/y" \
	    "/some/part/." "/some/x/../part" "/%2e/some/part" \
	    "/some/%2E%2E/some/part" "/some/part?q=1" "/some/part/x/.." \
	    "/./some/part" "/some//part///x" "/some/part;/x" \
	    "/some;x=1/part" "/some;/part/x" "/%73ome;a/%70art;b" \
	    "http://app/some/part" "http://app//some/./part"; do
		send $port "GET $t HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n" \
		    > ex.out
		case "$(status_of ex.out)" in
		400|404)
			;;
		*)
			atf_fail "$t: $(head -1 ex.out)"
			;;
		esac
		backend_empty b "$t"
	done
	backend_only $port b
	# Matching is case-sensitive and on segment boundaries.
	relayed "/SOME/part" "/SOME/part"
	relayed "/some/Part" "/s/Part"
	relayed "/some/partial" "/s/partial"
	relayed "/some/par" "/s/par"
	relayed "/some/other/part" "/s/other/part"
}
excluded_spellings_cleanup()
{
	stop_all
}

atf_test_case bad_paths cleanup
bad_paths_head()
{
	atf_set descr "paths that climb above / or hide a separator, NUL or" \
	    "dot segment are a 400"
	atf_set require.user root
}
bad_paths_body()
{
	paths_setup
	for t in "/.." "/../x" "/a/../../b" "/a/b/../../../c" "/%2e%2e" \
	    "/%2E%2E/x" "/a/%2e%2E/%2e./b" "/%2F" "/%2f" "/a%2fb" "/a%2Fb" \
	    "/%5C" "/a%5cb" "/a%5Cb" "/a%00b" "/%00" "/a\\\\b" "\\\\a" \
	    "/a#b" "/public/..;/admin" "/public/.;/admin" \
	    "/public/..;x=1/admin" "/a/%2e%2e;/b" "/a%zz" "/a%4" "/a%" \
	    "/some/part%2f" "http://app/.." "http://app/a%2fb"; do
		reject $port b 400 \
		    "GET $t HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n"
	done
	backend_only $port b
}
bad_paths_cleanup()
{
	stop_all
}

atf_test_case normalized_path cleanup
normalized_path_head()
{
	atf_set descr "the backend gets the normalized path and the query" \
	    "as received"
	atf_set require.user root
}
normalized_path_body()
{
	paths_setup
	relayed "/a/%7e/./b" "/a/~/b"
	relayed "/n/%e9" "/n/%E9"
	relayed "/n/caf%c3%a9" "/n/caf%C3%A9"
	relayed "/n/%41%62%2D%5f%2E%7E" "/n/Ab-_.~"
	relayed "/n//x///y" "/n/x/y"
	relayed "/n/a/b/../c" "/n/a/c"
	relayed "/n/a/./b/." "/n/a/b/"
	relayed "/n/a/.." "/n/"
	relayed "/n/%3b%3D%40" "/n/%3B%3D%40"
	relayed "/n/a\"b" "/n/a%22b"
	relayed "/n/{x}|^\`" "/n/%7Bx%7D%7C%5E%60"
	relayed "/n/a;p=1/b" "/n/a;p=1/b"
	relayed "/n/a/~/b" "/n/a/~/b"
	relayed "/n?q=%2F..%2f&b=/../&c=%7e&d=%zz" \
	    "/n?q=%2F..%2f&b=/../&c=%7e&d=%zz"
	relayed "/n/.././x/?/../%7e" "/x/?/../%7e"
	relayed "/n?" "/n?"
	relayed "http://app/n/%7e/../y?z" "/n/y?z"
	# Normalizing twice gives the same.
	relayed "/n/%E9/%7Bx%7D/~" "/n/%E9/%7Bx%7D/~"
}
normalized_path_cleanup()
{
	stop_all
}

atf_test_case location_choice cleanup
location_choice_head()
{
	atf_set descr "the first matching location wins, on segment" \
	    "boundaries, and its prefix is replaced by the backend path"
	atf_set require.user root
}
location_choice_body()
{
	paths_setup
	relayed "/app1/x" "/base/x"
	relayed "/app1" "/base/"
	relayed "/app1/" "/base/"
	relayed "/app1/x/y?q=1" "/base/x/y?q=1"
	relayed "/app1?q" "/base/?q"
	relayed "/app1/x;p=1" "/base/x;p=1"
	# /app1/deep comes after /app1: never chosen.
	relayed "/app1/deep/x" "/base/deep/x"
	relayed "/app1x" "/app1x"
	relayed "/app1x/y" "/app1x/y"
	# A trailing / on the prefix is ignored; the base has none.
	relayed "/app2/x" "/two/x"
	relayed "/app2" "/two"
	relayed "/app2/" "/two/"
	relayed "/app2x" "/app2x"
	# A backend URL without a path.
	relayed "/app3/x" "/x"
	relayed "/app3" "/"
	relayed "/app3/" "/"
	relayed "/" "/"
	relayed "/other" "/other"
}
location_choice_cleanup()
{
	stop_all
}

# Three servers on one listener, two on another, all proxying to backend
# b below a path named after them.
servers_setup()
{
	port=$(free_port)
	port2=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "server \"one.example\" {" \
	    "	alias \"one\"" \
	    "	alias \"*.example.com\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/one/\"" \
	    "}" \
	    "server \"two.example\" {" \
	    "	alias \"*.deep.example.com\"" \
	    "	listen on 127.0.0.1 port $port2" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/two/\"" \
	    "}" \
	    "server \"three.example\" {" \
	    "	alias \"www.example.com\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"http://127.0.0.1:$bport/three/\"" \
	    "}" \
	    "server \"four.example\" {" \
	    "	listen on 127.0.0.1 port $port2" \
	    "	proxy to \"http://127.0.0.1:$bport/four/\"" \
	    "}"
	start_proxyd $port
	wait_port $port2 || atf_fail "proxyd does not listen on $port2"
}

# chosen HOST SERVER [PORT]: a request with this Host goes to SERVER.
chosen()
{
	send ${3:-$port} "GET /x HTTP/1.1\r\nHost: $1\r\nConnection: close\r\n\r\n" \
	    > chosen.out
	_line=$(body_of chosen.out | head -1)
	[ "${_line}" = "GET /$2/x HTTP/1.1" ] || \
	    atf_fail "Host $1 on port ${3:-$port}: \"${_line}\", not server $2"
}

atf_test_case server_by_host cleanup
server_by_host_head()
{
	atf_set descr "the server is chosen by Host: name, alias, the longest" \
	    "wildcard, case-insensitive, port and trailing dot ignored"
	atf_set require.user root
}
server_by_host_body()
{
	servers_setup
	chosen "one.example" one
	chosen "one" one
	chosen "ONE.Example" one
	chosen "one.example:1234" one
	chosen "one.example." one
	chosen "one.example.:80" one
	chosen "two.example" two
	chosen "three.example" three
	chosen "a.example.com" one
	chosen "A.EXAMPLE.COM:8080" one
	# The longest wildcard wins over an earlier shorter one.
	chosen "a.deep.example.com" two
	chosen "x.Deep.Example.Com." two
	# An exact name wins over a wildcard.
	chosen "www.example.com" three
	chosen "WWW.example.com:1" three
	# Unknown names go to the first server of the listener.
	chosen "nosuch.example" one
	chosen "four.example" one
	chosen "127.0.0.1" one
	chosen "[::1]:80" one
	send $port "GET /x HTTP/1.0\r\n\r\n" > chosen.out
	body_match chosen.out "^GET /one/x HTTP/1.1"
}
server_by_host_cleanup()
{
	stop_all
}

atf_test_case server_by_listener cleanup
server_by_listener_head()
{
	atf_set descr "each listener has its own servers and its own first one"
	atf_set require.user root
}
server_by_listener_body()
{
	servers_setup
	# An absolute-form target naming a server of another listener.
	reject $port2 b 400 \
	    "GET http://one.example/x HTTP/1.1\r\nHost: four.example\r\n\r\n"
	chosen "four.example" four $port2
	chosen "two.example" two $port2
	chosen "one.example" two $port2
	chosen "www.example.com" two $port2
	chosen "a.deep.example.com" two $port2
	chosen "nosuch" two $port2
	chosen "four.example" one $port
	send $port2 "GET http://FOUR.example/x HTTP/1.1\r\nHost: two.example\r\nConnection: close\r\n\r\n" \
	    > abs.out
	body_match abs.out "^GET /four/x HTTP/1.1"
}
server_by_listener_cleanup()
{
	stop_all
}

# A redirect server first on the listener, then a proxy server with a
# redirect location.
redirect_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "server \"redir.example\" {" \
	    "	alias \"r2.example\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/t302\" { redirect code 302 to \"http://\$SERVER_NAME/new\$REQUEST_URI\" }" \
	    "	location \"/t307\" { redirect code 307 to \"https://\$HOST/x\" }" \
	    "	location \"/t308\" { redirect code 308 to \"https://\$HOST:8443\$REQUEST_URI\" }" \
	    "	location \"/proxied\" { proxy to \"http://127.0.0.1:$bport/\" }" \
	    "	redirect to \"https://\$HOST\$REQUEST_URI\"" \
	    "}" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/old\" { redirect to \"http://\$SERVER_NAME/new\" }" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

# redirected REQUEST STATUS LOCATION: REQUEST is answered with STATUS and
# this Location, and nothing reaches the backend.
redirected()
{
	send $port "$1" > redir.out
	[ "$(status_of redir.out)" = "$2" ] || \
	    atf_fail "$1: $(head -1 redir.out) instead of $2"
	_loc=$(field_of redir.out Location)
	[ "${_loc}" = "$3" ] || atf_fail "$1: Location \"${_loc}\", not $3"
	[ "$(field_of redir.out Content-Length)" -ge 0 ] 2>/dev/null || \
	    atf_fail "$1: no Content-Length"
	backend_empty b "$1"
}

atf_test_case redirects cleanup
redirects_head()
{
	atf_set descr "redirects: status, Location with \$REQUEST_URI," \
	    "\$SERVER_NAME and \$HOST, before any backend is asked"
	atf_set require.user root
}
redirects_body()
{
	redirect_setup
	c="Connection: close\r\n\r\n"
	redirected "GET /a//b/../c?x=%41&y HTTP/1.1\r\nHost: r2.example:8080\r\n$c" \
	    301 "https://r2.example/a//b/../c?x=%41&y"
	redirected "GET /p?q HTTP/1.1\r\nHost: redir.example\r\n$c" \
	    301 "https://redir.example/p?q"
	# A Host naming no server: the server's name.
	redirected "GET /p HTTP/1.1\r\nHost: nosuch.example:81\r\n$c" \
	    301 "https://redir.example/p"
	redirected "GET /p%7e HTTP/1.0\r\n\r\n" 301 "https://redir.example/p%7e"
	redirected "GET http://r2.example:99/abs?q=1 HTTP/1.1\r\nHost: x\r\n$c" \
	    301 "https://r2.example/abs?q=1"
	# An empty path is "/" (RFC 9110 4.2.3).
	redirected "GET http://r2.example?q=1 HTTP/1.1\r\nHost: x\r\n$c" \
	    301 "https://r2.example/?q=1"
	redirected "GET http://r2.example HTTP/1.1\r\nHost: x\r\n$c" \
	    301 "https://r2.example/"
	redirected "GET /t302/z?k=v HTTP/1.1\r\nHost: r2.example\r\n$c" \
	    302 "http://redir.example/new/t302/z?k=v"
	redirected "GET /t307/z HTTP/1.1\r\nHost: r2.example\r\n$c" \
	    307 "https://r2.example/x"
	redirected "GET /t308/y?a=%2f HTTP/1.1\r\nHost: redir.example:1\r\n$c" \
	    308 "https://redir.example:8443/t308/y?a=%2f"
	redirected "GET /old/x HTTP/1.1\r\nHost: app\r\n$c" 301 "http://app/new"
	redirected "POST /old HTTP/1.1\r\nHost: app\r\nContent-Length: 3\r\n$c" \
	    301 "http://app/new"
	backend_only $port b app
	send $port "GET /proxied/x HTTP/1.1\r\nHost: r2.example\r\n$c" > p.out
	body_match p.out "^GET /x HTTP/1.1"
}
redirects_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case excluded_spellings
	atf_add_test_case bad_paths
	atf_add_test_case normalized_path
	atf_add_test_case location_choice
	atf_add_test_case server_by_host
	atf_add_test_case server_by_listener
	atf_add_test_case redirects
}
