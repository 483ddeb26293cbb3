"""Bounds of an expression over a whole chunk from its channels' minimum and maximum.

A zone map for rules: when the condition of an idle rule cannot be true anywhere in a chunk
(or the clear condition of a raised one cannot), the engine skips the chunk for that rule
without touching the samples. Bounds are exact enclosures: every operation used here is
monotone in each argument on the ranges where it is applied, and so is IEEE rounding, so the
value of every sample lies within the computed bounds. Anything that could be NaN, keeps
state between chunks or divides by a range containing zero has no bounds (None), and then the
rule is evaluated sample by sample as usual.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from twinbench.rules.expr import Bin, Call, Name, Node, Num, Unary
from twinbench.rules.typecheck import Checked

Bounds = tuple[float, float] | None
Ranges = Callable[[str], Bounds]  # channel -> (min, max) over the chunk, None if it holds NaN
BoundsFn = Callable[[Ranges], Bounds]

AGG = "\0aggregate"  # the key of the emitted values' range (emission_bounds)
_TRUE, _FALSE, _EITHER = (1.0, 1.0), (0.0, 0.0), (0.0, 1.0)
_TRUTH_OPS = {"<", "<=", ">", ">=", "==", "!=", "and", "or"}


def truth_bounds(c: Checked) -> BoundsFn | None:
    """Bounds of the truth (1/0) of a checked expression; None when it has windows or state."""
    got = c.__dict__.get("_bounds", False)
    if got is False:
        fn = None if c.windowed else _compile(c.tree)
        got = c.__dict__["_bounds"] = None if fn is None else _as_truth(fn, c.tree)
    return got


def emission_bounds(c: Checked) -> tuple[int, BoundsFn] | None:
    """(id of the aggregate, bounds of the truth) for a condition over one aggregate alone.

    A condition such as `max(y, sliding(5s)) > 0.99` is evaluated where its one window emits,
    on the emitted values only; with their range as AGG, the bounds settle the pass as for
    channels. None for anything else (several aggregates, channels read outside the window).
    """
    got = c.__dict__.get("_emission_bounds", False)
    if got is False:
        got = None
        aggs = {id(a) for a in c.aggregates}
        if len(aggs) == 1 and not _reads_outside(c.tree, aggs):
            (agg,) = aggs
            fn = _compile(c.tree, agg)
            if fn is not None:
                got = (agg, _as_truth(fn, c.tree))
        c.__dict__["_emission_bounds"] = got
    return got


def _reads_outside(node: Node, aggs: set[int]) -> bool:
    if id(node) in aggs:
        return False
    if isinstance(node, Name):
        return True
    if isinstance(node, Unary):
        return _reads_outside(node.operand, aggs)
    if isinstance(node, Bin):
        return _reads_outside(node.left, aggs) or _reads_outside(node.right, aggs)
    if isinstance(node, Call):
        return any(_reads_outside(a, aggs) for a in node.args)
    return False


def _as_truth(fn: BoundsFn, tree: Node) -> BoundsFn:
    if _is_truth(tree):
        return fn

    def truth_of(r: Ranges) -> Bounds:
        b = fn(r)
        return None if b is None else _truth(b, False)

    return truth_of


def _ok(lo: float, hi: float) -> Bounds:
    return (lo, hi) if lo == lo and hi == hi and lo <= hi else None  # NaN or inf - inf


def _truth(b: tuple[float, float], already: bool) -> tuple[float, float]:
    if already:
        return b
    lo, hi = b
    if lo > 0.0 or hi < 0.0:
        return _TRUE
    if lo == 0.0 and hi == 0.0:
        return _FALSE
    return _EITHER


def _compare(op: str, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    (alo, ahi), (blo, bhi) = a, b
    if op in (">", "<"):
        if op == "<":
            (alo, ahi), (blo, bhi) = (blo, bhi), (alo, ahi)
        if alo > bhi:
            return _TRUE
        return _FALSE if ahi <= blo else _EITHER
    if op in (">=", "<="):
        if op == "<=":
            (alo, ahi), (blo, bhi) = (blo, bhi), (alo, ahi)
        if alo >= bhi:
            return _TRUE
        return _FALSE if ahi < blo else _EITHER
    disjoint = ahi < blo or bhi < alo
    same_point = alo == ahi == blo == bhi
    if op == "==":
        return _FALSE if disjoint else (_TRUE if same_point else _EITHER)
    return _TRUE if disjoint else (_FALSE if same_point else _EITHER)  # !=


def _arith(op: str, a: tuple[float, float], b: tuple[float, float]) -> Bounds:
    (alo, ahi), (blo, bhi) = a, b
    if op == "+":
        return _ok(alo + blo, ahi + bhi)
    if op == "-":
        return _ok(alo - bhi, ahi - blo)
    if op == "*":
        p = (alo * blo, alo * bhi, ahi * blo, ahi * bhi)
        return _ok(min(p), max(p))
    if op == "/" and (blo > 0.0 or bhi < 0.0):
        q = (alo / blo, alo / bhi, ahi / blo, ahi / bhi)
        return _ok(min(q), max(q))
    return None  # division by a range holding zero, %, **: no bounds


def _is_truth(node: Node) -> bool:
    return (isinstance(node, Bin) and node.op in _TRUTH_OPS) or (
        isinstance(node, Unary) and node.op == "not"
    )


def _compile(node: Node, agg: int = 0) -> BoundsFn | None:
    """A function from channel ranges to the bounds of `node`; None if it can have none.

    `agg`: id of the one windowed aggregate whose emitted values are in the ranges as AGG.
    """
    if agg and id(node) == agg:
        return lambda r: r(AGG)
    if isinstance(node, Num):
        v = float(node.value)
        if not math.isfinite(v):
            return None
        const = (v, v)
        return lambda r: const
    if isinstance(node, Name):
        name = node.id
        return lambda r: r(name)
    if isinstance(node, Unary):
        g = _compile(node.operand, agg)
        if g is None:
            return None
        if node.op == "-":

            def neg(r: Ranges) -> Bounds:
                b = g(r)
                return None if b is None else (-b[1], -b[0])

            return neg
        already = _is_truth(node.operand)

        def not_(r: Ranges) -> Bounds:
            b = g(r)
            if b is None:
                return None
            lo, hi = _truth(b, already)
            return (1.0 - hi, 1.0 - lo)

        return not_
    if isinstance(node, Bin):
        return _compile_bin(node, agg)
    if isinstance(node, Call) and node.func in ("abs", "min", "max"):
        return _compile_call(node, agg)
    return None  # lag, delta, rate, spike, dip, windowed aggregates


def _channel_vs_constant(name: str, op: str, c: float) -> BoundsFn:
    """`_compare(op, r(name), (c, c))` in one call: the most common condition, `x > 0.9`."""
    if op == ">":

        def gt(r: Ranges) -> Bounds:
            b = r(name)
            return None if b is None else _TRUE if b[0] > c else _FALSE if b[1] <= c else _EITHER

        return gt
    if op == ">=":

        def ge(r: Ranges) -> Bounds:
            b = r(name)
            return None if b is None else _TRUE if b[0] >= c else _FALSE if b[1] < c else _EITHER

        return ge
    if op == "<":

        def lt(r: Ranges) -> Bounds:
            b = r(name)
            return None if b is None else _TRUE if b[1] < c else _FALSE if b[0] >= c else _EITHER

        return lt

    def le(r: Ranges) -> Bounds:
        b = r(name)
        return None if b is None else _TRUE if b[1] <= c else _FALSE if b[0] > c else _EITHER

    return le


def _compile_bin(node: Bin, agg: int = 0) -> BoundsFn | None:
    fa, fb = _compile(node.left, agg), _compile(node.right, agg)
    if fa is None or fb is None:
        return None
    op = node.op
    if (
        op in ("<", "<=", ">", ">=")
        and isinstance(node.left, Name)
        and isinstance(node.right, Num)
        and not (agg and id(node.left) == agg)
    ):
        return _channel_vs_constant(node.left.id, op, float(node.right.value))
    if op in ("and", "or"):
        ta, tb = _is_truth(node.left), _is_truth(node.right)
        pick = min if op == "and" else max

        def logic(r: Ranges) -> Bounds:
            a = fa(r)
            if a is None:
                return None
            b = fb(r)
            if b is None:
                return None
            a, b = _truth(a, ta), _truth(b, tb)
            return (pick(a[0], b[0]), pick(a[1], b[1]))

        return logic
    combine: Callable[[str, tuple[float, float], tuple[float, float]], Bounds]
    if op in _TRUTH_OPS:
        combine = _compare
    elif op in ("+", "-", "*", "/"):
        combine = _arith
    else:
        return None  # %, **

    def pair(r: Ranges) -> Bounds:
        a = fa(r)
        if a is None:
            return None
        b = fb(r)
        return None if b is None else combine(op, a, b)

    return pair


def _compile_call(node: Call, agg: int = 0) -> BoundsFn | None:
    fns = [_compile(a, agg) for a in node.args]
    if any(f is None for f in fns):
        return None
    args: list[BoundsFn] = [f for f in fns if f is not None]
    if node.func == "abs":
        g = args[0]

        def abs_(r: Ranges) -> Bounds:
            b = g(r)
            if b is None:
                return None
            lo, hi = b
            if lo >= 0.0:
                return b
            if hi <= 0.0:
                return (-hi, -lo)
            return (0.0, max(-lo, hi))

        return abs_
    pick = min if node.func == "min" else max

    def extreme(r: Ranges) -> Bounds:
        got = [f(r) for f in args]
        if any(b is None for b in got):
            return None
        return (pick(b[0] for b in got), pick(b[1] for b in got))  # type: ignore[index]

    return extreme


def certainly(fn: BoundsFn | None, ranges: Ranges, value: float) -> bool:
    """Whether the truth value computed by `fn` is `value` (1.0 or 0.0) at every sample."""
    if fn is None:
        return False
    b = fn(ranges)
    return b is not None and b[0] == b[1] == value
