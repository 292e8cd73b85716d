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

# TLS (SPEC 5, the tls statements and hsts of SPEC 3, the SNI rule of
# SPEC 4.1): termination with the chain sent in full, TLS 1.2 and 1.3
# only, ECDHE and AEAD only, server cipher preference, ALPN http/1.1,
# the certificate chosen by SNI and 421 on a Host naming another
# certificate's server, session resumption across workers, key rotation
# and reload (and never into another certificate's server), OCSP
# stapling, HSTS, plain HTTP on a TLS port, failed and stalled
# handshakes, the checks of certificates and keys, verified TLS to
# https backends with sessions reused, and close_notify.  Certificates
# are made by each test with the openssl CLI.

. $(atf_get_srcdir)/lib.subr

# tls_server NAME PORT CERT BPORT [STATEMENT...]: the lines of a server
# NAME on the tls listener 127.0.0.1:PORT with CERT.crt and CERT.key,
# relaying to the backend on BPORT, with more STATEMENTs.
tls_server()
{
	_name=$1 _port=$2 _cert=$3 _bport=$4
	shift 4
	echo "server \"${_name}\" {"
	echo "	listen on 127.0.0.1 tls port ${_port}"
	echo "	tls certificate \"${PWD}/${_cert}.crt\""
	echo "	tls key \"${PWD}/${_cert}.key\""
	for _s in "$@"; do
		echo "	${_s}"
	done
	echo "	proxy to \"http://127.0.0.1:${_bport}/\""
	echo "}"
}

# tls_get NAME PORT PATH [CURL ARGS...]: GET https://NAME:PORT/PATH,
# verified against ca.crt; the head in head.txt, the body in body.txt,
# what curl said in curl.err; prints the status.
tls_get()
{
	_tn=$1 _tp=$2 _tpath=$3
	shift 3
	curl -sS --max-time 5 --cacert ca.crt \
	    --resolve "${_tn}:${_tp}:127.0.0.1" -D head.txt -o body.txt \
	    -w '%{http_code}' "$@" "https://${_tn}:${_tp}${_tpath}" \
	    2> curl.err
}

# expect_get STATUS NAME PORT PATH [CURL ARGS...]: tls_get must answer
# STATUS.
expect_get()
{
	_want=$1
	shift
	_st=$(tls_get "$@")
	[ "${_st}" = "${_want}" ] || atf_fail "https://$1:$2$3 $4 $5:" \
	    "status ${_st}, not ${_want} $(grep -m1 '^curl:' curl.err)"
}

# ssl_said FILE: the alert and the outcome s_client printed, one line.
ssl_said()
{
	grep -m2 -e 'alert [a-z ]*' -e '^New,' "$1" | tr '\n' ' '
}

# sts_of FILE: the Strict-Transport-Security fields of the response head
# in FILE, joined by "|".
sts_of()
{
	field_of "$1" Strict-Transport-Security | paste -sd '|' -
}

# s_get PORT HOST [S_CLIENT ARGS...]: GET / with Host and SNI HOST
# through openssl s_client, read to the end: what s_client printed.
s_get()
{
	_sp=$1 _sh=$2
	shift 2
	printf 'GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' \
	    "${_sh}" | s_client "${_sp}" -servername "${_sh}" -CAfile ca.crt \
	    -ign_eof "$@"
}

# session_of FILE: "New" or "Reused", from s_client's output in FILE.
session_of()
{
	sed -n 's/^\(New\|Reused\), .*/\1/p' "$1" | head -1
}

# expect_session FILE New|Reused WHAT: and the request answered 200.
expect_session()
{
	_got=$(session_of "$1")
	[ "${_got}" = "$2" ] || atf_fail "$3: session '${_got}', not $2"
	grep -q '^HTTP/1.1 200 ' "$1" || \
	    atf_fail "$3: no 200: $(grep -m1 '^HTTP/' "$1")"
}

# cipher_of FILE: the cipher s_client negotiated (output in FILE).
cipher_of()
{
	sed -n 's/^New, [^,]*, Cipher is //p' "$1" | head -1
}

# line_of TEXT [FILE]: the number of the first line of FILE (default
# proxyd.conf) holding TEXT.
line_of()
{
	grep -nF -- "$1" "${2:-proxyd.conf}" | head -1 | cut -d: -f1
}

status_busy()
{
	ctl status | sed -n 's/^workers: .*, \([0-9]*\) busy,.*/\1/p'
}

# wait_busy N: until N workers are busy, 3 s at most.
wait_busy()
{
	_n=60
	while [ $_n -gt 0 ]; do
		[ "$(status_busy)" = "$1" ] && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}

# worker_pids_in STATE: the pids of the workers in STATE (busy, idle).
worker_pids_in()
{
	ctl status | sed -n "s/^worker .*: pid \([0-9]*\), $1,.*/\1/p"
}

# worker_conns PID: how many connections worker PID has accepted.
worker_conns()
{
	ctl status | sed -n \
	    "s/^worker .*: pid $1, [a-z]*, \([0-9]*\) connections.*/\1/p"
}

# ticket_key_name FILE: the name of the key that sealed the ticket of
# the session in FILE (its first 16 bytes).
ticket_key_name()
{
	openssl sess_id -in "$1" -noout -text | \
	    sed -n '/TLS session ticket:/{n;p;}' | cut -c 10-56
}

