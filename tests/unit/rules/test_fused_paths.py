"""Fused per-chunk paths give exactly what the straightforward per-rule computation gives.

The engine works some things out once per pass and shares them between rules (the spacing of
the times, the range of a shared window's emissions), and folds a rule's numpy operations
(spike's running sums, rate over evenly spaced times). Each is compared here, value for value,
with a plain reference: the formulas as written before fusing, or the engine with the shared
facts switched off.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twinbench.model import Chunk
from twinbench.rules import evaluate
from twinbench.rules.bounds import _channel_vs_constant, _compare
from twinbench.rules.engine import RuleEngine
from twinbench.rules.evaluate import Evaluation, spacing_of
from twinbench.rules.loader import parse_rules
from twinbench.rules.sliding import SlidingWindow
from twinbench.rules.typecheck import check
from twinbench.rules.windows import WindowSpec

MS = 1_000_000


def ref_anomaly(prev: np.ndarray, x: np.ndarray, conf: float, hist: int, up: bool) -> np.ndarray:
    """The steady-state spike/dip test as one cumsum per sum over the whole buffer."""
    buf = np.concatenate([prev, x])
    p, n = prev.size, x.size
    z = NormalDist().inv_cdf(conf / 100.0)
    y = buf - buf[0]
    c = np.zeros((2, p + n + 1))
    np.cumsum(y, out=c[0, 1:])
    np.cumsum(y * y, out=c[1, 1:])
    s1, s2 = c[:, p : p + n] - c[:, p - hist : p - hist + n]
    mean = s1 / hist
    std = np.sqrt(np.maximum((s2 - s1 * mean) / (hist - 1), 0.0))
    dev = y[p:] - mean
    return (dev > std * z if up else dev < std * -z).astype(np.float64)


def ref_rate(t: np.ndarray, x: np.ndarray, prev_t: int | None, prev_x: float) -> np.ndarray:
    """rate as dx / dt * 1e9 over every gap (NaN where the gap is not positive)."""
    dx = np.diff(np.r_[prev_x, x])
    dt = np.diff(np.r_[t[0] if prev_t is None else prev_t, t])
    with np.errstate(all="ignore"):
        r = dx / dt * 1e9
    r[dt <= 0] = np.nan
    return r


def times(rng: np.random.Generator, n: int, start: int, kind: str) -> np.ndarray:
    """n increasing times from `start`: evenly spaced, jittered, or with repeats."""
    if kind == "even":
        return start + np.arange(1, n + 1, dtype=np.int64) * 10 * MS
    gaps = rng.integers(0 if kind == "repeats" else 1, 20, n) * MS
    return start + np.cumsum(gaps).astype(np.int64)


@pytest.mark.parametrize("up", [True, False])
@pytest.mark.parametrize("clean_hint", [True, False])
def test_spike_fused_sums_match_the_plain_formula(up: bool, clean_hint: bool) -> None:
    rng = np.random.default_rng(3)
    hist, conf = 50, 99.0
    ev = Evaluation(check("x"), {}, np.zeros(0, np.int64), {}, 0)
    st: dict = {}
    prev = np.empty(0)
    steady = 0
    for size in rng.integers(1, 400, 40):
        x = rng.normal(size=size) * rng.uniform(0.1, 100) + rng.uniform(-1e6, 1e6)
        x[rng.random(size) < 0.01] = 40.0 * x.std() + x.mean()  # spikes
        got = ev.anomaly(st, x, conf, hist, up, clean_hint)
        if prev.size >= hist:  # steady state: the fused path
            steady += 1
            np.testing.assert_array_equal(got, ref_anomaly(prev[-hist:], x, conf, hist, up))
        prev = np.concatenate([prev, x])[-hist:]
    assert steady > 30


def test_spike_leaves_the_fused_path_while_a_nan_is_in_the_history() -> None:
    rng = np.random.default_rng(4)
    ev = Evaluation(check("x"), {}, np.zeros(0, np.int64), {}, 0)
    st: dict = {}
    x = rng.normal(size=300)
    x[120] = np.nan
    outs = [ev.anomaly(st, x[i : i + 30], 99.0, 50, True) for i in range(0, 300, 30)]
    whole = Evaluation(check("x"), {}, np.zeros(0, np.int64), {}, 0)
    np.testing.assert_array_equal(np.concatenate(outs), whole.anomaly({}, x, 99.0, 50, True))
    assert np.isnan(np.concatenate(outs)[120])


@pytest.mark.parametrize("kind", ["even", "jitter", "repeats"])
def test_rate_over_spaced_times_matches_dx_over_dt(kind: str) -> None:
    rng = np.random.default_rng(5)
    c = check("rate(x)")
    state: dict = {}
    facts_seen = []
    prev_t, prev_x, start = None, np.nan, 10**18
    for size in rng.integers(1, 60, 30):
        t = times(rng, int(size), start, kind)
        x = rng.normal(size=size) * 1e3
        facts: dict = {}
        ev = Evaluation(c, state, t, {"x": x}, int(t[-1]), {"x": 0}, None, facts)
        got = ev.s(c.tree)
        facts_seen.append(facts.get("spacing", 0) or size < 2)
        np.testing.assert_array_equal(got, ref_rate(t, x, prev_t, prev_x))
        prev_t, prev_x, start = int(t[-1]), float(x[-1]), int(t[-1])
    assert kind != "even" or all(facts_seen)  # the spaced path ran where it applies


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=2, max_size=40),
    st.integers(1, 200),
    st.sampled_from(["max", "min", "avg", "stdev", "count"]),
)
def test_sliding_window_given_the_spacing_emits_what_it_finds_itself(
    kinds: list[int], size_ms: int, agg: str
) -> None:
    rng = np.random.default_rng(len(kinds) * 1000 + size_ms)
    spec = WindowSpec.sliding(size_ms * MS)
    hinted, plain = SlidingWindow(spec, agg), SlidingWindow(spec, agg)
    start = 0
    for k in kinds:  # 0: evenly spaced, 1: a gap before, 2: jitter, 3: repeats
        n = int(rng.integers(1, 300))
        if k == 3:
            t = times(rng, n, start, "repeats")
        elif k == 2:
            t = times(rng, n, start, "jitter")
        else:
            t = start + (50 * MS if k == 1 else 0) + np.arange(1, n + 1, dtype=np.int64) * MS
        v = rng.normal(size=n)
        hinted.spacing_hint = spacing_of(t)
        a, b = hinted.update(t, v, int(t[-1])), plain.update(t, v, int(t[-1]))
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        start = int(t[-1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(20, 300), min_size=8, max_size=30),
    st.integers(1, 100),
    st.sampled_from(["max", "min"]),
    st.floats(-1e12, 1e12),
)
def test_deferred_sliding_values_lie_within_their_bounds(
    sizes: list[int], size_ms: int, agg: str, offset: float
) -> None:
    """A deferred pass's values are those of a plain window, and its bounds enclose them."""
    rng = np.random.default_rng(len(sizes) * 7919 + size_ms)
    spec = WindowSpec.sliding(size_ms * MS)
    lazy, plain = SlidingWindow(spec, agg), SlidingWindow(spec, agg)
    start, deferred = 0, 0
    for n in sizes:
        t = start + np.arange(1, n + 1, dtype=np.int64) * MS
        v = offset + rng.normal(size=n) * rng.choice([1e-3, 1.0, 1e6])
        lazy.range_hint = (float(v.min()), float(v.max()))
        got_t, got = lazy.update(t, v, int(t[-1]), defer=True)
        want_t, want = plain.update(t, v, int(t[-1]))
        np.testing.assert_array_equal(got_t, want_t)
        if not isinstance(got, np.ndarray):
            deferred += 1
            lo, hi = got.bounds
            assert lo <= want.min() and want.max() <= hi
            got = got.values()
        np.testing.assert_array_equal(got, want)
        start = int(t[-1])
    assert deferred >= 1


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_channel_against_a_constant_bounds_as_the_general_comparison(op: str) -> None:
    """`x > 0.9` and kin in one call give what the general pairwise comparison gives."""
    c = 0.5
    edges = [-1.0, 0.0, c, 0.75, 1.0]
    for lo in edges:
        for hi in edges:
            if lo <= hi:
                got = _channel_vs_constant("x", op, c)({"x": (lo, hi)}.get)
                assert got == _compare(op, (lo, hi), (c, c)), (op, lo, hi)
    assert _channel_vs_constant("x", op, c)({"x": None}.get) is None


