"""One lane of the live plot (a y axis shared by channels of one unit) and its curves."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
]
LEGEND_MAX = 12  # more curves than this in a lane: no in-plot legend (the tree shows colours)
AXIS_WIDTH = 64  # px, the same in every lane so that the time axes line up


def color_for(index: int) -> str:
    """A distinct colour for the n-th curve."""
    return PALETTE[index % len(PALETTE)]


def format_time(t_ns: int) -> str:
    """Local wall-clock time with milliseconds, for the cursor readout."""
    return datetime.fromtimestamp(t_ns / 1e9).strftime("%H:%M:%S.%f")[:-3]


class Curve(pg.PlotCurveItem):
    """A curve whose data bounds are handed in with the data (no NaN-aware scan per frame)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._bounds: tuple[float, float, float, float] | None = None

    def set_frame(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Show x, y (NaN = gap); returns the finite y extent (NaN, NaN when none)."""
        if y.size:
            ymin, ymax = float(np.fmin.reduce(y)), float(np.fmax.reduce(y))
            self._bounds = (float(x[0]), float(x[-1]), ymin, ymax)
        else:
            ymin = ymax = float("nan")
            self._bounds = None
        self.setData(x, y, connect="finite", skipFiniteCheck=True)
        return ymin, ymax

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange: object = None) -> tuple:
        """Bounds from the last frame (pyqtgraph API)."""
        b = self._bounds
        if b is None or b[2] != b[2]:
            return (None, None)
        return (b[0], b[1]) if ax == 0 else (b[2], b[3])


class Lane:
    """A plot row: its own y axis (titled with the unit), legend and cursor line."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.item = pg.PlotItem(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.item.setClipToView(False)  # the history already clips to the view
        self.item.setMenuEnabled(False)
        self.item.getAxis("left").setWidth(AXIS_WIDTH)
        self.item.setLabel("left", unit or "value")
        self.vb = self.item.getViewBox()
        self.vb.disableAutoRange()
        self.legend = self.item.addLegend(offset=(8, 4), labelTextSize="8pt")
        # the legend only changes when curves come or go: paint it from a cached pixmap
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#555", width=1))
        self.cursor.setVisible(False)
        self.item.addItem(self.cursor, ignoreBounds=True)
        self.curves: dict[tuple[str, str], Curve] = {}
        self.lo = self.hi = float("nan")

    def add(self, key: tuple[str, str], curve: Curve) -> None:
        """Put a curve in this lane."""
        self.curves[key] = curve
        self.item.addItem(curve)

    def sync_legend(self, hidden: set[tuple[str, str]]) -> None:
        """List the visible curves (when there are few enough to read)."""
        self.legend.clear()
        shown = [(k, c) for k, c in self.curves.items() if k not in hidden]
        if len(shown) <= LEGEND_MAX:
            for _, curve in shown:
                self.legend.addItem(curve, curve.name())

    def autoscale(self) -> None:
        """Fit y to what the curves showed this frame."""
        lo, hi = self.lo, self.hi
        if lo <= hi:
            pad = max((hi - lo) * 0.05, 1e-9 if hi == lo == 0 else abs(hi) * 1e-3)
            self.vb.setYRange(lo - pad, hi + pad, padding=0)