atf_test_case basic_termination cleanup
basic_termination_head()
{
	atf_set descr "TLS with an ECDSA P-256 certificate: curl verifies it" \
	    "against the root alone (the chain is sent in full, from the" \
	    "certificate file or from tls chain), TLS 1.2 and 1.3 work, ALPN" \
	    "selects http/1.1 and the backend sees X-Forwarded-Proto: https"
	atf_set require.user root
}
basic_termination_body()
{
	make_ca ca
	make_ca inter "Intermediate" ca
	make_cert a inter a.test DNS:a.test
	make_cert c inter chain.test DNS:chain.test
	cat a.crt inter.crt > full.crt
	cp a.key full.key
	atf_check_equal "$(stat -c %a full.key)" "600"
	port=$(free_port)
	port2=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "$(tls_server a.test $port full $bport)" \
	    "$(tls_server chain.test $port2 c $bport \
	        "tls chain \"${PWD}/inter.crt\"")"
	start_proxyd $port

	# Certificate file holding leaf then intermediate.
	expect_get 200 a.test $port /first
	grep -q '^X-Forwarded-Proto: https$' body.txt || \
	    atf_fail "the backend did not see X-Forwarded-Proto: https:" \
	    "$(shown body.txt)"
	grep -q '^GET /first HTTP/1.1' rec-b/all.raw || \
	    atf_fail "the request did not reach the backend"
	expect_get 200 a.test $port /v12 --tlsv1.2 --tls-max 1.2 -v
	grep -q 'SSL connection using TLSv1.2' curl.err || \
	    atf_fail "not TLS 1.2: $(grep 'SSL connection' curl.err)"
	expect_get 200 a.test $port /v13 --tlsv1.3 -v
	grep -q 'SSL connection using TLSv1.3' curl.err || \
	    atf_fail "not TLS 1.3: $(grep 'SSL connection' curl.err)"
	s_client $port -servername a.test -alpn h2,http/1.1 < /dev/null \
	    > alpn.txt
	grep -q '^ALPN protocol: http/1.1$' alpn.txt || \
	    atf_fail "ALPN: $(grep -m1 ALPN alpn.txt)"
	s_client $port -servername a.test -showcerts -CAfile ca.crt \
	    < /dev/null > certs.txt
	atf_check_equal "$(grep -c 'BEGIN CERTIFICATE' certs.txt)" "2"
	grep -q 'Verify return code: 0 (ok)' certs.txt || \
	    atf_fail "s_client did not verify: $(grep -m1 'Verify return' \
	    certs.txt)"
	# A leaf alone, and the intermediate given by tls chain.
	expect_get 200 chain.test $port2 /second
	s_client $port2 -servername chain.test -showcerts -CAfile ca.crt \
	    < /dev/null > certs2.txt
	atf_check_equal "$(grep -c 'BEGIN CERTIFICATE' certs2.txt)" "2"
	atf_check_equal "$(served_cn certs2.txt)" "chain.test"
}
basic_termination_cleanup()
{
	stop_all
}

atf_test_case bodies_keepalive cleanup
bodies_keepalive_head()
{
	atf_set descr "over TLS, a 1 MB upload (with Content-Length and" \
	    "chunked) and a 1 MB download arrive whole, a connection is kept" \
	    "alive, and two requests sent in one record are both answered"
	atf_set require.user root
}
bodies_keepalive_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1" "$(tls_server a.test $port a $bport)"
	start_proxyd $port
	head -c 1000000 /dev/urandom > up.bin
	sum=$(sha256sum < up.bin | cut -c1-64)
	expect_get 200 a.test $port /sha --data-binary @up.bin
	atf_check_equal "upload: $(cat body.txt)" "upload: $sum"
	expect_get 200 a.test $port /sha --data-binary @up.bin \
	    -H 'Transfer-Encoding: chunked'
	atf_check_equal "chunked upload: $(cat body.txt)" \
	    "chunked upload: $sum"
	expect_get 200 a.test $port /bytes/1000000
	atf_check_equal "download: $(sha256sum < body.txt | cut -c1-64)" \
	    "download: $(pattern 1000000 | sha256sum | cut -c1-64)"
	curl -sS --max-time 5 --cacert ca.crt \
	    --resolve a.test:$port:127.0.0.1 -o /dev/null -o /dev/null \
	    -w '%{http_code} %{num_connects}\n' https://a.test:$port/k1 \
	    https://a.test:$port/k2 > kept.txt 2>&1
	atf_check_equal "$(tr '\n' ' ' < kept.txt)" "200 1 200 0 "
	python3 - $port <<'PY' > pipe.out
import socket, ssl, sys
ctx = ssl.create_default_context(cafile="ca.crt")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])),
                                             5), server_hostname="a.test")
s.sendall(b"GET /p1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
          b"GET /p2 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
data = b""
while True:
    got = s.recv(65536)
    if not got:
        break
    data += got
sys.stdout.buffer.write(data)
PY
	atf_check_equal "pipelined: $(responses pipe.out 200)" "pipelined: 2"
}
bodies_keepalive_cleanup()
{
	stop_all
}

