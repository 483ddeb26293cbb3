"""Shortcuts for the common actions: record, screenshot, connect; themes; unit tooltips."""

from __future__ import annotations

import pytest


def test_shortcuts_are_set_and_unambiguous(make_bench):
    from PySide6.QtGui import QKeySequence

    win = make_bench(wait_data=False).window
    want = {
        "connect": "Ctrl+K",
        "record": "Ctrl+R",
        "screenshot": "Ctrl+Shift+S",
        "export": "Ctrl+E",
        "copy_csv": "Ctrl+Shift+C",
        "cursors": "Ctrl+M",
    }
    for key, seq in want.items():
        assert win.actions.actions[key].shortcut() == QKeySequence(seq), key
    assert win.pause_action.shortcut() == QKeySequence("Space")
    seen: dict[str, str] = {}
    for act in win.findChildren(type(win.pause_action)):
        s = act.shortcut().toString()
        if s:
            assert s not in seen, f"{s} is used by {seen[s]!r} and {act.text()!r}"
            seen[s] = act.text()


def test_record_shortcut_starts_and_stops_a_session_in_the_data_dir(make_bench, qtbot, tmp_path):
    from twinbench.recording.session import list_sessions, open_session

    bench = make_bench()
    win = bench.window
    act = win.actions.actions["record"]
    act.trigger()
    rec = bench.ctx.services["recorder"]
    assert rec.recording and "Stop" in act.text()
    assert rec.root == tmp_path / "data" / "recordings"
    assert "recording into" in win.statusBar().currentMessage()
    folder = rec.folder
    qtbot.waitUntil(lambda: rec.stats.rows > 0, timeout=10_000)
    act.trigger()
    assert not rec.recording and "Start" in act.text()
    assert [s.folder for s in list_sessions(rec.root)] == [folder]
    table = open_session(folder).device_table("sim")
    assert table.num_rows > 0 and "temperature" in table.column_names


def test_record_uses_the_recorder_service_already_there(make_bench, tmp_path):
    from twinbench.recording import Recorder

    bench = make_bench(wait_data=False)
    mine = Recorder(bench.runtime, tmp_path / "elsewhere")
    bench.ctx.services["recorder"] = mine
    assert bench.window.actions.toggle_record() is True
    assert mine.recording and mine.folder.parent == tmp_path / "elsewhere"
    assert bench.window.actions.toggle_record() is False


def test_screenshot_saves_the_window_as_png(make_bench, tmp_path):
    from PySide6.QtGui import QImage

    win = make_bench().window
    win.actions.actions["screenshot"].trigger()
    shots = list((tmp_path / "data" / "screenshots").glob("twinbench-*.png"))
    assert len(shots) == 1
    img = QImage(str(shots[0]))
    assert (img.width(), img.height()) == (win.width(), win.height())
    assert str(shots[0]) in win.statusBar().currentMessage()


def test_connect_dialog_builds_a_form_from_the_schema_and_validates_inline(make_bench, qtbot):
    from PySide6.QtWidgets import QCheckBox

    from twinbench.registry import driver_names

    bench = make_bench(wait_data=False)
    dlg = bench.window.actions.connect_dialog()
    qtbot.addWidget(dlg)
    names = [dlg.driver.itemText(i) for i in range(dlg.driver.count())]
    assert names == driver_names() and "sim" in names
    dlg.driver.setCurrentText("sim")
    assert list(dlg.fields)[:3] == ["device_id", "rate", "channels"]
    assert isinstance(dlg.fields["realtime"].editor, QCheckBox)
    assert dlg.fields["realtime"].editor.isChecked()  # the default
    assert "range 1..10000" in dlg.fields["rate"].editor.toolTip()
    assert dlg.fields["rate"].editor.placeholderText() == "1000.0"

    dlg.fields["rate"].set_text("fast")
    dlg.fields["block_ms"].set_text("5000")
    dlg.connect_device()
    assert dlg.isVisible() and dlg.added is None
    assert "'rate'" in dlg.fields["rate"].error.text() and dlg.fields["rate"].error.isVisibleTo(dlg)
    assert "out of range 1..1000" in dlg.fields["block_ms"].error.text()
    assert not dlg.fields["device_id"].error.isVisibleTo(dlg)
    assert "Fix the settings" in dlg.problem.text()

    dlg.fields["rate"].set_text("250")
    dlg.fields["block_ms"].set_text("")
    dlg.fields["device_id"].set_text("bench-2")
    dlg.connect_device()
    assert not dlg.isVisible() and dlg.added is not None
    assert not dlg.fields["rate"].error.isVisibleTo(dlg)
    assert dlg.added.config["rate"] == 250.0
    qtbot.waitUntil(lambda: "bench-2" in bench.runtime.hub.devices, timeout=5000)


