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

"""A backend for the tests and the demo.

It records exactly the bytes it receives (DIR/all.raw, and one file per
connection, conn-N.raw, with conn-N.closed made when it ends), keeps
connections alive, and answers by the first path segment it knows,
wherever it appears in the path:

  (default)          200, text: the request line and the fields it saw
  /echo              the request body back (Content-Length)
  /sha               the SHA-256 of the request body, in hex
  /bytes/N           N bytes of a fixed pattern, Content-Length
  /chunked/N         the same N bytes, chunked in pieces of up to 7000
  /close/N           the same N bytes, delimited by closing
  /status/N          status N
  /redirect?URL      302 to URL (the query, as it is)
  /header?F:V        200 with the field F: V added
  /cookie?C          200 with Set-Cookie: C
  /sse               three events, a third of a second apart, chunked
  /slow/MS           answer after MS milliseconds
  /hang              never answer
  /raw?HEX           send these bytes (hex) as the whole answer and close
  /ws                switch to WebSocket and echo what comes
  /once              answer, then close the connection
  /fields?N=V&...    200 with the fields N: V added (URL-encoded query)
  /dropnext          answer, keep the connection, then close it without
                     answering when the next request comes on it
  /stall?HEX         send these bytes (hex), then never anything more
  /hints             a 103 Early Hints as soon as the head is in, before
                     the body is read; then the SHA-256 of the body

With --tls CERT KEY it speaks TLS (1.2 or 1.3, the Python defaults): it
records the server name each ClientHello asked for (DIR/sni.txt, one a
line, "-" for none) and whether each completed handshake resumed a
session (DIR/reused.txt, "1" or "0" a line), and ends each connection
with close_notify.
"""

import argparse
import binascii
import hashlib
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

PATTERN = bytes(range(256)) * 64
lock = threading.Lock()
counter = [0]
args = None
tls_context = None


def pattern(n):
    out = bytearray()
    while len(out) < n:
        out += PATTERN[: n - len(out)]
    return bytes(out)


class Conn:
    def __init__(self, sock, number):
        self.sock = sock
        self.buf = b""
        self.drop_next = False
        self.raw = open(os.path.join(args.record, "conn-%04d.raw" % number),
                        "wb") if args.record else None

    def record(self, data):
        if not args.record:
            return
        self.raw.write(data)
        self.raw.flush()
        with lock:
            with open(os.path.join(args.record, "all.raw"), "ab") as f:
                f.write(data)

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.record(data)
        self.buf += data

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def send(self, data):
        self.sock.sendall(data)


def read_request(c):
    line = c.line()
    while line == b"":
        line = c.line()
    method, target, version = line.decode("latin-1").split(" ", 2)
    fields = []
    while True:
        h = c.line()
        if h == b"":
            break
        name, value = h.decode("latin-1").split(":", 1)
        fields.append((name, value.strip()))
    names = {n.lower(): v for n, v in fields}
    if "/hints" in target:
        c.send(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload"
               b"\r\n\r\n")
    body = b""
    if names.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int(c.line().split(b";")[0], 16)
            if size == 0:
                while c.line() != b"":
                    pass
                break
            body += c.exactly(size)
            c.exactly(2)
    elif "content-length" in names:
        body = c.exactly(int(names["content-length"]))
    return method, target, version, fields, names, body


def respond(c, status, body=b"", fields=(), length=True, close=False):
    head = "HTTP/1.1 %d X\r\n" % status
    for n, v in fields:
        head += "%s: %s\r\n" % (n, v)
    if length and status not in (204, 304) and status >= 200:
        head += "Content-Length: %d\r\n" % len(body)
    if close:
        head += "Connection: close\r\n"
    c.send(head.encode("latin-1") + b"\r\n" + body)


def websocket(c, names):
    key = names.get("sec-websocket-key", "")
    c.send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Accept: " +
           key.encode() + b"\r\n\r\n")
    if c.buf:
        c.send(c.buf)
        c.buf = b""
    while True:
        data = c.sock.recv(65536)
        if not data:
            return
        c.record(data)
        c.send(data)


