"""Panels in the main window: tabs that leave the plot half the window, closing stops all work,
names are reused, hidden panels idle, Reset layout and presets, and the window fits the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer

from twinbench.widgets import layout, panel_life

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")

SIX = ("gauge", "spectrum", "histogram", "xy", "table", "diagnostics")


def work(bench) -> tuple[int, int, int]:
    """(tick callbacks, hub subscriptions, running timers in the window)."""
    timers = [t for t in bench.window.findChildren(QTimer) if t.isActive()]
    return len(bench.ctx.tick_callbacks), len(bench.runtime.hub.subscriptions), len(timers)


def test_closing_panels_stops_their_ticks_taps_and_timers(make_bench, qtbot):
    bench = make_bench()
    win = bench.window
    qtbot.wait(50)
    before = work(bench)
    names = [win.open_panel(k, new=True).objectName() for k in ("gauge", "spectrum", "histogram")]
    qtbot.waitUntil(lambda: win.docks["panel:gauge"].widget().tap is not None, timeout=5000)
    opened = work(bench)
    assert opened[0] == before[0] + 3 and opened[1] == before[1] + 3  # one tick and tap each
    for name in names:
        win.docks[name].close()  # the dock's close button
    qtbot.wait(50)
    assert work(bench) == before
    assert not any(n in win.docks for n in names)
    # reopening a kind reuses its name: no "Gauge 2" after closing Gauge
    dock = win.open_panel("gauge", new=True)
    assert dock.objectName() == "panel:gauge" and dock.windowTitle() == "Gauge"


def test_release_stops_a_panels_own_timers(make_bench, qtbot):
    bench = make_bench(wait_data=False)
    dock = bench.window.open_panel("rules-editor")
    editor = dock.widget()
    editor.editor.setPlainText('[[rule]]\nname = "x"\n')  # starts the validate timer
    assert panel_life.active_timers(editor)
    subs = len(bench.runtime.hub.subscriptions)
    bench.window.close_panel("panel:rules-editor")
    assert not panel_life.active_timers(editor)
    assert len(bench.runtime.hub.subscriptions) == subs - 1


def test_six_panels_open_as_tabs_and_the_plot_keeps_half(make_bench, qtbot):
    bench = make_bench(wait_data=False)
    win = bench.window
    win.resize(1256, 706)  # a first start on 1366x768 (the offscreen screen is 800x800)
    for kind in SIX:
        win.open_panel(kind, new=True)
    qtbot.wait(100)
    w, h = layout.central_share(win)
    assert w >= 0.5 and h >= 0.5, (w, h, win.size())
    right = [d for d in win.docks.values() if win.dockWidgetArea(d) == layout.AREAS["right"]]
    assert len(win.tabifiedDockWidgets(right[0])) == len(right) - 1  # one tab group
    assert win.size().width() == 1256 and win.size().height() == 706  # the window did not grow


def test_hidden_panels_do_no_work(make_bench, qtbot):
    bench = make_bench()
    win = bench.window
    gauge = win.open_panel("gauge", new=True)
    table = win.open_panel("table")  # a tab over the gauge
    assert win.tabifiedDockWidgets(gauge) and table.shown and not gauge.shown
    qtbot.waitUntil(lambda: "panel:gauge" in bench.ctx.idle, timeout=2000)
    g = gauge.widget()
    calls = []
    real = g._sync_devices
    g._sync_devices = lambda: (calls.append(1), real())  # the first thing its tick does
    qtbot.wait(200)
    assert calls == []  # skipped while tabbed away
    assert all(s.paused for s in panel_life.subscriptions(g))
    gauge.raise_()
    qtbot.waitUntil(lambda: len(calls) > 3, timeout=2000)
    assert "panel:gauge" not in bench.ctx.idle
    assert not any(s.paused for s in panel_life.subscriptions(g))
    assert "panel:table" in bench.ctx.idle  # now the table is behind


def test_reset_layout_and_presets(make_bench, qtbot):
    bench = make_bench(wait_data=False)
    win = bench.window
    win.resize(1256, 706)
    win.apply_preset("Analysis")
    qtbot.wait(50)
    panels = sorted(n for n in win.docks if n.startswith("panel:"))
    assert panels == sorted(f"panel:{k}" for k in layout.PRESETS["Analysis"])
    win.apply_preset("Bench")
    panels = sorted(n for n in win.docks if n.startswith("panel:"))
    assert panels == sorted(f"panel:{k}" for k in layout.PRESETS["Bench"])
    win.docks["panel:console"].setFloating(True)
    win.layout_actions["reset"].trigger()
    qtbot.wait(50)
    assert not win.docks["panel:console"].isFloating()
    assert win.dockWidgetArea(win.docks["panel:console"]) == layout.AREAS["bottom"]
    w, h = layout.central_share(win)
    assert w >= 0.5 and h >= 0.5


def test_view_menu_is_grouped(make_bench):
    bench = make_bench(wait_data=False)
    menus = bench.window.panel_menus
    assert list(menus) == list(layout.GROUPS)
    titles = {g: [a.text() for a in m.actions()] for g, m in menus.items()}
    assert "Gauge" in titles["Plots and analysis"]
    assert "MQTT topics" in titles["Devices and links"]
    assert "Alarms" in titles["Twin, rules and alarms"]
    assert "Sessions" in titles["Data"]


def test_off_screen_or_oversized_geometry_comes_back_on_screen(make_bench, qtbot):
    bench = make_bench(wait_data=False)
    win = bench.window
    avail = layout.available(win)
    win.resize(avail.width() + 900, avail.height() + 600)
    win.move(avail.right() + 3000, avail.bottom() + 3000)
    layout.fit_window(win)
    assert win.width() <= avail.width() and win.height() <= avail.height()
    assert layout.on_some_screen(win.frameGeometry())


def test_a_minimised_window_idles_its_panels_and_plot(make_bench, qtbot):
    from PySide6.QtCore import Qt

    bench = make_bench()
    win = bench.window
    win.open_panel("gauge", new=True)
    qtbot.waitUntil(lambda: win.plot.frames > 3, timeout=5000)
    assert "panel:gauge" not in bench.ctx.idle
    win.setWindowState(Qt.WindowState.WindowMinimized)
    assert win.isMinimized() and "panel:gauge" in bench.ctx.idle
    frames, n = win.plot.frames, bench.history.appended
    qtbot.waitUntil(lambda: bench.history.appended > n + 200, timeout=5000)  # data still kept
    assert win.plot.frames == frames  # but not drawn
    win.setWindowState(Qt.WindowState.WindowNoState)
    assert "panel:gauge" not in bench.ctx.idle
    qtbot.waitUntil(lambda: win.plot.frames > frames, timeout=5000)
