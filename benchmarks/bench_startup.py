"""Start-up: time from launching `twinbench` to its window being visible, and `run --help`.

Each figure is the median of several fresh processes (offscreen Qt, a throw-away config folder).
`twinbench` runs with TWINBENCH_STARTUP_PROBE set: it prints `visible` at the window's first
paint and `first-frame` once live data is drawn, then quits. Baseline, same run: a bare
`python -c pass` start. With `--bundle DIST` (default `dist/twinbench` when it exists) the
PyInstaller bundle's window is timed beside the virtual environment's (goal: under 1 s).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser

EXE = Path(sys.executable).with_name("twinbench")


def time_gui(env: dict[str, str], exe: Path = EXE) -> dict[str, float]:
    """Seconds from spawn to each milestone line the probe prints."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    seen: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        name = line.split()[0] if line.strip() else ""
        if name in ("visible", "first-frame"):
            seen[name] = time.perf_counter() - t0
    proc.wait(60)
    return seen


def time_cmd(cmd: list[str]) -> float:
    """Seconds one command takes to finish."""
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    """Print the start-up table (medians, milliseconds)."""
    p = parser(__doc__ or "")
    default = Path(__file__).resolve().parents[1] / "dist" / "twinbench" / "twinbench"
    p.add_argument("--bundle", type=Path, default=default, help="the bundled twinbench program")
    args = p.parse_args()
    runs = 2 if args.smoke else 5
    bundled: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as cfg:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TWINBENCH_CONFIG_DIR=cfg)
        env["TWINBENCH_STARTUP_PROBE"] = "1"
        time_gui(env)  # warm the file cache
        gui = [time_gui(env) for _ in range(runs)]
        if args.bundle.is_file():
            time_gui(env, args.bundle)
            bundled = [time_gui(env, args.bundle) for _ in range(runs)]
    bare = [time_cmd([sys.executable, "-c", "pass"]) for _ in range(runs)]
    helps = [time_cmd([str(EXE), "run", "--help"]) for _ in range(runs)]
    rows = [
        ("python -c pass (baseline)", statistics.median(bare), ""),
        ("twinbench run --help", statistics.median(helps), "goal <= 300 ms"),
        (
            "twinbench: window visible",
            statistics.median(g["visible"] for g in gui),
            "goal <= 1500 ms",
        ),
        ("twinbench: first live frame drawn", statistics.median(g["first-frame"] for g in gui), ""),
    ]
    if bundled:
        visible = statistics.median(g["visible"] for g in bundled)
        rows.append(("bundled app: window visible", visible, "goal <= 1000 ms"))
    else:
        print(f"(no bundle at {args.bundle}: scripts/bundle builds one)")
    base = rows[0][1]
    print(f"{'what':<40} {'runs':>5} {'median ms':>10} {'ratio':>8}  note")
    for what, secs, note in rows:
        print(f"{what:<40} {runs:>5} {secs * 1000:>10.0f} {secs / base:>7.1f}x  {note}")


if __name__ == "__main__":
    main()
