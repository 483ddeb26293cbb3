"""Checks a parsed expression: known functions and channels, argument kinds, window use."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, field

from twinbench.rules.expr import Bin, Call, Dur, ExprError, Name, Node, Num, Unary, parse
from twinbench.rules.windows import WindowSpec

AGG_FUNCS = ("avg", "sum", "count", "stdev", "percentile", "min", "max")
ELEMENTWISE = ("abs", "min", "max")
SERIES_FUNCS = ("lag", "rate", "delta", "spike", "dip")
WINDOW_FUNCS = ("tumbling", "hopping", "sliding", "session")
ALL_FUNCS = tuple(sorted({*AGG_FUNCS, *ELEMENTWISE, *SERIES_FUNCS, *WINDOW_FUNCS}))


@dataclass
class Checked:
    """A checked expression: its tree, the channels it reads and its windowed aggregates."""

    text: str
    tree: Node
    channels: list[str] = field(default_factory=list)
    aggregates: list[Call] = field(default_factory=list)  # calls with a window argument
    windows: dict[int, WindowSpec] = field(default_factory=dict)  # id(agg call) -> spec
    params: dict[int, tuple[float, ...]] = field(default_factory=dict)  # id(call) -> constants

    @property
    def windowed(self) -> bool:
        """Whether the expression holds a windowed aggregate (evaluated at window emissions)."""
        return bool(self.aggregates)


def closest(name: str, known: Collection[str]) -> str:
    """A ' (closest: a, b)' hint for a misspelt name, or ''."""
    near = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f" (closest: {', '.join(near)})" if near else ""


class _Checker:
    def __init__(self, text: str, channels: Collection[str] | None) -> None:
        self.text = text
        self.known = channels
        self.out: Checked | None = None

    def err(self, msg: str, pos: int) -> ExprError:
        return ExprError(msg, pos, self.text)

    def const(self, node: Node, what: str) -> float:
        if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Num):
            return -node.operand.value
        if not isinstance(node, Num):
            raise self.err(f"{what} must be a number written in the expression", node.pos)
        return node.value

    def dur(self, node: Node, what: str) -> int:
        if not isinstance(node, Dur):
            raise self.err(f"{what} must be a duration such as 5s or 250ms", node.pos)
        if node.ns <= 0:
            raise self.err(f"{what} must be positive", node.pos)
        return node.ns

    def window(self, node: Node) -> WindowSpec:
        if not (isinstance(node, Call) and node.func in WINDOW_FUNCS):
            raise self.err("expected a window: tumbling(5s), hopping(10s, 5s), ...", node.pos)
        want = {"tumbling": 1, "sliding": 1, "hopping": 2, "session": 2}[node.func]
        if len(node.args) != want:
            raise self.err(f"{node.func}() takes {want} duration(s)", node.pos)
        d = [self.dur(a, f"{node.func}() argument {i + 1}") for i, a in enumerate(node.args)]
        if node.func == "tumbling":
            return WindowSpec.tumbling(d[0])
        if node.func == "sliding":
            return WindowSpec.sliding(d[0])
        if node.func == "hopping":
            if d[1] > d[0]:
                raise self.err("hopping(size, hop): the hop must not exceed the size", node.pos)
            return WindowSpec.hopping(d[0], d[1])
        if d[1] < d[0]:
            raise self.err("session(timeout, max): max must be at least the timeout", node.pos)
        return WindowSpec.session(d[0], d[1])

    def check(self, node: Node, in_agg: bool = False) -> str:
        """Return the kind of `node` ('num'); raise ExprError on misuse."""
        assert self.out is not None
        if isinstance(node, Num):
            return "num"
        if isinstance(node, Dur):
            raise self.err("a duration can only be a window argument", node.pos)
        if isinstance(node, Name):
            if self.known is not None and node.id not in self.known:
                raise self.err(
                    f"unknown channel {node.id!r}{closest(node.id, self.known)}", node.pos
                )
            if node.id not in self.out.channels:
                self.out.channels.append(node.id)
            return "num"
        if isinstance(node, Unary):
            return self.check(node.operand, in_agg)
        if isinstance(node, Bin):
            self.check(node.left, in_agg)
            self.check(node.right, in_agg)
            return "num"
        if isinstance(node, Call):
            return self.call(node, in_agg)
        raise self.err("unsupported expression", node.pos)

    def call(self, node: Call, in_agg: bool) -> str:
        assert self.out is not None
        f, args = node.func, node.args
        if f not in ALL_FUNCS:
            raise self.err(
                f"unknown function {f!r}{closest(f, ALL_FUNCS)}; allowed: {', '.join(ALL_FUNCS)}",
                node.pos,
            )
        if f in WINDOW_FUNCS:
            raise self.err(f"{f}() is a window: use it as the last argument of avg()...", node.pos)
        is_agg = bool(args) and isinstance(args[-1], Call) and args[-1].func in WINDOW_FUNCS
        if f in AGG_FUNCS and (is_agg or f not in ELEMENTWISE):
            want = 3 if f == "percentile" else 2
            if len(args) != want or not is_agg:
                shape = "percentile(x, p, window)" if f == "percentile" else f"{f}(x, window)"
                raise self.err(f"expected {shape}, e.g. {f}(temperature, tumbling(5s))", node.pos)
            if in_agg:
                raise self.err("windowed aggregates cannot be nested", node.pos)
            spec = self.window(args[-1])
            if f == "percentile":
                p = self.const(args[1], "percentile p")
                if not 0 <= p <= 100:
                    raise self.err("percentile p must be between 0 and 100", args[1].pos)
                if spec.kind == "sliding":
                    raise self.err(
                        "percentile over a sliding window is not supported (use hopping)",
                        node.pos,
                    )
                self.out.params[id(node)] = (p,)
            self.check(args[0], True)
            self.out.aggregates.append(node)
            self.out.windows[id(node)] = spec
            return "num"
        if f == "abs" or f in ("rate", "delta"):
            if len(args) != 1:
                raise self.err(f"{f}() takes one argument", node.pos)
            return self.series_arg(node, in_agg) if f != "abs" else self.check(args[0], in_agg)
        if f in ("min", "max"):
            if len(args) < 2:
                raise self.err(
                    f"{f}() needs two values, or a value and a window: {f}(x, sliding(5s))",
                    node.pos,
                )
            for a in args:
                self.check(a, in_agg)
            return "num"
        if f == "lag":
            if len(args) != 2:
                raise self.err("expected lag(x, n)", node.pos)
            n = self.const(args[1], "lag n")
            if n != int(n) or n < 1 or n > 100_000:
                raise self.err("lag n must be a whole number from 1 to 100000", args[1].pos)
            self.out.params[id(node)] = (n,)
            return self.series_arg(node, in_agg)
        # spike / dip
        if len(args) != 3:
            raise self.err(f"expected {f}(x, confidence, history)", node.pos)
        conf = self.const(args[1], f"{f} confidence")
        hist = self.const(args[2], f"{f} history")
        if not 50 <= conf < 100:
            raise self.err("confidence is a percentage from 50 to below 100", args[1].pos)
        if hist != int(hist) or not 2 <= hist <= 100_000:
            raise self.err("history is a whole number of samples from 2 to 100000", args[2].pos)
        self.out.params[id(node)] = (conf, hist)
        return self.series_arg(node, in_agg)

    def series_arg(self, node: Call, in_agg: bool) -> str:
        """Check the series of lag/rate/delta/spike/dip: samples, not a window's emissions."""
        assert self.out is not None
        before = len(self.out.aggregates)
        kind = self.check(node.args[0], in_agg)
        if len(self.out.aggregates) > before:
            raise self.err(
                f"{node.func}() of a windowed aggregate is not supported: "
                f"apply it to channels, e.g. {node.func}(x)",
                node.pos,
            )
        return kind


def check(text: str, channels: Collection[str] | None = None) -> Checked:
    """Parse and check `text`; `channels` (when given) lists the channel names that exist."""
    tree = parse(text)
    c = _Checker(text, channels)
    c.out = Checked(text, tree)
    c.check(tree)
    return c.out
