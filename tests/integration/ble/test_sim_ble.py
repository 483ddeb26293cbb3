"""`twinbench sim --ble`: the virtual strap and sensor, used by a separate `twinbench run`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

import pytest


def test_sim_ble_serves_a_heart_rate_strap_to_another_process(twinbench_exe, clean_env, tmp_path):
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    sim = subprocess.Popen(
        [*twinbench_exe, "sim", "--ble", "--rate", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env,
    )
    try:
        first = sim.stdout.readline().strip()
        assert first.startswith("DBUS_SYSTEM_BUS_ADDRESS=unix:"), sim.stderr.read()
        assert "TwinHR" in sim.stdout.readline()
        env = dict(clean_env, DBUS_SYSTEM_BUS_ADDRESS=first.partition("=")[2])
        summary = tmp_path / "s.json"
        r = subprocess.run(
            [*twinbench_exe, "run", "--driver", "ble", "--set", "profile=heart-rate",
             "--set", "scan_s=1", "--duration", "2", "--summary", str(summary)],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        dev = json.loads(summary.read_text())["devices"]["twinhr"]
        assert dev["samples"] > 20 and {"hr_bpm", "battery_pct"} <= set(dev["channels"])
    finally:
        os.kill(sim.pid, signal.SIGTERM)
        out, err = sim.communicate(timeout=20)
    assert sim.returncode == 0, err
    end = json.loads(out.strip().splitlines()[-1])
    assert end["sim"] == "ble" and end["rate_hz"] == 50


def test_sim_takes_one_peer(twinbench_exe, clean_env):
    r = subprocess.run(
        [*twinbench_exe, "sim", "--ble", "--serial"],
        capture_output=True, text=True, env=clean_env, timeout=30,
    )  # fmt: skip
    assert r.returncode == 2 and "choose one peer: --serial, --mqtt or --ble" in r.stderr
