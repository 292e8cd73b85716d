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

# Basic authentication through the real daemon (SPEC 4.6 and the
# authenticate, require, no authenticate and pass credentials statements
# of section 3): every hash format htpasswd, openssl passwd and mkpasswd
# write, the require forms, per location, credentials kept from the
# backend, malformed credentials, every spelling of a protected path,
# failures logged in the line fail2ban reads and counted, the cache of a
# kept-alive client, reload, and TLS.  User and group files are made by
# each test; every password is "pw-" and the user's name unless said.

. $(atf_get_srcdir)/lib.subr

AUTHCLIENT=${SRCDIR}/authclient.py

# The source tree, where etc/ is: the test directory holds symbolic
# links to regress/integ.
TREE=$(dirname "$(readlink -f "${SRCDIR}/lib.subr")")/../..

# b64 STRING: STRING in base64, on one line.
b64()
{
	printf '%s' "$1" | base64 -w0
}

# b64x STRING: STRING with Python escapes (\x00, \n) decoded, in base64.
b64x()
{
	python3 -c 'import base64, sys
s = sys.argv[1].encode("latin-1").decode("unicode_escape").encode("latin-1")
print(base64.b64encode(s).decode())' "$1"
}

# bcrypt_entry NAME [COST [PASSWORD]]: a user file line, as htpasswd -B
# writes it.
bcrypt_entry()
{
	htpasswd -nbB -C "${2:-5}" "$1" "${3:-pw-$1}" | head -1
}

# users_file FILE NAME...: a user file of bcrypt cost 5 entries.
users_file()
{
	_f=$1
	shift
	: > "${_f}"
	for _u in "$@"; do
		bcrypt_entry "${_u}" >> "${_f}"
	done
	chmod 600 "${_f}"
}

# backend_conf BPORT: the statement that relays to the backend on BPORT.
backend_conf()
{
	echo "proxy to \"http://127.0.0.1:$1/\""
}

# get PATH [CRED [HOST]]: GET PATH from proxyd on $port, Host HOST
# (default app), with Basic credentials CRED (user:password) if given;
# the head in head.txt, the body in body.txt; prints the status.
get()
{
	if [ -n "$2" ]; then
		curl -sS --max-time 10 --path-as-is -H "Host: ${3:-app}" \
		    -u "$2" -D head.txt -o body.txt -w '%{http_code}' \
		    "http://127.0.0.1:${port}$1" 2> curl.err
	else
		curl -sS --max-time 10 --path-as-is -H "Host: ${3:-app}" \
		    -D head.txt -o body.txt -w '%{http_code}' \
		    "http://127.0.0.1:${port}$1" 2> curl.err
	fi
}

# expect STATUS PATH [CRED [HOST]]: get must answer STATUS.
expect()
{
	_want=$1
	shift
	_got=$(get "$@")
	_who=${2:-no credentials}
	[ -n "$3" ] && _who="${_who}, Host $3"
	[ "${_got}" = "${_want}" ] || atf_fail "GET $1 (${_who}):" \
	    "${_got}, not ${_want} $(head -c 200 curl.err)"
}

# realm_is REALM: the last answer asked for Basic credentials of REALM.
realm_is()
{
	_wa=$(field_of head.txt WWW-Authenticate)
	[ "${_wa}" = "Basic realm=\"$1\", charset=\"UTF-8\"" ] || \
	    atf_fail "WWW-Authenticate: '${_wa}', not realm \"$1\""
}

# auth_failures: the "auth failures" count of proxyctl status.
auth_failures()
{
	ctl status | sed -n 's/^auth failures: //p'
}

# no_authorization BACKEND: backend BACKEND received no Authorization.
no_authorization()
{
	if tr -d '\r' < "${PWD}/rec-$1/all.raw" | grep -qi '^authorization:'
	then
		atf_fail "Authorization reached backend $1:" \
		    "$(tr -d '\r' < "${PWD}/rec-$1/all.raw" | \
		    grep -i '^authorization:' | head -1)"
	fi
}

# authorization_is BACKEND VALUE: backend BACKEND received Authorization
# with exactly VALUE.
authorization_is()
{
	tr -d '\r' < "${PWD}/rec-$1/all.raw" | \
	    grep -qixF "authorization: $2" || \
	    atf_fail "backend $1 did not receive Authorization: $2:" \
	    "$(tr -d '\r' < "${PWD}/rec-$1/all.raw" | \
	    grep -i '^authorization:' | head -1)"
}

# statuses PORT [FIELD]: GET each target of standard input, one a line
# (Host app), on a connection of its own; prints "STATUS TARGET" for
# each, the status "none" when proxyd closed without one.  With FIELD,
# each line is instead the value of an Authorization field for a GET of
# /no.
statuses()
{
	python3 -c 'import socket, sys
port = int(sys.argv[1])
for t in sys.stdin.read().splitlines():
    if len(sys.argv) > 2:
        req = ("GET /no HTTP/1.1\r\nHost: app\r\nAuthorization: %s\r\n"
               "Connection: close\r\n\r\n" % t)
    else:
        req = ("GET %s HTTP/1.1\r\nHost: app\r\nConnection: close"
               "\r\n\r\n" % t)
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(5)
    s.sendall(req.encode("latin-1"))
    data = b""
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
    except OSError:
        pass
    s.close()
    words = data.split(b"\r\n", 1)[0].split()
    print(words[1].decode() if len(words) > 1 else "none", t)' "$@"
}

# ---------------------------------------------------------------------

# add LINE, add_crlf LINE: append LINE to the file "users", ended by LF
# or by CRLF; nl counts the lines, for the FILE:LINE of warnings.
nl=0
add()
{
	printf '%s\n' "$1" >> users
	nl=$((nl + 1))
}
add_crlf()
{
	printf '%s\r\n' "$1" >> users
	nl=$((nl + 1))
}

