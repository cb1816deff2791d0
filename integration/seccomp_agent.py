#!/usr/bin/env python3
"""A tiny seccomp listener (linux.seccomp.listenerPath) for the husk CLI integration tests.

  seccomp_agent.py SOCKET OUTFILE [--errno N] [--timeout SECONDS]

Listens on SOCKET, receives the container's seccomp notify fd (SCM_RIGHTS) with the container
process state JSON, writes that JSON to OUTFILE, then answers every notification with -N (errno
N, default 38 = ENOSYS) and appends `nr=<syscall number>` lines to
OUTFILE.notifs, until the filter has no more users or the timeout.
"""
import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import time

# struct seccomp_notif: u64 id; u32 pid; u32 flags; struct seccomp_data (int nr; u32 arch;
# u64 ip; u64 args[6]) = 80 bytes. struct seccomp_notif_resp: u64 id; s64 val; s32 error;
# u32 flags = 24 bytes. ioctls: _IOWR('!', 0, notif) and _IOWR('!', 1, resp).
NOTIF_FMT = "=QII iIQ6Q"
RESP_FMT = "=QqiI"
IOC_RECV = (3 << 30) | (struct.calcsize(NOTIF_FMT) << 16) | (ord("!") << 8) | 0
IOC_SEND = (3 << 30) | (struct.calcsize(RESP_FMT) << 16) | (ord("!") << 8) | 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("outfile")
    ap.add_argument("--errno", type=int, default=38)
    ap.add_argument("--timeout", type=float, default=20.0)
    a = ap.parse_args()

    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(a.socket)
    srv.listen(1)
    srv.settimeout(a.timeout)
    deadline = time.monotonic() + a.timeout
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        sys.exit("seccomp_agent: no connection within %ss" % a.timeout)
    conn.settimeout(a.timeout)
    msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 4)
    conn.close()
    with open(a.outfile + ".tmp", "wb") as f:
        f.write(msg)
    os.rename(a.outfile + ".tmp", a.outfile)
    if len(fds) < 1:
        sys.exit("seccomp_agent: no fd received")
    fd = fds[0]
    notifs = open(a.outfile + ".notifs", "a")
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while time.monotonic() < deadline:
        ev = poller.poll(200)
        if not ev:
            continue
        if ev[0][1] & select.POLLHUP and not ev[0][1] & select.POLLIN:
            break
        buf = bytearray(struct.calcsize(NOTIF_FMT))
        try:
            fcntl.ioctl(fd, IOC_RECV, buf, True)
        except OSError:
            continue
        nid, pid, _flags, nr = struct.unpack(NOTIF_FMT, buf)[:4]
        notifs.write("nr=%d pid=%d\n" % (nr, pid))
        notifs.flush()
        resp = bytearray(struct.pack(RESP_FMT, nid, 0, -a.errno, 0))
        try:
            fcntl.ioctl(fd, IOC_SEND, resp, True)
        except OSError:
            pass
    notifs.close()


if __name__ == "__main__":
    main()
