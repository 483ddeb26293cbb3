"""Session windows: the carry-on shortcut agrees with the general path, chunking changes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.rules.windowcheck import chunk_plan, values
from twinbench.rules.sessions import SessionWindow
from twinbench.rules.windows import INF_NS, WindowSpec, aggregate


class GeneralOnly(SessionWindow):
    """The same state with the carry-on shortcut switched off."""

    def _extend(self, t: np.ndarray, v: np.ndarray) -> bool:
        return False


class Counting(SessionWindow):
    """Counts the chunks the shortcut took."""

    extended = 0

    def _extend(self, t: np.ndarray, v: np.ndarray) -> bool:
        got = super()._extend(t, v)
        self.extended += got
        return got


@pytest.mark.parametrize("cls", [SessionWindow, GeneralOnly], ids=["shortcut", "general"])
@pytest.mark.parametrize("agg", ["min", "max"])
def test_nan_in_an_earlier_chunk_of_the_open_session_still_wins(cls, agg: str) -> None:
    t = np.arange(10, dtype=np.int64)
    v = np.full(10, 5.0)
    v[2] = np.nan
    spec = WindowSpec.session(3, 100)
    whole = aggregate(spec, agg, t, v)
    state = cls(spec, agg)
    parts = [
        state.update(t[:5], v[:5], 4),
        state.update(t[5:], v[5:], 9),
        state.update(t[:0], v[:0], INF_NS),
    ]
    got_t = np.concatenate([p[0] for p in parts])
    got_v = np.concatenate([p[1] for p in parts])
    assert whole[0].tolist() == got_t.tolist() == [12]
    assert np.isnan(whole[1][0]) and np.isnan(got_v[0])


@st.composite
def streams(draw):
    """(spec, times, values, chunks as (a, b, watermark)): runs of close samples, some gaps."""
    timeout = draw(st.integers(2, 6))
    spec = WindowSpec.session(timeout, draw(st.sampled_from([5, 10, 20, 40])))
    n = draw(st.integers(1, 120))
    steps = st.sampled_from([0, 1, 1, 2, timeout, timeout + 1, 3 * timeout])
    t = np.cumsum(draw(st.lists(steps, min_size=n, max_size=n))).astype(np.int64)
    t += draw(st.integers(0, 30))
    v = values(draw, n)
    chunks = chunk_plan(draw, t, [0, 0, 1, timeout], 10 * timeout)
    return spec, t, v, chunks


@settings(max_examples=400, deadline=None)
@given(streams(), st.sampled_from(["avg", "min", "max", "sum", "count", "stdev", "percentile"]))
def test_carrying_the_open_session_on_matches_the_general_path(stream, agg: str) -> None:
    spec, t, v, chunks = stream
    fast, slow = Counting(spec, agg, 90), GeneralOnly(spec, agg, 90)
    for a, b, wm in [*chunks, (len(t), len(t), INF_NS)]:
        ft, fv = fast.update(t[a:b], v[a:b], wm)
        gt, gv = slow.update(t[a:b], v[a:b], wm)
        assert ft.tolist() == gt.tolist()
        assert np.allclose(fv, gv, equal_nan=True, rtol=1e-12, atol=1e-9)


def test_a_steady_stream_takes_the_shortcut() -> None:
    """100 kHz in 1000-sample chunks, a 5 ms timeout and 100 ms cuts: most chunks carry on."""
    state = Counting(WindowSpec.session(5_000_000, 100_000_000), "avg")
    ends = []
    for p in range(50):
        t = (np.arange(p * 1000, (p + 1) * 1000) * 10_000).astype(np.int64) + 10**18 + 1
        ends += state.update(t, np.ones(1000), int(t[-1]))[0].tolist()
    assert state.extended >= 40
    assert ends == [10**18 + k * 100_000_000 for k in range(1, 5)]
