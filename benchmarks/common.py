"""Shared helpers for the benchmark scripts: a smoke flag and a results table."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the `--smoke` flag every benchmark takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, for CI: checks it runs")
    return p


def best_of(
    fn: Callable[[], object], repeat: int = 3, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Best time of `repeat` calls, in seconds: wall time, or CPU time with time.process_time."""
    best = float("inf")
    for _ in range(repeat):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def table(rows: list[tuple[str, int, float, str]], baseline: str) -> None:
    """Print rows of (what, n, seconds, unit) with rate and ratio to the row named `baseline`."""
    base = next((n / s for w, n, s, _ in rows if w == baseline), None)
    print(f"{'what':<44} {'n':>12} {'rate':>16} {'ratio':>8}")
    for what, n, secs, unit in rows:
        rate = n / secs if secs > 0 else float("inf")
        ratio = f"{rate / base:.2f}x" if base else "-"
        print(f"{what:<44} {n:>12,} {rate:>12,.0f} {unit + '/s':<3} {ratio:>8}")
