"""Live plot frame rate: 32 channels x 1M points in view, 1,000 new points per channel per frame.

Offscreen, the plot at 1600x900. A frame = append the new points, update every curve, render
the plot widget into an image. Rates are by wall clock and by this process's CPU time (the
machine may be shared; the CPU-time rate is what one free core would give).
TwinBench's plot reads min/max pairs from the display history's incremental levels; the
baseline, measured in the same run, is pyqtgraph's own best on the same data: setData on the
whole 1M-point window with peak downsampling, clip-to-view and skipFiniteCheck. The
"polylines" row is TwinBench's panel drawing lines through its min/max pairs (as before the
pixel-column envelope), measured in the same run.
`--history`: the scroll bar's whole history in view (64 channels x 10M points, dense), with the
history's memory and the peak RSS.
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

from twinbench.model import Channel, Chunk, Device

W, H = 1600, 900
RATE = 10_000.0  # Hz: 1,000 points per frame = 0.1 s of data
T0 = 1_700_000_000_000_000_000


def signal(k: int, i0: int, n: int, kind: str = "telemetry") -> np.ndarray:
    """n samples x k channels from sample i0.

    telemetry: each channel on its own level, a slow swing (20-100 s period) plus sensor noise;
    dense: fast sines (about 80 periods in view) of growing amplitude, a worst case that fills
    most of each pixel column.
    """
    i = np.arange(i0, i0 + n)[:, None]
    ph = np.arange(k)[None, :]
    noise = np.random.default_rng(i0).standard_normal((n, k))
    if kind == "dense":
        return np.sin(i / (2000.0 + 97 * ph)) * (1 + ph) + 0.1 * noise
    period = RATE * (20.0 + 2.5 * ph)
    return ph + 0.4 * np.sin(2 * np.pi * i / period + ph) + 0.03 * noise


def stamps(i0: int, n: int, rate: float = RATE) -> np.ndarray:
    """Timestamps (ns) of samples i0..i0+n."""
    return T0 + (np.arange(i0, i0 + n) * (1e9 / rate)).astype(np.int64)


def fill(hist, names: tuple[str, ...], n: int, kind: str, rate: float) -> None:
    """Append n samples of every channel in blocks (a 10M x 64 history is never one array)."""
    block = 1 << 19
    for i0 in range(0, n, block):
        m = min(block, n - i0)
        y = signal(len(names), i0, m, kind).astype(np.float32)
        hist.append([Chunk("bench", names, stamps(i0, m, rate), y)])


def history_bytes(hist) -> int:
    """Bytes the display history holds: sample rings plus min/max levels."""
    total = 0
    for st in hist._streams.values():
        total += st.t.nbytes + st.v.nbytes + sum(a.nbytes for a in st.mins + st.maxs)
    return total


def render(widget, image) -> None:
    """Paint the whole widget (what a screen refresh costs)."""
    from PySide6.QtWidgets import QWidget

    QWidget.render(widget, image)


def run_twinbench(
    app, k: int, n: int, per: int, frames: int, kind: str, rate: float = RATE, report=None
) -> tuple[float, float]:
    """Wall and CPU seconds for `frames` frames of TwinBench's PlotPanel; `report` gets the
    history's bytes."""
    from PySide6.QtGui import QImage

    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    names = tuple(f"ch{j}" for j in range(k))
    rt = Runtime()
    rt.hub.declare(Device("bench", "bench", tuple(Channel(c, "V") for c in names)))
    hist = DisplayHistory(seconds=n / rate, max_bytes_per_stream=1 << 40, initial_capacity=n)
    fill(hist, names, n, kind, rate)
    if report is not None:
        report(history_bytes(hist))
    ctx = AppContext(rt, hist)
    panel = PlotPanel(ctx, window_s=n / rate)
    panel.resize(W, H)
    panel.show()
    app.processEvents()
    # the plot itself at W x H (the panel adds a tool row and a scroll bar around it)
    panel.resize(W + W - panel.plot.width(), H + H - panel.plot.height())
    app.processEvents()
    panel.refresh()
    for key in list(panel.capped):  # past AUTO_CURVES: ticked as a user would
        panel.set_channel_visible(*key, True)
    assert len(panel.visible_keys()) == k
    image = QImage(W, H, QImage.Format.Format_ARGB32_Premultiplied)
    new = [
        Chunk("bench", names, stamps(n + f * per, per, rate), signal(k, n + f * per, per, kind))
        for f in range(frames + 3)
    ]
    for f in range(3):  # warm-up
        hist.append([new[f]])
        panel.refresh()
        render(panel.plot, image)
    t, cpu = time.perf_counter(), time.process_time()
    for f in range(3, frames + 3):
        hist.append([new[f]])
        panel.refresh()
        render(panel.plot, image)
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    in_view = hist.view("bench", "ch0", *panel.x_range_ns(), max_points=10**9)[0].size
    assert in_view >= n * 0.99, f"only {in_view} points in view"
    panel.close()
    panel.deleteLater()
    app.processEvents()
    return secs, cpu


