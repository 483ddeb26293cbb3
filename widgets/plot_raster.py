"""A lane's dense curves filled together: their envelopes as rows of one transposed image.

Qt fills a 1-px-wide rectangle one pixel per row; a zoomed-out dense history fills tens of
millions of pixels a frame that way (~30 ms). Drawn into an image whose rows are the plot's
columns, each span is one vectorised row fill; the image is rotated once and drawn: 12.8x less
CPU on a 42M-pixel frame (benchmarks/bench_plot_fill.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem
from shiboken6 import Shiboken

from twinbench.widgets.plot_envelope import fill_rects

if TYPE_CHECKING:
    from twinbench.widgets.plot_lane import Curve

_ROTATE = QTransform().rotate(90)
DIRECT_PX = 4_000_000  # fewer pixels than this: fill in place (the image costs ~3 ms a frame)


class LaneRaster(QGraphicsItem):
    """Paints the envelopes of a lane's curves (those drawn as envelopes skip their own paint)."""

    def __init__(self) -> None:
        super().__init__()
        self.curves: list[Curve] = []  # in paint order
        self._rect = QRectF()
        self._buf: QImage | None = None

    def sync(self) -> None:
        """Take the curves' new data rectangles (after a frame)."""
        rect = QRectF()
        for c in self.curves:
            if c.isVisible():
                rect = rect.united(c.boundingRect())
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def boundingRect(self) -> QRectF:
        """The union of the curves' data rectangles."""
        return self._rect

    def paint(self, p: QPainter, opt: object, widget: object) -> None:
        """Fill every envelope curve's spans in one transposed image, then draw it."""
        tr = p.transform()
        layers = []
        for c in self.curves:
            if c.isVisible() and c.as_envelope():
                rects = c.envelope_at(tr)
                if rects is not None and len(rects):
                    layers.append((c.opts["pen"].color(), rects))
        if not layers:
            return
        pixels = sum(  # what the fills would write
            int(((r[:, 3] - r[:, 1] + 1) * (r[:, 2] - r[:, 0] + 1)).sum()) for _, r in layers
        )
        if pixels < DIRECT_PX:
            for color, r in layers:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                fill_rects(p, r)
            return
        clip = tr.mapRect(p.clipBoundingRect()).toAlignedRect() if p.hasClipping() else None
        dev = QRect(0, 0, p.device().width(), p.device().height())
        area = dev if clip is None else clip.intersected(dev)
        if area.isEmpty():
            return
        x0, y0, w, h = area.x(), area.y(), area.width(), area.height()
        if self._buf is None or self._buf.width() != h or self._buf.height() != w:
            self._buf = QImage(h, w, QImage.Format.Format_ARGB32_Premultiplied)
        buf = self._buf
        buf.fill(0)
        q = QPainter(buf)
        q.setPen(Qt.PenStyle.NoPen)
        for color, r in layers:
            t = np.empty_like(r)  # buffer x = device y, buffer y = mirrored device x
            t[:, 0] = r[:, 1] - y0
            t[:, 2] = r[:, 3] - y0
            t[:, 1] = (w - 1 + x0) - r[:, 2]
            t[:, 3] = (w - 1 + x0) - r[:, 0]
            q.setBrush(color)
            q.drawRects(Shiboken.wrapInstance(t.ctypes.data, QRect), len(t))
        q.end()
        p.save()
        p.resetTransform()
        p.drawImage(x0, y0, buf.transformed(_ROTATE))
        p.restore()
