"""A recording killed before its first flush leaves an empty stream: the next record, export
and sql still work, and sql says the session is empty."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def _tb(exe, env, *args, cwd):
    return subprocess.run(
        [*exe, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_killed_before_first_flush(tmp_path, twinbench_exe, clean_env):
    proc = subprocess.Popen(
        [*twinbench_exe, "run", "--duration", "60", "--record", "rec", "--quiet"],
        cwd=tmp_path,
        env=clean_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("rec/*/data/*.arrows")) and time.monotonic() < deadline:
            time.sleep(0.002)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    streams = list(tmp_path.glob("rec/*/data/*.arrows"))
    assert streams and streams[0].stat().st_size == 0  # killed before the first flush
    session = streams[0].parents[1]

    r = _tb(
        twinbench_exe,
        clean_env,
        "sql",
        str(session),
        "select count(*) as n from samples",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "session is empty" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout.split() == ["n", "0", "(1", "row(s))"]

    r = _tb(
        twinbench_exe,
        clean_env,
        "export",
        str(session),
        "--out",
        "x.csv",
        "--format",
        "csv",
        cwd=tmp_path,
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "nothing to export" in r.stderr

    r = _tb(
        twinbench_exe,
        clean_env,
        "run",
        "--duration",
        "0.5",
        "--record",
        "rec",
        "--quiet",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert len([p for p in Path(tmp_path, "rec").iterdir() if p.is_dir()]) == 2
