#!/usr/bin/env python3
"""config.json generator and editor for the husk CLI integration tests (used by lib.sh).

  config.py default FILE CGROUPS_PATH   write the default test config
  config.py edit FILE CODE               run python CODE with `c` = the config, then save it
  config.py args FILE ARG...             set process.args
"""
import json
import sys

DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


def default_config(cgroups_path):
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": ["/init", "pause"],
            "env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
            ],
            "cwd": "/",
            "capabilities": {
                "bounding": list(DEFAULT_CAPS),
                "effective": list(DEFAULT_CAPS),
                "permitted": list(DEFAULT_CAPS),
            },
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": "husk-test",
        "annotations": {"org.husk.test": "yes"},
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                         "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "cgroupsPath": cgroups_path,
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "maskedPaths": [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                "/proc/scsi",
            ],
            "readonlyPaths": [
                "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
            ],
        },
    }


# Helpers available to `edit` code.
def make_helpers(c):
    def add_ns(t, path=None):
        del_ns(t)
        ns = {"type": t}
        if path:
            ns["path"] = path
        c["linux"]["namespaces"].append(ns)

    def del_ns(t):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != t]

    def add_mount(dest, typ, src, options=None, **extra):
        m = {"destination": dest, "type": typ, "source": src}
        if options is not None:
            m["options"] = options
        m.update(extra)
        c.setdefault("mounts", []).append(m)

    def del_mount(dest):
        c["mounts"] = [m for m in c.get("mounts", []) if m["destination"] != dest]

    def caps(*names, sets=("bounding", "effective", "permitted")):
        c["process"]["capabilities"] = {s: list(names) for s in sets}

    def hook(kind, path, args=None, env=None, timeout=None):
        h = {"path": path}
        if args is not None:
            h["args"] = args
        if env is not None:
            h["env"] = env
        if timeout is not None:
            h["timeout"] = timeout
        c.setdefault("hooks", {}).setdefault(kind, []).append(h)

    def userns(host_uid=100000, size=65536):
        add_ns("user")
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": host_uid, "size": size}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": host_uid, "size": size}]

    def resources():
        return c["linux"].setdefault("resources", {})

    def proc():
        return c["process"]

    return dict(add_ns=add_ns, del_ns=del_ns, add_mount=add_mount, del_mount=del_mount,
                caps=caps, hook=hook, userns=userns, resources=resources, proc=proc)


def save(path, c):
    with open(path, "w") as f:
        json.dump(c, f, indent=1)
        f.write("\n")


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "default":
        save(path, default_config(sys.argv[3]))
        return
    with open(path) as f:
        c = json.load(f)
    if cmd == "edit":
        scope = {"c": c, "json": json}
        scope.update(make_helpers(c))
        exec(sys.argv[3], scope)
        c = scope["c"]
    elif cmd == "args":
        c["process"]["args"] = sys.argv[3:]
    else:
        sys.exit("config.py: unknown command " + cmd)
    save(path, c)


if __name__ == "__main__":
    main()