atf_test_case protocols_ciphers cleanup
protocols_ciphers_head()
{
	atf_set descr "by default TLS 1.0 and 1.1 are refused, static RSA" \
	    "and CBC are refused, ECDHE with AES-GCM works, the server's" \
	    "cipher order wins; tls protocols and tls ciphers are obeyed"
	atf_set require.user root
}
protocols_ciphers_body()
{
	make_ca ca
	make_cert r ca r.test DNS:r.test rsa
	make_cert e ca e.test DNS:e.test
	prsa=$(free_port)
	pec=$(free_port)
	p13=$(free_port)
	pch=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "$(tls_server r.test $prsa r $bport)" \
	    "$(tls_server e.test $pec e $bport)" \
	    "$(tls_server t13.test $p13 e $bport 'tls protocols "tlsv1.3"')" \
	    "$(tls_server ch.test $pch e $bport \
	        'tls ciphers "ECDHE-ECDSA-CHACHA20-POLY1305"')"
	start_proxyd $prsa

	for v in tls1 tls1_1; do
		s_client $prsa -$v -cipher 'DEFAULT:@SECLEVEL=0' < /dev/null \
		    > old.txt
		if grep -q 'no protocols available' old.txt; then
			echo "the local OpenSSL cannot offer -$v; not tried"
			continue
		fi
		grep -q 'alert protocol version' old.txt || \
		    atf_fail "-$v not refused for its version:" \
		    "$(ssl_said old.txt)"
		grep -q '^New, (NONE), Cipher is (NONE)' old.txt || \
		    atf_fail "-$v: a handshake completed"
	done
	s_client $prsa -tls1_2 -cipher 'AES128-SHA:@SECLEVEL=0' \
	    < /dev/null > rsa.txt
	grep -q 'alert handshake failure' rsa.txt || \
	    atf_fail "static RSA with CBC not refused: $(ssl_said rsa.txt)"
	s_client $prsa -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 \
	    < /dev/null > gcm.txt
	atf_check_equal "$(cipher_of gcm.txt)" "ECDHE-RSA-AES128-GCM-SHA256"
	# The client prefers ChaCha20; the server's list puts AES-GCM first.
	s_client $pec -tls1_2 -cipher \
	    'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256' \
	    < /dev/null > pref.txt
	atf_check_equal "$(cipher_of pref.txt)" "ECDHE-ECDSA-AES128-GCM-SHA256"
	# tls protocols "tlsv1.3".
	s_client $p13 -tls1_2 < /dev/null > t12.txt
	grep -q 'alert protocol version' t12.txt || \
	    atf_fail "TLS 1.2 not refused by tls protocols \"tlsv1.3\":" \
	    "$(ssl_said t12.txt)"
	s_client $p13 -tls1_3 < /dev/null > t13.txt
	grep -q '^New, TLSv1.3, ' t13.txt || \
	    atf_fail "TLS 1.3 refused by tls protocols \"tlsv1.3\""
	# tls ciphers.
	s_client $pch -tls1_2 < /dev/null > ch.txt
	atf_check_equal "$(cipher_of ch.txt)" "ECDHE-ECDSA-CHACHA20-POLY1305"
}
protocols_ciphers_cleanup()
{
	stop_all
}

atf_test_case sni_choice cleanup
sni_choice_head()
{
	atf_set descr "the certificate is chosen by SNI: exact name," \
	    "wildcard alias, the first server's for no SNI or an unknown" \
	    "name; a Host naming a server with another certificate gets 421" \
	    "and reaches no backend, one sharing the certificate does not"
	atf_set require.user root
}
sni_choice_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test,DNS:a2.test
	make_cert b ca b.test DNS:b.test
	make_cert w ca w.test 'DNS:w.test,DNS:*.w.test'
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "$(tls_server a.test $port a $bport)" \
	    "$(tls_server b.test $port b $bport)" \
	    "$(tls_server w.test $port w $bport 'alias "*.w.test"')" \
	    "$(tls_server a2.test $port a $bport)"
	start_proxyd $port

	for sni in a.test:a.test b.test:b.test x.w.test:w.test \
	    unknown.test:a.test; do
		s_client $port -servername ${sni%%:*} < /dev/null > sni.txt
		atf_check_equal "${sni%%:*} $(served_cn sni.txt)" \
		    "${sni%%:*} ${sni#*:}"
	done
	s_client $port -noservername < /dev/null > sni.txt
	atf_check_equal "no SNI: $(served_cn sni.txt)" "no SNI: a.test"

	# SNI a.test, Host b.test: another certificate.
	expect_get 421 a.test $port /misdirected -H 'Host: b.test'
	expect_get 421 b.test $port /misdirected2 -H 'Host: a.test'
	expect_get 421 a.test $port /misdirected3 -H 'Host: y.w.test'
	if grep -q misdirected rec-b/all.raw; then
		atf_fail "a misdirected request reached the backend"
	fi
	expect_get 200 a.test $port /right -H 'Host: a.test'
	expect_get 200 x.w.test $port /wild -H 'Host: z.w.test'
	grep -q '^Via: 1.1 w.test$' body.txt || \
	    atf_fail "z.w.test not served by w.test: $(shown body.txt)"
	# a2.test has the same certificate file as a.test.
	expect_get 200 a.test $port /shared -H 'Host: a2.test'
	grep -q '^Via: 1.1 a2.test$' body.txt || \
	    atf_fail "Host a2.test not served by a2.test: $(shown body.txt)"
}
sni_choice_cleanup()
{
	stop_all
}

