"""Fixtures for the plot tools tests: a plot panel on a known history, and a whole BenchApp."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

T0 = 1_700_000_000_000_000_000  # ns
RATE = 1000  # Hz
N = 20_000  # 20 s at 1 kHz: more than a frame's worth of points, so the view is min/max


@pytest.fixture
def known():
    """(t_ns, a, b): two channels of a device 'dev' at 1 kHz, a = ramp, b = sine."""
    t = T0 + np.arange(N, dtype=np.int64) * (1_000_000_000 // RATE)
    a = np.arange(N, dtype=np.float64) * 0.5
    b = 3.0 * np.sin(np.arange(N) * 2 * np.pi / 997.0)
    return t, a, b


@pytest.fixture
def panel(qtbot, known):
    """A PlotPanel (runtime not started) whose history holds `known` for device 'dev'."""
    from twinbench.history import DisplayHistory
    from twinbench.model import Chunk
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    t, a, b = known
    history = DisplayHistory(seconds=600)
    history.append([Chunk("dev", ("a", "b"), t, np.column_stack([a, b]))])
    ctx = AppContext(Runtime(), history=history)
    p = PlotPanel(ctx, window_s=30.0)
    qtbot.addWidget(p)
    p.resize(900, 500)
    p.show()
    p.refresh()
    return p