def test_theme_menu_sets_plot_colours_and_is_saved_in_the_session(make_bench, config_dir):
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from twinbench.gui.session import SessionStore

    bench = make_bench(wait_data=False)
    win = bench.window
    assert win.actions.theme == "system"
    win.actions.actions["theme:dark"].trigger()
    assert win.actions.theme == "dark"
    assert pg.getConfigOption("background") == "#1e1e1e"
    assert win.plot.plot.backgroundBrush().color().name() == "#1e1e1e"
    assert QApplication.instance().palette().window().color().lightness() < 100
    lane = next(iter(win.plot.lanes.values()), None)
    if lane is not None:
        assert lane.item.getAxis("left").pen().color().name() == "#d0d0d0"
    win.close()
    assert SessionStore(config_dir).load().theme == "dark"

    again = make_bench(wait_data=False)
    assert again.window.actions.theme == "dark"
    assert again.window.actions.actions["theme:dark"].isChecked()
    again.window.actions.actions["theme:light"].trigger()
    assert again.window.plot.plot.backgroundBrush().color().name() == "#ffffff"
    assert QApplication.instance().palette().window().color().lightness() > 150


def test_system_theme_follows_the_colour_scheme():
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from twinbench.widgets.theme import resolve

    hints = QGuiApplication.styleHints()
    dark = hints.colorScheme() == Qt.ColorScheme.Dark
    assert resolve("system") == ("dark" if dark else "light")
    assert resolve("light") == "light" and resolve("dark") == "dark"
    with pytest.raises(ValueError, match="'sepia' is not one of system, light, dark"):
        resolve("sepia")


def test_tooltips_name_the_units(make_bench, qtbot):
    bench = make_bench()
    win = bench.window
    from PySide6.QtCore import Qt

    qtbot.waitUntil(lambda: win.tree.has_channel("sim", "temperature"), timeout=5000)
    tip = Qt.ItemDataRole.ToolTipRole
    assert "[degC]" in win.tree.cell("sim", "temperature", 0, tip)
    assert "winding" in win.tree.cell("sim", "temperature", 0, tip)
    assert win.tree.cell("sim", "temperature", 1, tip) == "degC"
    qtbot.waitUntil(lambda: ("sim", "temperature") in win.plot.curves, timeout=5000)
    assert win.plot.curves["sim", "temperature"].toolTip() == "sim/temperature [degC]"
    lane = win.plot.lanes["degC"]
    assert "sim/temperature [degC]" in lane.item.getAxis("left").toolTip()


def test_closing_the_window_closes_a_running_recording(make_bench, qtbot):
    from twinbench.recording.session import list_sessions

    bench = make_bench()
    assert bench.window.actions.toggle_record() is True
    rec = bench.ctx.services["recorder"]
    qtbot.wait(200)
    bench.window.close()
    assert not rec.recording
    (info,) = list_sessions(rec.root)
    assert info.state != "recording" and info.problem == ""


def test_cursor_menu_entry_and_plot_button_stay_in_step(make_bench):
    win = make_bench().window
    act = win.actions.actions["cursors"]
    act.trigger()
    assert win.plot.cursors.enabled and win.plot.cursor_button.isChecked()
    assert win.plot.measure_table.isVisibleTo(win.plot)
    win.plot.cursor_button.click()
    assert not win.plot.cursors.enabled and not act.isChecked()
    win.plot.set_cursors(True)
    assert act.isChecked()
    a, b = win.plot.cursors.span()
    x0, x1 = win.plot.x_range_ns()
    assert x0 < a < b < x1  # they appear inside the view
