"""Shared by the window tests: a brute-force reference and random chunk plans for hypothesis."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from twinbench.rules.windows import WindowSpec

AGG_FNS = {
    "avg": np.mean,
    "min": np.min,
    "max": np.max,
    "sum": np.sum,
    "count": len,
    "stdev": lambda a: float(np.std(a, ddof=1)) if len(a) > 1 else np.nan,
    "percentile": lambda a: np.percentile(a, 90),
}


def brute(spec: WindowSpec, agg: str, t: np.ndarray, v: np.ndarray) -> dict[int, float]:
    """Every non-empty window (start, end] of a finished series, by brute force."""
    fn = AGG_FNS[agg]
    if spec.kind == "sliding":  # at each event and each exit; t is sorted
        ends = np.unique(np.concatenate([t, t + spec.size]))
        lo = np.searchsorted(t, ends - spec.size, "right")
        hi = np.searchsorted(t, ends, "right")
        return {int(e): float(fn(v[a:b])) for e, a, b in zip(ends, lo, hi, strict=True) if b > a}
    out = {}
    for e in range(0, int(t.max()) + spec.size + spec.hop, spec.hop):
        m = (t > e - spec.size) & (t <= e)
        if m.any():
            out[e] = float(fn(v[m]))
    return out


def values(draw: st.DrawFn, n: int) -> np.ndarray:
    """n values in eighths (sums and sums of squares are exact) with up to two NaN."""
    v = np.array(draw(st.lists(st.integers(-800, 800), min_size=n, max_size=n))) / 8 + 50.0
    for i in draw(st.lists(st.integers(0, n - 1), max_size=2)):
        v[i] = np.nan
    return v


def chunk_plan(
    draw: st.DrawFn,
    t: np.ndarray,
    slack: list[int],
    tail: int,
    max_cuts: int = 25,
    quiet: int = 0,
) -> list[tuple[int, int, int]]:
    """Random chunks (a, b, watermark) over t; `quiet` > 0: watermark-only updates up to it."""
    n = t.size
    cuts = sorted({0, n, *draw(st.lists(st.integers(1, max(n - 1, 1)), max_size=max_cuts))})
    chunks = []
    for a, b in itertools.pairwise(cuts):
        nxt = int(t[b]) if b < n else int(t[-1]) + tail
        wm = min(int(t[b - 1]) + draw(st.sampled_from(slack)), nxt)
        chunks.append((a, b, wm))
        if quiet and draw(st.booleans()):  # a watermark-only update, as when a device goes quiet
            chunks.append((b, b, min(wm + draw(st.integers(0, quiet)), nxt)))
    return chunks


def damaged_times(
    draw: st.DrawFn, n: int, step: int, kinds: list[str], damages: int, gap: int
) -> np.ndarray:
    """n evenly spaced times, then up to `damages` of: gap (up to `gap`), dup, nudge, burst."""
    t = np.arange(n, dtype=np.int64) * step + draw(st.integers(0, 40))
    for _ in range(draw(st.integers(0, damages))):
        i = draw(st.integers(1, max(n - 1, 1)))
        if i >= n:
            continue
        kind = draw(st.sampled_from(kinds))
        if kind == "gap":
            t[i:] += draw(st.integers(1, gap))
        elif kind == "dup":
            t[i] = t[i - 1]
        elif kind == "nudge":  # one sample a little early: off the grid
            if t[i] - 1 > t[i - 1]:
                t[i] -= 1
        else:  # a denser stretch: windows hold more samples than the spacing promised
            j = min(n, i + draw(st.integers(2, 60)))
            t[i:j] = t[i - 1] + np.arange(1, j - i + 1) // 3
            t[j:] = np.maximum(t[j:], t[j - 1] + step)
    return np.maximum.accumulate(t)


def assert_same_emissions(a: list, b: list) -> None:
    """Two runs emitted exactly the same (times, values) on every update."""
    for (at, av), (bt, bv) in zip(a, b, strict=True):
        np.testing.assert_array_equal(at, bt)
        np.testing.assert_array_equal(av, bv)
