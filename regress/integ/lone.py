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

"""Lone requests around the moments workers are told to go.

  lone.py reload PORT PROXYCTL SOCKET CYCLES
      CYCLES times: one reload, and one request (curl --max-time 2) sent
      at an offset spread from 100 ms before the reload to 150 ms after.
  lone.py retire PORT PROXYCTL SOCKET CYCLES MAX
      CYCLES times: grow the pool to MAX with slow requests, then, while
      idle workers are retired one by one, lone requests one after the
      other.

No other traffic runs meanwhile, so a connection left in the listen
queue would wait for good: that is what this looks for.  Prints a line
per failed request and a summary; exits 1 if any request failed."""

import subprocess
import sys
import threading
import time

CURL = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
        "--max-time", "2"]


def lone(port, path, results):
    t0 = time.monotonic()
    r = subprocess.run(CURL + ["http://127.0.0.1:%d%s" % (port, path)],
                       stdout=subprocess.PIPE, text=True)
    results.append((path, r.stdout.strip(),
                    (time.monotonic() - t0) * 1000))


def status(ctl, sock):
    r = subprocess.run([ctl, "-s", sock, "status"], stdout=subprocess.PIPE,
                       text=True)
    for line in r.stdout.splitlines():
        if line.startswith("workers: "):
            return int(line.split()[1])
    return -1


def reload_cycles(port, ctl, sock, cycles):
    results = []
    for i in range(cycles):
        offset = -0.100 + 0.250 * i / max(cycles - 1, 1)
        path = "/lone/%d/%+d" % (i, offset * 1000)
        t = threading.Thread(target=lone, args=(port, path, results))
        if offset < 0:
            t.start()
            time.sleep(-offset)
            rc = subprocess.run([ctl, "-s", sock, "reload"],
                                stdout=subprocess.DEVNULL).returncode
        else:
            p = subprocess.Popen([ctl, "-s", sock, "reload"],
                                 stdout=subprocess.DEVNULL)
            time.sleep(offset)
            t.start()
            rc = p.wait()
        t.join()
        if rc != 0:
            print("reload %d failed" % i)
            return results, False
    return results, True


def retire_cycles(port, ctl, sock, cycles, most):
    results = []
    retirements = 0
    n = 0
    for c in range(cycles):
        # Grow: every worker busy for a while.
        grow = [threading.Thread(target=lone,
                                 args=(port, "/slow/400", []))
                for _ in range(most + 2)]
        for t in grow:
            t.start()
        for t in grow:
            t.join()
        before = status(ctl, sock)
        # Shrink, one retirement a second, with lone requests meanwhile,
        # back to back so that workers spend most of the time just woken.
        deadline = time.monotonic() + most + 0.5
        while time.monotonic() < deadline:
            lone(port, "/lone/%d" % n, results)
            n += 1
        retirements += max(before - status(ctl, sock), 0)
    print("retirements: %d" % retirements)
    return results, retirements > 0


def main():
    mode, port, ctl, sock, cycles = sys.argv[1:6]
    port, cycles = int(port), int(cycles)
    if mode == "reload":
        results, ok = reload_cycles(port, ctl, sock, cycles)
    else:
        results, ok = retire_cycles(port, ctl, sock, cycles,
                                    int(sys.argv[6]))
    failed = [r for r in results if r[1] != "200"]
    for path, code, ms in failed:
        print("no answer: %s (%s after %.0f ms)" % (path, code, ms))
    slowest = max((r[2] for r in results), default=0)
    print("requests: %d, failed: %d, slowest: %.0f ms" %
          (len(results), len(failed), slowest))
    sys.exit(0 if ok and not failed and results else 1)


main()