atf_test_case hash_formats cleanup
hash_formats_head()
{
	atf_set descr "each hash format htpasswd, openssl passwd and" \
	    "mkpasswd write admits the right password only; plaintext, DES" \
	    "and unknown entries never match and are warned with FILE:LINE"
	atf_set require.user root
	atf_set require.progs "htpasswd mkpasswd openssl curl"
}
hash_formats_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	: > users
	add "# made by htpasswd, openssl passwd and mkpasswd"
	add ""
	add_crlf "$(bcrypt_entry y2y)"
	add "a2a:$(mkpasswd -m bcrypt-a -R 5 pw-a2a)"
	add "b2b:$(mkpasswd -m bcrypt -R 5 pw-b2b)"
	# $2a$ and $2b$ are the same algorithm as $2y$.
	add "$(bcrypt_entry r2a | sed 's/:\$2y\$/:$2a$/')"
	add "$(bcrypt_entry r2b | sed 's/:\$2y\$/:$2b$/')"
	add_crlf "$(htpasswd -nbm apr1 pw-apr1 | head -1)"
	add "apr1o:$(openssl passwd -apr1 pw-apr1o)"
	add "$(htpasswd -nbs sha pw-sha | head -1)"
	add "five:$(openssl passwd -5 pw-five)"
	add "$(htpasswd -nb2 fiveh pw-fiveh | head -1)"
	add "$(htpasswd -nb2 -r 6000 fiver pw-fiver | head -1)"
	add "six:$(openssl passwd -6 pw-six)"
	add_crlf "$(htpasswd -nb5 sixh pw-sixh | head -1)"
	add "yes:$(mkpasswd -m yescrypt pw-yes)"
	add "$(htpasswd -nbp plain pw-plain 2>/dev/null | head -1)"
	l_plain=$nl
	add_crlf "$(htpasswd -nbd des pw-des | head -1)"
	l_des=$nl
	add "md5c:$(openssl passwd -1 pw-md5c)"
	l_md5c=$nl
	add "unk:{SSHA}c2VjcmV0c2FsdA=="
	l_unk=$nl
	add "$(bcrypt_entry dup 5 pw-dup1)"
	add "# a comment: with a colon"
	add_crlf ""
	add "$(bcrypt_entry dup 5 pw-dup2)"
	add "$(htpasswd -nbB -C 5 colon 'pa:ss:word' | head -1)"
	add "$(htpasswd -nbB -C 5 utf8 'pässwörd' | head -1)"
	add "empty:"
	add "scrypt:$(mkpasswd -m scrypt pw-scrypt)"
	l_scrypt=$nl
	# Passwords that exercise the algorithms' corners: Apache MD5 in
	# 16-byte rounds, 8-bit bytes, short salts, bcrypt past 72 bytes.
	p40=$(python3 -c 'print("L" * 40, end="")')
	p100=$(python3 -c 'print("B" * 100, end="")')
	add "$(htpasswd -nbm apr1long "${p40}" | head -1)"
	add "$(htpasswd -nbm apr1one x | head -1)"
	add "$(htpasswd -nbm apr1utf 'pässwörd' | head -1)"
	add "apr1salt:$(openssl passwd -apr1 -salt ab pw-apr1salt)"
	add "a2autf:$(mkpasswd -m bcrypt-a -R 5 'pässwörd')"
	add "b2butf:$(mkpasswd -m bcrypt -R 5 'pässwörd')"
	add "$(htpasswd -nbB -C 5 blong "${p100}" | head -1)"
	add "$(htpasswd -nb5 -r 7000 sixr pw-sixr | head -1)"
	add "$(htpasswd -nbs shautf 'pässwörd' | head -1)"
	add "yesutf:$(mkpasswd -m yescrypt 'pässwörd')"
	# Names and passwords of 255 bytes are the longest (SPEC 4.6).
	n255=$(python3 -c 'print("n" * 255, end="")')
	p255=$(python3 -c 'print("q" * 255, end="")')
	add "${n255}:$(openssl passwd -6 pw-long)"
	add "m${n255}:$(openssl passwd -6 pw-long)"
	add "p255:$(openssl passwd -6 "${p255}")"
	add "p256:$(openssl passwd -6 "q${p255}")"
	# The last line without a newline.
	printf '%s' "last:$(openssl passwd -6 pw-last)" >> users
	nl=$((nl + 1))
	chmod 600 users
	grep -q "^des:" users || atf_fail "htpasswd -d wrote no DES entry"

	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"Formats\" users \"${PWD}/users\"" \
	    "	$(backend_conf $bport)" \
	    "}"
	"${PROXYD}" -n -f "${PWD}/proxyd.conf" > check.out 2>&1 || \
	    atf_fail "proxyd -n refused the user file: $(cat check.out)"
	grep -q 'configuration OK' check.out || \
	    atf_fail "proxyd -n: $(cat check.out)"
	start_proxyd $port

	good="y2y a2a b2b r2a r2b apr1 apr1o sha five fiveh fiver six sixh"
	good="$good yes last"
	set --
	for u in $good; do
		set -- "$@" "200=$u:pw-$u" "401=$u:pw-${u}x" \
		    "401=$u:pw-$(echo $u | sed 's/.$//')" "401=$u:PW-$u"
	done
	# Split at the first colon; the password is bytes, UTF-8 here.
	set -- "$@" "200=colon:pa:ss:word" "401=colon:pa" \
	    "200=utf8:pässwörd" "401=utf8:passwort"
	# The first entry of a user wins.
	set -- "$@" "200=dup:pw-dup1" "401=dup:pw-dup2"
	# Never matching, even with what was written as the password.
	set -- "$@" "401=plain:pw-plain" "401=des:pw-des" "401=md5c:pw-md5c" \
	    "401=unk:{SSHA}c2VjcmV0c2FsdA==" "401=scrypt:pw-scrypt" \
	    "401=empty:" "401=nosuch:pw-nosuch" "401=y2y:" "401=:pw-y2y"
	set -- "$@" "200=apr1long:${p40}" "401=apr1long:${p40}L" \
	    "401=apr1long:${p40%L}" "200=apr1one:x" "401=apr1one:y" \
	    "200=apr1utf:pässwörd" "200=apr1salt:pw-apr1salt" \
	    "401=apr1salt:pw-apr1sal"
	for u in a2autf b2butf shautf yesutf; do
		set -- "$@" "200=$u:pässwörd" "401=$u:passworx"
	done
	set -- "$@" "200=blong:${p100}" "200=sixr:pw-sixr" "401=sixr:pw-six"
	set -- "$@" "200=${n255}:pw-long" "401=m${n255}:pw-long" \
	    "200=p255:${p255}" "401=p256:q${p255}"
	python3 "${AUTHCLIENT}" $port -e -P /f "$@" > batch.out || \
	    atf_fail "$(head -c 600 batch.out | tr '\n' ';')"
	expect 401 /f y2y:wrong
	realm_is "Formats"
	n=$(tr -d '\r' < rec-b/all.raw | grep -c '^GET /f ')
	want=$(printf '%s\n' "$@" | grep -c '^200=')
	atf_check_equal "relayed: $n" "relayed: $want"

	# Warned at start and by proxyd -n, with FILE:LINE and the user.
	for w in "${l_plain} plain" "${l_des} des" "${l_md5c} md5c" \
	    "${l_unk} unk" "${l_scrypt} scrypt"; do
		l=${w% *}
		u=${w#* }
		for f in proxyd.log check.out; do
			grep -F "${PWD}/users:$l: user $u: " "$f" | \
			    grep -q 'never matches' || \
			    atf_fail "$f: no warning for $u at line $l:" \
			    "$(grep users "$f")"
		done
	done
	for u in $good colon utf8 apr1long apr1one apr1utf apr1salt a2autf \
	    b2butf blong sixr shautf yesutf p255; do
		grep -q "users:[0-9]*: user $u:" proxyd.log && \
		    atf_fail "usable entry warned: $(grep "user $u:" proxyd.log)"
	done
	return 0
}
hash_formats_cleanup()
{
	stop_all
}

