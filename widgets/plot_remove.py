"""Taking channels off the live plot: the channel under the mouse, by Delete or context menu.

The channel "under the mouse" is the visible curve of the lane there whose value at the mouse's
time is nearest the mouse in y; the context menu lists that lane's visible channels, nearest
first, as "Remove <channel>". A removed channel is hidden (unticked in the tree), not lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from twinbench.widgets.plot_panel import PlotPanel


def scene_pos(panel: PlotPanel, pos: QPoint) -> QPointF:
    """A point of the panel (widget coordinates) in the plot's scene."""
    view = panel.plot
    return view.mapToScene(view.viewport().mapFromGlobal(panel.mapToGlobal(pos)))


def channels_at(panel: PlotPanel, pos: QPointF | None) -> list[tuple[str, str]]:
    """The visible channels of the lane at scene point `pos`, nearest the point in y first."""
    if pos is None or panel.history is None:
        return []
    for lane in panel.lanes.values():
        if not lane.vb.sceneBoundingRect().contains(pos):
            continue
        at = lane.vb.mapSceneToView(pos)
        t_ns, y = int(at.x() * 1e9), at.y()
        scored: list[tuple[float, tuple[str, str]]] = []
        for key in lane.curves:
            if key in panel.hidden:
                continue
            hit = panel.history.value_at(key[0], key[1], t_ns)
            dist = abs(hit[1] - y) if hit is not None else float("inf")
            scored.append((dist if dist == dist else float("inf"), key))
        return [k for _, k in sorted(scored, key=lambda s: s[0])]
    return []


def remove(panel: PlotPanel, keys: list[tuple[str, str]]) -> None:
    """Hide these channels from the plot and say so (the tree unticks them)."""
    for dev, ch in keys:
        panel.set_channel_visible(dev, ch, False)
    if keys:
        panel._drawn = ()  # the next tick redraws without them
        panel.channelsRemoved.emit(list(keys))


def remove_under_mouse(panel: PlotPanel) -> list[tuple[str, str]]:
    """Delete key: remove the channel nearest the mouse's last position; returns it (or [])."""
    keys = channels_at(panel, panel.mouse_scene)[:1]
    remove(panel, keys)
    return keys


def context_menu(panel: PlotPanel, pos: QPoint) -> QMenu | None:
    """The plot's context menu at panel point `pos`: Remove <channel> per channel of the lane."""
    keys = channels_at(panel, scene_pos(panel, pos))
    if not keys:
        return None
    menu = QMenu(panel)
    many_devices = len({d for d, _ in panel.curves}) > 1
    for key in keys:
        label = f"{key[0]}/{key[1]}" if many_devices else key[1]
        act = menu.addAction(f"Remove {label}")
        act.setData(list(key))
        act.triggered.connect(lambda _=False, k=key: remove(panel, [k]))
    return menu


def show_context_menu(panel: PlotPanel, ev: Any) -> None:
    """Pop the context menu up at a context-menu event's position."""
    menu = context_menu(panel, ev.pos())
    if menu is not None:
        menu.exec(ev.globalPos())
        menu.deleteLater()
        ev.accept()
