"""Tour steps: Devices > Add derived channel (an error shown as typed, then a valid preview)
and the Dashboard of the simulated rig (orders 92-96)."""

from __future__ import annotations

from typing import Any


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


STEPS = [
    (92, "derived-dialog", derived_dialog),
    (94, "dashboard", dashboard),
]