atf_test_case require_forms cleanup
require_forms_head()
{
	atf_set descr "require valid-user, user, group and several require" \
	    "lines: 401 with the realm, 403 for a user none admits, neither" \
	    "reaching the backend"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
require_forms_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users alice bob carol dave erin ali specialContractor
	{
		echo "# the groups of the recipe"
		printf 'employees: alice\tbob\n'
		echo "employees2: ali"
		echo ""
		echo "# a group on several lines, members split by tabs and spaces"
		printf 'employees:   carol \t frank  \n'
		echo "contractors:specialContractor"
		printf 'employees: erin\r\n'
		echo "staff: dave  alic bobby"
		printf 'nobody:'
	} > groups
	chmod 600 groups
	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"Example Inc. Proxy\" users \"${PWD}/users\" \\" \
	    "	    groups \"${PWD}/groups\"" \
	    "	location \"/users\" { require user \"alice\" \"bob\" }" \
	    "	location \"/group\" { require group \"employees\" }" \
	    "	location \"/recipe\" {" \
	    "		require group \"employees\"" \
	    "		require user \"specialContractor\"" \
	    "	}" \
	    "	location \"/valid\" { require valid-user }" \
	    "	location \"/groups\" { require group \"nosuch\" \"contractors\" }" \
	    "	location \"/empty\" { require group \"nobody\" }" \
	    "	location \"/staff\" { require group \"staff\" }" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port

	# Denied requests have "no-" in their path; none may reach the
	# backend.
	expect 401 /no-x
	realm_is "Example Inc. Proxy"
	expect 401 /no-x alice:wrong
	realm_is "Example Inc. Proxy"
	# authenticate without require: any valid user.
	expect 200 /x dave:pw-dave
	expect 200 /valid dave:pw-dave
	expect 401 /valid/no-x
	expect 200 /users alice:pw-alice
	expect 200 /users/x bob:pw-bob
	expect 403 /users/no-carol carol:pw-carol
	expect 403 /users/no-ali ali:pw-ali
	expect 401 /users/no-alice alice:pw-bob
	for u in alice bob carol erin; do
		expect 200 /group/$u $u:pw-$u
	done
	for u in dave ali specialContractor; do
		expect 403 /group/no-$u $u:pw-$u
	done
	expect 200 /recipe/carol carol:pw-carol
	expect 200 /recipe/sc specialContractor:pw-specialContractor
	expect 403 /recipe/no-dave dave:pw-dave
	expect 403 /recipe/no-ali ali:pw-ali
	expect 200 /groups/sc specialContractor:pw-specialContractor
	expect 403 /groups/no-alice alice:pw-alice
	expect 403 /empty/no-alice alice:pw-alice
	expect 401 /group/no-nosuch nosuch:pw-nosuch
	# No member is a prefix of another.
	expect 200 /staff/dave dave:pw-dave
	expect 403 /staff/no-alice alice:pw-alice
	expect 403 /staff/no-bob bob:pw-bob
	expect 403 /staff/no-ali ali:pw-ali

	tr -d '\r' < rec-b/all.raw | grep -q '^GET [^ ]*no-' && \
	    atf_fail "a refused request reached the backend:" \
	    "$(tr -d '\r' < rec-b/all.raw | grep '^GET [^ ]*no-' | head -3)"
	n=$(grep -ac '^GET ' rec-b/all.raw)
	atf_check_equal "relayed: $n" "relayed: 12"
	# Failures are wrong credentials: not a request without any, not
	# a 403.
	atf_check_equal "failures: $(auth_failures)" "failures: 3"
}
require_forms_cleanup()
{
	stop_all
}

atf_test_case per_location cleanup
per_location_head()
{
	atf_set descr "no authenticate, require and authenticate per" \
	    "location; no proxy and redirect under authentication"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
per_location_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users sam xuser dave
	users_file users2 olga
	printf 'staff: sam\n' > groups
	chmod 600 groups
	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"Main\" users \"${PWD}/users\" groups \"${PWD}/groups\"" \
	    "	require group \"staff\"" \
	    "	location \"/public\" { no authenticate }" \
	    "	location \"/xonly\" { require user \"xuser\" }" \
	    "	location \"/other\" {" \
	    "		authenticate \"Other Realm\" users \"${PWD}/users2\"" \
	    "		require valid-user" \
	    "	}" \
	    "	location \"/hidden\" { no proxy }" \
	    "	location \"/old\" { redirect to \"http://elsewhere.test\$REQUEST_URI\" }" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port

	expect 200 /public/x
	grep -aq '^GET /public/x ' rec-b/all.raw || \
	    atf_fail "/public/x did not reach the backend"
	expect 200 /public
	# Credentials, even wrong ones, do not matter there.
	expect 200 /public/w sam:wrong
	atf_check_equal "failures: $(auth_failures)" "failures: 0"
	expect 401 /publicity/no-x
	realm_is "Main"
	expect 200 /x sam:pw-sam
	expect 403 /no-xuser xuser:pw-xuser
	expect 403 /no-dave dave:pw-dave
	# The location's require replaces the server's.
	expect 403 /xonly/no-sam sam:pw-sam
	expect 200 /xonly/x xuser:pw-xuser
	expect 401 /xonly/no-x
	realm_is "Main"
	# Its own realm and user file.
	expect 401 /other/no-x
	realm_is "Other Realm"
	expect 200 /other/x olga:pw-olga
	expect 401 /other/no-sam sam:pw-sam
	realm_is "Other Realm"
	expect 401 /no-olga olga:pw-olga
	realm_is "Main"
	# no proxy: authentication first, then 404.
	expect 401 /hidden/no-x
	expect 404 /hidden/no-x sam:pw-sam
	# A redirect is answered before authentication.
	expect 301 /old/x
	atf_check_equal "$(field_of head.txt Location)" \
	    "http://elsewhere.test/old/x"

	tr -d '\r' < rec-b/all.raw | grep -q '^GET [^ ]*no-' && \
	    atf_fail "a refused request reached the backend:" \
	    "$(tr -d '\r' < rec-b/all.raw | grep '^GET [^ ]*no-' | head -3)"
	return 0
}
per_location_cleanup()
{
	stop_all
}

