"""Sliding windows much longer than a block: blocks, the ring and its growth against brute force.

The block size is a module constant; most tests shrink it (and the first reservation) so that
short hypothesis streams cross many blocks, wrap the ring and grow it. One test keeps the real
size with windows of several blocks, and one checks that no step of an update works over more
than a block of samples once the window is full.
"""

from __future__ import annotations

import contextlib
import itertools

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
from twinbench.rules import blocks, sliding
from twinbench.rules.sliding import SlidingWindow
from twinbench.rules.windows import INF_NS, WindowSpec

AGGS = ["avg", "min", "max", "sum", "count", "stdev"]


@contextlib.contextmanager
def small_blocks(bits: int, est_max: int):
    """Blocks of 2**bits samples and a first reservation of at most est_max samples."""
    saved = blocks.BITS, blocks.BLOCK, sliding.EST_MAX
    blocks.BITS, blocks.BLOCK, sliding.EST_MAX = bits, 1 << bits, est_max
    try:
        yield
    finally:
        blocks.BITS, blocks.BLOCK, sliding.EST_MAX = saved


class GeneralOnly(SlidingWindow):
    """The same state with the fast path (evenly spaced chunks) switched off."""

    def _update_regular(self, k: int, watermark: int) -> None:
        return None


def run(st_: SlidingWindow, t, v, chunks) -> list[tuple[np.ndarray, np.ndarray]]:
    outs = [st_.update(t[a:b], v[a:b], wm) for a, b, wm in chunks]
    outs.append(st_.update(t[:0], v[:0], INF_NS))
    return outs


def collect(outs) -> dict[int, float]:
    got: dict[int, float] = {}
    for et, ev in outs:
        for e, x in zip(et.tolist(), ev.tolist(), strict=True):
            got[e] = x  # an emission may repeat at a chunk seam: the later one has every sample
    return got


def assert_matches(got: dict[int, float], want: dict[int, float]) -> None:
    assert list(got) == list(want)
    assert np.allclose(list(got.values()), list(want.values()), equal_nan=True)


@st.composite
def streams(draw, max_n: int = 400, max_window: int = 90):
    """(size, times, values, chunks as (a, b, watermark)): evenly spaced, with gaps and bursts."""
    step = draw(st.integers(1, 4))
    size = step * draw(st.integers(1, max_window)) + draw(st.sampled_from([0, 0, 1, -1]))
    size = max(size, 1)
    n = draw(st.integers(1, max_n))
    t = damaged_times(draw, n, step, ["gap", "dup", "burst"], 4, 2 * size)
    v = values(draw, n)  # eighths: every sum is exact, so only the last rounding differs
    chunks = chunk_plan(draw, t, [0, 0, 0, 1, step, size], 10 * size, quiet=2 * size)
    return size, t, v, chunks


@settings(max_examples=400, deadline=None)
@given(streams(), st.sampled_from(AGGS), st.integers(1, 4), st.sampled_from([8, 64, 1 << 20]))
def test_small_blocks_match_brute_force(stream, agg: str, bits: int, est_max: int) -> None:
    size, t, v, chunks = stream
    with small_blocks(bits, est_max):
        got = collect(run(SlidingWindow(WindowSpec.sliding(size), agg), t, v, chunks))
    assert_matches(got, brute(WindowSpec.sliding(size), agg, t, v))


@settings(max_examples=200, deadline=None)
@given(streams(), st.sampled_from(AGGS), st.integers(1, 4))
def test_small_blocks_fast_path_matches_general_path(stream, agg: str, bits: int) -> None:
    size, t, v, chunks = stream
    with small_blocks(bits, 16):
        fast = run(SlidingWindow(WindowSpec.sliding(size), agg), t, v, chunks)
        slow = run(GeneralOnly(WindowSpec.sliding(size), agg), t, v, chunks)
    assert_same_emissions(fast, slow)


@settings(max_examples=12, deadline=None)
@given(
    st.integers(1, 3),
    st.sampled_from(["max", "min", "avg", "stdev"]),
    st.lists(st.integers(1, 3000), min_size=1, max_size=30),
    st.integers(0, 2**32 - 1),
)
def test_windows_of_several_real_blocks_match_brute_force(
    nblocks: int, agg: str, sizes: list[int], seed: int
) -> None:
    """Real block size, windows of 1 to 3 blocks and more, random chunks, a gap and a burst."""
    rng = np.random.default_rng(seed)
    n = 3 * blocks.BLOCK * (nblocks + 1)
    t = np.arange(n, dtype=np.int64) * 10
    t[n // 3 :] += 50_000  # a gap longer than any window
    t[n // 2 : n // 2 + 500] = t[n // 2] + np.arange(500) // 2  # a burst with repeated times
    t = np.maximum.accumulate(t)
    v = rng.integers(-800, 800, n) / 8 + 50.0
    size = 10 * nblocks * blocks.BLOCK + int(rng.integers(-5, 6)) * 10
    cuts = np.cumsum([0, *(s for s in itertools.islice(itertools.cycle(sizes), n))])
    cuts = [*cuts[cuts < n].tolist(), n]
    chunks = [(a, b, int(t[b - 1])) for a, b in itertools.pairwise(cuts)]
    got = collect(run(SlidingWindow(WindowSpec.sliding(size), agg), t, v, chunks))
    assert_matches(got, brute(WindowSpec.sliding(size), agg, t, v))


class Recorder:
    """Stands in for a ufunc and records how many samples each accumulate or reduce covers."""

    def __init__(self, op: np.ufunc) -> None:
        self.op = op
        self.lengths: list[int] = []

    def __call__(self, *args, **kwargs):
        return self.op(*args, **kwargs)

    def accumulate(self, a, *args, **kwargs):
        self.lengths.append(np.size(a))
        return self.op.accumulate(a, *args, **kwargs)

    def reduce(self, a, *args, **kwargs):
        self.lengths.append(np.size(a))
        return self.op.reduce(a, *args, **kwargs)


def test_no_step_of_an_update_grows_with_the_window() -> None:
    """A 40-block window at 1000 samples per chunk: once full, no accumulation or reduction over
    more than two blocks, no new ring (no copy of the window), and flips over block totals only."""
    chunk = 1000
    window = 40 * blocks.BLOCK
    st_ = SlidingWindow(WindowSpec.sliding(window * 10), "max")
    rec = Recorder(np.maximum)
    ring = st_.stacks[0]
    ring.op = rec
    rng = np.random.default_rng(3)
    caps = []
    for p in range(3 * window // chunk):
        t = np.arange(p * chunk, (p + 1) * chunk, dtype=np.int64) * 10
        st_.update(t, rng.normal(size=chunk), int(t[-1]))
        if p * chunk > window:
            caps.append((st_.cap, ring.cap, id(st_._tring), id(ring.col)))
            rec.lengths.append(-1)  # a marker between updates
    assert len(set(caps)) == 1
    after = rec.lengths[rec.lengths.index(-1) :]
    assert max(after) <= 2 * blocks.BLOCK
    assert sum(x for x in after if x > 0) > window  # the recorder did see the work
