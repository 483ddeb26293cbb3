"""Headless runs stop the way CI and boards need: SIGTERM, idle, disconnect; summaries checked."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time

from tests.integration.cli import run
from tests.integration.lineboard import LineServer
from tests.integration.summary_check import check_summary


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_device_without_samples_ends_cleanly(tmp_path, twinbench_exe, clean_env):
    out = tmp_path / "s.json"
    cmd = [*twinbench_exe, "run", "--driver", "tcp", "--set", f"port={free_port()}"]
    r = run([*cmd, "--duration", "0.5", "--summary", str(out)], clean_env)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    s = check_summary(json.loads(out.read_text()))
    dev = s["devices"]["tcp"]
    assert dev["samples"] == 0 and dev["rate_hz"] == 0.0 and dev["channels"] == {}
    assert dev["loss"]["bytes_in"] == 0
    assert "tcp: 0 samples" in r.stdout


def test_summary_sums_and_schema(tmp_path, twinbench_exe, clean_env):
    out = tmp_path / "s.json"
    r = run(
        [*twinbench_exe, "run", "--duration", "1", "--set", "rate=200", "--summary", str(out)],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    s = check_summary(json.loads(out.read_text()))
    ch = s["devices"]["sim"]["channels"]["temperature"]
    assert abs(ch["sum"] - ch["mean"] * (ch["count"] - ch["nan"])) < 1e-6 * abs(ch["sum"]) + 1e-9
    assert s["events_left_out"] == 0 and s["events_total"] == len(s["events"])


def test_sigterm_stops_like_ctrl_c(tmp_path, twinbench_exe, clean_env):
    out, rec = tmp_path / "s.json", tmp_path / "rec"
    proc = subprocess.Popen(
        [*twinbench_exe, "run", "--duration", "60", "--summary", str(out), "--record", str(rec)],
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not list(rec.glob("*/data/*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    s = check_summary(json.loads(out.read_text()))
    assert s["stopped_by"] == "SIGTERM" and s["duration_s"] < 30
    assert s["devices"]["sim"]["samples"] > 0
    meta = json.loads(next(rec.glob("*/session.json")).read_text())
    assert meta["state"] == "closed"
    assert "recorded:" in stdout


def run_until(tmp_path, twinbench_exe, clean_env, until, hang_up):
    board = LineServer(b"".join(b"a:%d\n" % i for i in range(500)), hang_up)
    out = tmp_path / "s.json"
    try:
        t0 = time.monotonic()
        r = run(
            [*twinbench_exe, "run", "--driver", "tcp", "--set", f"port={board.port}",
             "--until", until, "--summary", str(out)],
            clean_env, timeout=60,
        )  # fmt: skip
        took = time.monotonic() - t0
    finally:
        board.close()
    assert r.returncode == 0, r.stderr
    s = check_summary(json.loads(out.read_text()))
    assert s["devices"]["tcp"]["channels"]["a"]["count"] == 500
    assert s["stopped_by"] == f"until {until}"
    return took


def test_until_idle_stops_when_the_board_goes_quiet(tmp_path, twinbench_exe, clean_env):
    assert run_until(tmp_path, twinbench_exe, clean_env, "idle=1s", hang_up=False) < 30


def test_until_disconnect_stops_when_the_board_goes_away(tmp_path, twinbench_exe, clean_env):
    assert run_until(tmp_path, twinbench_exe, clean_env, "disconnect", hang_up=True) < 30


def test_bad_until_is_one_line_exit_2(twinbench_exe, clean_env):
    r = run([*twinbench_exe, "run", "--until", "idle=soon"], clean_env)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--until" in r.stderr and "disconnect" in r.stderr


def test_until_with_a_bench_config_is_refused(twinbench_exe, clean_env):
    r = run([*twinbench_exe, "run", "--config", "x.toml", "--until", "disconnect"], clean_env)
    assert r.returncode == 2 and "--until" in r.stderr and "Traceback" not in r.stderr