atf_test_case resume_sessions cleanup
resume_sessions_head()
{
	atf_set descr "TLS 1.3 and 1.2 sessions resume, also after a" \
	    "reload, but never into a server with another certificate, and" \
	    "never with tls ticket lifetime 0"
	atf_set require.user root
}
resume_sessions_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test,DNS:a2.test,DNS:z.test
	make_cert b ca b.test DNS:b.test
	port=$(free_port)
	port0=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "$(tls_server a.test $port a $bport)" \
	    "$(tls_server b.test $port b $bport)" \
	    "$(tls_server a2.test $port a $bport)" \
	    "$(tls_server z.test $port0 a $bport 'tls ticket lifetime 0')"
	start_proxyd $port

	for v in 1_3 1_2; do
		s_get $port a.test -tls$v -sess_out a$v.pem > new.txt
		expect_session new.txt New "TLS $v first connection"
		s_get $port a.test -tls$v -sess_in a$v.pem > again.txt
		expect_session again.txt Reused "TLS $v resumption"
		# Another certificate: a full handshake, its certificate.
		s_get $port b.test -tls$v -sess_in a$v.pem > other.txt
		expect_session other.txt New \
		    "TLS $v session of a.test offered with SNI b.test"
		atf_check_equal "$(served_cn other.txt)" "b.test"
		# The same certificate, another server: it may resume.
		s_get $port a2.test -tls$v -sess_in a$v.pem > same.txt
		expect_session same.txt Reused \
		    "TLS $v session of a.test offered with SNI a2.test"
		# No resumption at all, even of a session of the same
		# certificate (with TLS 1.3 there is no session to save).
		s_get $port0 z.test -tls$v -sess_out z$v.pem > z1.txt
		expect_session z1.txt New "TLS $v, lifetime 0, first"
		if [ -s z$v.pem ]; then
			s_get $port0 z.test -tls$v -sess_in z$v.pem > z2.txt
			expect_session z2.txt New "TLS $v, lifetime 0, second"
		fi
		s_get $port0 z.test -tls$v -sess_in a$v.pem > z3.txt
		expect_session z3.txt New \
		    "TLS $v, lifetime 0, a session of a.test offered"
		# Across a reload.
		s_get $port a.test -tls$v -sess_out r$v.pem > r1.txt
		expect_session r1.txt New "TLS $v before the reload"
	done
	atf_check -o inline:"reload: ok (generation 2)\n" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	for v in 1_3 1_2; do
		s_get $port a.test -tls$v -sess_in r$v.pem > r2.txt
		expect_session r2.txt Reused \
		    "TLS $v session from before a reload"
	done
}
resume_sessions_cleanup()
{
	stop_all
}

atf_test_case resume_across_workers cleanup
resume_across_workers_head()
{
	atf_set descr "a TLS 1.3 or 1.2 session made by one worker resumes" \
	    "in another (the other one is kept busy by a slow request)"
	atf_set require.user root
}
resume_across_workers_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2 max 2" "$(tls_server a.test $port a $bport)"
	start_proxyd $port
	wait_workers 2 || atf_fail "two workers not idle"

	# Worker X busy for 2.5 s: Y makes the sessions.
	curl -s -o /dev/null --max-time 10 --cacert ca.crt \
	    --resolve a.test:$port:127.0.0.1 https://a.test:$port/slow/2500 \
	    > /dev/null 2>&1 &
	slow1=$!
	remember_pid $slow1
	wait_busy 1 || atf_fail "the slow request did not hold a worker"
	x=$(worker_pids_in busy)
	y=$(worker_pids_in idle)
	y0=$(worker_conns $y)
	s_get $port a.test -tls1_3 -sess_out s13.pem > new13.txt
	expect_session new13.txt New "TLS 1.3 first connection"
	s_get $port a.test -tls1_2 -sess_out s12.pem > new12.txt
	expect_session new12.txt New "TLS 1.2 first connection"
	atf_check_equal "sessions made by $y: $(worker_conns $y)" \
	    "sessions made by $y: $((y0 + 2))"
	# Now Y busy for 4 s, and X free once its request is done.
	curl -s -o /dev/null --max-time 10 --cacert ca.crt \
	    --resolve a.test:$port:127.0.0.1 https://a.test:$port/slow/4000 \
	    > /dev/null 2>&1 &
	slow2=$!
	remember_pid $slow2
	wait_busy 2 || atf_fail "the second slow request did not hold a worker"
	wait $slow1
	n=0
	while [ "$(worker_pids_in idle)" != "$x" ]; do
		n=$((n + 1))
		[ $n -gt 60 ] && atf_fail "worker $x did not become idle"
		sleep 0.05
	done
	x0=$(worker_conns $x)
	s_get $port a.test -tls1_3 -sess_in s13.pem > again13.txt
	s_get $port a.test -tls1_2 -sess_in s12.pem > again12.txt
	atf_check_equal "resumptions served by $x: $(worker_conns $x)" \
	    "resumptions served by $x: $((x0 + 2))"
	expect_session again13.txt Reused "TLS 1.3 in another worker"
	expect_session again12.txt Reused "TLS 1.2 in another worker"
	wait $slow2
}
resume_across_workers_cleanup()
{
	stop_all
}

atf_test_case ticket_key_rotation cleanup
ticket_key_rotation_head()
{
	atf_set descr "with tls ticket lifetime 4s, for 9 s a session made" \
	    "1.5 s before always resumes, in the other worker: the previous" \
	    "key still opens tickets and every worker has the new one"
	atf_set require.user root
	atf_set timeout 60
}
ticket_key_rotation_body()
{
	not_with_sanitizers "a timing test"
	make_ca ca
	make_cert a ca a.test DNS:a.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2 max 2" \
	    "$(tls_server a.test $port a $bport 'tls ticket lifetime 4s')"
	start_proxyd $port
	wait_workers 2 || atf_fail "two workers not idle"
	s_get $port a.test -tls1_3 -sess_out first.pem > first.txt
	expect_session first.txt New "first session"
	python3 "${TLSCLIENT}" rotate $port a.test ca.crt 9 0.5 1.5 \
	    > rotate.out 2>&1
	rc=$?
	cat rotate.out
	[ $rc -eq 0 ] || atf_fail "$(grep -m1 -e NOT -e Error -e 'new session' \
	    rotate.out || tail -1 rotate.out)"
	s_get $port a.test -tls1_3 -sess_out last.pem > last.txt
	expect_session last.txt New "last session"
	# The keys did change meanwhile.
	k1=$(ticket_key_name first.pem)
	k2=$(ticket_key_name last.pem)
	[ -n "$k1" ] || atf_fail "no ticket in the first session"
	[ "$k1" != "$k2" ] || atf_fail "the ticket key did not change in 10 s"
	# Two lifetimes later the first session is no longer resumed.
	s_get $port a.test -tls1_3 -sess_in first.pem > old.txt
	expect_session old.txt New "a session of two lifetimes ago"
	wait_workers 2 || atf_fail "two workers not idle"
	# Both workers served rounds.
	for w in $(worker_pids_in idle); do
		c=$(worker_conns $w)
		[ "${c:-0}" -ge 15 ] || \
		    atf_fail "worker $w served only ${c:-0} connections"
	done
}
ticket_key_rotation_cleanup()
{
	stop_all
}

