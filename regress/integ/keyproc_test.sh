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

# The key process (SPEC.md section 2): private keys are in it alone, not
# in a worker nor in the parent; it signs RSA (PKCS#1 and PSS) and ECDSA
# handshakes for the workers; it refuses what a worker taken over could
# ask; and when it dies it is replaced while handshakes go on.

. $(atf_get_srcdir)/lib.subr

# Two servers on one tls listener: ec.test with an ECDSA P-256 key (key id
# 1) and rsa.test with an RSA-2048 key (key id 2).
key_setup()
{
	port=$(free_port)
	bport=$(free_port)
	start_backend b $bport
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -subj /CN=ec.test -addext subjectAltName=DNS:ec.test \
	    -keyout ec.key -out ec.crt -days 30 > /dev/null 2>&1 || \
	    atf_fail "openssl req ec"
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=rsa.test \
	    -addext subjectAltName=DNS:rsa.test -keyout rsa.key \
	    -out rsa.crt -days 30 > /dev/null 2>&1 || \
	    atf_fail "openssl req rsa"
	chmod 600 ec.key rsa.key
	proxyd_conf "prefork ${1:-2}" \
	    "server \"ec.test\" {" \
	    "	listen on 127.0.0.1 tls port $port" \
	    "	tls certificate \"${PWD}/ec.crt\"" \
	    "	tls key \"${PWD}/ec.key\"" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}" \
	    "server \"rsa.test\" {" \
	    "	listen on 127.0.0.1 tls port $port" \
	    "	tls certificate \"${PWD}/rsa.crt\"" \
	    "	tls key \"${PWD}/rsa.key\"" \
	    "	proxy to \"http://127.0.0.1:$bport/\"" \
	    "}"
	start_proxyd $port
}

# get NAME [CURL ARGS]: the status of GET / through NAME's certificate.
get()
{
	_n=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    --cacert "${PWD}/${_n%%.*}.crt" \
	    --resolve "$_n:$port:127.0.0.1" "$@" "https://$_n:$port/"
}

key_pids()
{
	for _p in $(pgrep -P "$(proxyd_pid)"); do
		tr '\0' ' ' < /proc/$_p/cmdline | grep -q "proxyd: key" && \
		    echo $_p
	done
}

plain_pids()
{
	for _p in $(pgrep -P "$(proxyd_pid)"); do
		tr '\0' ' ' < /proc/$_p/cmdline | grep -q "proxyd: worker" && \
		    echo $_p
	done
}

atf_test_case rsa_and_ecdsa cleanup
rsa_and_ecdsa_head()
{
	atf_set descr "an RSA-2048 and an ECDSA P-256 certificate on one" \
	    "listener, each with TLS 1.2 and 1.3, RSA with PKCS#1 and PSS," \
	    "signed by the key process"
	atf_set require.user root
}
rsa_and_ecdsa_body()
{
	key_setup
	[ -n "$(key_pids)" ] || atf_fail "no key process"
	for v in --tlsv1.3 "--tlsv1.2 --tls-max 1.2"; do
		atf_check_equal "$(get ec.test $v)" 200
		atf_check_equal "$(get rsa.test $v)" 200
	done
	for sa in RSA+SHA256:RSA RSA+SHA512:RSA rsa_pss_rsae_sha256:RSA-PSS \
	    rsa_pss_rsae_sha384:RSA-PSS; do
		openssl s_client -tls1_2 -sigalgs ${sa%:*} \
		    -servername rsa.test -connect 127.0.0.1:$port \
		    < /dev/null > s.out 2>&1
		grep -q "^New, TLSv1.2" s.out || \
		    atf_fail "TLS 1.2 with ${sa%:*}: $(grep -i error s.out)"
		grep -q "^Peer signature type: ${sa#*:}$" s.out || \
		    atf_fail "${sa%:*}: $(grep 'signature type' s.out)"
	done
	openssl s_client -tls1_3 -servername rsa.test \
	    -connect 127.0.0.1:$port < /dev/null > s.out 2>&1
	grep -q "Peer signature type: RSA-PSS" s.out || \
	    atf_fail "TLS 1.3 RSA: $(grep -i -e error -e signature s.out)"
	openssl s_client -tls1_2 -servername ec.test \
	    -connect 127.0.0.1:$port < /dev/null > s.out 2>&1
	grep -q "Peer signature type: ECDSA" s.out || \
	    atf_fail "TLS 1.2 ECDSA: $(grep -i -e error -e signature s.out)"
	# The signatures are the key process's: without it none is made.
	kill -STOP $(key_pids)
	code=$(get ec.test --max-time 4)
	kill -CONT $(key_pids)
	[ "$code" != 200 ] || atf_fail "a handshake without the key process"
	atf_check_equal "$(get ec.test)" 200
}
rsa_and_ecdsa_cleanup()
{
	stop_all
}

