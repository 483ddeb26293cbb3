"""Builds a Debian package from the one-folder bundle: `python packaging/make_deb.py DIST OUT_DIR`.

Layout: the bundle in /opt/twinbench, a `twinbench` command in /usr/bin (a relative link), a desktop
entry and its icon, a udev rule for serial boards, and the station service (not enabled) with
its example config. Needs only `dpkg-deb` (Debian ships it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# what the bundle does not carry itself: the display, GL and font libraries of the desktop
DEPENDS = (
    "libc6, libgl1, libegl1, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, "
    "libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-randr0, "
    "libxcb-render-util0, libxcb-image0, libxcb-xkb1, libx11-xcb1"
)
POSTINST = """#!/bin/sh
set -e
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty || true
fi
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q /usr/share/applications || true
fi
"""


def version() -> str:
    """The project's version, from the package (as the bundle reports it)."""
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("make_deb: no __version__ in app/__init__.py")


def architecture() -> str:
    """Debian's name for this machine's architecture."""
    out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    return out.stdout.strip() or "amd64"


def stage(dist: Path, root: Path, ver: str, arch: str) -> None:
    """Lay out the package's files under `root` (the future `/`)."""
    if not (dist / "twinbench").is_file():
        raise SystemExit(f"make_deb: {dist} has no `twinbench` executable (build the bundle first)")
    shutil.copytree(dist, root / "opt" / "twinbench", symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    os.symlink("../../opt/twinbench/twinbench", bin_dir / "twinbench")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(HERE / "twinbench.desktop", apps / "twinbench.desktop")
    icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "twinbench.svg", icons / "twinbench.svg")
    rules = root / "usr" / "lib" / "udev" / "rules.d"
    rules.mkdir(parents=True)
    shutil.copy2(HERE / "60-twinbench-serial.rules", rules / "60-twinbench-serial.rules")
    units = root / "usr" / "lib" / "systemd" / "system"  # installed, not enabled
    units.mkdir(parents=True)
    shutil.copy2(HERE / "twinbench-station.service", units / "twinbench-station.service")
    examples = root / "usr" / "share" / "doc" / "twinbench" / "examples"
    examples.mkdir(parents=True)
    shutil.copy2(HERE / "station.toml", examples / "station.toml")
    debian = root / "DEBIAN"
    debian.mkdir()
    size_kb = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) // 1024
    (debian / "control").write_text(
        f"Package: twinbench\nVersion: {ver}\nArchitecture: {arch}\n"
        "Maintainer: TwinBench developers <twinbench@localhost>\n"
        f"Installed-Size: {size_kb}\nDepends: {DEPENDS}\nSection: electronics\n"
        "Description: desktop digital-twin visualizer and device lab bench\n"
        " Live plots, digital twins, rules, recording and replay for boards on serial,\n"
        " Bluetooth LE and MQTT; a headless mode for test stations.\n",
        encoding="utf-8",
    )
    post = debian / "postinst"
    post.write_text(POSTINST, encoding="utf-8")
    post.chmod(0o755)


def build(dist: Path, out: Path) -> Path:
    """Build `twinbench_VERSION_ARCH.deb` from the bundle folder `dist` into `out`."""
    ver, arch = version(), architecture()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"twinbench_{ver}_{arch}.deb"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        stage(dist, root, ver, arch)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: make_deb.py DIST OUT_DIR."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dist", type=Path, help="the bundle folder (dist/twinbench)")
    p.add_argument("out", type=Path, help="folder for the .deb")
    args = p.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("make_deb: dpkg-deb not found (install dpkg)", file=sys.stderr)
        return 2
    print(build(args.dist, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