atf_test_case ocsp_stapling cleanup
ocsp_stapling_head()
{
	atf_set descr "tls ocsp staples the DER response (s_client -status)," \
	    "read again at reload; a server without it staples nothing; a" \
	    "file that is not a DER OCSP response is an error with FILE:LINE"
	atf_set require.user root
}
ocsp_stapling_body()
{
	make_ca ca
	make_cert o ca o.test DNS:o.test
	make_cert n ca n.test DNS:n.test
	serial=$(openssl x509 -in o.crt -noout -serial | sed 's/^serial=//')
	enddate=$(date -u -d '+30 days' +%y%m%d%H%M%SZ)
	printf 'V\t%s\t\t%s\tunknown\t/CN=o.test\n' "$enddate" "$serial" \
	    > index.txt
	atf_check -o ignore -e ignore openssl ocsp -issuer ca.crt \
	    -cert o.crt -no_nonce -reqout req.der
	atf_check -o ignore -e ignore openssl ocsp -index index.txt \
	    -CA ca.crt -rsigner ca.crt -rkey ca.key -reqin req.der \
	    -respout resp.der -ndays 1
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1" \
	    "$(tls_server o.test $port o $bport \
	        "tls ocsp \"${PWD}/resp.der\"")" \
	    "$(tls_server n.test $port n $bport)"
	atf_check -o match:"configuration OK" \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
	start_proxyd $port
	s_client $port -servername o.test -status < /dev/null > o.txt
	grep -q 'OCSP Response Status: successful' o.txt || \
	    atf_fail "no OCSP response: $(grep -i -m1 ocsp o.txt)"
	grep -q 'Cert Status: good' o.txt || \
	    atf_fail "OCSP response not good: $(grep -m1 'Cert Status' o.txt)"
	s_client $port -servername n.test -status < /dev/null > n.txt
	grep -q 'OCSP response: no response sent' n.txt || \
	    atf_fail "an OCSP response for n.test: $(grep -i -m1 ocsp n.txt)"
	# A new response, read again at reload.
	revoked=$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)
	printf 'R\t%s\t%s\t%s\tunknown\t/CN=o.test\n' "$enddate" \
	    "$revoked" "$serial" > index.txt
	atf_check -o ignore -e ignore openssl ocsp -index index.txt \
	    -CA ca.crt -rsigner ca.crt -rkey ca.key -reqin req.der \
	    -respout resp.der -ndays 1
	atf_check -o inline:"reload: ok (generation 2)\n" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	s_client $port -servername o.test -status < /dev/null > o2.txt
	grep -q 'Cert Status: revoked' o2.txt || \
	    atf_fail "the new OCSP response not stapled after a reload:" \
	    "$(grep -m1 -e 'Cert Status' -e 'OCSP response:' o2.txt)"
	# Not DER OCSP.
	cp o.crt notocsp.der
	proxyd_conf "$(tls_server o.test $port o $bport \
	    "tls ocsp \"${PWD}/notocsp.der\"")"
	line=$(line_of "tls ocsp")
	atf_check -s exit:1 -o ignore \
	    -e match:"^${PWD}/proxyd.conf:${line}: " \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
}
ocsp_stapling_cleanup()
{
	stop_all
}

atf_test_case hsts cleanup
hsts_head()
{
	atf_set descr "hsts sets Strict-Transport-Security on TLS responses," \
	    "replacing the backend's; without hsts the backend's passes; a" \
	    "plain listener adds none"
	atf_set require.user root
}
hsts_body()
{
	make_ca ca
	make_cert h ca h.test DNS:h.test
	make_cert n ca n.test DNS:n.test
	make_cert d ca d.test DNS:d.test
	port=$(free_port)
	pplain=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" \
	    "$(tls_server h.test $port h $bport \
	        'hsts max-age 600 subdomains preload' \
	        "listen on 127.0.0.1 port $pplain")" \
	    "$(tls_server n.test $port n $bport)" \
	    "$(tls_server d.test $port d $bport hsts)"
	start_proxyd $port
	sts='/header?Strict-Transport-Security:max-age=1'

	expect_get 200 h.test $port /
	atf_check_equal "$(sts_of head.txt)" \
	    "max-age=600; includeSubDomains; preload"
	expect_get 200 h.test $port "$sts"
	atf_check_equal "$(sts_of head.txt)" \
	    "max-age=600; includeSubDomains; preload"
	expect_get 200 d.test $port /
	atf_check_equal "$(sts_of head.txt)" \
	    "max-age=31536000"
	expect_get 200 n.test $port "$sts"
	atf_check_equal "$(sts_of head.txt)" \
	    "max-age=1"
	expect_get 200 n.test $port /
	atf_check_equal "$(sts_of head.txt)" ""
	send $pplain \
	    "GET / HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n" \
	    > plain.out
	atf_check_equal "$(status_of plain.out)" "200"
	atf_check_equal "$(sts_of plain.out)" ""
}
hsts_cleanup()
{
	stop_all
}

