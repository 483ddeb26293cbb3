"""Expressions (rules and derived channels): any text is either checked or refused with an
ExprError naming a column; what passes the check evaluates without a fault."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinbench.derived.engine import DerivedChannel
from twinbench.errors import ConfigError
from twinbench.model import Chunk
from twinbench.rules.engine import RuleEngine
from twinbench.rules.expr import MAX_DEPTH, ExprError
from twinbench.rules.loader import parse_rules
from twinbench.rules.typecheck import ALL_FUNCS, check

EXPR = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHANNELS = ["x", "y"]
S = 1_000_000_000

atoms = st.one_of(
    st.sampled_from(["x", "y", "`y`", "z", "true", "0", "1.5", "1e999", "-3", "2s", "500ms"]),
    st.sampled_from(["99999999999h", "0s", "1e400s", "nan", "__x", "'s'", "a.b", "x[0]"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
windows = st.sampled_from(
    ["tumbling(1s)", "hopping(2s, 500ms)", "sliding(1s)", "session(1s, 5s)", "tumbling(0s)"]
)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(
            inner,
            st.sampled_from(["+", "-", "*", "/", "%", "**", ">", "<=", "==", "and", "or"]),
            inner,
        ).map(" ".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"not {e}"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(st.sampled_from(ALL_FUNCS), st.lists(inner, max_size=3)).map(
            lambda fa: f"{fa[0]}({', '.join(fa[1])})"
        ),
        st.tuples(
            st.sampled_from(["avg", "max", "stdev", "count", "percentile"]), inner, windows
        ).map(lambda fw: f"{fw[0]}({fw[1]}, {fw[2]})"),
    )


expressions = st.one_of(
    st.recursive(atoms, _extend, max_leaves=12),
    st.text(max_size=40),
    st.integers(1, 3000).map(lambda n: "(" * n + "x" + ")" * n),
    st.integers(1, 1500).map(lambda n: " + ".join(["x"] * n)),
    st.integers(1, 600).map(lambda n: "abs(" * n + "x" + ")" * n),
    st.integers(1, 400).map(lambda n: "-" * n + "x"),
)


def _chunks() -> list[Chunk]:
    t = (np.arange(400, dtype=np.int64) * S) // 50
    x = np.sin(np.arange(400) / 7.0)
    vals = np.column_stack([x, x * 3])
    return [
        Chunk("d1", tuple(CHANNELS), t[i : i + 50], vals[i : i + 50]) for i in range(0, 400, 50)
    ]


@EXPR
@given(text=expressions)
def test_rule_conditions_are_checked_or_refused(text):
    try:
        check(text, CHANNELS)
    except ExprError as exc:
        assert str(exc)  # the refusal says why (and points at a column where there is one)
        return
    body = f'[[rule]]\nname = "r"\ncondition = """{text}"""\n'
    try:
        rs = parse_rules(body, "fuzz.toml", CHANNELS)
    except ConfigError:
        return  # e.g. a triple quote inside the text
    eng = RuleEngine(rs)
    try:
        eng.process(_chunks())
        eng.flush()
    finally:
        eng.close()
    # data problems (division by zero, undefined values) are counted by design; an exception
    # escaping an evaluator is reported as "SomeError: ..." and is a bug
    err = eng.stats["r"].last_error
    assert not re.match(r"[A-Z]\w*(Error|Exception|Warning)\b", err), (text, err)


@EXPR
@given(text=expressions)
def test_derived_channels_are_compiled_or_refused(text):
    ch = DerivedChannel("d", text)
    ch.compile(CHANNELS)
    if ch.error:
        assert "\n" in ch.error or ch.error.startswith("derived channel")
        return
    for chunk in _chunks():
        out = ch.evaluate(chunk)
        assert np.shape(out) in ((len(chunk),), ())


@pytest.mark.parametrize(
    "text",
    [
        "(" * 500 + "x" + ")" * 500,
        " + ".join(["x"] * 1000),
        "abs(" * 330 + "x" + ")" * 330,
        "avg(x, sliding(99999999999h)) > 1",
    ],
)
def test_the_reported_inputs_are_refused_with_a_reason(text):
    with pytest.raises(ExprError, match=r"deeper than|longer than"):
        check(text, CHANNELS)
    assert MAX_DEPTH >= 50  # deep enough for any hand-written expression
