#!/usr/bin/env python3
"""Runs /bin/true containers with several OCI runtime CLIs, interleaved, and reports times.

Driven by bench_cli.sh (which builds the bundles and the private mount namespace crun needs).
Each runtime is NAME=BINARY:BUNDLE:STATEROOT[:MNTNS], MNTNS being a /proc/PID/ns/mnt file to
enter around each call to that runtime (setns in this process, so no extra exec is timed).

Mode `run`: one `run` per container (create + start + wait + delete in one command).
Mode `phases`: `create`, `start`, the init's exit (we are a subreaper: the init is our child
once create has returned), `delete`, each timed apart.

Wall time is measured around spawn + wait. CPU time is user+sys of everything reaped below us
(RUSAGE_CHILDREN deltas; as a subreaper we also reap whatever the runtime orphans), so it
includes the runtime, its helpers and the container process itself.
"""
import argparse
import ctypes
import os
import random
import resource
import statistics
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x00020000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNS) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def reap_orphans():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Runtime:
    def __init__(self, spec, host_ns):
        name, rest = spec.split("=", 1)
        parts = rest.split(":")
        self.name, self.binary, self.bundle, self.root = name, parts[0], parts[1], parts[2]
        self.ns_fd = os.open(parts[3], os.O_RDONLY | os.O_CLOEXEC) if len(parts) > 3 else -1
        self.host_ns = host_ns
        self.run_ms, self.run_cpu = [], []
        self.sparse_ms, self.sparse_cpu = [], []
        self.phase_ms = {"create": [], "start": [], "exit": [], "delete": [], "total": []}
        self.phase_cpu = []
        self.errlog = os.path.join(self.root, "stderr")

    def call(self, *args):
        """Runs BINARY --root ROOT ARGS; returns wall seconds. Raises on failure."""
        argv = [self.binary, "--root", self.root] + list(args)
        if self.ns_fd >= 0:
            setns(self.ns_fd)
        try:
            err = os.open(self.errlog, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            null = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
            fa = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
                  (os.POSIX_SPAWN_DUP2, err, 2)]
            t0 = time.perf_counter()
            pid = os.posix_spawn(self.binary, argv, os.environ, file_actions=fa)
            _, status, _ = os.wait4(pid, 0)
            t = time.perf_counter() - t0
            os.close(err)
            os.close(null)
        finally:
            if self.ns_fd >= 0:
                setns(self.host_ns)
        if status != 0:
            with open(self.errlog) as f:
                msg = f.read().strip()
            raise RuntimeError("%s %s: wait status %d: %s" % (self.name, " ".join(args), status, msg))
        return t

    def run_one(self, cid, sparse=False):
        c0 = cpu_children()
        t = self.call("run", "--bundle", self.bundle, cid)
        reap_orphans()
        (self.sparse_ms if sparse else self.run_ms).append(t * 1e3)
        (self.sparse_cpu if sparse else self.run_cpu).append((cpu_children() - c0) * 1e3)

    def phases_one(self, cid):
        pidfile = os.path.join(self.root, "pid")
        c0 = cpu_children()
        tc = self.call("create", "--bundle", self.bundle, "--pid-file", pidfile, cid)
        with open(pidfile) as f:
            pid = int(f.read())
        ts = self.call("start", cid)
        t0 = time.perf_counter()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # not ours after all: poll
            while os.path.exists("/proc/%d" % pid):
                time.sleep(0.0002)
        te = time.perf_counter() - t0
        td = self.call("delete", cid)
        reap_orphans()
        self.phase_cpu.append((cpu_children() - c0) * 1e3)
        for k, v in (("create", tc), ("start", ts), ("exit", te), ("delete", td),
                     ("total", tc + ts + te + td)):
            self.phase_ms[k].append(v * 1e3)


