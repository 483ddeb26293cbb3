"""The main window on the simulated board: live plot, channel visibility, pause, cursor, layout."""

from __future__ import annotations

import numpy as np
import pytest

from twinbench.model import Channel, Chunk, Device

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_window_opens_with_sim_live_and_plot_gets_data(make_bench, qtbot):
    bench = make_bench()
    assert bench.window.isVisible()
    assert "sim" in bench.runtime.hub.devices
    plot = bench.window.plot
    qtbot.waitUntil(lambda: ("sim", "temperature") in plot.curves, timeout=5000)
    qtbot.waitUntil(lambda: plot.curves["sim", "rpm"].xData is not None, timeout=5000)
    frames = plot.frames
    qtbot.waitUntil(lambda: plot.frames > frames + 5, timeout=5000)
    x = plot.curves["sim", "rpm"].xData
    assert x.size > 10 and np.all(np.isfinite(x))
    assert not plot.hint.isVisible()
    # the tree lists channels with units, the status bar shows the rate
    tree = bench.window.tree
    qtbot.waitUntil(lambda: tree.has_channel("sim", "temperature"), timeout=5000)
    assert tree.cell("sim", "temperature", 1) == "degC"
    qtbot.waitUntil(lambda: "sim: " in bench.window.status.text(), timeout=5000)
    # a message (an error, "opened ...") shows in the summary's place, which comes back after it
    bar, summary = bench.window.statusBar(), bench.window.status
    assert summary.isVisible()
    bar.showMessage("open data: junk.parquet: not a recorded session, CSV or Parquet data")
    assert not summary.isVisible() and bar.currentMessage().startswith("open data")
    bar.clearMessage()
    assert summary.isVisible()


def test_hiding_a_channel_in_the_tree_hides_its_curve(make_bench, qtbot):
    from PySide6.QtCore import Qt

    bench = make_bench()
    tree, plot = bench.window.tree, bench.window.plot
    qtbot.waitUntil(lambda: ("sim", "current") in plot.curves, timeout=5000)
    qtbot.waitUntil(lambda: tree.has_channel("sim", "current"), timeout=5000)
    tree.set_channel_shown("sim", "current", False)
    assert not plot.curves["sim", "current"].isVisible()
    assert plot.curves["sim", "rpm"].isVisible()
    role = Qt.ItemDataRole.CheckStateRole
    assert tree.cell("sim", "current", 0, role) == Qt.CheckState.Unchecked
    tree.set_channel_shown("sim", "current", True)
    assert plot.curves["sim", "current"].isVisible()


def test_pause_stops_the_x_range_and_live_resumes(make_bench, qtbot):
    bench = make_bench()
    plot = bench.window.plot
    qtbot.waitUntil(lambda: plot.frames > 3, timeout=5000)
    bench.window.pause_action.trigger()
    assert plot.paused and plot.pause_button.isChecked()
    frozen = plot.x_range_ns()
    n = bench.history.appended
    qtbot.waitUntil(lambda: bench.history.appended > n + 200, timeout=5000)
    qtbot.wait(100)
    assert plot.x_range_ns() == frozen
    plot.live_button.click()
    assert not plot.paused and not bench.window.pause_action.isChecked()
    qtbot.waitUntil(lambda: plot.x_range_ns()[1] > frozen[1], timeout=5000)


def test_cursor_readout_shows_time_and_values(make_bench, qtbot):
    bench = make_bench()
    plot = bench.window.plot
    qtbot.waitUntil(lambda: plot.frames > 3, timeout=5000)
    plot.set_paused(True)
    t_last = bench.history.span()[1]
    t, value = bench.history.value_at("sim", "temperature", t_last)
    text = plot.set_cursor(t)
    assert f"temperature {value:.6g} degC" in text
    assert "rpm " in text and " rpm" in text
    assert plot.cursor_visible()
    assert plot.readout.text() == text
    # the readout leaves out hidden channels
    plot.set_channel_visible("sim", "rpm", False)
    assert "rpm" not in plot.set_cursor(t)


def test_layout_devices_and_hidden_channels_restored_on_next_start(make_bench, qtbot, config_dir):
    from PySide6.QtCore import Qt

    bench = make_bench()
    win = bench.window
    qtbot.waitUntil(lambda: win.tree.has_channel("sim", "vibration"), timeout=5000)
    win.tree.set_channel_shown("sim", "vibration", False)
    win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, win.docks["devices"])
    win.add_simulated_board()
    qtbot.waitUntil(lambda: "sim-2" in bench.runtime.hub.devices, timeout=5000)
    win.close()
    assert (config_dir / "session.json").is_file()

    again = make_bench()
    area = again.window.dockWidgetArea(again.window.docks["devices"])
    assert area == Qt.DockWidgetArea.RightDockWidgetArea
    assert {d.config.get("device_id") for d in again.runtime.drivers} == {None, "sim-2"}
    qtbot.waitUntil(lambda: "sim-2" in again.runtime.hub.devices, timeout=5000)
    assert ("sim", "vibration") in again.window.plot.hidden
    tree = again.window.tree
    qtbot.waitUntil(lambda: tree.has_channel("sim", "vibration"), timeout=5000)
    role = Qt.ItemDataRole.CheckStateRole
    assert tree.cell("sim", "vibration", 0, role) == _unchecked()


