"""Ctrl-C during `twinbench export` removes the partial output (real subprocess, real SIGINT)."""

from __future__ import annotations

import signal
import subprocess
import time

import numpy as np

from twinbench.model import Channel, Chunk, Device
from twinbench.recording import Recorder
from twinbench.runtime import Runtime


def big_session(root):
    rt = Runtime()
    names = tuple(f"c{i}" for i in range(8))
    rt.hub.declare(Device("rig", "sim", tuple(Channel(n, "V") for n in names)))
    rec = Recorder(rt, root)
    rec.start()
    rows = 100_000
    v = np.random.default_rng(0).standard_normal((rows, 8))
    for i in range(10):
        t = 1_700_000_000 * 10**9 + np.arange(i * rows, (i + 1) * rows, dtype=np.int64) * 10**6
        rt.hub.publish(Chunk("rig", names, t, v))
        rec.handle(rec._worker.sub.drain())
    return root / rec.stop()["id"]


def test_ctrl_c_removes_partial_export(tmp_path, twinbench_exe, clean_env):
    sess = big_session(tmp_path / "rec")
    out = tmp_path / "ds"
    p = subprocess.Popen(
        [*twinbench_exe, "export", str(sess), "--format", "csv", "--out", str(out)]  # noqa: RUF005
        + ["--partition", "device_id"],
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(out.rglob(".*.tmp")) and time.monotonic() < deadline:
            assert p.poll() is None, p.communicate()
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        p.kill()
        p.wait()
    assert p.returncode == 130, err
    assert "export cancelled; partial output removed" in err
    assert not out.exists()
