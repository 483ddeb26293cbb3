"""kill -9 a recording `twinbench run` at random moments, N times (50 by default).

For each: start a headless sim run recording at 1 kHz, wait for its first flush, sleep a random
0-2 s, SIGKILL it, then open (repair) the session and check that every flushed sample reads back
in order with no gap, and how much was lost (kill time minus the last readable sample's time).
Baseline, same run: the flush interval (1 s), the most a kill may lose by design.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser

from twinbench.recording import open_session

RATE = 1000.0
FLUSH_S = 1.0


def one(exe: Path, root: Path, delay: float) -> tuple[int, float, float, bool]:
    """One kill: (rows readable, seconds lost, repair seconds, gap-free)."""
    p = subprocess.Popen(
        [str(exe), "run", "--headless", "--duration", "120", "--set", f"rate={RATE:g}"]  # noqa: RUF005
        + ["--record", str(root), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = list(root.glob("*/data/sim.arrows"))
            if files and files[0].stat().st_size > 4096:
                break
            time.sleep(0.02)
        else:
            raise RuntimeError("no flush within 60 s")
        time.sleep(delay)
        kill_ns = time.time_ns()
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.kill()
        p.wait(10)
    t0 = time.perf_counter()
    s = open_session(files[0].parents[1])
    table = s.device_table("sim")
    repair_s = time.perf_counter() - t0
    t = table.column("time").combine_chunks().view(pa.int64()).to_numpy()
    ok = bool(len(t) and np.all(np.diff(t) == int(1e9 / RATE)))
    return len(t), (kill_ns - int(t[-1])) / 1e9, repair_s, ok


def main() -> None:
    """Run the kills and print the figures."""
    ap = parser(__doc__ or "")
    ap.add_argument("-n", type=int, default=50, help="number of kills")
    args = ap.parse_args()
    n = 2 if args.smoke else args.n
    exe = Path(sys.executable).with_name("twinbench")
    rng = random.Random(50)
    folder = Path(tempfile.mkdtemp(prefix="twinbench-kill9-"))
    results = []
    try:
        for i in range(n):
            results.append(one(exe, folder / f"r{i}", rng.uniform(0.0, 2.0)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = np.array([r[0] for r in results])
    lost = np.array([r[1] for r in results])
    rep = np.array([r[2] for r in results])
    ok = sum(r[3] for r in results)
    print(f"kills: {n}, sessions readable and gap-free: {ok}/{n}")
    print(f"rows readable per session: min {rows.min():,} median {int(np.median(rows)):,}")
    print(
        f"lost (kill time - last readable sample): median {np.median(lost):.3f} s, "
        f"p95 {np.percentile(lost, 95):.3f} s, max {lost.max():.3f} s "
        f"(flush interval {FLUSH_S:g} s; ratio max/interval {lost.max() / FLUSH_S:.2f})"
    )
    print(f"repair+read: median {np.median(rep) * 1000:.0f} ms, max {rep.max() * 1000:.0f} ms")
    sys.exit(0 if ok == n else 1)


if __name__ == "__main__":
    main()