def run_pyqtgraph(app, k: int, n: int, per: int, frames: int, kind: str) -> tuple[float, float]:
    """Wall and CPU seconds for `frames` frames of a plain pyqtgraph PlotWidget, best settings."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage

    total = n + (frames + 3) * per
    x = (stamps(0, total) - T0) / 1e9
    ys = signal(k, 0, total, kind).T.copy()  # one contiguous row per channel
    w = pg.PlotWidget()
    w.resize(W, H)
    item = w.getPlotItem()
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)
    curves = [item.plot(pen=pg.intColor(j, k)) for j in range(k)]
    w.show()
    app.processEvents()
    image = QImage(W, H, QImage.Format.Format_ARGB32_Premultiplied)

    def frame(f: int) -> None:
        a, b = f * per, n + f * per
        for j, c in enumerate(curves):
            c.setData(x[a:b], ys[j, a:b], skipFiniteCheck=True)
        item.setXRange(x[a], x[b - 1], padding=0)
        render(w, image)

    for f in range(2):
        frame(f)
    t, cpu = time.perf_counter(), time.process_time()
    for f in range(2, frames + 2):
        frame(f)
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    w.close()
    w.deleteLater()
    app.processEvents()
    return secs, cpu


def run_drop(app, k: int, n: int, per: int, frames: int) -> dict[str, float]:
    """Frame times of a PlotPanel showing k channels x n points when one more channel is
    dropped onto it (the drag-and-drop path: mime data, dropEvent, new curve, redraw)."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDropEvent, QImage

    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.channel_mime import channels_mime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    names = (*(f"ch{j}" for j in range(k)), "dropped")
    rt = Runtime()
    rt.hub.declare(Device("bench", "bench", tuple(Channel(c, "V") for c in names)))
    hist = DisplayHistory(seconds=n / RATE, initial_capacity=n)
    hist.append([Chunk("bench", names, stamps(0, n), signal(k + 1, 0, n))])
    panel = PlotPanel(AppContext(rt, hist), window_s=n / RATE)
    panel.set_channel_visible("bench", "dropped", False)  # not plotted until it is dropped
    panel.resize(W, H)
    panel.show()
    app.processEvents()
    image = QImage(W, H, QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    at = frames // 2
    for f in range(frames + 3):
        hist.append(
            [Chunk("bench", names, stamps(n + f * per, per), signal(k + 1, n + f * per, per))]
        )
        t = time.perf_counter()
        if f == at + 3:
            mime = channels_mime([("bench", "dropped")])
            ev = QDropEvent(
                QPointF(W / 2, H / 2),
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
            panel.dropEvent(ev)
            assert ev.isAccepted() and ("bench", "dropped") in panel.visible_keys()
        panel.refresh()
        render(panel.plot, image)
        app.processEvents()
        if f >= 3:
            times.append(time.perf_counter() - t)
    panel.close()
    panel.deleteLater()
    app.processEvents()
    before, after = np.array(times[:at]), np.array(times[at + 1 :])
    return {
        "before_fps": 1 / float(np.median(before)),
        "drop_frame_ms": times[at] * 1e3,
        "after_fps": 1 / float(np.median(after)),
        "worst_after_ms": float(after.max()) * 1e3,
    }


def main() -> None:
    """Print frames per second, TwinBench against the pyqtgraph baseline."""
    p = parser(__doc__ or "")
    p.add_argument("--frames", type=int, default=0, help="frames for TwinBench (default 120)")
    p.add_argument(
        "--history",
        action="store_true",
        help="zoomed-out history: 64 channels x 10M points each in view (10 min at 16 kHz)",
    )
    p.add_argument("--drop-only", action="store_true", help="only the drag-and-drop measurement")
    args = p.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    if args.history:
        history(app, args)
        return
    k, n, per = (4, 20_000, 100) if args.smoke else (32, 1_000_000, 1_000)
    ours = args.frames or (10 if args.smoke else 120)
    base = 3 if args.smoke else 8
    print(f"{k} channels x {n:,} points in view, {per:,} new points per channel per frame, {W}x{H}")
    from twinbench.widgets.plot_lane import Curve

    for kind in () if args.drop_only else ("telemetry", "dense"):
        b_wall, b_cpu = run_pyqtgraph(app, k, n, per, base, kind)
        Curve.ENVELOPE = False  # the same panel drawing polylines through the min/max pairs
        _, p_cpu = run_twinbench(app, k, n, per, ours, kind)
        Curve.ENVELOPE = True
        o_wall, o_cpu = run_twinbench(app, k, n, per, ours, kind)
        rows = [
            (f"pyqtgraph peak+clip, {kind} (baseline)", base, b_wall, "frames"),
            (f"twinbench PlotPanel, {kind}", ours, o_wall, "frames"),
            (f"pyqtgraph peak+clip, {kind}, CPU time", base, b_cpu, "frames"),
            (f"twinbench polylines, {kind}, CPU time", ours, p_cpu, "frames"),
            (f"twinbench PlotPanel, {kind}, CPU time", ours, o_cpu, "frames"),
        ]
        table(rows, rows[0][0])
        print(f"load average {os.getloadavg()}")
    drop = run_drop(app, k, n, per, 20 if args.smoke else 40)
    print(
        f"drop a channel onto {k} channels x {n:,} points: {drop['before_fps']:.1f} fps before "
        f"(baseline, median), the drop frame {drop['drop_frame_ms']:.1f} ms, "
        f"{drop['after_fps']:.1f} fps after (median, ratio "
        f"{drop['after_fps'] / drop['before_fps']:.2f}), "
        f"worst frame after {drop['worst_after_ms']:.1f} ms"
    )


def history(app, args) -> None:
    """The scroll bar's whole history in view: 64 channels x 10M points, dense signals."""
    import resource

    k, n, rate = (8, 200_000, 16_000.0) if args.smoke else (64, 10_000_000, 16_000.0)
    frames = args.frames or (5 if args.smoke else 30)
    held: list[int] = []
    t = time.perf_counter()
    wall, cpu = run_twinbench(app, k, n, 1_000, frames, "dense", rate, held.append)
    print(f"{k} channels x {n:,} points each in view ({n / rate:.0f} s at {rate / 1e3:.0f} kHz)")
    print(f"history {held[0] / 2**30:.2f} GiB (samples, times, min/max levels)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    print(f"setup {time.perf_counter() - t - wall:.1f} s; load average {os.getloadavg()}")
    rows = [
        ("twinbench PlotPanel, history, wall", frames, wall, "frames"),
        ("twinbench PlotPanel, history, CPU time", frames, cpu, "frames"),
    ]
    table(rows, rows[0][0])


if __name__ == "__main__":
    main()