atf_test_case credentials_kept cleanup
credentials_kept_head()
{
	atf_set descr "Authorization is removed before relaying, in no" \
	    "authenticate locations too, unless pass credentials; a server" \
	    "without authenticate passes it unchanged"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
credentials_kept_body()
{
	port=$(free_port)
	ba=$(free_port)
	bb=$(free_port)
	bc=$(free_port)
	start_backend a $ba
	start_backend b $bb
	start_backend c $bc
	users_file users alice
	proxyd_conf "prefork 1 max 2" \
	    "server \"a\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"A\" users \"${PWD}/users\"" \
	    "	location \"/public\" { no authenticate }" \
	    "	location \"/pc\" { pass credentials }" \
	    "	$(backend_conf $ba)" \
	    "}" \
	    "server \"b\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"B\" users \"${PWD}/users\"" \
	    "	pass credentials" \
	    "	$(backend_conf $bb)" \
	    "}" \
	    "server \"c\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	$(backend_conf $bc)" \
	    "}"
	start_proxyd $port
	cred=$(b64 alice:pw-alice)

	expect 200 /x alice:pw-alice a
	grep -q '^GET /x ' body.txt || atf_fail "not relayed: $(head -1 body.txt)"
	grep -qi '^authorization' body.txt && \
	    atf_fail "the backend saw: $(grep -i '^authorization' body.txt)"
	# In a no authenticate location of that server too, whatever it is.
	expect 200 /public/y alice:pw-alice a
	expect 200 /public/z "" a
	send $port "GET /public/w HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer tok-w\r\nConnection: close\r\n\r\n" \
	    > out
	atf_check_equal "$(status_of out)" 200
	wait_for rec-a/all.raw "GET /public/w " || atf_fail "/public/w not relayed"
	no_authorization a
	# pass credentials in a location.
	expect 200 /pc alice:pw-alice a
	authorization_is a "Basic ${cred}"

	# pass credentials in the server: unchanged.
	expect 200 /x alice:pw-alice b
	authorization_is b "Basic ${cred}"
	expect 401 /no-x "" b
	realm_is B

	# No authenticate in the server: passed as the client sent it.
	send $port "GET /c1 HTTP/1.1\r\nHost: c\r\nAuthorization: Bearer tok-c.1/+=\r\nConnection: close\r\n\r\n" \
	    > out
	atf_check_equal "$(status_of out)" 200
	authorization_is c "Bearer tok-c.1/+="
	expect 200 /c2 alice:pw-alice c
	authorization_is c "Basic ${cred}"
}
credentials_kept_cleanup()
{
	stop_all
}

atf_test_case malformed_credentials cleanup
malformed_credentials_head()
{
	atf_set descr "malformed credentials are a 401, logged and counted," \
	    "never a crash; the scheme is case-insensitive"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
malformed_credentials_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users alice
	proxyd_conf "prefork 2 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"M\" users \"${PWD}/users\"" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port
	wait_workers 2
	before=$(worker_pids | sort | tr '\n' ' ')
	good=$(b64 alice:pw-alice)
	long=$(python3 -c 'print("A" * 300, end="")')
	huge=$(python3 -c 'print("B" * 6000, end="")')
	for a in "Basic" "Basic !!!!" "Basic $(b64 nocolon)" \
	    "Basic $(b64 "$long:pw-alice")" \
	    "Basic $(b64 "alice:$long")" \
	    "Basic $(b64 "$huge:x")" \
	    "Bearer x" "Digest username=\"alice\"" \
	    "Basic ${good}!!" "Basic =${good}" "Basic ====" \
	    "Basic${good}" "Basic $(b64x 'alice\x00:pw-alice')" \
	    "Basic $(b64x 'alice:pw-alice\x00x')" \
	    "Basic $(b64x 'alice\n:pw-alice')" \
	    "Basic $(b64 ":")" "Basic ${good} ${good}" \
	    "${good}"; do
		printf '%s\n' "$a"
	done > fields.txt
	n=$(wc -l < fields.txt)
	statuses $port field < fields.txt > got.txt
	grep -v '^401 ' got.txt > bad.txt && \
	    atf_fail "not 401: $(cut -c 1-100 bad.txt | tr '\n' ';')"
	atf_check_equal "answers: $(wc -l < got.txt)" "answers: $n"
	# Two sets of credentials, even good ones: neither is believed.
	send $port "GET /no HTTP/1.1\r\nHost: app\r\nAuthorization: Basic ${good}\r\nAuthorization: Basic ${good}\r\nConnection: close\r\n\r\n" \
	    > out
	atf_check_equal "two fields: $(status_of out)" "two fields: 401"
	n=$((n + 1))
	backend_empty b "a request with bad credentials"

	atf_check_equal "failures: $(auth_failures)" "failures: $n"
	c=$(grep -ac '^proxyd: auth failure: client 127\.0\.0\.1, user ".*", server "app"$' \
	    proxyd.log)
	atf_check_equal "logged $c" "logged $n"

	# The scheme is case-insensitive, white space around is not part of
	# the value.
	printf '%s\n' "basic ${good}" "BASIC ${good}" "bAsIc ${good}" \
	    "Basic  ${good}" | statuses $port field > got.txt
	grep -v '^200 ' got.txt > bad.txt && \
	    atf_fail "not 200: $(tr '\n' ';' < bad.txt)"
	for f in authorization AUTHORIZATION; do
		send $port "GET /ok-$f HTTP/1.1\r\nHost: app\r\n$f:   Basic ${good}  \r\nConnection: close\r\n\r\n" \
		    > out
		atf_check_equal "$f: $(status_of out)" "$f: 200"
	done
	atf_check_equal "failures: $(auth_failures)" "failures: $n"
	after=$(worker_pids | sort | tr '\n' ' ')
	atf_check_equal "workers: ${after}" "workers: ${before}"
	grep -E 'killed by|exited with' proxyd.log && \
	    atf_fail "a worker died"
	return 0
}
malformed_credentials_cleanup()
{
	stop_all
}

atf_test_case protected_spellings cleanup
protected_spellings_head()
{
	atf_set descr "no spelling of a protected path reaches the backend" \
	    "without credentials"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
protected_spellings_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users alice
	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	location \"/admin\" { authenticate \"Admin\" users \"${PWD}/users\" }" \
	    "	location \"/secret/\" { authenticate \"S\" users \"${PWD}/users\" }" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port
	set -- "401 /secret" "401 /secret/" "401 /secret;x" "401 //secret" \
	    "401 /admin" "401 /admin/" "401 /admin/x" "401 //admin" \
	    "401 //admin//x" "401 /./admin" "401 /x/../admin" \
	    "401 /%61dmin" "401 /%61%64%6D%69%6e/x" "401 /ad%6din" \
	    "401 /admin;x=1" "401 /admin;x=1/y" "401 /admin;/y" \
	    "401 /admin/." "401 /admin/x/.." "401 /%2e/admin" \
	    "401 /%2E/admin/%2e%2E/admin" "401 /x/%2E%2E/admin" \
	    "401 /admin?x" "401 /admin?" "401 http://app/admin" \
	    "401 http://APP//x/../admin/y" "401 http://app:$port/admin" \
	    "400 /admin%2F" "400 /admin%2fx" "400 /x/..%2Fadmin" \
	    "400 /public/..;/admin" "400 /public/.;/admin" "400 /;x/admin" \
	    "400 /admin#x" "400 /admin%5Cx" "400 /admin\\x" \
	    "400 /admin%00" "400 /%2e%2e/admin" "400 /../admin" \
	    "400 /admin/..;/admin"
	printf '%s\n' "$@" > want.txt
	sed 's/^[0-9]* //' want.txt | statuses $port > got.txt
	diff want.txt got.txt > diff.txt || \
	    atf_fail "not the statuses expected: $(grep '^>' diff.txt | \
	    tr '\n' ' ')"
	backend_empty b "one of these spellings"
	# Every method, and a WebSocket upgrade.
	for m in HEAD POST PUT DELETE OPTIONS PATCH PROPFIND X-Custom; do
		send $port "$m /admin/m HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" \
		    > out
		atf_check_equal "$m: $(status_of out)" "$m: 401"
		backend_empty b "$m /admin/m"
	done
	send $port "GET /admin/ws HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" \
	    -t 1 > out
	atf_check_equal "websocket: $(status_of out)" "websocket: 401"
	backend_empty b "a WebSocket upgrade of /admin/ws"
	# HTTP/1.0 without Host.
	send $port "GET /admin HTTP/1.0\r\n\r\n" > out
	atf_check_equal "1.0: $(status_of out)" "1.0: 401"
	backend_empty b "/admin in HTTP/1.0"
	# No 100 Continue, no body to the backend, before credentials.
	send $port "POST /admin HTTP/1.1\r\nHost: app\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n" \
	    > out
	atf_check_equal "expect: $(status_of out)" "expect: 401"
	backend_empty b "POST /admin with Expect"
	# The body of a refused request is never read as a request.
	smug="GET /smuggled HTTP/1.1\r\nHost: app\r\n\r\n"
	send $port "POST /admin HTTP/1.1\r\nHost: app\r\nConnection: close\r\nContent-Length: 37\r\n\r\n${smug}" \
	    > out
	send $port "POST /admin HTTP/1.1\r\nHost: app\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n25\r\n${smug}\r\n0\r\n\r\n" \
	    >> out
	atf_check_equal "$(grep -a '^HTTP/1\.1 [0-9][0-9][0-9] ' out | \
	    cut -d' ' -f2 | tr '\n' ' ')" "401 401 "
	backend_empty b "the body of a refused POST"
	backend_only $port b app

	# Credentials are checked per request, not per connection: after
	# a 200 on a kept-alive connection, the next requests without good
	# ones are refused (should proxyd close after a 401, fewer answers).
	good=$(b64 alice:pw-alice)
	send $port "GET /admin/1 HTTP/1.1\r\nHost: app\r\nAuthorization: Basic ${good}\r\n\r\nGET /admin/no-2 HTTP/1.1\r\nHost: app\r\n\r\nGET /admin/no-3 HTTP/1.1\r\nHost: app\r\nAuthorization: Basic $(b64 alice:x)\r\n\r\nGET /admin/no-4 HTTP/1.1\r\nHost: app\r\nProxy-Authorization: Basic ${good}\r\nConnection: close\r\n\r\n" \
	    > out
	got=$(grep -a '^HTTP/1\.1 [0-9][0-9][0-9] ' out | cut -d' ' -f2 | \
	    tr '\n' ' ')
	case "${got}" in
	"200 401 401 401 "|"200 401 401 "|"200 401 ")
		;;
	*)
		atf_fail "kept-alive: ${got}, not 200 then 401s"
		;;
	esac
	wait_for rec-b/all.raw "GET /admin/1 " || atf_fail "/admin/1 not relayed"
	grep -aq 'no-' rec-b/all.raw && \
	    atf_fail "a request without good credentials was relayed after" \
	    "one with: $(tr -d '\r' < rec-b/all.raw | grep -a '^GET ' | \
	    tr '\n' ' ')"

	# Not protected: another path, and case matters (SPEC 4.3).
	expect 200 /ADMIN
	expect 200 /administrator
	expect 200 /admin/x alice:pw-alice
	grep -aq '^GET /admin/x ' rec-b/all.raw || \
	    atf_fail "/admin/x was not relayed with good credentials"
}
protected_spellings_cleanup()
{
	stop_all
}