atf_test_case no_key_in_workers cleanup
no_key_in_workers_head()
{
	atf_set descr "while serving, no byte string of either private key" \
	    "is in the memory of a worker or of the parent, before and" \
	    "after a reload; the key process has them"
	atf_set require.user root
	atf_set timeout 120
}
no_key_in_workers_body()
{
	not_with_sanitizers "a scan of whole memories"
	key_setup
	for i in 1 2 3; do
		get ec.test > /dev/null
		get rsa.test --tlsv1.2 --tls-max 1.2 > /dev/null
	done
	scan="python3 $(atf_get_srcdir)/keyscan.py -k ec.key -k rsa.key"
	# The scanner finds what is there.
	$scan $(key_pids) > kp.scan && atf_fail "keys not found in the key" \
	    "process: the scan sees nothing: $(cat kp.scan)"
	$scan $(proxyd_pid) $(plain_pids) > scan1.txt || \
	    atf_fail "key material: $(grep hits scan1.txt)"
	ctl reload > /dev/null || atf_fail "reload failed"
	sleep 0.5
	get rsa.test > /dev/null
	get ec.test --tlsv1.2 --tls-max 1.2 > /dev/null
	$scan $(proxyd_pid) $(plain_pids) > scan2.txt || \
	    atf_fail "after reload: $(grep hits scan2.txt)"
	$scan $(key_pids) > kp.scan && atf_fail "no keys after reload"
	return 0
}
no_key_in_workers_cleanup()
{
	stop_all
}

atf_test_case hostile_requests cleanup
hostile_requests_head()
{
	atf_set descr "malformed, oversized and unknown-key requests, and" \
	    "values that are not signature encodings, sent on a worker's" \
	    "socket to the key process, are refused without harm"
	atf_set require.user root
}
hostile_requests_body()
{
	key_setup 1
	before=$(key_pids | sort | tr '\n' ' ')
	w=$(plain_pids | head -1)
	python3 "$(atf_get_srcdir)/keypoke.py" $w 2 1 > poke.txt 2>&1 || \
	    atf_fail "$(cat poke.txt)"
	cat poke.txt
	atf_check_equal "$(key_pids | sort | tr '\n' ' ')" "$before"
	atf_check_equal "$(get ec.test)" 200
	atf_check_equal "$(get rsa.test)" 200
}
hostile_requests_cleanup()
{
	stop_all
}

atf_test_case killed_key_process cleanup
killed_key_process_head()
{
	atf_set descr "key processes killed with SIGKILL during a load of" \
	    "handshakes are replaced, and the handshakes after it succeed"
	atf_set require.user root
	atf_set timeout 120
}
killed_key_process_body()
{
	not_with_sanitizers "a timing test"
	key_setup 3
	python3 -c 'import subprocess, sys, time
port, end = sys.argv[1], time.time() + 4
n = 0
while time.time() < end:
    for name in ("ec.test", "rsa.test"):
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w",
                            "%{http_code}", "--max-time", "5", "--cacert",
                            name.split(".")[0] + ".crt", "--resolve",
                            "%s:%s:127.0.0.1" % (name, port),
                            "https://%s:%s/" % (name, port)],
                           stdout=subprocess.PIPE, text=True)
        print(r.stdout)
        n += 1
' $port > load.txt &
	load=$!
	sleep 1
	old=$(key_pids | sort | tr '\n' ' ')
	[ -n "$old" ] || atf_fail "no key process"
	kill -KILL $old
	sleep 1
	kill -KILL $(key_pids | head -1)
	wait $load
	new=$(key_pids | sort | tr '\n' ' ')
	[ -n "$new" ] || atf_fail "not replaced"
	for p in $old; do
		echo " $new " | grep -q " $p " && atf_fail "key process $p lives"
	done
	atf_check_equal "$(key_pids | wc -l)" "$(echo $old | wc -w)"
	grep -q "key .* killed by signal 9" proxyd.log || \
	    atf_fail "the death was not logged"
	# Most handshakes of the load got through, and all after it do.
	ok=$(grep -c '^200$' load.txt)
	all=$(wc -l < load.txt)
	[ $ok -gt $((all / 2)) ] || atf_fail "$ok of $all handshakes"
	for i in 1 2 3 4; do
		atf_check_equal "$(get ec.test)" 200
		atf_check_equal "$(get rsa.test)" 200
	done
	# Failed handshakes are counted, not as server errors.
	ctl status > st.txt
	grep -q "^requests: .* 5xx 0)$" st.txt || atf_fail "$(grep ^requests st.txt)"
}
killed_key_process_cleanup()
{
	stop_all
}

atf_test_case keys_per_generation cleanup
keys_per_generation_head()
{
	atf_set descr "a reload reads the keys again for the new" \
	    "generation's key processes (a new key and certificate are" \
	    "served), and the old ones end with their generation"
	atf_set require.user root
}
keys_per_generation_body()
{
	key_setup
	old=$(key_pids | sort | tr '\n' ' ')
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -subj /CN=ec.test -addext subjectAltName=DNS:ec.test \
	    -keyout ec.key -out ec.crt -days 30 > /dev/null 2>&1
	chmod 600 ec.key
	ctl reload > /dev/null || atf_fail "reload failed"
	atf_check_equal "$(get ec.test)" 200
	n=0
	while :; do
		still=
		for p in $old; do
			running $p && still=1
		done
		[ -z "$still" ] && break
		n=$((n + 1))
		[ $n -gt 100 ] && atf_fail "old key processes did not end"
		sleep 0.05
	done
	[ -n "$(key_pids)" ] || atf_fail "no key process now"
}
keys_per_generation_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case rsa_and_ecdsa
	atf_add_test_case no_key_in_workers
	atf_add_test_case hostile_requests
	atf_add_test_case killed_key_process
	atf_add_test_case keys_per_generation
}
