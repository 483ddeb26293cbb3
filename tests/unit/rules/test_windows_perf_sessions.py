"""Session windows give the same result however the samples are cut into chunks."""

from __future__ import annotations

import numpy as np
import pytest

from twinbench.rules.windows import INF_NS, WindowSpec, aggregate, make_window


@pytest.mark.parametrize("agg", ["min", "max"])
def test_nan_in_an_earlier_chunk_of_the_open_session_still_wins(agg: str) -> None:
    t = np.arange(10, dtype=np.int64)
    v = np.full(10, 5.0)
    v[2] = np.nan
    spec = WindowSpec.session(3, 100)
    whole = aggregate(spec, agg, t, v)
    st = make_window(spec, agg)
    parts = [
        st.update(t[:5], v[:5], 4),
        st.update(t[5:], v[5:], 9),
        st.update(t[:0], v[:0], INF_NS),
    ]
    got_t = np.concatenate([p[0] for p in parts])
    got_v = np.concatenate([p[1] for p in parts])
    assert whole[0].tolist() == got_t.tolist() == [12]
    assert np.isnan(whole[1][0]) and np.isnan(got_v[0])
