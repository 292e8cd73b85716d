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

"""A keep-alive client for the tests of authentication: on one connection
to 127.0.0.1:PORT, for each CRED (user:password, or "-" for none) in
turn, sends -n GET requests for -P PATH (Host -H) with those Basic
credentials and prints one line per request: the status and the seconds
from the first byte sent to the last byte of the answer.  The last line
is "total SECONDS" for all the requests.  When the server closes the
connection it is opened again (not counted in the times).

With -e, each CRED is STATUS=CRED: each answer whose status is not that
STATUS is printed ("user:password: got N, not M"), nothing else, and the
exit status is 1 if there was any.  With -l SECONDS, stops once the
requests have taken that long, printing "stopped" before the total, and
exits 3."""

import argparse
import base64
import os
import socket
import sys
import time


def read_response(s, buf):
    """One response (Content-Length or no body) from s, buf holding what
    was read before; returns (status, what follows it, Connection: close
    seen)."""
    while b"\r\n\r\n" not in buf:
        got = s.recv(65536)
        if not got:
            raise EOFError
        buf += got
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection" and b"close" in value.lower():
            close = True
    while len(buf) < length:
        got = s.recv(65536)
        if not got:
            raise EOFError
        buf += got
    return status, buf[length:], close


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("creds", nargs="+")
    p.add_argument("-n", dest="count", type=int, default=1)
    p.add_argument("-H", dest="host", default="app")
    p.add_argument("-P", dest="path", default="/k")
    p.add_argument("-l", dest="limit", type=float, default=None)
    p.add_argument("-e", dest="expect", action="store_true")
    a = p.parse_args()
    s = None
    buf = b""
    total = 0.0
    out = []
    stopped = False
    wrong = []
    for cred in a.creds:
        if stopped:
            break
        want = None
        if a.expect:
            want, cred = cred.split("=", 1)
            want = int(want)
        field = b""
        if cred != "-":
            # The bytes as given, whatever the locale.
            field = (b"Authorization: Basic " +
                     base64.b64encode(os.fsencode(cred)) + b"\r\n")
        req = (b"GET " + a.path.encode() + b" HTTP/1.1\r\nHost: " +
               a.host.encode() + b"\r\n" + field + b"\r\n")
        for _ in range(a.count):
            if s is None:
                s = socket.create_connection(("127.0.0.1", a.port), 5)
                s.settimeout(30)
                buf = b""
            t0 = time.monotonic()
            s.sendall(req)
            status, buf, close = read_response(s, buf)
            dt = time.monotonic() - t0
            total += dt
            out.append("%d %.6f" % (status, dt))
            if want is not None and status != want:
                wrong.append("%s: got %d, not %d" % (cred, status, want))
            if close:
                s.close()
                s = None
            if a.limit is not None and total > a.limit:
                stopped = True
                break
    if s is not None:
        s.close()
    if a.expect:
        sys.stdout.write("".join(w + "\n" for w in wrong))
        return 1 if wrong else 0
    if stopped:
        out.append("stopped")
    out.append("total %.6f" % total)
    sys.stdout.write("\n".join(out) + "\n")
    return 3 if stopped else 0


if __name__ == "__main__":
    sys.exit(main())
