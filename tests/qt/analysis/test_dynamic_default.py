"""FFT and spectrogram default to the most dynamic channel, until the user picks one."""

import numpy as np
import pytest

from twinbench.history import DisplayHistory
from twinbench.model import Channel, Chunk, Device
from twinbench.runtime import Runtime
from twinbench.timelike import most_dynamic
from twinbench.widgets.context import AppContext


def test_most_dynamic_ignores_near_constants_and_time():
    n = 500
    i = np.arange(n, dtype=np.float64)
    vals = np.column_stack([21 + 0.01 * np.sin(i / 300), np.sin(i * 0.9), i, 1500 + i * 0.01])
    assert most_dynamic(["temperature", "vibration", "seq", "rpm"], vals) == "vibration"
    assert most_dynamic(["a"], np.ones((50, 1))) is None


@pytest.fixture
def rig(qtbot):
    rt = Runtime()
    history = DisplayHistory(seconds=60)
    ctx = AppContext(rt, history=history)
    names = ("temperature", "rpm", "vibration", "ts")
    rt.hub.declare(Device("rig", "sim", tuple(Channel(c) for c in names)))
    n = 2048
    i = np.arange(n, dtype=np.float64)
    t = 1_700_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000
    vals = np.column_stack([21 + 0.01 * i / n, 1500 + np.sin(i / 200), np.sin(i * 1.3), t / 1e6])
    history.append([Chunk("rig", names, t, vals)])
    return ctx


def _ticks(ctx):
    for cb in list(ctx.tick_callbacks):
        cb()


@pytest.mark.parametrize("cls", ["SpectrumPanel", "SpectrogramPanel"])
def test_spectrum_panels_pick_the_vibration(qtbot, rig, cls):
    from twinbench.widgets import spectrum_panels

    panel = getattr(spectrum_panels, cls)(rig)
    qtbot.addWidget(panel)
    _ticks(rig)
    assert panel.channel_boxes[0].currentText() == "vibration"
    assert panel.tap is not None and panel.tap.channels[0] == "vibration"


def test_a_users_choice_is_kept(qtbot, rig):
    from twinbench.widgets.spectrum_panels import SpectrumPanel

    panel = SpectrumPanel(rig)
    qtbot.addWidget(panel)
    panel.select("rig", "rpm")
    _ticks(rig)
    assert panel.channel_boxes[0].currentText() == "rpm"
    panel.auto_pick = True
    panel.channel_boxes[0].activated.emit(0)  # the user picks from the list
    assert not panel.auto_pick
