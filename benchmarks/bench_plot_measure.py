"""Cursor measurements and CSV copy on raw display-history samples (1 kHz x 16 channels).

Baseline: numpy min/max/mean/delta over the same samples held in a plain array.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    args = parser(__doc__ or "").parse_args(argv)
    from twinbench.history import DisplayHistory
    from twinbench.model import Chunk
    from twinbench.widgets.plot_export import visible_csv
    from twinbench.widgets.plot_measure import measure

    seconds = 10 if args.smoke else 600
    k, rate = 16, 1000
    n = seconds * rate
    t = 1_700_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000
    v = np.random.default_rng(1).standard_normal((n, k))
    names = tuple(f"c{i}" for i in range(k))
    h = DisplayHistory(seconds=seconds + 10)
    step = 20 * rate // 1000  # 20 ms blocks, as the simulator sends
    h.append(Chunk("dev", names, t[i : i + step], v[i : i + step]) for i in range(0, n, step))
    keys = [("dev", c) for c in names]
    a, b = int(t[0]), int(t[-1])
    vv = v.astype(np.float32)

    def baseline() -> None:
        for j in range(k):
            y = vv[:, j]
            (y[-1] - y[0], y.min(), y.max(), y.mean())

    csv_s = min(seconds, 30)
    csv_b = a + csv_s * 1_000_000_000
    rows = [
        ("numpy stats on a plain array (baseline)", n * k, best_of(baseline), "val"),
        (
            "measure() between cursors, whole history",
            n * k,
            best_of(lambda: measure(h, keys, a, b)),
            "val",
        ),
        (
            "visible_csv() of 16 channels",
            csv_s * rate * k,
            best_of(lambda: visible_csv(h, keys, a, csv_b), 2),
            "val",
        ),
    ]
    table(rows, "numpy stats on a plain array (baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
