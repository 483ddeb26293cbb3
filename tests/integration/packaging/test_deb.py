"""The .deb lays the bundle out as a Debian user expects: /opt, a command, a menu entry, udev
rule, the station service.

The bundle itself is built and its package installed and self-tested by `scripts/bundle --check`
(CI); here a small stand-in folder with a `twinbench` program checks the packaging step alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian)")


def test_deb_layout_and_installed_command(tmp_path):
    dist = tmp_path / "dist" / "twinbench"
    (dist / "_internal").mkdir(parents=True)
    (dist / "_internal" / "lib.so").write_bytes(b"\0" * 1000)
    exe = dist / "twinbench"
    exe.write_text('#!/bin/sh\necho "bundled $1 from $(dirname "$(readlink -f "$0")")"\n')
    exe.chmod(0o755)
    r = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_deb.py"), str(dist), str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    deb = Path(r.stdout.strip())
    assert deb.name.startswith("twinbench_0.") and deb.suffix == ".deb"

    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True).stdout
    assert "Package: twinbench" in info and "Depends:" in info and "libxcb-cursor0" in info
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    assert "root/root" in listing  # files owned by root whoever built it

    cmd = root / "usr" / "bin" / "twinbench"
    assert cmd.is_symlink() and not os.path.isabs(os.readlink(cmd))
    out = subprocess.run([str(cmd), "--selftest"], capture_output=True, text=True).stdout
    assert out.strip() == f"bundled --selftest from {root / 'opt' / 'twinbench'}"

    desktop = (root / "usr/share/applications/twinbench.desktop").read_text()
    assert "Exec=twinbench %f" in desktop and "Icon=twinbench" in desktop
    assert (
        (root / "usr/share/icons/hicolor/scalable/apps/twinbench.svg")
        .read_text()
        .startswith("<svg")
    )
    rule = (root / "usr/lib/udev/rules.d/60-twinbench-serial.rules").read_text()
    assert 'GROUP="dialout"' in rule and 'TAG+="uaccess"' in rule
    unit = (root / "usr/lib/systemd/system/twinbench-station.service").read_text()
    assert (
        "ExecStart=/usr/bin/twinbench run --headless --config /etc/twinbench/station.toml" in unit
    )
    assert (root / "usr/share/doc/twinbench/examples/station.toml").is_file()
    if shutil.which("desktop-file-validate"):
        v = subprocess.run(
            ["desktop-file-validate", str(root / "usr/share/applications/twinbench.desktop")]
        )
        assert v.returncode == 0


def test_make_deb_refuses_a_folder_without_the_program(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "make_deb.py"),
            str(tmp_path),
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "no `twinbench` executable" in r.stderr
    assert "Traceback" not in r.stderr
