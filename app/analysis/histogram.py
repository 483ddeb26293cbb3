"""Histograms and statistics over a span of samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def histogram(
    x: np.ndarray, bins: int = 50, value_range: tuple[float, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges of the finite values of x."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.zeros(bins, np.int64), np.linspace(0.0, 1.0, bins + 1)
    return np.histogram(x, bins=bins, range=value_range)


@dataclass(frozen=True)
class SpanStats:
    """Figures between two cursors: duration, deltas, min, max, mean."""

    dt_s: float
    delta: float
    minimum: float
    maximum: float
    mean: float
    count: int


def span_stats(t_ns: np.ndarray, y: np.ndarray, t0_ns: int, t1_ns: int) -> SpanStats:
    """Statistics of y between two times (either order), NaN ignored."""
    a, b = sorted((int(t0_ns), int(t1_ns)))
    lo, hi = np.searchsorted(t_ns, a, "left"), np.searchsorted(t_ns, b, "right")
    seg = np.asarray(y[lo:hi], dtype=np.float64)
    ok = seg[np.isfinite(seg)]
    if ok.size == 0:
        nan = float("nan")
        return SpanStats((b - a) / 1e9, nan, nan, nan, nan, 0)
    return SpanStats(
        (b - a) / 1e9,
        float(ok[-1] - ok[0]),
        float(ok.min()),
        float(ok.max()),
        float(ok.mean()),
        int(ok.size),
    )
