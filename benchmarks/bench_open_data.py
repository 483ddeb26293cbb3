"""File > Open data on a 10M-row Parquet file: time to the first plotted frame in the real main
window, beside a bare `pyarrow.parquet.read_table` of the same file in the same run.

Rows: read_table (the baseline: best of 3 after a first call, so its memory pool is warm);
read_table's first call in the process (it pays for fresh memory, as Open data does); Open data
-> first plotted frame (inspect, batched read into numpy on a worker thread, min/max levels, the
plot's first frame). Also printed: the time ratio (issue 19 goal <= 2x), the longest GUI-thread
stall while loading (the window stays responsive), memory and the load average.
Run: `.venv/bin/python benchmarks/bench_open_data.py [--rows N]`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table


def make_file(path: Path, rows: int, channels: int) -> None:
    """A Parquet file like an export: a ns timestamp at 1 kHz and `channels` float64 columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    t0 = 1_767_225_600 * 10**9
    step = 1 << 20
    writer = None
    for lo in range(0, rows, step):
        n = min(step, rows - lo)
        t = t0 + (np.arange(lo, lo + n, dtype=np.int64) * 1_000_000)
        cols = {"time": pa.array(t, pa.timestamp("ns", tz="UTC"))}
        for c in range(channels):
            cols[f"ch{c}"] = pa.array(np.cumsum(rng.standard_normal(n)) + 10 * c)
        batch = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, batch.schema)
        writer.write_table(batch)
    assert writer is not None
    writer.close()


def open_in_window(path: Path) -> tuple[float, float, int]:
    """Seconds from Open data to the first plotted frame, the longest GUI stall (s), rows."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.main_window import MainWindow
    from twinbench.widgets.plot_panel import PlotPanel

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(Runtime())
    ctx.history = DisplayHistory()
    win = MainWindow(ctx)
    win.install_plot(PlotPanel(ctx))
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    opener = win.actions.opener
    gaps = [0.0]
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(beat)
    timer.start()
    done: list[list[str]] = []
    opener.opened.connect(done.append)
    opener.failed.connect(lambda msg: (print("failed:", msg), done.append([])))
    frames = win.plot.frames
    t0 = time.perf_counter()
    last[0] = t0
    opener.open_path(str(path))
    while not done or win.plot.frames == frames:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()  # paint the frame
    secs = time.perf_counter() - t0
    timer.stop()
    rows = sum(ctx.runtime.hub.devices[d].samples for d in done[0]) if done[0] else 0
    win.close()
    return secs, max(gaps), rows


def main() -> None:
    """Print the open-data table."""
    p = parser(__doc__ or "")
    p.add_argument("--rows", type=int, default=10_000_000, help="rows in the file (10M)")
    p.add_argument("--channels", type=int, default=8, help="float columns besides time (8)")
    args = p.parse_args()
    rows = 200_000 if args.smoke else args.rows
    import resource

    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run42.parquet"
        make_file(path, rows, args.channels)
        size = path.stat().st_size
        first = _timed(lambda: pq.read_table(path))  # also warms the page cache for both
        base = min(_timed(lambda: pq.read_table(path)) for _ in range(3))
        secs, stall, shown = open_in_window(path)
    assert shown == rows, (shown, rows)
    print(
        f"file: {rows:,} rows x {args.channels} float64 channels + time, {size / 1e6:,.0f} MB; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    table(
        [
            ("pyarrow.parquet.read_table (baseline)", rows, base, "row"),
            ("read_table, first call (fresh memory)", rows, first, "row"),
            ("Open data -> first plotted frame", rows, secs, "row"),
        ],
        "pyarrow.parquet.read_table (baseline)",
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = secs / base
    print(f"time ratio to read_table: {ratio:.2f}x (goal <= 2x); {secs:.2f} s vs {base:.2f} s")
    print(f"longest GUI-thread stall while loading: {stall * 1000:.0f} ms; peak RSS {peak:,.0f} MB")


def _timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
