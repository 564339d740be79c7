"""Turns `runc spec`'s default config.json into the way the bed's pods run an image (scripts/images.sh smoke).

Usage: runc-config.py BUNDLE ROOTFS UID:GID MOUNTS MODE NENV ENV... ARGS...
  The image's Entrypoint, Env and WorkingDir come from BUNDLE/image-inspect.json (buildah inspect); ARGS, when
  given, replace its Cmd (MODE args) or its Entrypoint and Cmd (MODE command, a pod's `command`). Read-only root, no capabilities, no new privileges, a tmpfs /tmp, the host's network.
  MOUNTS: comma-separated host:container bind mounts (read-write).
"""

import json
import sys


def main() -> None:
    bundle, rootfs, user, mounts, mode, nenv = sys.argv[1:7]
    extra_env = sys.argv[7 : 7 + int(nenv)]
    args = sys.argv[7 + int(nenv) :]
    with open(f"{bundle}/image-inspect.json", encoding="utf-8") as f:
        image = json.load(f)["OCIv1"]["config"]
    with open(f"{bundle}/config.json", encoding="utf-8") as f:
        spec = json.load(f)
    uid, gid = (int(x) for x in user.split(":"))
    spec["process"].update(
        terminal=False,
        user={"uid": uid, "gid": gid},
        cwd=image.get("WorkingDir") or "/",
        args=args if mode == "command" else (image.get("Entrypoint") or []) + (args or image.get("Cmd") or []),
        env=(image.get("Env") or []) + extra_env,
        noNewPrivileges=True,
        capabilities={k: [] for k in ("bounding", "effective", "permitted", "ambient")},
        rlimits=[{"type": "RLIMIT_NOFILE", "hard": 16384, "soft": 16384}],
    )
    spec["root"] = {"path": rootfs, "readonly": True}
    spec["hostname"] = "smoke"
    linux = spec["linux"]
    linux["namespaces"] = [n for n in linux["namespaces"] if n["type"] != "network"]
    spec["mounts"] += [
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]},
        {"destination": "/etc/resolv.conf", "type": "bind", "source": "/etc/resolv.conf", "options": ["rbind", "ro"]},
    ]
    for mount in filter(None, mounts.split(",")):
        src, dst = mount.split(":")
        spec["mounts"].append({"destination": dst, "type": "bind", "source": src, "options": ["rbind", "rw"]})
    with open(f"{bundle}/config.json", "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1)


if __name__ == "__main__":
    main()
