"""`twinbench ports`: by-id names beside the device nodes; `--all` adds pseudo-terminals."""

from __future__ import annotations

import json
import os

from tests.integration.cli import run


def test_ports_by_id_and_all(tmp_path, twinbench_exe, clean_env):
    master, slave = os.openpty()
    try:
        pts = os.ttyname(slave)
        by_id = tmp_path / "by-id"  # what udev makes on a real machine
        by_id.mkdir()
        link = by_id / "usb-Arduino_LLC_Arduino_Uno_8573-if00"
        link.symlink_to(pts)
        env = {**clean_env, "TWINBENCH_SERIAL_BY_ID": str(by_id)}
        r = run([*twinbench_exe, "ports", "--json"], env)
        assert r.returncode == 0, r.stderr
        assert pts not in {p["device"] for p in json.loads(r.stdout)}
        r = run([*twinbench_exe, "ports", "--all", "--json"], env)
        assert r.returncode == 0, r.stderr
        mine = next(p for p in json.loads(r.stdout) if p["device"] == pts)
        assert mine["by_id"] == [str(link)] and mine["description"] == "pseudo-terminal"
        r = run([*twinbench_exe, "ports", "--all"], env)
        line = next(x for x in r.stdout.splitlines() if x.startswith(pts))
        assert str(link) in line
    finally:
        os.close(master)
        os.close(slave)
