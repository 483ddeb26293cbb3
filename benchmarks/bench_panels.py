"""Analysis panels at display rate, offscreen.

Rows: the FFT panel on a 1 kHz channel with 8k-point windows (updates/s), beside a bare numpy
rfft of the same size (the baseline); 20 open panels on a 1 kHz x 16 channel simulator (frames/s,
each frame = tick + paint of what changed), beside the same loop with no panels.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table
from PySide6.QtWidgets import QApplication

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels


def frames(ctx: AppContext, widgets: list, seconds: float) -> tuple[int, float]:
    """Run the GUI frame loop for `seconds`: tick callbacks, then paint what changed."""
    app = QApplication.instance()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for cb in list(ctx.tick_callbacks):
            cb()
        app.processEvents()  # paints every widget whose content changed, as the app does
        n += 1
    return n, time.perf_counter() - t0


def main() -> None:
    """Print the panels table."""
    args = parser(__doc__ or "").parse_args()
    secs = 0.5 if args.smoke else 4.0
    app = QApplication.instance() or QApplication([])
    specs = {s.id: s for s in all_panels()}
    rows = []

    x = np.random.default_rng(0).standard_normal(8192)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs / 2:
        np.abs(np.fft.rfft(x * np.hanning(8192)))
        n += 1
    rows.append(("numpy rfft 8192 (baseline)", n, time.perf_counter() - t0, "fft"))

    rt = Runtime()
    rt.add_driver("sim", {"rate": 1000, "channels": 16})
    ctx = AppContext(runtime=rt)
    fft = specs["spectrum"].factory(ctx)
    fft.resize(800, 400)
    fft.show()
    fft.max_hz = 1e9
    rt.start()
    try:
        time.sleep(9.0 if not args.smoke else 0.5)  # fill 8192 samples at 1 kHz
        fft.size_box.setCurrentText("8192" if not args.smoke else "256")
        n, dt = frames(ctx, [fft], secs)
        rows.append(("FFT panel 8192 pts, 1 kHz channel", n, dt, "upd"))
        fft.close()
        n, dt = frames(ctx, [], secs)
        rows.append(("empty frame loop, sim 1 kHz x 16", n, dt, "fr"))
        kinds = ["spectrum", "xy", "histogram", "gauge", "bar", "led", "table", "spectrogram"]
        widgets = []
        for i in range(20):
            w = specs[kinds[i % len(kinds)]].factory(ctx)
            w.resize(400, 250)
            w.show()
            if hasattr(w, "size_box"):
                w.size_box.setCurrentText("1024")
            widgets.append(w)
        n, dt = frames(ctx, widgets, secs)
        rows.append(("20 panels, sim 1 kHz x 16 channels", n, dt, "fr"))
        for w in widgets:
            w.close()
    finally:
        rt.stop()
    table(rows, rows[0][0])
    del app


if __name__ == "__main__":
    main()
