"""The sliding window's fast path (evenly spaced samples) matches the general path and brute force.

Streams are evenly spaced with random damage (gaps, duplicate times, a sample nudged off the grid,
NaN values), cut into random chunks, with watermarks at or past the last sample.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.rules.windowcheck import (
    assert_same_emissions,
    brute,
    chunk_plan,
    damaged_times,
    values,
)
from twinbench.rules.sliding import SlidingWindow
from twinbench.rules.windows import INF_NS, WindowSpec

AGGS = ["avg", "min", "max", "sum", "count", "stdev"]


class GeneralOnly(SlidingWindow):
    """The same state with the fast path switched off."""

    def _update_regular(self, k: int, watermark: int) -> None:
        return None


class Counting(SlidingWindow):
    """Counts the chunks the fast path answered, and checks the spacing it relies on."""

    fast = 0

    def _update_regular(self, k: int, watermark: int):
        tb = self.t[self.reg_from : self.n]
        if self.reg_step:
            assert np.array_equal(np.diff(tb), np.full(tb.size - 1, self.reg_step))
        else:
            assert tb.size <= 1
        got = super()._update_regular(k, watermark)
        self.fast += got is not None
        return got


@st.composite
def streams(draw):
    """(size, times, values, chunks as (a, b, watermark)) of a damaged evenly spaced stream."""
    step = draw(st.integers(1, 6))
    size = draw(st.sampled_from([step, 2 * step, 5 * step, 7 * step, step + 1, 3 * step - 1]))
    n = draw(st.integers(1, 150))
    t = damaged_times(draw, n, step, ["gap", "dup", "nudge"], 3, 3 * size)
    v = values(draw, n)  # eighths: every sum is exact, so only the last rounding differs
    chunks = chunk_plan(draw, t, [0, 0, 0, 1, step, size], 10 * size, 12, quiet=2 * size)
    return size, t, v, chunks


def run(st_: SlidingWindow, t, v, chunks):
    outs = [st_.update(t[a:b], v[a:b], wm) for a, b, wm in chunks]
    outs.append(st_.update(t[:0], v[:0], INF_NS))
    return outs


@settings(max_examples=300, deadline=None)
@given(streams(), st.sampled_from(AGGS))
def test_fast_path_matches_general_path_call_by_call(stream, agg: str) -> None:
    size, t, v, chunks = stream
    fast = run(Counting(WindowSpec.sliding(size), agg), t, v, chunks)
    slow = run(GeneralOnly(WindowSpec.sliding(size), agg), t, v, chunks)
    assert_same_emissions(fast, slow)


@settings(max_examples=300, deadline=None)
@given(streams(), st.sampled_from(AGGS))
def test_fast_path_matches_brute_force(stream, agg: str) -> None:
    size, t, v, chunks = stream
    got: dict[int, float] = {}
    for et, ev in run(Counting(WindowSpec.sliding(size), agg), t, v, chunks):
        for e, x in zip(et.tolist(), ev.tolist(), strict=True):
            got[e] = x  # an emission may repeat at a chunk seam: the later one has every sample
    want = brute(WindowSpec.sliding(size), agg, t, v)
    assert list(got) == list(want)
    assert np.allclose(list(got.values()), list(want.values()), equal_nan=True)


def test_fast_path_answers_evenly_spaced_chunks() -> None:
    """100 kHz in 1000-sample chunks, 50 ms windows: every chunk after the first few is fast."""
    st_ = Counting(WindowSpec.sliding(50_000_000), "max")
    rng = np.random.default_rng(2)
    for p in range(40):
        t = (np.arange(p * 1000, (p + 1) * 1000) * 10_000).astype(np.int64) + 10**18
        et, ev = st_.update(t, rng.normal(size=1000), int(t[-1]))
        assert np.array_equal(et, t)
        assert ev.size == t.size
    assert st_.fast >= 34
