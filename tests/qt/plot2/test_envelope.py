"""Dense curves (min/max pairs) are painted as their pixel-column envelope."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QTransform

from twinbench.widgets.plot_envelope import envelope_rects, is_pairs


def _pairs(lo: list[float], hi: list[float]) -> tuple[np.ndarray, np.ndarray]:
    x = np.repeat(np.arange(len(lo), dtype=np.float64), 2)
    y = np.empty(2 * len(lo))
    y[0::2], y[1::2] = lo, hi
    return x, y


def test_columns_span_min_to_max_and_join_but_not_across_gaps():
    x, y = _pairs([0, 10, 2, np.nan, 20], [1, 12, 3, np.nan, 21])
    assert is_pairs(x) and not is_pairs(np.arange(10.0))
    r = envelope_rects(x, y, QTransform())  # identity: data = device pixels
    assert r is not None and r.dtype == np.int32
    assert r[:, 0].tolist() == [0, 1, 2, 4]  # the NaN bucket (column 3) is not drawn
    assert (r[:, 2] == r[:, 0]).all()  # one pixel wide
    assert r[0, 1:4:2].tolist() == [0, 1]
    assert r[1, 1:4:2].tolist() == [1, 12]  # reaches down to the previous column's top
    assert r[2, 1:4:2].tolist() == [2, 10]  # and up to the previous column's bottom
    assert r[3, 1:4:2].tolist() == [20, 21]  # after the gap: not joined to column 2


def test_sparse_buckets_and_rotation_fall_back_to_polylines():
    x, y = _pairs([0, 1, 2], [1, 2, 3])
    assert envelope_rects(x * 10, y, QTransform()) is None  # 10 px apart: zoomed in
    assert envelope_rects(x, y, QTransform().rotate(30)) is None


@pytest.mark.parametrize("direct_px", [10**12, 0], ids=["in-place", "transposed"])
def test_dense_panel_paints_envelope_of_curve_colour(panel, monkeypatch, direct_px):
    """The panel's min/max view is painted by rectangles in the curve's colour, filled in
    place or as rows of a rotated image (what a many-pixel frame uses)."""
    from PySide6.QtGui import QColor, QImage, QPainter

    from twinbench.widgets import plot_raster

    monkeypatch.setattr(plot_raster, "DIRECT_PX", direct_px)

    panel.refresh()
    curve = next(iter(panel.curves.values()))
    assert is_pairs(curve.xData)
    img = QImage(panel.plot.size(), QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    panel.plot.render(p)
    p.end()
    rects = curve._rects[1]
    assert rects is not None and len(rects) > 100
    colour = curve.opts["pen"].color().rgb()
    curves = list(panel.curves.values())
    for row in (rects[len(rects) // 3], rects[len(rects) // 2]):
        x1, y1, _, y2 = (int(v) for v in row)
        for y in (y1, (y1 + y2) // 2, y2):  # the span's ends too: no row or column is off by one
            pixel = img.pixel(x1, y)
            assert pixel == colour or pixel in {c.opts["pen"].color().rgb() for c in curves[1:]}