atf_test_case hsts_own_answers cleanup
hsts_own_answers_head()
{
	atf_set descr "hsts is on every TLS response, also those proxyd" \
	    "answers itself: 401, a redirect, 404 for no proxy, 502"
	atf_set require.user root
}
hsts_own_answers_body()
{
	make_ca ca
	make_cert h ca h.test DNS:h.test
	port=$(free_port)
	bport=$(free_port)
	dead=$(free_port)
	start_backend b $bport
	printf 'alice:%s\n' "$(openssl passwd -apr1 secret)" > users
	chmod 644 users
	auth="authenticate \"R\" users \"${PWD}/users\""
	proxyd_conf "prefork 1" \
	    "$(tls_server h.test $port h $bport 'hsts max-age 600' \
	        "location \"/private\" { $auth }" \
	        'location "/old" { redirect to "/new" }' \
	        'location "/none" { no proxy }' \
	        "location \"/down\" { proxy to \"http://127.0.0.1:$dead/\" }")"
	start_proxyd $port
	expect_get 200 h.test $port /backend
	atf_check_equal "backend: $(sts_of head.txt)" "backend: max-age=600"
	failed=
	for p in /private:401 /old:301 /none:404 /down:502; do
		expect_get ${p#*:} h.test $port ${p%:*}
		[ "$(sts_of head.txt)" = "max-age=600" ] || \
		    failed="${failed} ${p#*:}"
	done
	[ -z "${failed}" ] || \
	    atf_fail "no Strict-Transport-Security on:${failed}"
}
hsts_own_answers_cleanup()
{
	stop_all
}

atf_test_case plain_http_on_tls cleanup
plain_http_on_tls_head()
{
	atf_set descr "a plain HTTP request on a TLS port gets a plain-text" \
	    "400 and is closed, reaches no backend; TLS is still served"
	atf_set require.user root
}
plain_http_on_tls_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1" "$(tls_server a.test $port a $bport)"
	start_proxyd $port
	python3 "${RAWHTTP}" $port -c -t 3 \
	    -d "GET / HTTP/1.1\r\nHost: x\r\n\r\n" > plain.out
	rc=$?
	atf_check_equal "$(head -1 plain.out | tr -d '\r')" \
	    "HTTP/1.1 400 Bad Request"
	[ $rc -eq 0 ] || atf_fail "the connection was not closed after the 400"
	backend_empty b "plain HTTP on the TLS port"
	expect_get 200 a.test $port /after
}
plain_http_on_tls_cleanup()
{
	stop_all
}

atf_test_case failed_handshakes cleanup
failed_handshakes_head()
{
	atf_set descr "garbage after a handshake record type, a handshake" \
	    "stalled mid-ClientHello (cut after timeout header) and no" \
	    "shared cipher each count as a tls handshake failure, not a" \
	    "5xx, and are logged once"
	atf_set require.user root
}
failed_handshakes_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 2" "timeout header 2s" \
	    "$(tls_server a.test $port a $bport)"
	start_proxyd $port -v
	atf_check_equal "$(tls_failures)" "0"

	python3 "${RAWHTTP}" $port -c -t 3 \
	    -d "\x16\x03\x01\x00\x08junkjunk\xff\xff\xff\xff\xff\xff" \
	    > /dev/null || atf_fail "garbage: the connection was not closed"
	python3 "${TLSCLIENT}" halfhello $port -t 5 > stall.txt
	rc=$?
	t=$(cat stall.txt)
	[ $rc -eq 0 ] || atf_fail "a stalled handshake was not cut in 5 s"
	python3 -c "import sys; sys.exit(not 1.5 <= $t <= 3.5)" || \
	    atf_fail "a stalled handshake was cut after $t s, not about 2 s"
	s_client $port -tls1_2 -cipher 'AES128-SHA:@SECLEVEL=0' \
	    < /dev/null > nocipher.txt
	grep -q 'alert handshake failure' nocipher.txt || \
	    atf_fail "no shared cipher not refused: $(ssl_said nocipher.txt)"

	n=0
	while [ "$(tls_failures)" != 3 ]; do
		n=$((n + 1))
		[ $n -gt 40 ] && atf_fail "tls handshake failures:" \
		    "$(tls_failures), not 3"
		sleep 0.05
	done
	ctl status | grep -q '^requests: .* 5xx 0)$' || \
	    atf_fail "counted as 5xx: $(ctl status | grep '^requests:')"
	atf_check_equal "$(grep -c 'tls handshake' proxyd.log)" "3"
	expect_get 200 a.test $port /after
	atf_check_equal "requests at the backend: $(grep -c '^GET ' \
	    rec-b/all.raw)" "requests at the backend: 1"
}
failed_handshakes_cleanup()
{
	stop_all
}

# tls_conf CERT KEY: proxyd.conf with one server on a tls listener with
# the certificate and key files CERT and KEY.
tls_conf()
{
	proxyd_conf "server \"a.test\" {" \
	    "	listen on 127.0.0.1 tls port ${port}" \
	    "	tls certificate \"$1\"" \
	    "	tls key \"$2\"" \
	    "	proxy to \"http://127.0.0.1:${bport}/\"" \
	    "}"
}

