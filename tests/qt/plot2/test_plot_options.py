"""Plot options: time-like channels left out, legends beside the data, readout clears on
leave, time axis modes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

T0 = 1_700_000_000_000_000_000  # ns, as in conftest.py


@pytest.fixture
def clocked(qtbot):
    """A plot of a device sending ts (epoch ms), seq (counter), rx (counter) and two signals."""
    from twinbench.history import DisplayHistory
    from twinbench.model import Channel, Chunk, Device
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    n = 2000
    t = T0 + np.arange(n, dtype=np.int64) * 1_000_000
    cols = np.column_stack(
        [
            t / 1e6,  # ts, epoch ms
            np.arange(n, dtype=np.float64),  # seq
            np.arange(n, dtype=np.float64) * 3 + 7,  # rx: a counter by its values only
            np.sin(np.arange(n) / 50.0),  # x
            20 + np.cos(np.arange(n) / 90.0),  # temp
        ]
    )
    history = DisplayHistory(seconds=600)
    history.append([Chunk("dev", ("ts", "seq", "rx", "x", "temp"), t, cols)])
    ctx = AppContext(Runtime(), history=history)
    units = {"ts": "ms", "seq": "", "rx": "", "x": "V", "temp": "degC"}
    ctx.runtime.hub.declare(Device("dev", "x", tuple(Channel(c, u) for c, u in units.items())))
    p = PlotPanel(ctx, window_s=5.0)
    qtbot.addWidget(p)
    p.resize(900, 500)
    p.show()
    return p


def test_time_like_channels_stay_channels_but_are_not_plotted(qtbot, clocked):
    p = clocked
    with qtbot.waitSignal(p.timelikeHidden) as sig:
        p.refresh()
    assert set(sig.args[0]) == {("dev", "ts"), ("dev", "seq"), ("dev", "rx")}
    assert p.visible_keys() == [("dev", "x"), ("dev", "temp")]
    assert set(p.curves) == {("dev", c) for c in ("ts", "seq", "rx", "x", "temp")}
    p.set_channel_visible("dev", "seq", True)  # the user ticks it: plotted
    assert ("dev", "seq") in p.visible_keys()
    p.rebuild() if hasattr(p, "rebuild") else p.refresh()
    assert ("dev", "seq") in p.visible_keys()  # not hidden again


def test_legends_sit_beside_the_data_and_toggle(qtbot, clocked):
    p = clocked
    p.refresh()
    QApplication.processEvents()
    lanes = [lane for lane in p.lanes.values() if set(lane.curves) - p.hidden]
    assert len(lanes) == 2 and all(lane.legend.isVisible() for lane in lanes)
    empty = [lane for lane in p.lanes.values() if lane not in lanes]  # only time-like curves
    assert not any(lane.legend.isVisible() for lane in empty)
    assert not any(lane.legend_column.covers_data() for lane in lanes)
    # every lane's data area ends at the same x (one time, one x), whatever its legend's width
    rights = {round(lane.vb.sceneBoundingRect().right()) for lane in p.lanes.values()}
    assert len(rights) == 1, rights
    p.legend_button.click()
    assert not p.legends and not any(lane.legend.isVisible() for lane in lanes)
    assert all(lane.legend_column.spacer.maximumWidth() == 0 for lane in lanes)
    p.set_legends(True)
    QApplication.processEvents()
    assert all(lane.legend.isVisible() for lane in lanes)


def test_hover_readout_clears_when_the_mouse_leaves(qtbot, clocked):
    p = clocked
    p.refresh()
    x0, x1 = p.x_range_ns()
    assert "x " in p.set_cursor((x0 + x1) // 2)
    assert p.cursor_visible()
    QApplication.sendEvent(p.plot, QEvent(QEvent.Type.Leave))
    assert p.readout.text().strip() == "" and not p.cursor_visible()


def test_time_axis_modes(qtbot, clocked):
    p = clocked
    p.refresh()
    axis = list(p.lanes.values())[-1].axis  # the lane that shows its time axis
    t0 = T0 / 1e9
    p.set_time_mode("start")
    assert axis.tickStrings([t0 + 2.5], 1.0, 0.5) == ["2.5"]
    assert p.time_box.currentData() == "start"
    p.set_time_mode("index")
    assert axis.tickStrings([t0 + 1.0], 1.0, 0.5) == ["1000"]  # 1 kHz: 1 s in is sample 1000
    p.set_cursor(int(T0 + 1_500_000_000))
    p.set_time_mode("cursor")
    assert axis.tickStrings([t0 + 2.0], 1.0, 0.5) == ["0.5"]
    p.time_box.setCurrentIndex(p.time_box.findData("wall"))
    assert p.time_mode == "wall" and ":" in "".join(axis.tickStrings([t0], 1.0, 1.0))
    with pytest.raises(ValueError, match="not one of wall, start"):
        p.set_time_mode("days")


def test_legend_text_follows_the_theme_and_is_legible(qtbot, clocked):
    from twinbench.widgets.contrast import contrast_ratio
    from twinbench.widgets.theme import PLOT_COLORS

    p = clocked
    p.refresh()
    for mode in ("dark", "light"):
        bg, fg = PLOT_COLORS[mode]
        p.apply_colors(bg, fg)
        bg_hex = "#ffffff" if bg == "w" else bg
        labels = [label for lane in p.lanes.values() for _, label in lane.legend.items]
        assert labels
        for label in labels:
            color = label.opts["color"]
            assert contrast_ratio(color.name(), bg_hex) >= 4.5, (mode, color.name())


def test_only_the_last_lane_shows_the_time_axis(qtbot, clocked):
    p = clocked
    p.refresh()
    p.set_time_mode("start")
    shown = [lane.item.getAxis("bottom").isVisible() for lane in p.lanes.values()]
    assert len(shown) >= 2 and shown == [False] * (len(shown) - 1) + [True]


def test_state_round_trips(qtbot, clocked):
    from twinbench.widgets.plot_panel import PlotPanel

    p = clocked
    p.refresh()
    p.set_channel_visible("dev", "seq", True)
    p.set_channel_visible("dev", "x", False)
    p.set_legends(False)
    p.set_time_mode("index")
    p.set_window(2.5)
    state = p.state()
    assert ["dev", "x"] in state["hidden"] and ["dev", "seq"] not in state["hidden"]
    q = PlotPanel(p.ctx, window_s=5.0)
    qtbot.addWidget(q)
    q.restore(state)
    q.refresh()
    assert q.state() == state
    assert ("dev", "seq") in q.visible_keys() and ("dev", "x") not in q.visible_keys()
    q.restore({"time_mode": "days", "hidden": "nope", "window_s": -1})  # ignored
    assert q.state() == state


def test_channels_arriving_together_rebuild_each_lane_legend_once_listing_all(qtbot, monkeypatch):
    from twinbench.history import DisplayHistory
    from twinbench.model import Chunk
    from twinbench.runtime import Runtime
    from twinbench.widgets import plot_lane
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    names = tuple(f"ch{i}" for i in range(10))
    t = T0 + np.arange(500, dtype=np.int64) * 1_000_000
    history = DisplayHistory(seconds=600)
    history.append([Chunk("rig", names, t, np.random.default_rng(1).normal(size=(500, 10)))])
    p = PlotPanel(AppContext(Runtime(), history=history), window_s=5.0)
    qtbot.addWidget(p)
    p.show()
    rebuilt: list[int] = []
    real = plot_lane.Lane.sync_legend
    monkeypatch.setattr(
        plot_lane.Lane,
        "sync_legend",
        lambda lane, hidden: (rebuilt.append(len(lane.curves)), real(lane, hidden)),
    )
    p.refresh()
    (lane,) = p.lanes.values()
    # the lane's own (empty) legend when it is made, then once with all ten (was 1, 2, ... 10)
    assert rebuilt == [0, 10]
    assert [item[1].text for item in lane.legend.items] == list(names)
