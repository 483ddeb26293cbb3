"""Display history: appending chunks (with the min/max levels kept up to date) and zoomed-out views.

Baselines, same run: for appends, a plain copy of the same chunks into a preallocated array
(no levels); for views, a brute-force peak downsample of every point in the range with numpy
(what a plot that keeps no levels must do every frame).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table

from twinbench.history import DisplayHistory
from twinbench.model import Chunk


def chunks(n_chunks: int, rows: int, k: int) -> list[Chunk]:
    """Pre-built chunks of rows x k samples with increasing 100 us timestamps."""
    names = tuple(f"c{j}" for j in range(k))
    vals = np.random.default_rng(0).standard_normal((rows, k))
    return [
        Chunk("d", names, (i * rows + np.arange(rows, dtype=np.int64)) * 100_000, vals)
        for i in range(n_chunks)
    ]


def brute_peak(y: np.ndarray, pairs: int) -> np.ndarray:
    """Min/max of `pairs` equal buckets over every point (NaN-aware, like the history)."""
    n = y.size // pairs * pairs
    b = y[:n].reshape(pairs, -1)
    out = np.empty(2 * pairs, y.dtype)
    out[0::2] = np.fmin.reduce(b, axis=1)
    out[1::2] = np.fmax.reduce(b, axis=1)
    return out


def main() -> None:
    """Print the history table."""
    args = parser(__doc__ or "").parse_args()
    k, rows = 32, 1000
    n_chunks = 20 if args.smoke else 1000  # 1M samples per channel
    cs = chunks(n_chunks, rows, k)
    total = n_chunks * rows * k

    def copy_only() -> None:
        buf = np.empty((k, n_chunks * rows), np.float32)
        for i, c in enumerate(cs):
            buf[:, i * rows : (i + 1) * rows] = c.values.T

    hist = DisplayHistory(seconds=1e9, initial_capacity=n_chunks * rows)

    def append_all() -> None:
        h = DisplayHistory(seconds=1e9, initial_capacity=n_chunks * rows)
        h.append(cs)

    def append_each() -> None:
        h = DisplayHistory(seconds=1e9, initial_capacity=n_chunks * rows)
        for c in cs:
            h.append([c])

    hist.append(cs)
    t1 = n_chunks * rows * 100_000
    y = np.concatenate([c.values[:, 0] for c in cs]).astype(np.float32)
    views = 32
    rows_out = [
        ("plain copy into an array (baseline)", total, best_of(copy_only), "samples"),
        ("history.append, one chunk per call", total, best_of(append_each), "samples"),
        ("history.append, all chunks in one call", total, best_of(append_all), "samples"),
    ]
    table(rows_out, rows_out[0][0])
    print()
    n = y.size
    rows_out = [
        (
            f"brute-force peak of {n:,} points x{views} (baseline)",
            views,
            best_of(lambda: [brute_peak(y, 1600) for _ in range(views)]),
            "views",
        ),
        (
            f"history.view of {n:,} points x{views}",
            views,
            best_of(lambda: [hist.view("d", f"c{j}", 0, t1, 3200) for j in range(views)]),
            "views",
        ),
        (
            f"history.view_many of {n:,} points, {views} channels",
            views,
            best_of(lambda: hist.view_many("d", [f"c{j}" for j in range(views)], 0, t1, 3200)),
            "views",
        ),
    ]
    table(rows_out, rows_out[0][0])


if __name__ == "__main__":
    main()