# conf_refused WHAT LINE...: proxyd -n must exit 1 and print
# proxyd.conf:LINE: for one of the LINEs.
conf_refused()
{
	_what=$1
	shift
	"${PROXYD}" -n -f "${PWD}/proxyd.conf" > check.out 2> check.err
	_rc=$?
	[ ${_rc} -eq 1 ] || atf_fail "${_what}: proxyd -n exited ${_rc}:" \
	    "$(cat check.out check.err | tr '\n' ' ')"
	for _l in "$@"; do
		grep -q "^${PWD}/proxyd.conf:${_l}: " check.err && return 0
	done
	atf_fail "${_what}: no ${PWD}/proxyd.conf:LINE: at line(s) $*:" \
	    "$(shown check.err)"
}

atf_test_case certificate_checks cleanup
certificate_checks_head()
{
	atf_set descr "proxyd -n refuses with FILE:LINE a key that does not" \
	    "match its certificate, a missing certificate file, a key file" \
	    "readable by group or others"
	atf_set require.user root
}
certificate_checks_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	make_cert b ca b.test DNS:b.test
	port=$(free_port)
	bport=$(free_port)
	tls_conf "${PWD}/a.crt" "${PWD}/a.key"
	atf_check -o match:"configuration OK" \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"

	tls_conf "${PWD}/a.crt" "${PWD}/b.key"
	conf_refused "a key of another certificate" \
	    $(line_of "tls certificate") $(line_of "tls key")
	tls_conf "${PWD}/missing.crt" "${PWD}/a.key"
	conf_refused "a missing certificate" $(line_of "tls certificate")
	grep -q missing.crt check.err || \
	    atf_fail "the missing file is not named: $(shown check.err)"
	tls_conf "${PWD}/a.crt" "${PWD}/a.key"
	for mode in 640 644 604; do
		chmod $mode a.key
		conf_refused "a key of mode $mode" $(line_of "tls key")
	done
	chmod 600 a.key
	atf_check -o match:"configuration OK" \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
}
certificate_checks_cleanup()
{
	stop_all
}

atf_test_case certificate_expiry cleanup
certificate_expiry_head()
{
	atf_set descr "an expired certificate and one expiring in 3 days" \
	    "are warned about at start, at reload and in proxyctl status," \
	    "and served"
	atf_set require.user root
}
certificate_expiry_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	make_cert soon ca soon.test DNS:soon.test ec 3
	make_cert_dated old ca old.test 20200101000000Z 20210101000000Z
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1" \
	    "$(tls_server a.test $port a $bport)" \
	    "$(tls_server soon.test $port soon $bport)" \
	    "$(tls_server old.test $port old $bport)"
	atf_check -s exit:0 -o match:"configuration OK" -e ignore \
	    "${PROXYD}" -n -f "${PWD}/proxyd.conf"
	start_proxyd $port
	grep -q 'old.test.*expired\|old\.crt.*expired' proxyd.log || \
	    atf_fail "no warning that old.test has expired: $(shown proxyd.log)"
	grep -q 'soon.test.*expires\|soon\.crt.*expires' proxyd.log || \
	    atf_fail "no warning that soon.test expires: $(shown proxyd.log)"
	if grep -q '"[^"]*/a\.crt".*expire\|a\.test.*expire' proxyd.log; then
		atf_fail "a warning for a certificate valid 30 days"
	fi
	ctl status > status.txt
	grep -q '^certificate old.test: .*expired' status.txt || \
	    atf_fail "status: $(grep '^certificate old' status.txt)"
	grep -q '^certificate soon.test: .*renew it' status.txt || \
	    atf_fail "status: $(grep '^certificate soon' status.txt)"
	grep -q '^certificate a.test: .*\(renew it\|expired\)' status.txt && \
	    atf_fail "status warns of a.test: $(grep '^certificate a' \
	    status.txt)"
	s_client $port -servername old.test < /dev/null > old.txt
	atf_check_equal "$(served_cn old.txt)" "old.test"
	s_client $port -servername soon.test < /dev/null > soon.txt
	atf_check_equal "$(served_cn soon.txt)" "soon.test"
	# Warned again at reload.
	atf_check -o inline:"reload: ok (generation 2)\n" \
	    "${PROXYCTL}" -s "${PWD}/ctl.sock" reload
	atf_check_equal "warnings: $(grep -c 'old.test.*expired' proxyd.log)" \
	    "warnings: 2"
}
certificate_expiry_cleanup()
{
	stop_all
}

atf_test_case reload_bad_key cleanup
reload_bad_key_head()
{
	atf_set descr "a reload whose key does not match its certificate" \
	    "fails with FILE:LINE and the old certificate is still served"
	atf_set require.user root
}
reload_bad_key_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	make_cert b ca b.test DNS:b.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	tls_conf "${PWD}/a.crt" "${PWD}/a.key"
	start_proxyd $port
	tls_conf "${PWD}/b.crt" "${PWD}/a.key"
	ctl reload > reload.out 2>&1
	rc=$?
	[ $rc -eq 1 ] || atf_fail "reload exited $rc: $(shown reload.out)"
	grep -q "^${PWD}/proxyd.conf:\($(line_of "tls certificate")\|$(line_of \
	    "tls key")\): " reload.out || \
	    atf_fail "no FILE:LINE: $(shown reload.out)"
	atf_check_equal "$(ctl status | sed -n 's/^generation: //p')" "1"
	s_client $port -servername a.test < /dev/null > cert.txt
	atf_check_equal "$(served_cn cert.txt)" "a.test"
	expect_get 200 a.test $port /still
}
reload_bad_key_cleanup()
{
	stop_all
}

