#!/usr/bin/env python3
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

"""TLS clients for the tests, each to 127.0.0.1:PORT:

  halfhello PORT [-t SECONDS]
      send the first half of a ClientHello and nothing more; print how
      many seconds passed until the server closed the connection; exit 2
      if it did not within the timeout (default 10)
  closenotify PORT NAME CA
      GET / with Connection: close, then read to the end: exit 0 if the
      server ended with close_notify, 1 if it closed without one
  rotate PORT NAME CA SECONDS INTERVAL AGE
      for SECONDS, every INTERVAL seconds, get a new TLS 1.3 session and
      resume the one got AGE seconds before; exit 1 when one does not
      resume.  Each round one kept connection (a handshake, no request)
      holds a worker, and the one of the round before is closed only
      then, so that with two workers the rounds alternate between them
      and a session is resumed by the other worker than the one that
      made it (when AGE / INTERVAL is odd).
"""

import argparse
import socket
import ssl
import sys
import time


def client_context(ca, version=None):
    ctx = ssl.create_default_context(cafile=ca)
    if version == "1.3":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def connect(port, timeout=5):
    return socket.create_connection(("127.0.0.1", port), timeout)


def halfhello(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="a.test")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    s = connect(a.port)
    start = time.time()
    s.sendall(hello[: len(hello) // 2])
    s.settimeout(a.timeout)
    closed = False
    try:
        while True:
            got = s.recv(65536)
            if not got:
                closed = True
                break
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    print("%.2f" % (time.time() - start))
    return 0 if closed else 2


def closenotify(a):
    ctx = client_context(a.ca)
    s = ctx.wrap_socket(connect(a.port), server_hostname=a.name,
                        suppress_ragged_eofs=False)
    s.sendall(b"GET / HTTP/1.1\r\nHost: " + a.name.encode() +
              b"\r\nConnection: close\r\n\r\n")
    data = b""
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
    except (ssl.SSLEOFError, ConnectionResetError) as e:
        print(data.split(b"\r\n", 1)[0].decode("latin-1"))
        print("no close_notify: %s" % e)
        return 1
    print(data.split(b"\r\n", 1)[0].decode("latin-1"))
    return 0


def fetch(ctx, port, name, session=None):
    """A request on a new connection: (status line, reused, session)."""
    s = ctx.wrap_socket(connect(port), server_hostname=name,
                        session=session)
    s.sendall(b"GET /rotate HTTP/1.1\r\nHost: " + name.encode() +
              b"\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        data += got
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    reused, sess = s.session_reused, s.session
    s.close()
    return line, reused, sess


def rotate(a):
    ctx = client_context(a.ca, "1.3")
    sessions = []
    lag = int(round(a.age / a.interval))
    rounds = int(a.seconds / a.interval)
    hold = None
    start = time.time()
    failed = 0
    for i in range(rounds):
        when = start + i * a.interval
        if time.time() < when:
            time.sleep(when - time.time())
        new = ctx.wrap_socket(connect(a.port), server_hostname=a.name)
        if hold is not None:
            hold.close()
        hold = new
        line, reused, sess = fetch(ctx, a.port, a.name)
        if not line.startswith("HTTP/1.1 200"):
            print("round %d: new session: %s" % (i, line))
            failed = 1
        sessions.append(sess)
        if i >= lag:
            line, reused, _ = fetch(ctx, a.port, a.name, sessions[i - lag])
            t = time.time() - start
            print("round %d at %.1f s: session of round %d %s (%s)" % (
                i, t, i - lag, "resumed" if reused else "NOT resumed",
                line))
            if not reused or not line.startswith("HTTP/1.1 200"):
                failed = 1
    hold.close()
    return failed


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("halfhello")
    h.add_argument("port", type=int)
    h.add_argument("-t", dest="timeout", type=float, default=10.0)
    c = sub.add_parser("closenotify")
    c.add_argument("port", type=int)
    c.add_argument("name")
    c.add_argument("ca")
    r = sub.add_parser("rotate")
    r.add_argument("port", type=int)
    r.add_argument("name")
    r.add_argument("ca")
    r.add_argument("seconds", type=float)
    r.add_argument("interval", type=float)
    r.add_argument("age", type=float)
    a = p.parse_args()
    return {"halfhello": halfhello, "closenotify": closenotify,
            "rotate": rotate}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
