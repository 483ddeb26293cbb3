"""Stream Analytics window semantics: the worked examples, and chunking never changes a result."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from tests.unit.rules.windowcheck import brute
from twinbench.rules.windows import INF_NS, WindowSpec, aggregate, make_window

S = 1_000_000_000
T = np.array([1, 2, 5, 6, 10, 11]) * S
V = np.array([10, 20, 30, 40, 50, 60], float)


def as_dict(res: tuple[np.ndarray, np.ndarray]) -> dict[float, float]:
    return {t / S: float(v) for t, v in zip(*res, strict=True)}


def test_tumbling_avg() -> None:
    assert as_dict(aggregate(WindowSpec.tumbling(5 * S), "avg", T, V)) == {5: 20, 10: 45, 15: 60}


def test_hopping_count() -> None:
    got = as_dict(aggregate(WindowSpec.hopping(10 * S, 5 * S), "count", T, V))
    assert got == {5: 3, 10: 5, 15: 3, 20: 1}


def test_sliding_emits_on_entry_and_exit_only_when_not_empty() -> None:
    t = np.array([34, 38, 42]) * S
    got = as_dict(aggregate(WindowSpec.sliding(5 * S), "count", t, np.ones(3)))
    assert list(got) == [34, 38, 39, 42, 43]
    assert 47 not in got
    assert got == {34: 1, 38: 2, 39: 1, 42: 2, 43: 1}


def test_session_windows() -> None:
    t = np.array([0, 2, 4, 12, 13, 30]) * S
    got = as_dict(aggregate(WindowSpec.session(5 * S, 20 * S), "count", t, np.ones(6)))
    assert got == {9: 3, 18: 2, 35: 1}


def test_session_cut_at_maximum_duration() -> None:
    t = np.arange(0, 31) * S  # one event a second never leaves a 5 s gap
    got = as_dict(aggregate(WindowSpec.session(5 * S, 10 * S), "count", t, np.ones(t.size)))
    assert got == {10: 11, 20: 10, 30: 10}


def test_worked_examples_in_the_fixtures_readme(fixtures_dir) -> None:
    """The facts as written in tests/fixtures/README.md, parsed from the file itself."""
    text = (fixtures_dir / "README.md").read_text()
    pairs = re.search(r"Input `\(t seconds, v\)`: ((?:\(\d+,\d+\) ?)+)", text)
    assert pairs
    data = [tuple(map(int, p)) for p in re.findall(r"\((\d+),(\d+)\)", pairs.group(1))]
    t = np.array([d[0] for d in data]) * S
    v = np.array([d[1] for d in data], float)
    m = re.search(r"`TumblingWindow\(second, 5\)` AVG -> \{([^}]*)\}", text)
    assert m
    want = {float(k): float(x) for k, x in re.findall(r"(\d+): (\d+)", m.group(1))}
    assert as_dict(aggregate(WindowSpec.tumbling(5 * S), "avg", t, v)) == want
    m = re.search(r"`HoppingWindow\(second, 10, 5\)` COUNT -> \{([^}]*)\}", text)
    assert m
    want = {float(k): float(x) for k, x in re.findall(r"(\d+): (\d+)", m.group(1))}
    assert as_dict(aggregate(WindowSpec.hopping(10 * S, 5 * S), "count", t, v)) == want
    m = re.search(r"events at ([\d, ]+) emits at ([\d, ]+) and not at (\d+)", text)
    assert m
    ev = np.array([int(x) for x in m.group(1).split(",")]) * S
    got = as_dict(aggregate(WindowSpec.sliding(5 * S), "count", ev, np.ones(ev.size)))
    assert list(got) == [float(x) for x in m.group(2).split(",")]
    assert float(m.group(3)) not in got
    m = re.search(r"SessionWindow\(second, 5, 20\)` on events at ([\d, ]+) -> (.*)", text)
    assert m
    ev = np.array([int(x) for x in m.group(1).split(",")]) * S
    want = {float(e): float(n) for e, n in re.findall(r"(\d+) \((\d+) events?\)", m.group(2))}
    got = as_dict(aggregate(WindowSpec.session(5 * S, 20 * S), "count", ev, np.ones(ev.size)))
    assert got == want


@pytest.mark.parametrize(
    "spec",
    [WindowSpec.tumbling(5), WindowSpec.hopping(10, 3), WindowSpec.sliding(4)],
    ids=["tumbling", "hopping", "sliding"],
)
@pytest.mark.parametrize("agg", ["avg", "min", "max", "sum", "count", "stdev", "percentile"])
def test_chunked_updates_match_brute_force(spec: WindowSpec, agg: str) -> None:
    if spec.kind == "sliding" and agg == "percentile":
        with pytest.raises(ValueError, match="not supported"):
            make_window(spec, agg)
        return
    rng = np.random.default_rng(7)
    for _ in range(20):
        t = np.sort(rng.integers(0, 60, 200))
        v = rng.normal(size=200) + 100.0
        want = brute(spec, agg, t, v)
        st = make_window(spec, agg, 90)
        got: dict[int, float] = {}
        cuts = [0, *sorted(rng.integers(0, 200, 15).tolist()), 200]
        for a, b in itertools.pairwise(cuts):
            wm = int(t[b - 1]) if b > a else (int(t[a - 1]) if a else -INF_NS)
            for e, x in zip(*st.update(t[a:b], v[a:b], wm), strict=True):
                got[int(e)] = float(x)  # a sliding emission may repeat at a chunk seam
        for e, x in zip(*st.update(t[:0], v[:0], INF_NS), strict=True):
            got[int(e)] = float(x)
        assert list(got) == list(want)
        assert np.allclose(list(got.values()), list(want.values()), equal_nan=True)


def test_long_runs_match_pandas_resample_and_rolling() -> None:
    """Buffers that grow, compact and flip many times still agree with pandas."""
    import pandas as pd

    n = 20_000
    t = np.arange(n, dtype=np.int64) * 1_000_000 + S  # 1 kHz
    v = np.random.default_rng(3).normal(size=n).cumsum()
    s = pd.Series(v, index=pd.to_datetime(t))
    for spec, agg, ref in [
        (WindowSpec.sliding(S), "max", s.rolling("1s").max()),
        (WindowSpec.sliding(S), "avg", s.rolling("1s").mean()),
        (WindowSpec.sliding(S // 10), "min", s.rolling("100ms").min()),
        (WindowSpec.tumbling(S), "stdev", s.resample("1s", closed="right", label="right").std()),
    ]:
        st = make_window(spec, agg)
        outs = [
            st.update(t[i : i + 700], v[i : i + 700], int(t[min(i + 700, n) - 1]))
            for i in range(0, n, 700)
        ]
        outs.append(st.update(t[:0], v[:0], INF_NS))
        et = np.concatenate([o[0] for o in outs])
        ev = np.concatenate([o[1] for o in outs])
        if spec.kind == "sliding":
            at = np.searchsorted(et, t)
            assert np.array_equal(et[at], t)
            et, ev = et[at], ev[at]
        assert np.array_equal(et, ref.index.asi8)
        assert np.allclose(ev, ref.to_numpy(), equal_nan=True)


def test_distinct_sorted_matches_numpy_unique() -> None:
    from twinbench.rules.windows import distinct_sorted

    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 7, 100):
        a = np.sort(rng.integers(0, 5, n))
        assert np.array_equal(distinct_sorted(a), np.unique(a))