atf_test_case https_backends cleanup
https_backends_head()
{
	atf_set descr "https backends: verified against backend tls ca with" \
	    "the address or name checked and SNI sent (200), 502 for a" \
	    "wrong name or an unknown CA unless no verify; sessions reused"
	atf_set require.user root
}
https_backends_body()
{
	make_ca ca
	make_cert ip ca 127.0.0.1 IP:127.0.0.1
	make_cert other ca other.test DNS:other.test
	make_cert lh ca localhost DNS:localhost
	make_cert self - 127.0.0.1 IP:127.0.0.1
	port=$(free_port)
	b1=$(free_port)
	b2=$(free_port)
	b3=$(free_port)
	b4=$(free_port)
	start_tls_backend ip $b1 ip.crt ip.key
	start_tls_backend other $b2 other.crt other.key
	start_tls_backend lh $b3 lh.crt lh.key
	start_tls_backend self $b4 self.crt self.key
	# One worker that never retires: it keeps the backend sessions.
	proxyd_conf "prefork 1 max 1" \
	    "server \"ip.test\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	backend tls ca \"${PWD}/ca.crt\"" \
	    "	proxy to \"https://127.0.0.1:$b1/\"" \
	    "}" \
	    "server \"wrong.test\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	backend tls ca \"${PWD}/ca.crt\"" \
	    "	proxy to \"https://127.0.0.1:$b2/\"" \
	    "}" \
	    "server \"lh.test\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	backend tls ca \"${PWD}/ca.crt\"" \
	    "	proxy to \"https://localhost:$b3/\"" \
	    "}" \
	    "server \"self.test\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	proxy to \"https://127.0.0.1:$b4/\"" \
	    "}" \
	    "server \"noverify.test\" {" \
	    "	listen on 127.0.0.1 port $port" \
	    "	backend tls no verify" \
	    "	proxy to \"https://127.0.0.1:$b4/x/\"" \
	    "}"
	start_proxyd $port

	get() {
		send $port \
		    "GET $2 HTTP/1.1\r\nHost: $1\r\nConnection: close\r\n\r\n" \
		    > get.out
		status_of get.out
	}
	atf_check_equal "ip: $(get ip.test /a)" "ip: 200"
	grep -q '^GET /a HTTP/1.1' rec-ip/all.raw || \
	    atf_fail "the request did not reach the backend over TLS"
	# No SNI for an address (RFC 6066 section 3).
	atf_check_equal "SNI: $(sort -u rec-ip/sni.txt | tr '\n' ' ')" \
	    "SNI: - "
	atf_check_equal "wrong name: $(get wrong.test /b)" "wrong name: 502"
	backend_empty other "a request to a backend with a wrong name"
	grep -qi 'verif' proxyd.log || \
	    atf_fail "no log line about the verification: $(shown proxyd.log)"
	atf_check_equal "localhost: $(get lh.test /c)" "localhost: 200"
	atf_check_equal "SNI: $(sort -u rec-lh/sni.txt | tr '\n' ' ')" \
	    "SNI: localhost "
	atf_check_equal "unknown CA: $(get self.test /d)" "unknown CA: 502"
	backend_empty self "a request to a backend signed by an unknown CA"
	atf_check_equal "no verify: $(get noverify.test /e)" "no verify: 200"
	grep -q '^GET /x/e HTTP/1.1' rec-self/all.raw || \
	    atf_fail "the no verify request did not reach the backend"

	# Each answer closes the backend connection: new handshakes,
	# resumed after the first.
	for i in 1 2 3 4; do
		atf_check_equal "once $i: $(get lh.test /once)" "once $i: 200"
	done
	hs=$(wc -l < rec-lh/reused.txt)
	[ "$hs" -ge 4 ] || atf_fail "only $hs handshakes with the backend"
	atf_check_equal "$(head -1 rec-lh/reused.txt)" "0"
	atf_check_equal "resumed: $(sed 1d rec-lh/reused.txt | sort -u | \
	    tr '\n' ' ')" "resumed: 1 "
}
https_backends_cleanup()
{
	stop_all
}

atf_test_case close_notify cleanup
close_notify_head()
{
	atf_set descr "after a response with Connection: close, proxyd" \
	    "ends the TLS connection with close_notify"
	atf_set require.user root
}
close_notify_body()
{
	make_ca ca
	make_cert a ca a.test DNS:a.test
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	proxyd_conf "prefork 1" "$(tls_server a.test $port a $bport)"
	start_proxyd $port
	python3 "${TLSCLIENT}" closenotify $port a.test ca.crt > cn.out 2>&1
	rc=$?
	cat cn.out
	atf_check_equal "$(head -1 cn.out)" "HTTP/1.1 200 OK"
	[ $rc -eq 0 ] || atf_fail "$(tail -1 cn.out)"
}
close_notify_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case basic_termination
	atf_add_test_case bodies_keepalive
	atf_add_test_case protocols_ciphers
	atf_add_test_case sni_choice
	atf_add_test_case resume_sessions
	atf_add_test_case resume_across_workers
	atf_add_test_case ticket_key_rotation
	atf_add_test_case ocsp_stapling
	atf_add_test_case hsts
	atf_add_test_case hsts_own_answers
	atf_add_test_case plain_http_on_tls
	atf_add_test_case failed_handshakes
	atf_add_test_case certificate_checks
	atf_add_test_case certificate_expiry
	atf_add_test_case reload_bad_key
	atf_add_test_case https_backends
	atf_add_test_case close_notify
}
