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

"""Send a mix of requests to 127.0.0.1:PORT, ROUNDS times over: kept-alive
GETs of plain, long and chunked bodies, uploads with Content-Length and
chunked, a request refused by the parser, a 404, a redirect and a request
to a backend that is down.  Prints nothing; exits 1 if an answer is not
the one expected.  Used to see that serving requests leaves the worker's
heap as it was."""

import socket
import sys


def exchange(port, data, expect):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(data)
    got = b""
    s.settimeout(5)
    while True:
        try:
            part = s.recv(65536)
        except socket.timeout:
            break
        if not part:
            break
        got += part
    s.close()
    for e in expect:
        if e not in got:
            sys.stderr.write("expected %r in %r\n" % (e, got[:300]))
            sys.exit(1)


def main():
    port, rounds = int(sys.argv[1]), int(sys.argv[2])
    body = b"x" * 70000
    chunked = b"".join(b"%x\r\n" % 5000 + b"y" * 5000 + b"\r\n"
                       for _ in range(10)) + b"0\r\n\r\n"
    for _ in range(rounds):
        exchange(port, b"GET /a HTTP/1.1\r\nHost: app\r\n\r\n"
                 b"GET /bytes/20000 HTTP/1.1\r\nHost: app\r\n\r\n"
                 b"GET /chunked/30000 HTTP/1.1\r\nHost: app\r\n"
                 b"Connection: close\r\n\r\n",
                 [b"GET /a HTTP/1.1", b"0\r\n\r\n"])
        exchange(port, b"POST /sha HTTP/1.1\r\nHost: app\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(body) + body, [b"200 "])
        exchange(port, b"POST /sha HTTP/1.1\r\nHost: app\r\n"
                 b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                 + chunked, [b"200 "])
        exchange(port, b"GET / HTTP/1.1\r\nHost: app\r\n"
                 b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
                 [b"400 "])
        exchange(port, b"GET /none HTTP/1.1\r\nHost: app\r\n"
                 b"Connection: close\r\n\r\n", [b"404 "])
        exchange(port, b"GET /old?x HTTP/1.1\r\nHost: app\r\n"
                 b"Connection: close\r\n\r\n", [b"301 ", b"/new"])
        exchange(port, b"GET /down HTTP/1.1\r\nHost: app\r\n"
                 b"Connection: close\r\n\r\n", [b"502 "])


if __name__ == "__main__":
    main()
