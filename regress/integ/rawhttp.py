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

"""A raw HTTP client for the tests: sends standard input (or -d DATA, with
Python escapes such as \\r\\n) exactly as given to 127.0.0.1:PORT, then
prints every byte that comes back until the server closes the connection
or stays quiet for the timeout (-t seconds, default 3).  With -s, sends
the parts of the data split at "|||" one by one, a pause (-p) apart."""

import argparse
import socket
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("-d", dest="data", default=None)
    p.add_argument("-t", dest="timeout", type=float, default=3.0)
    p.add_argument("-s", dest="split", action="store_true")
    p.add_argument("-p", dest="pause", type=float, default=0.2)
    p.add_argument("-w", dest="shut", action="store_true",
                   help="shut down the write side after sending")
    a = p.parse_args()
    if a.data is not None:
        data = a.data.encode("latin-1").decode("unicode_escape").encode(
            "latin-1")
    else:
        data = sys.stdin.buffer.read()
    s = socket.create_connection(("127.0.0.1", a.port), 5)
    parts = data.split(b"|||") if a.split else [data]
    try:
        for i, part in enumerate(parts):
            if i > 0:
                time.sleep(a.pause)
            s.sendall(part)
        if a.shut:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    s.settimeout(a.timeout)
    out = sys.stdout.buffer
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            out.write(got)
            out.flush()
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()


if __name__ == "__main__":
    main()
