#!/bin/sh
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

# make demo: a demo backend on 127.0.0.1:8000, and proxyd in the
# foreground with a redirect listener on 8080 and an HTTPS listener on
# 8443 with a generated ECDSA certificate and a demo user (demo/demo),
# as the classic Apache recipe does.  Ctrl-C stops both.

set -e
OBJ=${1:-obj}
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEMO=${DEMO_DIR:-/tmp/proxyd-demo}

if [ "$(id -u)" != 0 ]; then
	echo "make demo: run it as root (proxyd binds, chroots and drops" \
	    "privileges)" >&2
	exit 1
fi
if ! getent passwd proxyd >/dev/null; then
	echo "creating the system user proxyd"
	useradd --system --no-create-home --home-dir /var/empty \
	    --shell /usr/sbin/nologin proxyd
fi

mkdir -p "$DEMO/empty"
chmod 755 "$DEMO" "$DEMO/empty"
if [ ! -s "$DEMO/demo.crt" ] || [ ! -s "$DEMO/demo.key" ]; then
	echo "making a certificate for localhost (ECDSA P-256)"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 30 -subj /CN=localhost \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    -keyout "$DEMO/demo.key" -out "$DEMO/demo.crt" 2>/dev/null
fi
chmod 600 "$DEMO/demo.key"
chmod 644 "$DEMO/demo.crt"
# The demo user, in an htpasswd file (Apache MD5, as htpasswd -m writes).
printf 'demo:%s\n' "$(openssl passwd -apr1 demo)" > "$DEMO/users"
printf 'staff: demo\n' > "$DEMO/groups"
chmod 644 "$DEMO/users" "$DEMO/groups"
cat > "$DEMO/proxyd.conf" <<CONF
# The proxyd demo: see $TOP/etc/demo.sh
user "proxyd"
chroot "$DEMO/empty"
socket "$DEMO/proxyd.sock"
prefork 4 max 32
log access "$DEMO/access.log" combined

server "localhost" {
	alias "127.0.0.1"
	listen on 127.0.0.1 port 8080
	redirect to "https://\$HOST:8443\$REQUEST_URI"
}

server "localhost" {
	alias "127.0.0.1"
	listen on 127.0.0.1 tls port 8443
	tls certificate "$DEMO/demo.crt"
	tls key "$DEMO/demo.key"
	hsts
	authenticate "proxyd demo" users "$DEMO/users" groups "$DEMO/groups"
	require group "staff"
	via full
	location "/public" { no authenticate }
	location "/private" { no proxy }
	location "/old" { redirect code 302 to "/new" }
	location "/app" { proxy to "http://127.0.0.1:8000/base/" }
	proxy to "http://127.0.0.1:8000/"
}
CONF
chmod 644 "$DEMO/proxyd.conf"

python3 "$TOP/regress/integ/backend.py" --port 8000 &
backend=$!
trap 'kill $backend 2>/dev/null' EXIT INT TERM

cat <<TXT

proxyd demo: a backend on 127.0.0.1:8000, proxyd on 8080 (redirect) and
8443 (HTTPS, user demo, password demo).  In another terminal try:

  curl -i http://localhost:8080/hello?x=1          # 301 to https://localhost:8443
  C="--cacert $DEMO/demo.crt"
  curl -i \$C https://localhost:8443/hello          # 401: who are you?
  curl -i \$C -u demo:demo https://localhost:8443/hello
                                                   # relayed: what the backend saw
  curl -i \$C https://localhost:8443/public/x       # no password needed here
  curl -i \$C -u demo:demo https://localhost:8443/app/x
                                                   # /app/x becomes /base/x
  curl -i \$C -u demo:demo https://localhost:8443/private
                                                   # 404: no proxy here
  curl -i \$C -u demo:demo "https://localhost:8443/app/redirect?http://127.0.0.1:8000/base/y"
                                                   # the backend's Location,
                                                   # rewritten to the public name
  tail $DEMO/access.log
  $TOP/$OBJ/proxyctl -s $DEMO/proxyd.sock status

Ctrl-C stops it.

TXT
"$TOP/$OBJ/proxyd" -d -f "$DEMO/proxyd.conf"
