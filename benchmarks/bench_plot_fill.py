"""Filling dense envelopes: pixel columns as QPainter.drawRects, straight or transposed.

64 curves x 1,530 pixel columns, each column a span of 401 px (a zoomed-out dense history
fills ~40M pixels a frame). Baseline: the spans as 1-px-wide integer rectangles on the plot
image, as the plot draws them now. Candidate: the same spans as rows of a transposed image
(so each is one vectorised row fill), rotated once and drawn. Rates per CPU-second.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table


def main() -> None:
    """Print frames per CPU-second of both ways of filling the same spans."""
    args = parser(__doc__ or "").parse_args()
    import pyqtgraph as pg
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QImage, QPainter, QTransform
    from PySide6.QtWidgets import QApplication
    from shiboken6 import Shiboken

    app = QApplication.instance() or QApplication([])
    w, h, k = (400, 300, 8) if args.smoke else (1530, 850, 64)
    frames = 2 if args.smoke else 10
    tops = np.random.default_rng(0).integers(0, h // 2, (k, w))
    bots = tops + h // 2
    colors = [pg.intColor(j, k) for j in range(k)]
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    buf = QImage(h, w, QImage.Format.Format_ARGB32_Premultiplied)
    cols = np.arange(w)
    straight = [np.stack([cols, tops[j], cols, bots[j]], 1).astype(np.int32) for j in range(k)]
    flipped = w - 1 - cols
    transposed = [
        np.stack([tops[j], flipped, bots[j], flipped], 1).astype(np.int32) for j in range(k)
    ]

    def fill(p: QPainter, rects: list[np.ndarray]) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        for j, r in enumerate(rects):
            p.setBrush(colors[j])
            p.drawRects(Shiboken.wrapInstance(r.ctypes.data, QRect), len(r))

    def frame_straight(p: QPainter) -> None:
        fill(p, straight)

    def frame_transposed(p: QPainter) -> None:
        buf.fill(0)
        q = QPainter(buf)
        fill(q, transposed)
        q.end()
        p.drawImage(0, 0, buf.transformed(QTransform().rotate(90)))

    def cpu(f) -> float:
        t = time.process_time()
        for _ in range(frames):
            img.fill(0xFFFFFFFF)
            p = QPainter(img)
            f(p)
            p.end()
        return time.process_time() - t

    pixels = int((bots - tops + 1).sum())
    print(f"{k} curves x {w} columns, {pixels:,} pixels a frame, {w}x{h}")
    a, b = cpu(frame_straight), cpu(frame_transposed)  # interleaved twice
    a, b = a + cpu(frame_straight), b + cpu(frame_transposed)
    rows = [
        ("drawRects, 1-px columns (baseline)", 2 * frames, a, "frames"),
        ("drawRects, transposed rows + rotate", 2 * frames, b, "frames"),
    ]
    table(rows, rows[0][0])
    print(f"load average {os.getloadavg()}")
    del app


if __name__ == "__main__":
    main()
