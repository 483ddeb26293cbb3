"""`twinbench ble ...` and `twinbench run --driver ble` as real subprocesses on the emulator."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.integration.ble.conftest import HR_ADDR, SENSOR_ADDR
from twinbench.ble.privatebus import SENSOR_CMD, EmulatedBluez


def _run(
    exe: list[str], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*exe, *args], capture_output=True, text=True, timeout=60, env=env or dict(os.environ)
    )


def test_scan_lists_named_and_unnamed_devices_with_filters(
    bench: EmulatedBluez, twinbench_exe: list[str]
) -> None:
    r = _run(twinbench_exe, "ble", "scan", "--seconds", "1")
    assert r.returncode == 0, r.stderr
    assert f"{HR_ADDR}" in r.stdout and "TwinHR" in r.stdout and "0x180D Heart Rate" in r.stdout
    assert f"{SENSOR_ADDR}" in r.stdout and "(no name)" in r.stdout
    assert "mfr: 0x0059=0102" in r.stdout
    assert "2 device(s)" in r.stdout
    r = _run(twinbench_exe, "ble", "scan", "--seconds", "1", "--json", "--service", "181a")
    found = json.loads(r.stdout)
    assert [d["address"] for d in found] == [SENSOR_ADDR]
    assert found[0]["service_data"] == {"0000181a-0000-1000-8000-00805f9b34fb": "0a0b"}
    r = _run(twinbench_exe, "ble", "scan", "--seconds", "1", "--name", "twin*", "--rssi-min", "-60")
    assert HR_ADDR in r.stdout and SENSOR_ADDR not in r.stdout
    r = _run(twinbench_exe, "ble", "scan", "--seconds", "1", "--live")
    live = [ln for ln in r.stdout.splitlines() if ln.startswith("+ ")]
    assert sorted(ln.split()[1] for ln in live) == [HR_ADDR, SENSOR_ADDR]


def test_gatt_read_write(bench: EmulatedBluez, twinbench_exe: list[str]) -> None:
    r = _run(twinbench_exe, "ble", "gatt", HR_ADDR)
    assert r.returncode == 0, r.stderr
    assert "service 0x180D Heart Rate" in r.stdout
    assert "char 0x2A37 Heart Rate Measurement" in r.stdout and "[notify]" in r.stdout
    assert "desc 0x2902 Client Characteristic Configuration" in r.stdout
    r = _run(twinbench_exe, "ble", "read", SENSOR_ADDR, "2a6e")
    assert r.stdout.strip() == "d007  temperature_c=20"
    r = _run(twinbench_exe, "ble", "write", SENSOR_ADDR, SENSOR_CMD, "beef")
    assert r.returncode == 0 and "wrote 2 byte(s)" in r.stdout
    assert _run(twinbench_exe, "ble", "read", SENSOR_ADDR, SENSOR_CMD).stdout.strip() == "beef"


def test_cli_errors_are_one_line(bench: EmulatedBluez, twinbench_exe: list[str]) -> None:
    r = _run(twinbench_exe, "ble", "write", SENSOR_ADDR, SENSOR_CMD, "zz")
    assert r.returncode == 2 and "'zz' is not hex" in r.stderr
    r = _run(twinbench_exe, "ble", "read", "AA:BB:CC:00:00:99", "2a19", "--timeout", "1")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "AA:BB:CC:00:00:99 was not found" in r.stderr
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/bus")
    r = _run(twinbench_exe, "run", "--headless", "--driver", "ble", "--duration", "1", env=env)
    assert r.returncode == 1 and "Bluetooth is not available" in r.stderr
    assert "Traceback" not in r.stderr
    r = _run(twinbench_exe, "ble", "scan", "--seconds", "1", env=env)
    assert (r.returncode, r.stderr) == (
        1,
        "twinbench: error: ble scan: Bluetooth is not available: cannot reach BlueZ "
        "(no D-Bus at unix:path=/nonexistent/bus); install BlueZ and start it "
        "(sudo systemctl start bluetooth)\n",
    )


def test_headless_run_streams_ble_devices(
    bench: EmulatedBluez, twinbench_exe: list[str], tmp_path: Path
) -> None:
    summary = tmp_path / "s.json"
    r = _run(
        twinbench_exe, "run", "--headless", "--driver", "ble", "--set", "profile=heart-rate",
        "--set", "scan_s=1", "--duration", "2", "--summary", str(summary),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = json.loads(summary.read_text())
    dev = data["devices"]["twinhr"]
    assert dev["samples"] > 20
    assert {"hr_bpm", "battery_pct"} <= set(dev["channels"])


def test_gatt_and_scan_piped_into_head_end_quietly(
    bench: EmulatedBluez, twinbench_exe: list[str]
) -> None:
    from tests.integration.test_cli_closed_stdout import run_closed_stdout

    for args in (["gatt", HR_ADDR, "--json"], ["scan", "--seconds", "0.5", "--json"]):
        r = run_closed_stdout([*twinbench_exe, "ble", *args], dict(os.environ))
        assert r.returncode == 0 and r.stderr == "", r.stderr
    cmd = " ".join([*twinbench_exe, "ble", "gatt", HR_ADDR, "--json"])
    r = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {cmd} | head -1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "[\n", "")