def _unchecked():
    from PySide6.QtCore import Qt

    return Qt.CheckState.Unchecked


def test_nan_samples_are_drawn_as_gaps(qtbot):
    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    rt = Runtime()
    rt.hub.declare(Device("d", "test", (Channel("x", "V"),)))
    ctx = AppContext(rt, DisplayHistory())
    plot = PlotPanel(ctx)
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    plot.show()
    y = np.sin(np.arange(2000) / 50.0)
    y[500:700] = np.nan
    t = 1_700_000_000_000_000_000 + np.arange(2000, dtype=np.int64) * 1_000_000
    ctx.history.append([Chunk("d", ("x",), t, y)])
    plot.refresh()
    curve = plot.curves["d", "x"]
    assert curve.opts["connect"] == "finite"
    assert np.isnan(curve.yData).any()
    path = curve.getPath()
    moves = sum(1 for i in range(path.elementCount()) if path.elementAt(i).isMoveTo())
    assert moves == 2, "the NaN run must split the line in two"
    runs = curve.runs()  # what paint() draws as polylines
    assert len(runs) == 2
    gap = curve.xData[runs[0][1] - 1], curve.xData[runs[1][0]]
    assert gap[0] < t[500] / 1e9 and gap[1] >= t[699] / 1e9
    plot.plot.grab()  # paints through Curve.paint


def test_empty_state_hint_when_no_device_is_live(qtbot):
    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    plot = PlotPanel(AppContext(Runtime(), DisplayHistory()))
    qtbot.addWidget(plot)
    plot.show()
    plot.refresh()
    assert plot.hint.isVisible() and "No device is live" in plot.hint.text()


def test_scrolling_back_pauses_and_shows_older_data(make_bench, qtbot):
    bench = make_bench()
    plot = bench.window.plot
    plot.set_window(0.5)
    qtbot.waitUntil(lambda: plot.scroll.maximum() > 500, timeout=10_000)
    live_end = plot.x_range_ns()[1]
    plot.scroll.setValue(0)
    assert plot.paused
    x0, x1 = plot.x_range_ns()
    assert x1 < live_end and x1 - x0 == plot.window_ns
    assert x0 == bench.history.span()[0]
    assert plot.auto_y  # scrolling back still fits y to what is shown
    # a mouse zoom of y (pyqtgraph reports which axes moved) keeps the user's y range ...
    lane = next(iter(plot.lanes.values()))
    lane.vb.sigRangeChangedManually.emit([False, True])
    assert plot.paused and not plot.auto_y
    y_before = lane.vb.viewRange()[1]
    plot.refresh()
    assert lane.vb.viewRange()[1] == y_before
    # ... until Live
    plot.live_button.click()
    assert plot.auto_y and not plot.paused


def test_view_menu_lists_registered_panels_and_restores_open_ones(make_bench, qtbot, monkeypatch):
    from PySide6.QtWidgets import QLabel

    from twinbench.widgets import main_window
    from twinbench.widgets.panels import PanelSpec

    made = []

    def factory(ctx):
        made.append(ctx)
        return QLabel("a test panel")

    spec = PanelSpec("probe", "Probe panel", factory, area="bottom")
    monkeypatch.setattr(main_window, "all_panels", lambda: [spec])
    bench = make_bench(wait_data=False)
    # listed in its View menu section (no group named: "Plots and analysis")
    section = bench.window.panel_menus["Plots and analysis"]
    assert [a.text() for a in section.actions()] == ["Probe panel"] and not made
    action = section.actions()[0]
    action.trigger()
    assert made == [bench.ctx] and bench.window.docks["panel:probe"].isVisible()
    bench.window.close()

    again = make_bench(wait_data=False)
    assert "panel:probe" in again.window.docks and len(made) == 2


def test_unusable_session_and_unknown_saved_driver_are_reported_not_fatal(
    make_bench, qtbot, config_dir
):
    import json

    config_dir.mkdir(parents=True)
    (config_dir / "session.json").write_text(
        json.dumps({"devices": [{"driver": "nosuch", "settings": {}}, {"driver": "sim"}]})
    )
    bench = make_bench()
    assert any("nosuch" in p for p in bench.problems)
    qtbot.waitUntil(lambda: "nosuch" in bench.window.statusBar().currentMessage(), timeout=5000)
    assert "sim" in bench.runtime.hub.devices
    bench.window.close()
    (config_dir / "session.json").write_text("{not json")
    again = make_bench()
    assert any("session.json" in p for p in again.problems)


def test_missing_workspace_is_one_clear_line_and_exit_2(twinbench_exe, clean_env, tmp_path):
    import subprocess

    env = dict(clean_env, TWINBENCH_CONFIG_DIR=str(tmp_path))
    missing = tmp_path / "nope.toml"
    r = subprocess.run(
        [*twinbench_exe, str(missing)], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2
    assert r.stderr.strip() == f"twinbench: error: workspace {missing}: no such file"