def test_spacing_of() -> None:
    assert spacing_of(np.array([5, 7, 9, 11])) == 2
    assert spacing_of(np.array([5, 7])) == 2
    assert spacing_of(np.array([5, 7, 8, 11])) == 0  # the ends agree, one gap is larger
    assert spacing_of(np.array([5, 5, 5])) == 0
    assert spacing_of(np.array([9, 7, 5])) == 0
    assert spacing_of(np.array([5])) == 0


RULES = [
    "x > 0.9",
    "x > 0.8 and y < 0.5",
    "abs(y) > 0.95",
    "avg(x, tumbling(100ms)) > 0.6",
    "avg(x, tumbling(100ms)) > 0.7",
    "max(y, sliding(50ms)) > 0.97",
    "max(y, sliding(50ms)) > 0.99",
    "min(y, sliding(30ms)) < -0.9",
    "stdev(x, hopping(200ms, 100ms)) > 0.3",
    "rate(x) > 50",
    "rate(y) < -50",
    "spike(x, 99.9, 100)",
    "dip(y, 99, 50)",
    "x - y > 1.5",
    "count(x, tumbling(1s)) > 10",
]


def transitions(text: str, chunks: list[Chunk], **kw) -> list[tuple]:
    out: list[tuple] = []
    rs = parse_rules(text, "fused.toml", ["x", "y"])

    def emit(kind: str, device: str, message: str, **d) -> None:
        out.append((kind, device, d))

    eng = RuleEngine(rs, emit=emit, **kw)
    try:
        for c in chunks:
            eng.process([c])
        eng.flush()
    finally:
        eng.close()
    alarms = [(d, e) for k, d, e in out if k == "alarm"]
    return [(d, e["rule"], e["state"], e["t_event_ns"], e["value"]) for d, e in alarms]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engine_with_shared_facts_matches_each_rule_on_its_own(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rule together (spacing, emission ranges shared per pass) against each rule in an
    engine of its own, with no spacing known (the general paths) and no sharing or pruning."""
    rng = np.random.default_rng(seed)
    chunks, start = [], 0
    for i in range(120):
        n = int(rng.integers(1, 400))
        kind = ["even", "even", "even", "jitter", "repeats"][i % 5] if seed else "even"
        t = times(rng, n, start, kind)
        idx = np.arange(n) + i * 400
        x = ((idx // 700) % 2) * 0.95 + rng.normal(0, 0.05, n)
        y = np.sin(idx / 300.0) + rng.normal(0, 0.01, n)
        if seed == 2 and i % 17 == 5:
            x[rng.integers(0, n)] = np.nan
        chunks.append(Chunk("d", ("x", "y"), t, np.column_stack([x, y])))
        start = int(t[-1])
    text = "".join(
        f'[[rule]]\nname = "r{i}"\ncondition = "{c}"\n'
        + ('clear = "x < 0.2"\n' if i == 1 else "")
        + ('hold = "5ms"\n' if i == 0 else "")
        for i, c in enumerate(RULES)
    )
    # shares the window of r5/r6, whose values it needs where they settle by bounds alone
    text += '[[rule]]\nname = "rc"\ncondition = "max(y, sliding(50ms)) > 0.98"\n'
    text += 'clear = "max(y, sliding(50ms)) < 0.5"\n'
    together = transitions(text, chunks)
    monkeypatch.setattr(evaluate, "spacing_of", lambda t: 0)
    alone = []
    for one in text.split("[[rule]]")[1:]:
        alone += transitions("[[rule]]" + one, chunks, share=False, prune=False)
    assert sorted(together, key=str) == sorted(alone, key=str)
    assert len({a[1] for a in together}) >= 10  # most rules raised something