# make_failures: a daemon on $port to which alice gave 4 wrong passwords
# and 3 unknown users with hostile names tried one each.
make_failures()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users alice
	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"L\" users \"${PWD}/users\"" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port
	for i in 1 2 3 4; do
		expect 401 /x "alice:wrong-$i"
	done
	for u in 'a"b\\c\nx\xe9\r\x1b[31m\x7f\t' \
	    'x\", server \"app\" client 10.9.8.7' \
	    '\nproxyd: auth failure: client 10.9.8.7, user \"z\", server \"app\"'; do
		send $port "GET /x HTTP/1.1\r\nHost: app\r\nAuthorization: Basic $(b64x "$u:pw")\r\nConnection: close\r\n\r\n" \
		    > out
		atf_check_equal "$(status_of out)" 401
	done
}

atf_test_case protected_server cleanup
protected_server_head()
{
	atf_set descr "a request chooses the protected server by Host in any" \
	    "spelling, or by the authority of an absolute-form target"
	atf_set require.user root
	atf_set require.progs "htpasswd"
}
protected_server_body()
{
	port=$(free_port)
	bpub=$(free_port)
	bapp=$(free_port)
	start_backend pub $bpub
	start_backend app $bapp
	users_file users alice
	proxyd_conf "prefork 1 max 2" \
	    "server \"pub\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	$(backend_conf $bpub)" \
	    "}" \
	    "server \"app.test\" {" \
	    "	alias \"*.app.test\"" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"App\" users \"${PWD}/users\"" \
	    "	$(backend_conf $bapp)" \
	    "}"
	start_proxyd $port
	for r in "GET /x HTTP/1.1\r\nHost: app.test" \
	    "GET /x HTTP/1.1\r\nHost: APP.Test" \
	    "GET /x HTTP/1.1\r\nHost: app.test:$port" \
	    "GET /x HTTP/1.1\r\nHost: w.app.test" \
	    "GET /x HTTP/1.1\r\nHost: A.B.APP.TEST:$port" \
	    "GET /x HTTP/1.0\r\nHost: app.test" \
	    "GET http://app.test/x HTTP/1.1\r\nHost: pub" \
	    "GET http://APP.TEST:$port/x HTTP/1.1\r\nHost: pub" \
	    "GET http://w.app.test/x HTTP/1.1\r\nHost: pub"; do
		send $port "$r\r\nConnection: close\r\n\r\n" > out
		[ "$(status_of out)" = 401 ] || \
		    atf_fail "$r: $(head -1 out | tr -d '\r'), not 401"
		backend_empty app "$r"
	done
	# Then a request with credentials must be the first to arrive.
	send $port "GET /control HTTP/1.1\r\nHost: app.test\r\nAuthorization: Basic $(b64 alice:pw-alice)\r\nConnection: close\r\n\r\n" \
	    > out
	atf_check_equal "control: $(status_of out)" "control: 200"
	wait_for rec-app/all.raw "GET /control " || \
	    atf_fail "the control request did not reach the backend"
	atf_check_equal "$(head -1 rec-app/all.raw | tr -d '\r')" \
	    "GET /control HTTP/1.1"
	# A Host naming no server goes to the first, which is public.
	send $port "GET /y HTTP/1.1\r\nHost: app.test.other\r\nConnection: close\r\n\r\n" > out
	atf_check_equal "app.test.other: $(status_of out)" "app.test.other: 200"
	wait_for rec-pub/all.raw "GET /y " || atf_fail "/y did not go to pub"
}
protected_server_cleanup()
{
	stop_all
}

