"""Tour steps: plot areas (orders 97-98). The main plot's Plot menu splits it right; a channel
row of the device tree, dragged (its mime data, dropped where the mouse lets go) onto the new
plot, is drawn there alone; the cursors turned on in one plot show in both; a second plot tab
holds a plot of its own."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QToolButton


def _drag_from_tree(tour: Any, target: Any, device: str, channel: str) -> bool:
    """Drag a channel row from the device tree and drop it on `target` (a plot)."""
    tree = tour.window.tree
    index = tree.channel_index(device, channel)
    mime = tree.tree_model.mimeData([index])
    where = QPointF(target.plot.width() / 2, target.plot.height() / 2)
    ev = QDropEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    target.dropEvent(ev)  # (a QDrag would block in its own event loop until the mouse lets go)
    return ev.isAccepted()


def split_and_drop(tour: Any) -> dict[str, Any]:
    win = tour.window
    area = win.plot_area
    for name in [n for n in win.docks if n.startswith("panel:")]:
        win.close_panel(name)  # room for the plots
    win.plot.set_paused(False)
    button = win.plot.findChild(QToolButton, "plot-area-menu")
    split_right = button.menu().actions()[0]
    split_right.trigger()
    right = area.current
    dropped = _drag_from_tree(tour, right, "sim", "rpm")
    tour.qtbot.waitUntil(lambda: right.visible_keys() == [("sim", "rpm")], timeout=5000)
    win.actions.actions["cursors"].trigger()  # on the plot last clicked: the new one
    tour.qtbot.wait(400)
    return {
        "plots": len(area.shown_plots()),
        "dropped": dropped,
        "right channels": [list(k) for k in right.visible_keys()],
        "main channels": len(win.plot.visible_keys()),
        "cursors on both": [p.cursors.enabled for p in area.shown_plots()],
        "same cursor times": area.shown_plots()[0].cursors.pos_ns == right.cursors.pos_ns,
    }


def second_tab(tour: Any) -> dict[str, Any]:
    win = tour.window
    area = win.plot_area
    tab = area.new_tab("Temperatures")
    (plot,) = tab.plots()
    _drag_from_tree(tour, plot, "sim", "temperature")
    below = area.split(plot, "vertical")
    _drag_from_tree(tour, below, "sim", "current")
    tour.qtbot.waitUntil(lambda: below.visible_keys() == [("sim", "current")], timeout=5000)
    tour.qtbot.wait(300)
    state = area.state()
    return {
        "tabs": [t["name"] for t in state["tabs"]],
        "tab plots": [[list(k) for k in p.visible_keys()] for p in tab.plots()],
    }


STEPS = [
    (97, "plot-areas-split-and-drop", split_and_drop),
    (98, "plot-areas-second-tab", second_tab),
]
