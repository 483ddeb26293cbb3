"""Tumbling and hopping windows: the chunk-inside-one-pane path emits what brute force says, when.

Each window must come out in the first update whose watermark passes its end, not later: the
cheap "nothing can close yet" test must never hold one back.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.rules.windowcheck import brute, chunk_plan, values
from twinbench.rules.panes import PaneWindow
from twinbench.rules.windows import INF_NS, WindowSpec

AGGS = ["avg", "min", "max", "sum", "count", "stdev", "percentile"]


class Counting(PaneWindow):
    """Counts the chunks folded into a single pane."""

    one_pane = 0

    def _fold_one(self, k: int, v: np.ndarray) -> None:
        self.one_pane += 1
        super()._fold_one(k, v)


@st.composite
def streams(draw):
    """(spec, times, values, chunks as (a, b, watermark)); small steps, so chunks fit panes."""
    hop = draw(st.integers(2, 12))
    size = draw(st.sampled_from([hop, hop, 2 * hop, 3 * hop, hop + 1, 2 * hop + 3]))
    spec = WindowSpec.tumbling(size) if size == hop else WindowSpec.hopping(size, hop)
    n = draw(st.integers(1, 120))
    gaps = draw(st.lists(st.sampled_from([0, 1, 1, 1, 2, 3, 9]), min_size=n, max_size=n))
    t = np.cumsum(gaps).astype(np.int64) + draw(st.integers(0, 30))
    v = values(draw, n)
    chunks = chunk_plan(draw, t, [0, 0, 0, 1, hop, size], 3 * size, quiet=2 * size)
    return spec, t, v, chunks


@settings(max_examples=400, deadline=None)
@given(streams(), st.sampled_from(AGGS))
def test_each_window_emits_once_at_the_first_watermark_past_its_end(stream, agg: str) -> None:
    spec, t, v, chunks = stream
    want = brute(spec, agg, t, v)
    state = Counting(spec, agg, 90)
    prev = -INF_NS
    for a, b, wm in [*chunks, (len(t), len(t), INF_NS)]:
        et, ev = state.update(t[a:b], v[a:b], wm)
        due = [e for e in want if prev <= e < wm]
        assert et.tolist() == due
        assert np.allclose(ev, [want[e] for e in due], equal_nan=True)
        prev = wm


def test_chunks_inside_one_pane_take_the_short_path() -> None:
    """100 kHz in 1000-sample chunks against 100 ms panes: most chunks fold into one pane."""
    state = Counting(WindowSpec.hopping(200_000_000, 100_000_000), "stdev")
    rng = np.random.default_rng(4)
    ends = []
    for p in range(50):
        t = (np.arange(p * 1000, (p + 1) * 1000) * 10_000).astype(np.int64) + 10**18
        ends += state.update(t, rng.normal(size=1000), int(t[-1]))[0].tolist()
    assert state.one_pane >= 40
    assert ends == [10**18 + k * 100_000_000 for k in range(5)]
