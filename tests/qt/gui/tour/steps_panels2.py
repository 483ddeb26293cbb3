"""Tour steps: Devices > Add derived channel (an error shown as typed, then a valid preview),
the Dashboard of the simulated rig, and the Dashboard of a serial board whose profile declares
groups, ranges and thresholds (orders 92-96)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication


def derived_dialog(tour: Any) -> dict[str, Any]:
    win = tour.window
    win.tree.select_device("sim")
    win.derived_action.trigger()
    dlg = win.derived_dialog
    tour.qtbot.waitUntil(dlg.isVisible, timeout=3000)
    dlg.name.setText("power")
    dlg.expr.setText("curent * voltage")
    error = dlg.problem.text()
    tour.qtbot.wait(100)
    tour.shot("derived-dialog-error")
    dlg.expr.setText("current * voltage")
    dlg.unit.setText("W")
    return {
        "error": error,
        "ok enabled": dlg.ok_button().isEnabled(),
        "preview rows": dlg.preview.rowCount(),
    }


def dashboard(tour: Any) -> dict[str, Any]:
    win = tour.window
    if getattr(win, "derived_dialog", None) is not None and win.derived_dialog.isVisible():
        win.derived_dialog.add()  # the power channel joins the dashboard's other channels
    dock = win.open_panel("dashboard")
    dock.raise_()
    dash = dock.widget()
    dash.restore({"device": "sim"})  # replay and open-data devices came before it
    tour.qtbot.waitUntil(lambda: "temperature" in dash.scales, timeout=5000)
    tour.qtbot.wait(500)
    return {
        "tiles": sorted(f"{f.tile.kind}:{'+'.join(f.tile.channels)}" for f in dash.frames),
        "temperature scale": list(dash.scales["temperature"]),
    }


def dashboard_profile(tour: Any) -> dict[str, Any]:
    """A simulated board on a pty, opened with the simboard-dashboard profile."""
    win = tour.window
    board = tour.board("csv", 200.0)
    tour.bench.control.connect(
        "serial", {"port": board.path, "profile": "simboard-dashboard"}, device_id="board"
    )
    dock = win.open_panel("dashboard")
    dock.raise_()
    dash = dock.widget()
    dash.restore({"device": "board"})
    tour.qtbot.waitUntil(lambda: dash.device == "board" and len(dash.scales) == 4, timeout=5000)
    # undocked and large for its screenshot, so that every group shows; docked again after
    screen = (win.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    dock.setFloating(True)
    dock.setGeometry(screen.x() + 40, screen.y() + 40, screen.width() - 80, screen.height() - 80)
    tour.after_shot.append(lambda: dock.setFloating(False))
    tour.qtbot.wait(500)
    return {
        "source": dash.source.text(),
        "groups": [g.title for g in dash.groups],
        "tiles": [f"{f.tile.kind}:{'+'.join(f.tile.channels)}" for f in dash.frames],
        "scales": {ch: list(s) for ch, s in dash.scales.items()},
    }


STEPS = [
    (92, "derived-dialog", derived_dialog),
    (94, "dashboard", dashboard),
    (95, "dashboard-profile", dashboard_profile),
]
