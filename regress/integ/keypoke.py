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

"""keypoke.py WORKER_PID RSA_KEYID EC_KEYID

Do what a worker taken over through a parser bug could do to its key
process: take the worker's socket to it (pidfd_getfd(2), as root) and send
requests no worker of proxyd sends.  Prints one line per request, "NAME
STATUS", the status the key process answered with (or "none"), and exits
1 if any answer is not the refusal expected."""

import ctypes
import os
import socket
import struct
import sys

SYS_pidfd_open = 434
SYS_pidfd_getfd = 438
libc = ctypes.CDLL(None, use_errno=True)

KEYOP_RSA_SIGN, KEYOP_ECDSA_SIGN = 1, 2
KEYPAD_PKCS1, KEYPAD_NONE = 1, 3
EMSG, ENOKEY, EOP, ELEN, ENOTSIG = -1, -2, -3, -4, -5


def worker_sockets(pid):
    """The worker's SOCK_SEQPACKET sockets, as descriptors of ours."""
    seqpacket = set()
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[4] == "0005":
                seqpacket.add(fields[6])
    pidfd = libc.syscall(SYS_pidfd_open, pid, 0)
    if pidfd < 0:
        sys.exit("pidfd_open: %s" % os.strerror(ctypes.get_errno()))
    fds = []
    for name in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, name))
        except OSError:
            continue
        if not link.startswith("socket:["):
            continue
        if link[8:-1] not in seqpacket:
            continue
        fd = libc.syscall(SYS_pidfd_getfd, pidfd, int(name), 0)
        if fd >= 0:
            fds.append(fd)
    os.close(pidfd)
    return fds


def request(seq, keyid, op, padding, data, length=None):
    if length is None:
        length = len(data)
    return struct.pack("=IHBBI", seq, keyid, op, padding, length) + data


def ask(sock, msg, seq):
    sock.send(msg)
    sock.settimeout(1)
    while True:
        try:
            ans = sock.recv(65536)
        except socket.timeout:
            return None
        if len(ans) < 12:
            return None
        aseq, status, length = struct.unpack("=IiI", ans[:12])
        if aseq == seq or seq is None:
            return status


def main():
    pid, rsa_id, ec_id = (int(a) for a in sys.argv[1:4])
    keysock = None
    probe = request(0x7f000001, 60000, KEYOP_ECDSA_SIGN, 0, b"\0" * 32)
    for fd in worker_sockets(pid):
        s = socket.socket(fileno=fd)
        if ask(s, probe, 0x7f000001) is not None:
            keysock = s
            break
    if keysock is None:
        sys.exit("no socket of worker %d answers as a key process" % pid)
    tests = [
        ("three bytes", b"\1\2\3", None, EMSG),
        ("8 KiB", request(10, ec_id, KEYOP_ECDSA_SIGN, 0, b"A" * 8180), 10,
         EMSG),
        ("length says more", request(11, ec_id, KEYOP_ECDSA_SIGN, 0,
                                     b"d" * 32, 100), 11, EMSG),
        ("no such key", request(12, 999, KEYOP_ECDSA_SIGN, 0, b"d" * 32),
         12, ENOKEY),
        ("key 0", request(13, 0, KEYOP_ECDSA_SIGN, 0, b"d" * 32), 13,
         ENOKEY),
        ("unknown op", request(14, ec_id, 77, 0, b"d" * 32), 14, EOP),
        ("RSA op on an EC key", request(15, ec_id, KEYOP_RSA_SIGN,
                                        KEYPAD_NONE, b"d" * 32), 15, EOP),
        ("ECDSA op on an RSA key", request(16, rsa_id, KEYOP_ECDSA_SIGN, 0,
                                           b"d" * 32), 16, EOP),
        ("digest too long", request(17, ec_id, KEYOP_ECDSA_SIGN, 0,
                                    b"d" * 65), 17, ELEN),
        ("RSA raw value, not PSS", request(18, rsa_id, KEYOP_RSA_SIGN,
                                           KEYPAD_NONE, b"\x12" * 256), 18,
         ENOTSIG),
        ("RSA raw value, short", request(19, rsa_id, KEYOP_RSA_SIGN,
                                         KEYPAD_NONE, b"\x12" * 255), 19,
         ELEN),
        ("RSA PKCS#1 not a DigestInfo", request(20, rsa_id, KEYOP_RSA_SIGN,
                                                KEYPAD_PKCS1, b"\x30" * 51),
         20, ENOTSIG),
        ("RSA other padding", request(21, rsa_id, KEYOP_RSA_SIGN, 4,
                                      b"\x30" * 51), 21, EOP),
    ]
    bad = 0
    for name, msg, seq, want in tests:
        got = ask(keysock, msg, seq)
        print("%s %s" % (name, "none" if got is None else got))
        if got != want:
            print("  expected %d" % want)
            bad = 1
    sys.exit(bad)


main()
