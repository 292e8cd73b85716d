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

"""scribble.py WORKER_PID BYSTANDER_PID PARENT_PID

Do what a worker taken over through a parser bug could do: overwrite the
whole shared scoreboard (the worker's shared anonymous mapping) through
/proc/WORKER_PID/mem, as root, with 32-bit words cycling through the
bystander's pid, pid 1, the parent's pid, huge counts and zero.  The
layout need not be known: every field, whatever it is, gets each value
somewhere."""

import struct
import sys


def main():
    worker, bystander, parent = (int(a) for a in sys.argv[1:4])
    words = [bystander, 1, parent, 0xffffffff, 0x7fffffff, 0]
    maps = []
    with open("/proc/%d/maps" % worker) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and fields[1].endswith("s") and \
                    fields[5] == "/dev/zero":
                lo, hi = (int(x, 16) for x in fields[0].split("-"))
                maps.append((lo, hi))
    if len(maps) != 1:
        sys.exit("expected one shared mapping, found %d" % len(maps))
    lo, hi = maps[0]
    # Shifted by one word now and then, so that each value also lands on
    # the fields at odd offsets.
    pattern = b"".join(struct.pack("<I", w) for w in words) * 7
    pattern += struct.pack("<I", bystander)
    data = (pattern * ((hi - lo) // len(pattern) + 1))[:hi - lo]
    with open("/proc/%d/mem" % worker, "r+b", buffering=0) as mem:
        mem.seek(lo)
        mem.write(data)


main()
