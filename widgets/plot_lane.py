"""One lane of the live plot (a y axis shared by channels of one unit) and its curves."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsItem

from twinbench.widgets.plot_envelope import envelope_rects, fill_rects, is_pairs
from twinbench.widgets.plot_options import LegendColumn, TimeAxis
from twinbench.widgets.plot_raster import LaneRaster

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
    """A curve drawn as polylines (one per run of finite points) straight from numpy, or as its
    min/max envelope when it holds min/max pairs, with its bounds handed in with the data: no
    path building or NaN-aware scans per frame."""

    base_color = "#1f77b4"  # the palette colour it was given; its pen is a legible shade of it
    MAX_RUNS = 256  # more gaps than this: let pyqtgraph build its path instead
    ENVELOPE = True  # min/max pairs drawn as pixel columns (False: polylines, for comparison)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._bounds: tuple[float, float, float, float] | None = None
        self._polys: list[QPolygonF] | None = None
        self._pairs = False
        self._rects: tuple[tuple[float, ...], np.ndarray | None] | None = None
        self.raster: LaneRaster | None = None  # set when a lane fills its envelopes together
        self._rect = QRectF()

    def set_frame(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Show x, y (NaN = gap); returns the finite y extent (NaN, NaN when none)."""
        if y.size:
            ymin, ymax = float(np.fmin.reduce(y)), float(np.fmax.reduce(y))
            self._bounds = (float(x[0]), float(x[-1]), ymin, ymax)
        else:
            ymin = ymax = float("nan")
            self._bounds = None
        self.setData(x, y, connect="finite", skipFiniteCheck=True)
        self._polys = None
        self._pairs = is_pairs(x)
        self._rects = None
        b = self._bounds
        if b is None or b[2] != b[2]:
            self._rect = QRectF()
        else:
            dy = (b[3] - b[2]) * 0.01 or 1e-9
            self._rect = QRectF(b[0], b[2] - dy, b[1] - b[0], b[3] - b[2] + 2 * dy)
        return ymin, ymax

    def runs(self) -> list[tuple[int, int]]:
        """(start, end) of each run of finite points: the pieces drawn as lines."""
        y = self.yData
        if y is None or not y.size:
            return []
        finite = np.isfinite(y)
        if finite.all():
            return [(0, int(y.size))]
        edges = np.diff(np.concatenate(([0], finite.view(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        return list(zip(starts.tolist(), ends.tolist(), strict=True))

    def _build(self) -> list[QPolygonF] | None:
        runs = self.runs()
        if len(runs) > self.MAX_RUNS:
            return None
        x, y = self.xData, self.yData
        polys = []
        for a, b in runs:
            if b - a < 2:
                continue
            poly = pg.functions.create_qpolygonf(b - a)
            arr = pg.functions.ndarray_from_qpolygonf(poly)
            arr[:, 0] = x[a:b]
            arr[:, 1] = y[a:b]
            polys.append(poly)
        return polys

    def as_envelope(self) -> bool:
        """Whether this frame is painted as a min/max envelope (not polylines)."""
        return self._pairs and self.ENVELOPE and self.opts["pen"].widthF() <= 1

    def envelope_at(self, tr: QTransform) -> np.ndarray | None:
        """Device-pixel rectangles of the min/max envelope, cached while the view stays."""
        key = (tr.m11(), tr.m12(), tr.m21(), tr.m22(), tr.dx(), tr.dy())
        if self._rects is None or self._rects[0] != key:
            self._rects = (key, envelope_rects(self.xData, self.yData, tr))
        return self._rects[1]

    def paint(self, p: QPainter, opt: object, widget: object) -> None:
        """Draw the min/max envelope, or the runs as polylines, with the (cosmetic) pen."""
        if self._bounds is None or self.xData is None:
            return
        pen = self.opts["pen"]
        if self.as_envelope():
            rects = self.envelope_at(p.transform())
            if rects is not None and self.raster is not None:
                return  # the lane's raster fills it with the others
            if rects is not None:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(pen.color())
                fill_rects(p, rects)
                return
        if self._polys is None:
            self._polys = self._build()
            if self._polys is None:  # very gappy data: pyqtgraph's path handles it
                super().paint(p, opt, widget)
                return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(self.opts["pen"])
        for poly in self._polys:
            p.drawPolyline(poly)

    def boundingRect(self) -> QRectF:
        """The data rectangle of the last frame (pyqtgraph's own pads it per pixel, per call)."""
        if self._bounds is None:
            return super().boundingRect()
        return self._rect

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange: object = None) -> tuple:
        """Bounds from the last frame (pyqtgraph API)."""
        b = self._bounds
        if b is None or b[2] != b[2]:
            return (None, None)
        return (b[0], b[1]) if ax == 0 else (b[2], b[3])


class ValueAxis(pg.AxisItem):
    """A lane's y axis that repaints only when its own range changes (pyqtgraph redraws every
    axis of a view whenever either range moves: each frame, as the time axis scrolls)."""

    def setRange(self, mn: float, mx: float) -> None:
        """Show [mn, mx]; nothing to do when it is what is shown."""
        if [mn, mx] == list(getattr(self, "range", ())):
            return
        super().setRange(mn, mx)


class HoverLine(pg.InfiniteLine):
    """The crosshair: while hidden it skips the geometry update pyqtgraph does on every view
    change (every frame, as the time axis scrolls)."""

    def viewTransformChanged(self) -> None:
        """Recompute the geometry, when shown."""
        if self.isVisible():
            super().viewTransformChanged()

    def setVisible(self, visible: bool) -> None:
        """Show or hide; shown again, the geometry is brought up to date."""
        was = self.isVisible()
        super().setVisible(visible)
        if visible and not was:
            super().viewTransformChanged()


class Lane:
    """A plot row: its own y axis (titled with the unit), legend and cursor line."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.axis = TimeAxis()
        self.item = pg.PlotItem(axisItems={"bottom": self.axis, "left": ValueAxis("left")})
        self.item.setClipToView(False)  # the history already clips to the view
        self.item.setMenuEnabled(False)
        self.item.getAxis("left").setWidth(AXIS_WIDTH)
        self.item.setLabel("left", unit or "value")
        self.vb = self.item.getViewBox()
        self.vb.disableAutoRange()
        for name in ("top", "right"):  # hidden, yet relabelled on every range change
            self.item.getAxis(name).unlinkFromView()
        self.legend = self.item.addLegend(offset=(8, 4), labelTextSize="8pt")
        # the legend only changes when curves come or go: paint it from a cached pixmap
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.legend_column = LegendColumn(self.item, self.legend)  # beside the data, not on it
        self.cursor = HoverLine(angle=90, movable=False, pen=pg.mkPen("#555", width=1))
        self.cursor.setVisible(False)
        self.item.addItem(self.cursor, ignoreBounds=True)
        self.curves: dict[tuple[str, str], Curve] = {}
        self.raster = LaneRaster()
        self.item.addItem(self.raster, ignoreBounds=True)
        self.lo = self.hi = float("nan")

    def add(self, key: tuple[str, str], curve: Curve) -> None:
        """Put a curve in this lane."""
        self.curves[key] = curve
        curve.raster = self.raster
        self.raster.curves.append(curve)
        self.item.addItem(curve)

    def sync_legend(self, hidden: set[tuple[str, str]]) -> None:
        """List the visible curves (when there are few enough to read)."""
        self.legend.clear()
        shown = [(k, c) for k, c in self.curves.items() if k not in hidden]
        if len(shown) <= LEGEND_MAX:
            for _, curve in shown:
                self.legend.addItem(curve, curve.name())
        self.legend_column.fit()

    def autoscale(self) -> bool:
        """Fit y to what the curves showed this frame; True if the range changed.

        The range changes only when the data leaves it or fills less than half of it, and then
        with a 10 % margin each side: a drifting signal does not rescale (and repaint its axis)
        every frame."""
        lo, hi = self.lo, self.hi
        if not lo <= hi:
            return False
        y0, y1 = self.vb.viewRange()[1]
        span = hi - lo
        if lo >= y0 and hi <= y1 and span >= 0.5 * (y1 - y0) and span > 0:
            return False
        pad = max(span * 0.1, 1e-9 if hi == lo == 0 else abs(hi) * 1e-3)
        self.vb.setYRange(lo - pad, hi + pad, padding=0)
        return True