atf_test_case failures_logged cleanup
failures_logged_head()
{
	atf_set descr "each failure is counted and logged in one fixed line," \
	    "the user name escaped"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
failures_logged_body()
{
	make_failures
	atf_check_equal "failures: $(auth_failures)" "failures: 7"
	wait_for proxyd.log '10.9.8.7' || \
	    atf_fail "the last failure was not logged: $(shown proxyd.log)"
	n=$(grep -ac '^proxyd: auth failure: client 127\.0\.0\.1, user "alice", server "app"$' \
	    proxyd.log)
	atf_check_equal "alice $n" "alice 4"
	# Every line about a failure is whole: a quoted name with each
	# quote and backslash escaped, printable ASCII only.
	n=$(grep -ac 'auth failure' proxyd.log)
	atf_check_equal "lines $n" "lines 7"
	n=$(LC_ALL=C grep -acE '^proxyd: auth failure: client 127\.0\.0\.1, user "([^"\\]|\\.)*", server "app"$' \
	    proxyd.log)
	atf_check_equal "well-formed $n" "well-formed 7"
	python3 -c 'import sys
for line in open(sys.argv[1], "rb").read().split(b"\n"):
    if b"auth failure" in line and any(c < 0x20 or c > 0x7e for c in line):
        sys.exit("raw bytes in %r" % line)' proxyd.log || \
	    atf_fail "a raw byte in a logged user name"
	grep -a 'auth failure' proxyd.log | grep -qv '^proxyd: auth failure: client 127\.0\.0\.1,' && \
	    atf_fail "a line that does not name the client first:" \
	    "$(grep -a 'auth failure' proxyd.log | grep -v '^proxyd: auth failure: client 127')"
	return 0
}
failures_logged_cleanup()
{
	stop_all
}

atf_test_case fail2ban_filter cleanup
fail2ban_filter_head()
{
	atf_set descr "the fail2ban filter in etc/ matches each failure line" \
	    "the daemon wrote, finding the client's address"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
fail2ban_filter_body()
{
	command -v fail2ban-regex > /dev/null || \
	    atf_skip "fail2ban-regex is not installed"
	filter=${TREE}/etc/fail2ban/proxyd.conf
	[ -f "${filter}" ] || atf_fail "no filter at ${filter}"
	make_failures
	wait_for proxyd.log '10.9.8.7' || \
	    atf_fail "the last failure was not logged: $(shown proxyd.log)"
	# The whole log: its other lines must not match.
	fail2ban-regex --datepattern '{NONE}' proxyd.log "${filter}" \
	    > f2b.out 2>&1 || atf_fail "fail2ban-regex: $(cat f2b.out)"
	grep -q '^Failregex: 7 total' f2b.out || atf_fail "not 7 matches:" \
	    "$(grep -E '^(Failregex|Lines):' f2b.out | tr '\n' ' ')"
	grep -qE '^Lines: [0-9]+ lines, 0 ignored, 7 matched' f2b.out || \
	    atf_fail "$(grep '^Lines:' f2b.out)"
	fail2ban-regex -r -o ip --datepattern '{NONE}' proxyd.log \
	    "${filter}" > ips.out 2>&1 || atf_fail "$(cat ips.out)"
	atf_check_equal "addresses: $(grep -c . ips.out)" "addresses: 7"
	atf_check_equal "$(sort -u ips.out | tr '\n' ' ')" "127.0.0.1 "
}
fail2ban_filter_cleanup()
{
	stop_all
}

atf_test_case cache_keepalive cleanup
cache_keepalive_head()
{
	atf_set descr "1,000 kept-alive requests of a bcrypt cost 10 user" \
	    "cost far less than 1,000 bcrypt checks; the cache admits no" \
	    "wrong password and is dropped on reload"
	atf_set require.user root
	atf_set require.progs "htpasswd"
	atf_set timeout 120
}
cache_keepalive_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	: > users
	for u in kc k1 k2 k3; do
		bcrypt_entry $u 10 >> users
	done
	chmod 600 users
	bcrypt_entry kc 5 pw-other > users2
	chmod 600 users2
	# One worker: the cache is in its memory.
	proxyd_conf "prefork 1 max 1" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"C\" users \"${PWD}/users\"" \
	    "	location \"/deny\" { require user \"k1\" }" \
	    "	location \"/other\" { authenticate \"O\" users \"${PWD}/users2\" }" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port

	# The cost of one check: the first right password of each of three
	# users, on a kept-alive connection after a request without.
	python3 "${AUTHCLIENT}" $port - k1:pw-k1 k2:pw-k2 k3:pw-k3 \
	    > first.out || atf_fail "authclient failed"
	atf_check_equal "$(sed -n '2,4s/ .*//p' first.out | tr '\n' ' ')" \
	    "200 200 200 "
	one=$(sed -n '2,4s/^200 //p' first.out | sort -n | sed -n 2p)

	# Without a cache they would take 1,000 checks: stop at 100.
	limit=$(python3 -c 'import sys; print(100 * float(sys.argv[1]))' "$one")
	python3 "${AUTHCLIENT}" $port -n 1000 -l "$limit" kc:pw-kc > run.out
	rc=$?
	total=$(sed -n 's/^total //p' run.out)
	n=$(grep -c '^200 ' run.out)
	[ $rc -eq 0 ] || atf_fail "no cache: $n requests took ${total} s," \
	    "100 times the ${one} s of one bcrypt check"
	atf_check_equal "200s: $n" "200s: 1000"
	echo "one check ${one} s, 1000 requests ${total} s"

	# Only right passwords are cached; authorization is not.
	python3 "${AUTHCLIENT}" $port kc:pw-kc kc:pw-kcx kc:pw-k kc:wrong \
	    kc:pw-kc k1:pw-kc > after.out || atf_fail "authclient failed"
	atf_check_equal "$(sed '$d' after.out | cut -d' ' -f1 | tr '\n' ' ')" \
	    "200 401 401 401 200 401 "
	# Nor does it admit to another user file.
	python3 "${AUTHCLIENT}" $port -P /other kc:pw-kc kc:pw-other \
	    kc:pw-kc > other.out || atf_fail "authclient failed"
	atf_check_equal "$(sed '$d' other.out | cut -d' ' -f1 | tr '\n' ' ')" \
	    "401 200 401 "
	python3 "${AUTHCLIENT}" $port -P /deny kc:pw-kc k1:pw-k1 > deny.out || \
	    atf_fail "authclient failed"
	atf_check_equal "$(sed '$d' deny.out | cut -d' ' -f1 | tr '\n' ' ')" \
	    "403 200 "

	# A new password and a reload: the old one is refused.
	{
		bcrypt_entry kc 5 pw-kc-new
		grep -v '^kc:' users
	} > users.new
	mv users.new users
	chmod 600 users
	ctl reload > reload.out 2>&1 || atf_fail "reload: $(cat reload.out)"
	python3 "${AUTHCLIENT}" $port kc:pw-kc kc:pw-kc-new kc:pw-kc \
	    > reload.out2 || atf_fail "authclient failed"
	atf_check_equal "$(sed '$d' reload.out2 | cut -d' ' -f1 | tr '\n' ' ')" \
	    "401 200 401 "
}
cache_keepalive_cleanup()
{
	stop_all
}

atf_test_case unknown_user_time cleanup
unknown_user_time_head()
{
	atf_set descr "an unknown user or an entry that never matches costs" \
	    "as much time as a wrong password (bcrypt cost 10 users)"
	atf_set require.user root
	atf_set require.progs "htpasswd"
}
unknown_user_time_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	: > users
	for u in alice bob; do
		bcrypt_entry $u 10 >> users
	done
	echo "carol:pw-carol" >> users
	chmod 600 users
	proxyd_conf "prefork 1 max 1" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"T\" users \"${PWD}/users\"" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port
	# Interleaved: a wrong password, an unknown user, a user whose
	# entry never matches.
	set -- -
	for i in 1 2 3 4 5; do
		set -- "$@" alice:w$i nobody$i:w$i carol:pw-carol
	done
	python3 "${AUTHCLIENT}" $port "$@" > t.out || \
	    atf_fail "authclient failed"
	atf_check_equal "$(sed '$d' t.out | cut -d' ' -f1 | sort -u)" 401
	w=$(sed -n '2~3s/^401 //p' t.out | sort -n | sed -n 3p)
	u=$(sed -n '3~3s/^401 //p' t.out | sort -n | sed -n 3p)
	p=$(sed -n '4~3s/^401 //p' t.out | sort -n | sed -n 3p)
	python3 -c 'import sys
w, u, p = map(float, sys.argv[1:4])
print("wrong password %.4f s, unknown user %.4f s, plaintext entry %.4f s"
    % (w, u, p))
sys.exit(0 if min(u, p) > 0.5 * w and w > 0.5 * max(u, p) else 1)' \
	    "$w" "$u" "$p" > t.txt || atf_fail "not the same time: $(cat t.txt)"
	cat t.txt
}
unknown_user_time_cleanup()
{
	stop_all
}

