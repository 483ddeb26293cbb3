"""kill -9 at random moments: every flushed sample stays readable, the next start repairs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from twinbench.recording import open_session
from twinbench.recording.session import list_sessions

RATE = 1000.0
FLUSH_S = 1.0


def record_and_kill(exe, env, root: Path, delay: float) -> tuple[Path, int]:
    """Start a recording run, kill -9 it `delay` s after its first flush; return folder, time."""
    p = subprocess.Popen(
        [*exe, "run", "--headless", "--duration", "60", "--set", f"rate={RATE:g}", "--record"]  # noqa: RUF005
        + [str(root), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            files = list(root.glob("*/data/sim.arrows"))
            if files and files[0].stat().st_size > 4096:
                break
            time.sleep(0.02)
        else:
            raise AssertionError("recording never flushed")
        time.sleep(delay)
        kill_ns = time.time_ns()
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.kill()
        p.wait(10)
    return files[0].parents[1], kill_ns


def test_kill9_random_moments(tmp_path, twinbench_exe, clean_env):
    rng = random.Random(9)
    for i in range(3):
        root = tmp_path / f"rec{i}"
        folder, kill_ns = record_and_kill(twinbench_exe, clean_env, root, rng.uniform(0.0, 1.5))
        assert json.loads((folder / "session.json").read_text())["state"] == "recording"
        assert [s.state for s in list_sessions(root)] == ["interrupted"]
        s = open_session(folder)  # repairs
        assert s.meta["state"] == "closed" and s.meta["repaired"]
        t = s.device_table("sim").column("time").combine_chunks().view(pa.int64()).to_numpy()
        # every flushed sample is there, in order, with no gap
        assert len(t) > 0 and np.all(np.diff(t) == int(1e9 / RATE))
        # what was lost is at most one flush interval (plus scheduling slack on a busy machine)
        lost_s = (kill_ns - t[-1]) / 1e9
        assert lost_s < FLUSH_S + 1.0, lost_s
        assert list_sessions(root)[0].state == "closed"
    # the next start repairs sessions left open in its folder
    root = tmp_path / "again"
    folder, _ = record_and_kill(twinbench_exe, clean_env, root, 0.2)
    r = subprocess.run(
        [*twinbench_exe, "run", "--headless", "--duration", "0.3", "--record", str(root)],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    meta = json.loads((folder / "session.json").read_text())
    assert meta["state"] == "closed" and meta["repaired"] is True