def pct(xs, p):
    s = sorted(xs)
    k = (len(s) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(xs):
    return statistics.mean(xs), statistics.median(xs), pct(xs, 0.9), min(xs)


def report(rts, ratios):
    print("\nper container, `run` (create+start+wait+delete), ms:")
    print("  %-14s %8s %8s %8s %8s   %9s %9s" % ("runtime", "mean", "median", "p90", "min",
                                                  "cpu mean", "cpu med"))
    for r in rts:
        if r.run_ms:
            m, md, p9, mn = summary(r.run_ms)
            print("  %-14s %8.2f %8.2f %8.2f %8.2f   %9.2f %9.2f" % (
                r.name, m, md, p9, mn, statistics.mean(r.run_cpu), statistics.median(r.run_cpu)))
    if any(r.sparse_ms for r in rts):
        print("\nsparse `run`s, one container at a time after an idle gap, ms:")
        print("  %-14s %8s %8s %8s %8s   %9s" % ("runtime", "mean", "median", "p90", "min",
                                                "cpu mean"))
        for r in rts:
            if r.sparse_ms:
                m, md, p9, mn = summary(r.sparse_ms)
                print("  %-14s %8.2f %8.2f %8.2f %8.2f   %9.2f" % (
                    r.name, m, md, p9, mn, statistics.mean(r.sparse_cpu)))
    if any(r.phase_ms["total"] for r in rts):
        print("\nper phase (median ms; exit = start returned -> init reaped):")
        print("  %-14s %8s %8s %8s %8s %8s   %9s" % ("runtime", "create", "start", "exit",
                                                    "delete", "total", "cpu med"))
        for r in rts:
            if r.phase_ms["total"]:
                print("  %-14s %8.2f %8.2f %8.2f %8.2f %8.2f   %9.2f" % (
                    (r.name,) + tuple(statistics.median(r.phase_ms[k]) for k in
                                      ("create", "start", "exit", "delete", "total"))
                    + (statistics.median(r.phase_cpu),)))
    byname = {r.name: r for r in rts}
    print("\nratios (A/B < 1: A is faster):")
    for pair in ratios:
        a, b = pair.split("/")
        if a not in byname or b not in byname or not byname[a].run_ms or not byname[b].run_ms:
            continue
        x, y = byname[a], byname[b]
        line = "  %s: wall mean %.2fx, median %.2fx, p90 %.2fx; cpu mean %.2fx" % (
            pair, statistics.mean(x.run_ms) / statistics.mean(y.run_ms),
            statistics.median(x.run_ms) / statistics.median(y.run_ms),
            pct(x.run_ms, 0.9) / pct(y.run_ms, 0.9),
            statistics.mean(x.run_cpu) / statistics.mean(y.run_cpu))
        if x.phase_ms["total"] and y.phase_ms["total"]:
            line += "; phase medians " + ", ".join(
                "%s %.2fx" % (k, statistics.median(x.phase_ms[k]) / statistics.median(y.phase_ms[k]))
                for k in ("create", "start", "delete"))
        print(line)
        if x.sparse_ms and y.sparse_ms:
            print("  %s sparse: wall mean %.2fx, median %.2fx" % (
                pair, statistics.mean(x.sparse_ms) / statistics.mean(y.sparse_ms),
                statistics.median(x.sparse_ms) / statistics.median(y.sparse_ms)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100, help="containers per runtime, mode run")
    ap.add_argument("--phases", type=int, default=50, help="containers per runtime, mode phases")
    ap.add_argument("--sparse", type=int, default=0,
                    help="containers per runtime run one at a time after an idle gap")
    ap.add_argument("--gap", type=float, default=0.2, help="the idle gap, seconds")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ratios", default="husk/crun,husk/runc",
                    help="comma-separated A/B pairs of runtime names")
    ap.add_argument("runtime", nargs="+", help="NAME=BINARY:BUNDLE:ROOT[:MNTNS]")
    a = ap.parse_args()
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
    host_ns = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    rts = [Runtime(s, host_ns) for s in a.runtime]
    for r in rts:  # warm caches (binaries, libraries, dentries); not counted
        for i in range(a.warmup):
            r.call("run", "--bundle", r.bundle, "warm%d" % i)
    reap_orphans()
    # Rounds: each runtime once per round, in a fresh random order (fixed seed), so drift is
    # spread evenly and no runtime always follows the same one (a runtime's deferred kernel
    # work, e.g. cgroup teardown in kworkers, lands on whoever runs next).
    rng = random.Random(a.seed)
    for i in range(a.n):
        for r in rng.sample(rts, len(rts)):
            r.run_one("r%d" % i)
    for i in range(a.phases):
        for r in rng.sample(rts, len(rts)):
            r.phases_one("p%d" % i)
    for i in range(a.sparse):
        for r in rng.sample(rts, len(rts)):
            time.sleep(a.gap)
            r.run_one("s%d" % i, sparse=True)
    print("containers: %d per runtime with `run` back to back, %d with create/start/delete, "
          "%d sparse `run`s (%.0f ms idle before each); rounds interleaved, random order per "
          "round, after %d warm-up runs each" % (a.n, a.phases, a.sparse, a.gap * 1e3, a.warmup))
    for r in rts:
        print("  %-14s %s%s" % (r.name, r.binary, " (private mount ns)" if r.ns_fd >= 0 else ""))
    report(rts, [x for x in a.ratios.split(",") if x])


if __name__ == "__main__":
    main()