atf_test_case large_user_file cleanup
large_user_file_head()
{
	atf_set descr "a user file of 100,000 users loads well under a" \
	    "second, and its last user is found"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
large_user_file_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users one
	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"Big\" users \"${PWD}/users\"" \
	    "	$(backend_conf $bport)" \
	    "}"
	# Well-formed bcrypt hashes nobody knows the password of.
	python3 -c 'import random
a = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
r = random.Random(1)
for i in range(100000):
    print("user%06d:$2y$05$%s" % (i, "".join(r.choice(a) for _ in range(53))))' \
	    > big
	bcrypt_entry last >> big
	chmod 600 big
	sed "s|${PWD}/users|${PWD}/big|" proxyd.conf > big.conf
	chmod 644 big.conf
	t=$(python3 -c 'import subprocess, sys, time
def run(conf):
    t = time.monotonic()
    r = subprocess.run([sys.argv[1], "-n", "-f", conf],
        capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(conf + ": " + r.stdout + r.stderr)
    return time.monotonic() - t
small = min(run("proxyd.conf") for _ in range(3))
print("%.3f %.3f" % (small, run("big.conf")))' "${PROXYD}" 2>&1) || \
	    atf_fail "proxyd -n: $(echo "$t" | tr "\\n" " ")"
	echo "proxyd -n: one user ${t% *} s, 100,001 users ${t#* } s"
	python3 -c 'import sys
small, big = map(float, sys.argv[1:3])
sys.exit(0 if big - small < 1.0 else 1)' $t || \
	    atf_fail "100,001 users took ${t#* } s to check, not well under 1 s"

	cp big users
	start_proxyd $port
	expect 200 /x last:pw-last
	expect 401 /no-x user050000:pw
	expect 401 /no-x nosuch:pw
	expect 401 /no-x one:pw-one
}
large_user_file_cleanup()
{
	stop_all
}

atf_test_case reload_users cleanup
reload_users_head()
{
	atf_set descr "reload applies changed user and group files; an" \
	    "unreadable or malformed one fails with FILE:LINE and the old" \
	    "configuration keeps serving; proxyd -n reports bad lines"
	atf_set require.user root
	atf_set require.progs "htpasswd curl"
}
reload_users_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	users_file users u1 u2
	echo "g: u1" > groups
	chmod 600 groups
	proxyd_conf "prefork 1 max 2" \
	    "server \"app\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	authenticate \"R\" users \"${PWD}/users\" groups \"${PWD}/groups\"" \
	    "	location \"/g\" { require group \"g\" }" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port
	expect 200 /x u1:pw-u1
	expect 200 /x u2:pw-u2
	expect 401 /x u3:pw-u3
	expect 200 /g u1:pw-u1
	expect 403 /g u2:pw-u2
	atf_check_equal "failures: $(auth_failures)" "failures: 1"

	users_file users u1 u3
	echo "g: u1 u3" > groups
	ctl reload > reload.out 2>&1 || atf_fail "reload: $(cat reload.out)"
	atf_check_equal "$(cat reload.out)" "reload: ok (generation 2)"
	expect 200 /x u1:pw-u1
	expect 401 /x u2:pw-u2
	expect 200 /x u3:pw-u3
	expect 200 /g u3:pw-u3
	# The count goes on over a reload.
	atf_check_equal "failures: $(auth_failures)" "failures: 2"
	# The group file alone changed.
	echo "g: u3" > groups
	ctl reload > reload.out 2>&1 || atf_fail "reload: $(cat reload.out)"
	expect 403 /g u1:pw-u1
	expect 200 /g u3:pw-u3

	# A user file that cannot be read: a directory, then none.
	mv users users.good
	mkdir users
	for how in directory missing; do
		ctl reload > reload.out 2>&1 && \
		    atf_fail "reload with a $how user file: $(cat reload.out)"
		grep -qF "${PWD}/users" reload.out && \
		    grep -qE '^[^ ]+:[0-9]+: ' reload.out || \
		    atf_fail "reload with a $how user file:" \
		    "no FILE:LINE naming it: $(cat reload.out)"
		ctl status | grep -qx 'generation: 3' || \
		    atf_fail "$(ctl status | grep generation) after a failed reload"
		expect 200 /x u1:pw-u1
		expect 200 /g u3:pw-u3
		expect 401 /x u2:pw-u2
		"${PROXYD}" -n -f "${PWD}/proxyd.conf" > check.out 2>&1 && \
		    atf_fail "proxyd -n with a $how user file: $(cat check.out)"
		grep -qF "${PWD}/users" check.out || \
		    atf_fail "proxyd -n did not name the $how user file:" \
		    "$(cat check.out)"
		rmdir users 2>/dev/null
	done

	# A malformed line: reload and proxyd -n name the file and line.
	{
		bcrypt_entry u1
		echo "# fine"
		echo "u4-without-a-colon"
		bcrypt_entry u5
	} > users
	chmod 600 users
	ctl reload > reload.out 2>&1 && \
	    atf_fail "reload with a malformed user file: $(cat reload.out)"
	grep -qF "${PWD}/users:3: " reload.out || \
	    atf_fail "reload did not name users:3: $(cat reload.out)"
	"${PROXYD}" -n -f "${PWD}/proxyd.conf" > check.out 2>&1 && \
	    atf_fail "proxyd -n accepted it: $(cat check.out)"
	grep -qF "${PWD}/users:3: " check.out || \
	    atf_fail "proxyd -n did not name users:3: $(cat check.out)"
	expect 200 /x u3:pw-u3
	expect 401 /x u5:pw-u5
}
reload_users_cleanup()
{
	stop_all
}

# tls_expect STATUS PATH [CRED]: GET https://app.test:$port PATH, with
# Basic credentials CRED if given, must answer STATUS.
tls_expect()
{
	_want=$1 _path=$2 _cred=$3
	shift $#
	[ -n "${_cred}" ] && set -- -u "${_cred}"
	_st=$(curl -sS --max-time 10 --cacert app.crt \
	    --resolve "app.test:${port}:127.0.0.1" -D head.txt -o body.txt \
	    -w '%{http_code}' "$@" "https://app.test:${port}${_path}" \
	    2> curl.err)
	[ "${_st}" = "${_want}" ] || atf_fail "https ${_path} as" \
	    "'${_cred}': '${_st}', not ${_want}: $(head -c 300 curl.err)"
}

atf_test_case tls_group cleanup
tls_group_head()
{
	atf_set descr "over TLS as in the Apache recipe: require group and" \
	    "user, 401, 403 and 200, Authorization not relayed"
	atf_set require.user root
	atf_set require.progs "htpasswd curl openssl"
}
tls_group_body()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	make_cert app - app.test DNS:app.test
	users_file users emp outsider specialContractor
	printf '# staff\nemployees: emp\n' > groups
	chmod 600 groups
	proxyd_conf "prefork 1 max 2" \
	    "server \"app.test\" {" \
	    "	listen on 127.0.0.1 tls port $port" \
	    "	tls certificate \"${PWD}/app.crt\"" \
	    "	tls key \"${PWD}/app.key\"" \
	    "	authenticate \"Example Inc. Proxy\" users \"${PWD}/users\" \\" \
	    "	    groups \"${PWD}/groups\"" \
	    "	require group \"employees\"" \
	    "	require user \"specialContractor\"" \
	    "	$(backend_conf $bport)" \
	    "}"
	start_proxyd $port
	tls_expect 401 /no-x
	realm_is "Example Inc. Proxy"
	tls_expect 401 /no-x emp:wrong
	realm_is "Example Inc. Proxy"
	tls_expect 403 /no-x outsider:pw-outsider
	tls_expect 200 /x emp:pw-emp
	tls_expect 200 /y specialContractor:pw-specialContractor
	grep -aq '^GET /no-x' rec-b/all.raw && \
	    atf_fail "a refused request reached the backend"
	grep -aq '^GET /y ' rec-b/all.raw || atf_fail "/y was not relayed"
	no_authorization b
}
tls_group_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case hash_formats
	atf_add_test_case require_forms
	atf_add_test_case per_location
	atf_add_test_case credentials_kept
	atf_add_test_case malformed_credentials
	atf_add_test_case protected_spellings
	atf_add_test_case protected_server
	atf_add_test_case failures_logged
	atf_add_test_case fail2ban_filter
	atf_add_test_case cache_keepalive
	atf_add_test_case unknown_user_time
	atf_add_test_case large_user_file
	atf_add_test_case reload_users
	atf_add_test_case tls_group
}
