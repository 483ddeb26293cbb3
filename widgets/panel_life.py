"""A panel's life: the dock that holds it, idle while hidden, and one place that releases it.

Closing a panel's dock stops all its work: its tick callbacks, its channel taps and hub
subscriptions and its timers, then the dock is deleted (so reopening reuses its name). While a
panel is hidden (tabbed away, or the window minimised) its callbacks are skipped and its
subscriptions paused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QWidget

if TYPE_CHECKING:
    from twinbench.widgets.context import AppContext


class PanelDock(QDockWidget):
    """A dock that says when the user closes it (Qt only hides a closed dock).

    The panel sits in a scroll area, so a tab of wide panels never squeezes the plot and a
    panel's changing size hints stay inside its dock; `widget()` returns the panel itself.
    """

    closed = Signal(str)
    shown = True  # False while another tab covers it (from visibilityChanged)

    def set_panel(self, panel: QWidget) -> None:
        """Hold `panel` in a scroll area: it scrolls when it would not shrink to the dock, and
        its size hints, which change as its labels change text, never relayout the window
        (a Digital twin panel resizing the plot every frame cost 5 -> 32 fps)."""
        self._panel = panel
        scroll = QScrollArea()
        scroll.setObjectName("panel-scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(panel)
        self.setWidget(scroll)

    def widget(self) -> QWidget:
        """The panel (not the scroll area around it)."""
        return getattr(self, "_panel", None) or super().widget()

    def closeEvent(self, event: Any) -> None:
        """Tell the window, which releases the panel."""
        super().closeEvent(event)
        self.closed.emit(self.objectName())


def _objects(widget: QWidget) -> list[QObject]:
    return [widget, *widget.findChildren(QObject)]


def subscriptions(widget: QWidget) -> Iterator[Any]:
    """The hub subscriptions a panel holds (directly or through its channel taps)."""
    from twinbench.hub import Subscription
    from twinbench.tap import ChannelTap

    for obj in _objects(widget):
        for value in list(getattr(obj, "__dict__", {}).values()):
            if isinstance(value, Subscription):
                yield value
            elif isinstance(value, ChannelTap) and value.sub is not None:
                yield value.sub


def active_timers(widget: QWidget) -> list[QTimer]:
    """The panel's running QTimers."""
    return [t for t in widget.findChildren(QTimer) if t.isActive()]


def set_active(ctx: AppContext, name: str, widget: QWidget, active: bool) -> None:
    """Run (True) or idle (False) a panel: idle skips its ticks and pauses its subscriptions."""
    if active:
        ctx.idle.discard(name)
    else:
        ctx.idle.add(name)
    for sub in subscriptions(widget):
        sub.paused = not active


def release(ctx: AppContext, name: str, widget: QWidget) -> None:
    """Stop everything panel `name` does: its `shutdown()`, ticks, taps, subscriptions, timers."""
    stop = getattr(widget, "shutdown", None)
    if callable(stop):
        stop()
    ctx.release(name)
    for obj in _objects(widget):  # bound tick methods registered after construction too
        for cb in [cb for cb in ctx.tick_callbacks if getattr(cb, "__self__", None) is obj]:
            ctx.off_tick(cb)
    hub = ctx.runtime.hub if ctx.runtime is not None else None
    for obj in _objects(widget):
        for value in list(getattr(obj, "__dict__", {}).values()):
            close = getattr(value, "close", None)
            if value.__class__.__name__ == "ChannelTap" and callable(close):
                close()
    if hub is not None:
        for sub in list(subscriptions(widget)):
            hub.unsubscribe(sub)
    for timer in widget.findChildren(QTimer):
        timer.stop()
    widget.close()  # panels that release things in closeEvent (TapPanel) do so now
