"""`twinbench profiles`, `twinbench ports` and `twinbench sim` as real subprocesses."""

from __future__ import annotations

import json
import subprocess

import pytest


def tb(exe, env, *args, check=True):
    r = subprocess.run([*exe, *args], capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture
def env(clean_env, tmp_path):
    return {**clean_env, "TWINBENCH_CONFIG_DIR": str(tmp_path / "cfg")}


def test_profiles_check_ok_and_error(twinbench_exe, env, tmp_path):
    good = tmp_path / "good.toml"
    r = tb(
        twinbench_exe, env, "sim", "--serial", "--format", "binary", "--print-profile", str(good)
    )
    assert good.exists()
    r = tb(twinbench_exe, env, "profiles", "check", str(good))
    assert "ok" in r.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[framing]\ntype = "end"\n\n[checksum]\ntype = "crc-17"\n')
    r = tb(twinbench_exe, env, "profiles", "check", str(bad), check=False)
    assert r.returncode == 2
    assert r.stderr.strip().startswith(f"twinbench: error: {bad}:5: checksum.type:")
    assert "Traceback" not in r.stderr


def test_import_ssproj_into_user_folder(twinbench_exe, env, fixtures_dir, tmp_path):
    src = fixtures_dir / "serial-studio" / "MPU6050.ssproj"
    r = tb(twinbench_exe, env, "profiles", "import", str(src))
    out = tmp_path / "cfg" / "profiles" / "mpu6050.toml"
    assert out.exists() and f"wrote {out}" in r.stdout
    assert "note:" in r.stdout and "script parser" in r.stdout
    r = tb(twinbench_exe, env, "profiles", "import", str(src), check=False)
    assert r.returncode == 2 and "--force" in r.stderr
    r = tb(twinbench_exe, env, "profiles", "list")
    assert "mpu6050" in r.stdout and "arduino-plotter" in r.stdout


def test_ports_lists_json(twinbench_exe, env):
    r = tb(twinbench_exe, env, "ports", "--json")
    ports = json.loads(r.stdout)
    assert isinstance(ports, list)
    for p in ports:
        assert {"device", "vid", "pid", "serial_number", "manufacturer", "description"} <= set(p)


@pytest.mark.parametrize(
    "args",
    [["--format", "morse"], ["--corrupt", "2"], ["--rate", "-1"], []],
)
def test_sim_bad_options(twinbench_exe, env, args):
    cmd = ["sim", *(["--serial"] if args else []), *args]
    r = tb(twinbench_exe, env, *cmd, check=False)
    assert r.returncode == 2 and r.stderr.startswith("twinbench: error:")


def test_headless_run_on_a_pty_reports_loss(sim_board, twinbench_exe, env, tmp_path):
    board = sim_board("binary", "--rate", "2000", "--duration", "6", "--corrupt", "0.02")
    out = tmp_path / "summary.json"
    r = tb(
        twinbench_exe,
        env,
        "run",
        "--headless",
        "--driver",
        "serial",
        "--set",
        f"port={board.link}",
        "--set",
        f"profile={board.profile}",
        "--set",
        "device_id=board",
        "--duration",
        "3",
        "--summary",
        str(out),
    )
    board.kill()
    assert "board:" in r.stdout
    summary = json.loads(out.read_text())
    loss = summary["devices"]["board"]["loss"]
    assert loss["frames"] > 1000 and loss["bytes_in"] > 42 * 1000
    assert loss["checksum_errors"] + loss["truncated"] > 0
    assert summary["devices"]["board"]["samples"] == loss["frames"]
