"""The safe expression language: what parses, and what is refused with a position."""

from __future__ import annotations

import pytest

from twinbench.rules.expr import ExprError, parse, to_text
from twinbench.rules.typecheck import check

CHANNELS = ["temperature", "current", "rpm", "vibration"]


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("1 + 2 * 3", "(1.0 + (2.0 * 3.0))"),
        ("-x ** 2", "(-(x ** 2.0))"),
        ("a > 1 and not b or c", "(((a > 1.0) and (not b)) or c)"),
        ("a && b || !c", "((a and b) or (not c))"),
        ("avg(t, hopping(10s, 500ms))", "avg(t, hopping(10s, 500ms))"),
        ("`motor temp` >= 3", "(`motor temp` >= 3.0)"),
    ],
)
def test_parses_into_a_tree(text: str, tree: str) -> None:
    assert to_text(parse(text)) == tree


@pytest.mark.parametrize(
    ("text", "pos", "words"),
    [
        ("__import__('os')", 0, "'__'"),
        ("temperature.real > 1", 11, "attribute access"),
        ("lambda: 1", 0, "lambda"),
        ("temperature[0]", 11, "indexing"),
        ("open('x')", 5, "strings"),
        ('rpm > "1"', 6, "strings"),
        ("temperature = 3", 12, "assignment"),
        ("1 if rpm else 2", 2, "conditional"),
        ("[x for x in rpm]", 0, "indexing"),
        ("rpm < 1 < 2", 8, "chained"),
        ("(rpm", 4, "expected ')'"),
        ("rpm >", 5, "end of expression"),
        ("rpm 3", 4, "after a complete expression"),
        ("", 0, "empty"),
        ("3parsecs", 1, "unknown unit"),
    ],
)
def test_rejects_with_position(text: str, pos: int, words: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(text)
    assert info.value.pos == pos
    assert words in str(info.value)
    assert f"column {pos + 1}" in str(info.value)


@pytest.mark.parametrize(
    ("text", "pos", "words"),
    [
        ("eval(rpm)", 0, "unknown function 'eval'"),
        ("exec(rpm)", 0, "unknown function 'exec'"),
        ("getattr(rpm, rpm)", 0, "unknown function"),
        ("temprature > 80", 0, "closest: temperature"),
        ("avg(temprature, tumbling(5s))", 4, "closest: temperature"),
        ("avg(rpm) > 1", 0, "avg(x, window)"),
        ("tumbling(5s) > 1", 0, "is a window"),
        ("avg(rpm, tumbling(5)) > 1", 18, "duration"),
        ("avg(rpm, hopping(1s, 2s))", 9, "hop must not exceed"),
        ("avg(avg(rpm, sliding(1s)), sliding(5s))", 4, "nested"),
        ("percentile(rpm, 120, tumbling(5s))", 16, "between 0 and 100"),
        ("percentile(rpm, 50, sliding(5s))", 0, "sliding"),
        ("lag(rpm, 0)", 9, "whole number"),
        ("spike(rpm, 20, 100)", 11, "confidence"),
        ("5s > 1", 0, "duration"),
        ("min(rpm)", 0, "needs two values"),
        ("delta(avg(rpm, tumbling(1s)))", 0, "delta() of a windowed aggregate"),
        ("1 + rate(max(rpm, sliding(1s)))", 4, "rate() of a windowed aggregate"),
        ("spike(avg(rpm, tumbling(1s)), 99, 20)", 0, "spike() of a windowed aggregate"),
    ],
)
def test_checker_rejects_with_position(text: str, pos: int, words: str) -> None:
    with pytest.raises(ExprError) as info:
        check(text, CHANNELS)
    assert info.value.pos == pos
    assert words in str(info.value)
    assert "^" in info.value.caret()


def test_checker_collects_channels_and_windows() -> None:
    c = check("max(rpm, sliding(5s)) > min(current, temperature) and lag(rpm, 3) > 0", CHANNELS)
    assert c.channels == ["rpm", "current", "temperature"]
    assert c.windowed and len(c.aggregates) == 1
    assert not check("abs(delta(rpm)) > rate(current)", CHANNELS).windowed