def serve(c):
    method, target, version, fields, names, body = read_request(c)
    if c.drop_next:
        return False
    path, _, query = target.partition("?")
    segs = [s for s in path.split("/") if s]
    route, arg = "", ""
    for i, s in enumerate(segs):
        if s in ("echo", "sha", "bytes", "chunked", "close", "status",
                 "redirect", "header", "cookie", "sse", "slow", "hang",
                 "raw", "ws", "once", "fields", "dropnext", "stall",
                 "hints"):
            route = s
            arg = segs[i + 1] if i + 1 < len(segs) else ""
            break
    head_only = method == "HEAD"
    if route == "echo":
        respond(c, 200, body)
    elif route == "sha" or route == "hints":
        respond(c, 200, hashlib.sha256(body).hexdigest().encode() + b"\n")
    elif route == "bytes":
        data = pattern(int(arg))
        if head_only:
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" %
                   len(data))
        else:
            respond(c, 200, data)
    elif route == "chunked":
        data = pattern(int(arg))
        out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        for i in range(0, len(data), 7000):
            piece = data[i:i + 7000]
            out += b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n"
        out += b"0\r\nX-Trailer: t\r\n\r\n"
        c.send(out)
    elif route == "close":
        c.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" +
               pattern(int(arg)))
        return False
    elif route == "status":
        respond(c, int(arg), b"" if int(arg) in (204, 304) else b"status\n")
    elif route == "redirect":
        respond(c, 302, b"moved\n", [("Location", query)])
    elif route == "header":
        name, _, value = query.partition(":")
        respond(c, 200, b"header\n", [(name, value)])
    elif route == "cookie":
        respond(c, 200, b"cookie\n", [("Set-Cookie", query)])
    elif route == "sse":
        c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(3):
            ev = b"data: event %d %f\n\n" % (i, time.time())
            c.send(b"%x\r\n" % len(ev) + ev + b"\r\n")
            time.sleep(0.3)
        c.send(b"0\r\n\r\n")
    elif route == "slow":
        time.sleep(int(arg) / 1000.0)
        respond(c, 200, b"slow\n")
    elif route == "hang":
        time.sleep(3600)
    elif route == "raw":
        c.send(binascii.unhexlify(query))
        return False
    elif route == "ws":
        websocket(c, names)
        return False
    elif route == "once":
        respond(c, 200, b"once\n", close=True)
        return False
    elif route == "fields":
        respond(c, 200, b"fields\n",
                urllib.parse.parse_qsl(query, keep_blank_values=True))
    elif route == "dropnext":
        respond(c, 200, b"dropnext\n")
        c.drop_next = True
    elif route == "stall":
        c.send(binascii.unhexlify(query))
        time.sleep(3600)
    else:
        text = "%s %s %s\n" % (method, target, version)
        for n, v in fields:
            text += "%s: %s\n" % (n, v)
        text += "body: %d bytes\n" % len(body)
        data = b"" if head_only else text.encode("latin-1")
        c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
               b"Content-Length: %d\r\n\r\n" % len(text.encode("latin-1"))
               + data)
    return names.get("connection", "").lower() != "close"


def note(name, line):
    if not args.record:
        return
    with lock:
        with open(os.path.join(args.record, name), "a") as f:
            f.write(line + "\n")


def sni_seen(sslsock, name, context):
    note("sni.txt", name if name is not None else "-")


def tls_handshake(sock):
    """The TLS handshake on sock; None when it fails."""
    try:
        sock.settimeout(10)
        tsock = tls_context.wrap_socket(sock, server_side=True)
        tsock.settimeout(None)
    except (OSError, ValueError):
        sock.close()
        return None
    note("reused.txt", "1" if tsock.session_reused else "0")
    return tsock


def tls_close(sock):
    """close_notify, then the end of the connection."""
    try:
        sock.settimeout(1)
        sock.unwrap()
    except (OSError, ValueError):
        pass
    sock.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        if tls_context is not None:
            sock = tls_handshake(sock)
            if sock is None:
                return
        with lock:
            counter[0] += 1
            number = counter[0]
        c = Conn(sock, number)
        try:
            while serve(c):
                pass
        except (EOFError, ConnectionError, ValueError, OSError):
            pass
        finally:
            if tls_context is not None:
                tls_close(sock)
            if c.raw:
                c.raw.close()
                # The end of the connection, for tests of idle timeouts.
                open(os.path.join(args.record, "conn-%04d.closed" % number),
                     "w").close()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global args, tls_context
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--record", default=None)
    p.add_argument("--pidfile", default=None)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), default=None)
    args = p.parse_args()
    if args.tls:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args.tls[0], args.tls[1])
        tls_context.set_alpn_protocols(["http/1.1"])
        tls_context.sni_callback = sni_seen
    if args.record:
        os.makedirs(args.record, exist_ok=True)
        open(os.path.join(args.record, "all.raw"), "ab").close()
    family = socket.AF_INET6 if ":" in args.address else socket.AF_INET
    Server.address_family = family
    srv = Server((args.address, args.port), Handler)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
