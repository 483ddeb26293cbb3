"""Chunk-wide bounds of expressions (zone maps): exact enclosures, and pruning changes nothing."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from twinbench.rules.bounds import certainly, truth_bounds
from twinbench.rules.evaluate import Evaluation
from twinbench.rules.expr import ExprError, to_text
from twinbench.rules.typecheck import check

LEAVES = st.sampled_from(["x", "y", "0.5", "-2", "3", "0"])


def _exprs() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binop = st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner)
        cmp = st.tuples(inner, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), inner)
        logic = st.tuples(inner, st.sampled_from(["and", "or"]), inner)
        return st.one_of(
            binop.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            cmp.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            logic.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda s: f"abs({s})"),
            inner.map(lambda s: f"(not {s})"),
            inner.map(lambda s: f"(-{s})"),
            st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"min({t[0]}, {t[1]})"),
        )

    return st.recursive(LEAVES, extend, max_leaves=6)


VALUES = st.lists(
    st.tuples(
        st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 1)),
        st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 1)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_exprs(), VALUES)
def test_truth_bounds_enclose_every_sample(text: str, rows: list[tuple[float, float]]) -> None:
    try:
        c = check(text, ["x", "y"])
    except ExprError:  # e.g. a comparison of a comparison, which the language refuses
        assume(False)
    fn = truth_bounds(c)
    assert fn is not None  # no windows, no state: always bounded or None at run time
    x = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    cols = {"x": x, "y": y}
    b = fn(lambda n: (float(cols[n].min()), float(cols[n].max())))
    ev = Evaluation(c, {}, np.arange(x.size, dtype=np.int64), cols, 0)
    val = np.broadcast_to(np.asarray(ev.s(c.tree), float), x.shape)
    truth = np.where(np.isnan(val), np.nan, (val != 0).astype(float))
    if b is None:
        return  # e.g. a division by a range holding zero: the engine evaluates normally
    assert not np.isnan(truth).any(), to_text(c.tree)
    assert b[0] <= truth.min() and truth.max() <= b[1], (text, b, truth)


def test_bounds_settle_only_what_is_certain() -> None:
    c = check("x > 0.9 and y < 0.5", ["x", "y"])
    fn = truth_bounds(c)
    ranges = {"x": (0.0, 0.5), "y": (-1.0, 1.0)}
    assert certainly(fn, ranges.get, 0.0)  # x never above 0.9
    ranges["x"] = (0.95, 1.0)
    assert not certainly(fn, ranges.get, 0.0) and not certainly(fn, ranges.get, 1.0)
    ranges["y"] = (-1.0, 0.4)
    assert certainly(fn, ranges.get, 1.0)
    ranges["y"] = None  # NaN in y: no bounds, evaluate sample by sample
    assert not certainly(fn, ranges.get, 1.0) and not certainly(fn, ranges.get, 0.0)
    assert truth_bounds(check("rate(x) > 1", ["x"])) is None  # state: never settled
    assert truth_bounds(check("avg(x, tumbling(1s)) > 1", ["x"])) is None
    wide = {"x": (1.0, 2.0), "y": (-1.0, 1.0)}  # dividing by a range holding zero
    assert truth_bounds(check("x / y > 1", ["x", "y"]))(wide.get) is None


def test_emission_bounds_only_for_one_window_alone() -> None:
    from twinbench.rules.bounds import AGG, emission_bounds

    c = check("max(y, sliding(50ms)) * 2 > 1.98", ["y"])
    key, fn = emission_bounds(c)
    assert key == id(c.aggregates[0])
    assert fn({AGG: (0.0, 0.9)}.get) == (0.0, 0.0)
    assert fn({AGG: (0.995, 1.0)}.get) == (1.0, 1.0)
    assert fn({AGG: (0.0, 1.0)}.get) == (0.0, 1.0)
    assert emission_bounds(check("avg(x, tumbling(1s)) > y", ["x", "y"])) is None
    two = "avg(x, tumbling(1s)) > 1 and max(x, sliding(1s)) < 2"
    assert emission_bounds(check(two, ["x"])) is None
    assert emission_bounds(check("x > 1", ["x"])) is None
