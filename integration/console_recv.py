#!/usr/bin/env python3
"""A tiny --console-socket receiver for the husk CLI integration tests.

  console_recv.py SOCKET OUTFILE [--input TEXT] [--timeout SECONDS] [--resize ROWS COLS]

Listens on the unix socket SOCKET, accepts one connection, receives the pty master with
SCM_RIGHTS, writes TEXT (if any) to it, then copies everything the container writes to OUTFILE
until the pty is closed (EIO) or the timeout. OUTFILE.info gets the message that came with the fd
and `isatty` of the fd; OUTFILE.done is created at the end.
"""
import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("outfile")
    ap.add_argument("--input", default=None)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--resize", nargs=2, type=int, default=None)
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
    out = open(a.outfile, "wb")
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        sys.exit("console_recv: no connection within %ss" % a.timeout)
    msg, fds, _, _ = socket.recv_fds(conn, 4096, 4)
    conn.close()
    if len(fds) != 1:
        sys.exit("console_recv: got %d fds, want 1" % len(fds))
    master = fds[0]
    with open(a.outfile + ".info", "w") as info:
        info.write("name=%s\nisatty=%s\n" % (msg.decode(errors="replace"), os.isatty(master)))
    if a.resize:
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", a.resize[0], a.resize[1],
                                                           0, 0))
    if a.input is not None:
        os.write(master, a.input.encode())
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if not r:
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every slave fd is closed
            break
        if not data:
            break
        out.write(data)
        out.flush()
    out.close()
    open(a.outfile + ".done", "w").close()


if __name__ == "__main__":
    main()
