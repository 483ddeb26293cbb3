"""Fixtures: sessions recorded through the real Recorder from known chunks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twinbench.model import Channel, Chunk, Device
from twinbench.recording import Recorder
from twinbench.runtime import Runtime

T0 = 1_767_225_540 * 10**9  # 2025-12-31T23:59:00Z: a minute before midnight UTC


def record(
    root: Path,
    devices: dict[str, int] | None = None,
    rows: int = 3000,
    step_ns: int = 40_000_000,
    t0: int = T0,
    chunk: int = 250,
    **kw,
) -> Path:
    """Record `rows` samples per device (value = row index + channel/10) and return the folder."""
    devices = devices or {"rig-a": 3}
    rt = Runtime()
    for dev, k in devices.items():
        chans = tuple(Channel(f"c{i}", unit=f"u{i}") for i in range(k))
        rt.hub.declare(Device(dev, "sim", chans, "test rig"))
    rec = Recorder(rt, root, **kw)
    rec.start("test")
    for lo in range(0, rows, chunk):
        n = min(chunk, rows - lo)
        idx = np.arange(lo, lo + n)
        for dev, k in devices.items():
            vals = idx[:, None] + np.arange(k)[None, :] / 10.0
            rt.hub.publish(Chunk(dev, tuple(f"c{i}" for i in range(k)), t0 + idx * step_ns, vals))
        rec.handle(rec._worker.sub.drain())
    rt.events.emit("alarm", "rig-a", "too hot", rule="hot", severity="major", state="raised")
    meta = rec.stop()
    return root / meta["id"]


record.T0 = T0  # type: ignore[attr-defined]


@pytest.fixture
def make_session():
    """The `record` helper: record(root, {device: n_channels}, rows=..., t0=...) -> folder."""
    return record


@pytest.fixture
def session(tmp_path: Path) -> Path:
    """A closed session: devices rig-a (3 channels) and rig-b (2), 3000 rows each, over midnight."""
    return record(tmp_path / "rec", {"rig-a": 3, "rig-b": 2})
