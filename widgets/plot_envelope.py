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
    col = np.floor(x[0::2] * sx + dx)
    if col.size > 1 and float(np.median(np.diff(col))) > MAX_STEP_PX:
        return None
    a, b = y[0::2] * sy + dy, y[1::2] * sy + dy
    top, bot = np.fmin(a, b), np.fmax(a, b)  # NaN only where the whole bucket is a gap
    # reach the previous column so the curve stays joined; never across a gap (NaN)
    prev_top = np.concatenate(([np.nan], top[:-1]))
    prev_bot = np.concatenate(([np.nan], bot[:-1]))
    top2, bot2 = np.fmin(top, prev_bot), np.fmax(bot, prev_top)
    width = np.empty_like(col)
    width[:-1] = np.diff(col)
    width[-1] = 1
    np.clip(width, 1, MAX_STEP_PX, out=width)
    ok = np.isfinite(top)
    out = np.empty((int(ok.sum()), 4), np.int32)
    c = np.clip(col[ok], -_LIMIT, _LIMIT)
    out[:, 0] = c
    out[:, 2] = c + width[ok] - 1
    out[:, 1] = np.clip(np.floor(top2[ok]), -_LIMIT, _LIMIT)
    out[:, 3] = np.clip(np.floor(bot2[ok]), -_LIMIT, _LIMIT)
    return out


def fill_rects(p: QPainter, rects: np.ndarray) -> None:
    """Fill int32 (x1, y1, x2, y2) rows with the painter's brush, in device pixels, in one call."""
    if not len(rects):
        return
    rects = np.ascontiguousarray(rects, np.int32)
    p.save()
    p.resetTransform()
    p.drawRects(Shiboken.wrapInstance(rects.ctypes.data, QRect), len(rects))
    p.restore()
