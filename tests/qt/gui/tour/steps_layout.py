"""Tour steps: the window on the screen, panels as tabs, the grouped View menu, closing panels,
presets and Reset layout, hidden panels idling, recording, replay and File > Open data."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from twinbench.widgets import layout

SIX = ("gauge", "spectrum", "histogram", "xy", "table", "diagnostics")


def _work(tour: Any) -> list[int]:
    from PySide6.QtCore import QTimer as T

    timers = [t for t in tour.window.findChildren(T) if t.isActive()]
    hub = tour.bench.runtime.hub
    return [len(tour.bench.ctx.tick_callbacks), len(hub.subscriptions), len(timers)]


def _fits(tour: Any) -> dict[str, Any]:
    win = tour.window
    avail = layout.available(win)
    frame = win.frameGeometry()
    w, h = layout.central_share(win)
    return {
        "window": [frame.width(), frame.height()],
        "fits": avail.contains(frame),
        "plot share": [round(w, 3), round(h, 3)],
    }


def _panels(tour: Any) -> list[str]:
    return sorted(n for n in tour.window.docks if n.startswith("panel:"))


def first_start(tour: Any) -> dict[str, Any]:
    tour.qtbot.waitUntil(lambda: tour.window.plot.frames > 5, timeout=10_000)
    devices = sorted(tour.bench.runtime.hub.devices)
    return {**_fits(tour), "panels": _panels(tour), "devices": devices}


def three_d_on_demand(tour: Any) -> dict[str, Any]:
    win = tour.window
    dock = win.docks["panel:twin-view"]
    before = dock.widget().scene is not None  # tabbed behind the Digital twin at start
    dock.raise_()
    tour.qtbot.waitUntil(lambda: dock.widget().scene is not None, timeout=5000)
    tour.qtbot.wait(500)
    return {
        "canvas before shown": before,
        "canvas after shown": dock.widget().scene is not None,
        "idle": sorted(tour.bench.ctx.idle),
    }


def six_panels(tour: Any) -> dict[str, Any]:
    win = tour.window
    for kind in SIX:
        win.open_panel(kind, new=True)
    tour.qtbot.wait(300)
    right = [d for d in win.docks.values() if win.dockWidgetArea(d) == layout.AREAS["right"]]
    return {**_fits(tour), "right tabs": len(win.tabifiedDockWidgets(right[0])) + 1}


def view_menu(tour: Any) -> dict[str, Any]:
    win = tour.window
    menu = win.view_menu
    menu.popup(win.mapToGlobal(QPoint(120, 30)))
    tour.qtbot.wait(150)
    sub = win.panel_menus["Plots and analysis"]
    sub.popup(menu.geometry().topRight())
    tour.qtbot.wait(150)
    return {
        "sections": list(win.panel_menus),
        "plots and analysis": [a.text() for a in sub.actions()],
        "layout actions": list(win.layout_actions),
    }


def close_panels(tour: Any) -> dict[str, Any]:
    win = tour.window
    for _ in range(3):
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
    before = _work(tour)
    names = [win.open_panel(k, new=True).objectName() for k in ("bar", "led", "spectrogram")]
    tour.qtbot.wait(300)
    opened = _work(tour)
    for name in names:
        win.docks[name].close()
    tour.qtbot.wait(100)
    after = _work(tour)
    win.close_panel("panel:gauge")
    again = win.open_panel("gauge", new=True)
    return {
        "work before/opened/after": [before, opened, after],
        "reopened gauge": [again.objectName(), again.windowTitle()],
    }


def preset_analysis(tour: Any) -> dict[str, Any]:
    tour.window.apply_preset("Analysis")
    tour.qtbot.wait(300)
    return {**_fits(tour), "panels": _panels(tour)}


def reset_layout(tour: Any) -> dict[str, Any]:
    win = tour.window
    win.docks["panel:sql"].setFloating(True)
    win.layout_actions["reset"].trigger()
    tour.qtbot.wait(300)
    return {**_fits(tour), "sql floating": win.docks["panel:sql"].isFloating()}


def hidden_idle(tour: Any) -> dict[str, Any]:
    win = tour.window
    gauge = win.open_panel("gauge", new=True)
    win.open_panel("table")
    tour.qtbot.wait(200)
    return {"idle": sorted(tour.bench.ctx.idle), "gauge shown": gauge.shown}


def recording(tour: Any) -> dict[str, Any]:
    acts = tour.window.actions
    acts.toggle_record()
    ind = acts.rec_indicator
    tour.qtbot.waitUntil(lambda: "REC 00:01" in ind.text(), timeout=5000)
    return {
        "indicator": ind.isVisible(),
        "indicator text": ind.text(),
        "action": acts.actions["record"].text(),
    }


def replay(tour: Any) -> dict[str, Any]:
    acts = tour.window.actions
    folder = tour.bench.ctx.services["recorder"].folder
    acts.toggle_record()
    panel = tour.window.open_panel("replay").widget()
    panel.open_session(str(folder))
    hub = tour.bench.runtime.hub
    tour.qtbot.waitUntil(lambda: "replay:sim" in hub.devices, timeout=5000)
    tour.qtbot.waitUntil(lambda: "playing" in panel.pos.text(), timeout=5000)
    panel.toggle()
    live = hub.devices["sim"].samples
    tour.qtbot.waitUntil(lambda: hub.devices["sim"].samples > live + 100, timeout=5000)
    return {
        "indicator after stop": acts.rec_indicator.isVisible(),
        "devices": sorted(hub.devices),
        "replay source": panel.source.currentText(),
        "replay paused": panel.driver().paused,
        "sim state": hub.devices["sim"].state,
    }


def open_data(tour: Any) -> dict[str, Any]:
    path = tour.tmp / "run42.csv"
    rows = "\n".join(f"{i * 0.01:.2f},{1000 + i},{(i % 50) / 5:.1f}" for i in range(2000))
    path.write_text("t,timestamp,pressure\n" + rows + "\n")
    opener = tour.window.actions.opener
    asked: list[str] = []

    def answer() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, QInputDialog):
            QTimer.singleShot(50, answer)
            return
        asked.extend(dlg.comboBoxItems())
        tour.shot("07a-time-column-dialog")
        dlg.setTextValue("t")
        dlg.accept()

    QTimer.singleShot(50, answer)
    with tour.qtbot.waitSignal(opener.opened, timeout=10_000) as got:
        opener.open_path(str(path))
    hub = tour.bench.runtime.hub
    plot = tour.window.plot
    tour.qtbot.waitUntil(lambda: ("file:run42", "pressure") in plot.curves, timeout=5000)
    return {
        "asked": asked,
        "opened": got.args[0],
        "samples": hub.devices["file:run42"].samples,
        "state": hub.devices["file:run42"].state,
        "plot paused": plot.paused,
        "x range": list(plot.x_range_ns()),
    }


STEPS = [
    (10, "first-start", first_start),
    (15, "3d-view-on-demand", three_d_on_demand),
    (20, "six-panels-as-tabs", six_panels),
    (25, "view-menu-grouped", view_menu),
    (30, "close-panels", close_panels),
    (40, "preset-analysis", preset_analysis),
    (45, "reset-layout", reset_layout),
    (50, "hidden-panels-idle", hidden_idle),
    (60, "recording", recording),
    (70, "replay", replay),
    (80, "open-data", open_data),
]
