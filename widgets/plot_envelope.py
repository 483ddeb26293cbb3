"""Dense curves drawn as their min/max envelope: one filled pixel-column rectangle per bucket.

When the display history hands a curve min/max pairs (more samples than pixels), a polyline
through the pairs costs the raster painter one stroked segment per point, about 0.5 us each:
32 curves x 3,000 points is ~17 ms a frame. The same picture is a column of pixels per bucket
from its min to its max, stretched to touch the previous column so the curve stays connected.
Qt fills integer rectangles from one array without a Python object per rectangle, several
times faster. Everything is computed in device pixels, once per view change.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter, QTransform
from shiboken6 import Shiboken

MAX_STEP_PX = 3  # buckets further apart than this (zoomed in): a polyline looks better
_LIMIT = 1 << 24  # device coordinates are clipped to this before going to int32


def is_pairs(x: np.ndarray) -> bool:
    """Whether x holds min/max pairs (each time twice), as the history serves zoomed-out views."""
    return x.size >= 4 and x.size % 2 == 0 and bool(np.array_equal(x[0::2], x[1::2]))


def envelope_rects(x: np.ndarray, y: np.ndarray, tr: QTransform) -> np.ndarray | None:
    """Rectangles (x1, y1, x2, y2 inclusive, int32, device pixels) for min/max pairs x, y under
    transform `tr`; None when the transform rotates or the buckets are too far apart."""
    if tr.type().value > QTransform.TransformationType.TxScale.value:
        return None
    sx, sy, dx, dy = tr.m11(), tr.m22(), tr.dx(), tr.dy()
    n = x.size // 2
    col = x[0::2] * sx
    col += dx
    np.floor(col, out=col)
    if n > 1 and (col[-1] - col[0]) / (n - 1) > MAX_STEP_PX:
        return None
    a, b = y[0::2] * sy, y[1::2] * sy
    top, bot = np.fmin(a, b), np.fmax(a, b)  # NaN only where the whole bucket is a gap
    f = np.empty((n, 4), np.float64)  # x1, y1, x2, y2
    f[:, 0] = col
    f[:-1, 2] = col[1:]
    f[-1, 2] = col[-1] + 1
    f[:, 2] -= col
    np.clip(f[:, 2], 1, MAX_STEP_PX, out=f[:, 2])
    f[:, 2] += col
    f[:, 2] -= 1
    # reach the previous column so the curve stays joined; never across a gap (NaN)
    f[:, 1] = top
    f[:, 3] = bot
    np.fmin(top[1:], bot[:-1], out=f[1:, 1])
    np.fmax(bot[1:], top[:-1], out=f[1:, 3])
    f[:, 1::2] += dy
    np.floor(f[:, 1::2], out=f[:, 1::2])
    np.clip(f, -_LIMIT, _LIMIT, out=f)
    ok = np.isfinite(top)
    if not ok.all():
        f = f[ok]
    return f.astype(np.int32)


def fill_rects(p: QPainter, rects: np.ndarray) -> None:
    """Fill int32 (x1, y1, x2, y2) rows with the painter's brush, in device pixels, in one call."""
    if not len(rects):
        return
    rects = np.ascontiguousarray(rects, np.int32)
    p.save()
    p.resetTransform()
    p.drawRects(Shiboken.wrapInstance(rects.ctypes.data, QRect), len(rects))
    p.restore()
