"""Plot options kept out of the panel: time axis modes, legends beside the data, time-like
channels left out by default."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsWidget

from twinbench.timelike import timelike_channels

TIME_MODES = {
    "wall": "Wall clock",
    "start": "Seconds since start",
    "cursor": "Seconds since cursor",
    "index": "Sample index",
}


class TimeAxis(pg.DateAxisItem):
    """A bottom axis in epoch seconds, labelled as wall clock, seconds since an origin (start
    or a cursor) or as the sample index (`index_of` maps epoch seconds to it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(orientation="bottom", **kwargs)
        self.mode = "wall"
        self.origin = 0.0
        self.index_of: Callable[[float], int] | None = None

    def set_mode(self, mode: str, origin: float = 0.0) -> None:
        """Switch the labelling (one of TIME_MODES); `origin` in epoch seconds."""
        if mode not in TIME_MODES:
            raise ValueError(f"time axis mode {mode!r} is not one of {', '.join(TIME_MODES)}")
        self.mode, self.origin = mode, float(origin)
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        """Round date ticks (wall clock) or round offsets from the origin."""
        if self.mode == "wall":
            return super().tickValues(minVal, maxVal, size)
        o = self.origin
        ticks = pg.AxisItem.tickValues(self, minVal - o, maxVal - o, size)
        return [(sp, [v + o for v in vals]) for sp, vals in ticks]

    def tickStrings(self, values: list, scale: float, spacing: float) -> list[str]:
        """Labels for the current mode."""
        if self.mode == "wall":
            if not hasattr(self, "zoomLevel"):  # asked before the first draw
                return [datetime.fromtimestamp(v).strftime("%H:%M:%S") for v in values]
            return super().tickStrings(values, scale, spacing)
        if self.mode == "index" and self.index_of is not None:
            return [str(self.index_of(v)) for v in values]
        return pg.AxisItem.tickStrings(self, [v - self.origin for v in values], scale, spacing)

    def generateDrawSpecs(self, p: Any) -> Any:
        """Date zoom levels only matter for wall-clock labels."""
        if self.mode == "wall":
            return super().generateDrawSpecs(p)
        return pg.AxisItem.generateDrawSpecs(self, p)


# the legend columns of each plot layout (keyed by the layout item, or by the group its
# `legend_group` attribute names: the plots of one plot tab), so all lanes get one width
_COLUMNS: dict[int, weakref.WeakSet[LegendColumn]] = {}


class LegendColumn:
    """Keeps a lane's legend in a column right of the data, so it never covers a trace."""

    def __init__(self, item: pg.PlotItem, legend: pg.LegendItem) -> None:
        self.item, self.legend = item, legend
        self.spacer = QGraphicsWidget()
        item.layout.addItem(self.spacer, 2, 3)
        self.shown = True
        self.natural = 0.0
        legend.setParentItem(self.spacer)  # moves with the column, not with the data area
        legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(2, 2))
        self.fit()

    def fit(self) -> None:
        """Size the column to the widest legend of the plot's lanes (zero when all are hidden
        or empty): every lane's data area then ends at the same x, so one time lines up."""
        empty = not self.legend.items
        self.legend.setVisible(self.shown and not empty)
        self.natural = 0.0 if (empty or not self.shown) else self.legend.boundingRect().width() + 4
        layout = self.item.parentItem()
        key = getattr(layout, "legend_group", None) or id(layout)
        group = _COLUMNS.setdefault(key, weakref.WeakSet())
        group.add(self)
        peers = list(group)
        w = max(c.natural for c in peers)
        for c in peers:
            try:
                c.spacer.setMinimumWidth(w)
                c.spacer.setMaximumWidth(w)
            except RuntimeError:  # a lane deleted without detach()
                group.discard(c)

    def regroup(self) -> None:
        """Join the group its plot layout names now (the plot went to another plot tab)."""
        for group in _COLUMNS.values():
            group.discard(self)
        self.fit()

    def set_shown(self, on: bool) -> None:
        """Show or hide the legend column."""
        self.shown = bool(on)
        self.fit()

    def detach(self) -> None:
        """Stop following the column before the lane is deleted (pyqtgraph's anchor would
        otherwise be called on a deleted widget when the layout is cleared)."""
        for group in _COLUMNS.values():
            group.discard(self)
        try:
            self.spacer.geometryChanged.disconnect()
        except (RuntimeError, TypeError):  # already deleted, or nothing connected
            pass

    def covers_data(self) -> bool:
        """Whether the legend overlaps the data area (the view box), in scene coordinates."""
        if not self.legend.isVisible():
            return False
        a = self.legend.sceneBoundingRect()
        b = self.item.getViewBox().sceneBoundingRect()
        return a.intersects(b) and a.intersected(b).width() > 1


def auto_hidden(history: Any, device: str, names: list[str]) -> set[str]:
    """The new channels of a device to leave unplotted: time-like by name or by recent values."""
    try:
        values = history.tail(device, names, 64)
    except KeyError:
        values = None
    return timelike_channels(names, values)
