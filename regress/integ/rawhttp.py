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
the parts of the data split at "|||" one by one, a pause (-p) apart; with
-u TEXT, the parts after the first wait instead until TEXT has come back
(or the timeout has passed).  With -c, the exit status is 2 when the
server did not close the connection (the timeout ended the wait)."""

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
    p.add_argument("-c", dest="closed", action="store_true",
                   help="exit 2 unless the server closed the connection")
    p.add_argument("-u", dest="until", default=None,
                   help="before each later part, wait for this text")
    a = p.parse_args()
    if a.data is not None:
        data = a.data.encode("latin-1").decode("unicode_escape").encode(
            "latin-1")
    else:
        data = sys.stdin.buffer.read()
    s = socket.create_connection(("127.0.0.1", a.port), 5)
    parts = data.split(b"|||") if a.split or a.until is not None else [data]
    out = sys.stdout.buffer
    seen = b""
    eof = False
    try:
        for i, part in enumerate(parts):
            if i > 0 and a.until is not None:
                want = a.until.encode("latin-1")
                deadline = time.time() + a.timeout
                while want not in seen and not eof:
                    left = deadline - time.time()
                    if left <= 0:
                        break
                    s.settimeout(left)
                    try:
                        got = s.recv(65536)
                    except socket.timeout:
                        break
                    except ConnectionResetError:
                        eof = True
                        break
                    if not got:
                        eof = True
                        break
                    seen += got
                    out.write(got)
                    out.flush()
            elif i > 0:
                time.sleep(a.pause)
            s.sendall(part)
        if a.shut:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    closed = eof
    s.settimeout(a.timeout)
    try:
        while not eof:
            got = s.recv(65536)
            if not got:
                closed = True
                break
            out.write(got)
            out.flush()
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    if a.closed and not closed:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
