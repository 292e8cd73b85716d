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

"""keyscan.py -k KEYFILE [-k KEYFILE ...] PID [PID ...]

As root, read the whole memory of each process through /proc/PID/mem and
look for the secret parts of the private keys: the EC private scalar, the
RSA primes and private exponent, each as big-endian bytes (DER, and what
BN_bn2bin writes) and byte-reversed (an x86-64 BIGNUM's limbs), whole and
as 16-byte windows (a freed heap chunk loses its first bytes to the
allocator's pointers), and the DER of the key file.  Prints one line per
process, "PID: clean" or "PID: N hits (...)"; exits 1 if any process
holds any of it."""

import base64
import re
import subprocess
import sys


def hexfield(text, name):
    m = re.search(r"^%s:\s*\n((?:\s+[0-9a-f:]+\n)+)" % name, text, re.M)
    if m is None:
        return None
    return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1))).lstrip(b"\0")


def patterns(keyfile):
    text = subprocess.run(["openssl", "pkey", "-in", keyfile, "-text",
                           "-noout"], capture_output=True, text=True).stdout
    secrets = {}
    for field in ("priv", "prime1", "prime2", "privateExponent"):
        v = hexfield(text, field)
        if v:
            secrets[field] = v
    if not secrets:
        sys.exit("no secret found in %s" % keyfile)
    pats = {}
    for name, be in secrets.items():
        le = be[::-1]
        pats[name] = be
        pats[name + " reversed"] = le
        for form, v in (("", be), (" reversed", le)):
            pats["%s%s head" % (name, form)] = v[:16]
            pats["%s%s tail" % (name, form)] = v[-16:]
    pem = [l for l in open(keyfile).read().splitlines()
           if l and not l.startswith("-----")]
    der = base64.b64decode("".join(pem))
    pats["key file DER"] = der
    return pats


def scan(pid, pats):
    hits = set()
    with open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in open("/proc/%d/maps" % pid):
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5].strip() if len(parts) > 5 else ""
            if "r" not in parts[1] or name in ("[vvar]", "[vsyscall]"):
                continue
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            for pname, pat in pats.items():
                if data.find(pat) != -1:
                    hits.add(pname)
    return hits


def main():
    args = sys.argv[1:]
    pats = {}
    while args and args[0] == "-k":
        for name, pat in patterns(args[1]).items():
            pats["%s %s" % (args[1].split("/")[-1], name)] = pat
        args = args[2:]
    dirty = 0
    for pid in (int(a) for a in args):
        hits = scan(pid, pats)
        if hits:
            dirty = 1
            print("%d: %d hits (%s)" % (pid, len(hits),
                                        ", ".join(sorted(hits))))
        else:
            print("%d: clean" % pid)
    sys.exit(dirty)


main()
