"""File > Open data on a 10M-row Parquet file: time to the first plotted frame in the real main
window, beside a bare `pyarrow.parquet.read_table` of the same file in the same run.

Rows: read_table (the baseline: best of 3 after a first call, so its memory pool is warm);
read_table's first call in the process (it pays for fresh memory, as Open data does); Open data
-> first plotted frame (inspect, batched read into numpy on a worker thread, min/max levels, the
plot's first frame). Also printed: the time ratio (issue 19 goal <= 2x), the longest GUI-thread
stall while loading (the window stays responsive), memory and the load average.

Then the same two as a user meets them, each the first thing its process does with data
(`--cold N` fresh processes of each, alternating; median), imports not counted in either:
`read_table` (after importing pyarrow.dataset, which imports pandas, ~0.8 s) and Open data in a
fresh window (after importing pyarrow.parquet, ~0.25 s).
`--session`: a session recorded by the real Recorder instead, against reading its Arrow IPC
streams with pyarrow (`pa.ipc.open_stream(f).read_all()`: no decoding, a copy at most).
Run: `.venv/bin/python benchmarks/bench_open_data.py [--rows N] [--cold N] [--session]`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
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


def make_session(root: Path, rows: int, channels: int) -> Path:
    """A session recorded by the real Recorder: device `rig`, `channels` random walks at 1 kHz."""
    from twinbench.model import Channel, Chunk, Device
    from twinbench.recording import Recorder
    from twinbench.runtime import Runtime

    rt = Runtime()
    names = tuple(f"ch{i}" for i in range(channels))
    rt.hub.declare(Device("rig", "sim", tuple(Channel(n, "V") for n in names), "bench rig"))
    rec = Recorder(rt, root)
    rec.start("bench")
    rng = np.random.default_rng(0)
    t0 = 1_767_225_600 * 10**9
    for lo in range(0, rows, 100_000):
        n = min(100_000, rows - lo)
        t = t0 + np.arange(lo, lo + n, dtype=np.int64) * 1_000_000
        rt.hub.publish(Chunk("rig", names, t, np.cumsum(rng.standard_normal((n, channels)), 0)))
        rec.handle(rec._worker.sub.drain())
    return root / rec.stop()["id"]


def read_baseline(path: Path) -> None:
    """What pyarrow alone does with the data: `read_table` of a Parquet file, or reading every
    Arrow IPC stream of a session folder (`pa.ipc.open_stream(...).read_all()`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_dir():
        pq.read_table(path)
        return
    for f in sorted(path.rglob("*.arrows")):
        with pa.OSFile(str(f), "rb") as fh:
            pa.ipc.open_stream(fh).read_all()


def main() -> None:
    """Print the open-data table."""
    p = parser(__doc__ or "")
    p.add_argument("--rows", type=int, default=10_000_000, help="rows in the file (10M)")
    p.add_argument("--channels", type=int, default=8, help="float columns besides time (8)")
    p.add_argument("--cold", type=int, default=3, help="fresh processes of each, cold rows (3)")
    p.add_argument("--session", action="store_true", help="a recorded session, not Parquet")
    p.add_argument("--child", choices=("read", "open"), help=argparse_hidden())
    p.add_argument("--path", help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        print(child(args.child, Path(args.path)))
        return
    rows = 200_000 if args.smoke else args.rows
    cold = 1 if args.smoke else args.cold
    import resource

    what = "session IPC read" if args.session else "pyarrow.parquet.read_table"
    with tempfile.TemporaryDirectory() as tmp:
        if args.session:
            path = make_session(Path(tmp) / "rec", rows, args.channels)
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        else:
            path = Path(tmp) / "run42.parquet"
            make_file(path, rows, args.channels)
            size = path.stat().st_size
        first = _timed(lambda: read_baseline(path))  # also warms the page cache for both
        base = min(_timed(lambda: read_baseline(path)) for _ in range(3))
        secs, stall, shown = open_in_window(path)
        cold_read: list[float] = []
        cold_open: list[float] = []
        for _ in range(cold):
            cold_read.append(_child_secs("read", path))
            cold_open.append(_child_secs("open", path))
    assert shown == rows, (shown, rows)
    kind = "session" if args.session else "file"
    print(
        f"{kind}: {rows:,} rows x {args.channels} float64 channels + time, {size / 1e6:,.0f} MB; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    table(
        [
            (f"{what} (baseline)", rows, base, "row"),
            (f"{what}, first call (fresh memory)", rows, first, "row"),
            ("Open data -> first plotted frame", rows, secs, "row"),
        ],
        f"{what} (baseline)",
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = secs / base
    print(f"time ratio to {what}: {ratio:.2f}x (goal <= 2x); {secs:.2f} s vs {base:.2f} s")
    print(f"longest GUI-thread stall while loading: {stall * 1000:.0f} ms; peak RSS {peak:,.0f} MB")
    if cold:
        r, o = statistics.median(cold_read), statistics.median(cold_open)
        print(f"\neach the first thing a fresh process does ({cold} of each, median):")
        table(
            [
                (f"{what}, fresh process", rows, r, "row"),
                ("Open data -> first frame, fresh window", rows, o, "row"),
            ],
            f"{what}, fresh process",
        )
        runs = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(cold_read, cold_open, strict=True))
        print(f"time ratio, fresh processes: {o / r:.2f}x; runs (baseline/Open data s): {runs}")


def argparse_hidden() -> str:
    """Help text that hides an option (used between this script and its children)."""
    import argparse

    return argparse.SUPPRESS


def child(what: str, path: Path) -> float:
    """Seconds for `what` as the first thing this process does: read_table, or Open data."""
    if what == "read":
        import pyarrow.dataset  # read_table's own imports (pandas too): not timed
        import pyarrow.parquet

        return _timed(lambda: read_baseline(path))
    import pyarrow.parquet  # noqa: F401  # imports are not timed in either row

    secs, _stall, _rows = open_in_window(path)
    return secs


def _child_secs(what: str, path: Path) -> float:
    cmd = [sys.executable, __file__, "--child", what, "--path", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300).stdout
    return float(out.strip().splitlines()[-1])


def _timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
