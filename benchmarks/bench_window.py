"""The whole main window on the sim at 1 kHz x 16 channels: frames drawn per second and the GUI
thread's busy fraction, with the default layout alone (the baseline) and with 10 more panels
open (tabbed as the window places them), in one run. Goal (issues 14, 19): >= 30 fps.

Run it on a real X server (`xvfb-run -a -s "-screen 0 1920x1080x24"
.venv/bin/python benchmarks/bench_window.py`); it sets QT_QPA_PLATFORM=xcb unless told otherwise.
A frame is one pump tick in which the time plot redrew new data (`PlotPanel.frames`); the busy
fraction is the GUI thread's CPU time over wall time.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser

PANELS = (
    "gauge",
    "bar",
    "led",
    "table",
    "spectrum",
    "spectrogram",
    "xy",
    "histogram",
    "diagnostics",
    "rules-editor",
)
SIM = {"driver": "sim", "settings": {"rate": 1000, "channels": 16}}


def measure(panels: tuple[str, ...], seconds: float, folder: Path) -> tuple[float, float, float]:
    """(plot frames/s, pump ticks/s, GUI thread busy fraction) over `seconds` of the real app."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from twinbench.gui.launch import BenchApp
    from twinbench.gui.session import SessionState, SessionStore

    app = QApplication.instance() or QApplication([])
    store = SessionStore(folder)
    store.save(SessionState(devices=[SIM]))
    bench = BenchApp(store=store)
    bench.save_enabled = False
    bench.show()
    deadline = time.monotonic() + 20
    while (not bench.ready or bench.history.span() is None) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    for kind in panels:
        bench.window.open_panel(kind, new=True)
    settle = time.monotonic() + 1.5
    while time.monotonic() < settle:
        app.processEvents()
        time.sleep(0.002)
    ticks = [0]
    bench.timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    plot = bench.window.plot
    f0, c0, w0 = plot.frames, time.thread_time(), time.perf_counter()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    wall = time.perf_counter() - w0
    busy = (time.thread_time() - c0) / wall
    fps = (plot.frames - f0) / wall
    bench.window.close()
    bench.shutdown()
    app.processEvents()
    return fps, ticks[0] / wall, busy


def main() -> None:
    """Print frames/s and busy fraction for the default layout, then with 10 more panels."""
    args = parser(__doc__ or "").parse_args()
    secs = 1.0 if args.smoke else 8.0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TWINBENCH_DATA_DIR"] = str(Path(tmp) / "data")
        for label, panels in (("default layout (baseline)", ()), ("default + 10 panels", PANELS)):
            folder = Path(tmp) / label.split()[0] / str(len(panels))
            rows.append((label, *measure(panels, secs, folder)))
    print(
        f"main window, sim 1 kHz x 16 channels, {secs:.0f} s each, "
        f"platform {os.environ['QT_QPA_PLATFORM']}, load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        f"{'what':<28} {'frames/s':>9} {'ticks/s':>8} {'GUI busy':>9} {'CPU ms/frame':>13} "
        f"{'fps on a free core':>19} {'fps ratio':>10}"
    )
    base = rows[0][1]
    for label, fps, tps, busy in rows:
        ratio = f"{fps / base:.2f}x" if base else "-"
        ms = 1000 * busy / tps if tps else float("nan")  # GUI thread CPU per pump tick
        print(
            f"{label:<28} {fps:>9.1f} {tps:>8.1f} {busy:>8.0%} {ms:>13.1f} "
            f"{min(58.8, 1000 / ms) if ms else 0:>19.1f} {ratio:>10}"
        )
    print(
        "(fps on a free core: the pump's 58.8 Hz cap, or 1000 / CPU ms per frame when the GUI "
        "thread's work is the limit; on a loaded machine frames/s falls with the CPU share it gets)"
    )
    print(f"goal: >= 30 frames/s with 10 panels: {'met' if rows[-1][1] >= 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
