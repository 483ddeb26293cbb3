"""Derived channels: compile safe expressions (the rules parser) and evaluate them per chunk."""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinbench.derived import ops
from twinbench.model import Channel, Chunk, Device
from twinbench.rules.evaluate import COMPARISONS
from twinbench.rules.expr import Bin, Call, Dur, ExprError, Name, Node, Num, Unary, parse

# name -> (min args, max args or None, factory of per-node state or None)
FUNCTIONS: dict[str, tuple[int, int | None, Callable[..., Any] | None]] = {
    "abs": (1, 1, None),
    "sqrt": (1, 1, None),
    "min": (2, None, None),
    "max": (2, None, None),
    "mag": (2, None, None),
    "ma": (2, 2, ops.MovingAverage),
    "deriv": (1, 1, ops.Derivative),
    "integ": (1, 1, ops.Integral),
    "lowpass": (2, 2, ops.LowPass),
    "highpass": (2, 2, ops.HighPass),
}
_CONST_ARG = {"ma", "lowpass", "highpass"}  # second argument must be a number
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DERIVED_PREFIX = "derived: "  # the description of a derived channel, before its expression


class DerivedError(ValueError):
    """A derived channel that cannot be computed; the message names it and the position."""


@dataclass
class DerivedChannel:
    """One derived channel of a device: `name = expr`, with its unit; inert while in error."""

    name: str
    expr: str
    unit: str = ""
    device: str = ""  # "" = every device that has the channels it needs
    error: str = ""
    tree: Node | None = None
    inputs: tuple[str, ...] = ()
    _state: dict[int, Any] = field(default_factory=dict)

    def compile(self, channels: Sequence[str]) -> None:
        """Parse and check against the device's channels; sets `error` instead of raising."""
        self.error, self.tree, self._state = "", None, {}
        try:
            if not _NAME.match(self.name):
                raise DerivedError(f"derived channel name {self.name!r} is not an identifier")
            if self.name in channels:
                raise DerivedError(f"derived channel {self.name!r} clashes with a device channel")
            tree = parse(self.expr)
            used: list[str] = []
            self._check(tree, list(channels), used)
            self.tree, self.inputs = tree, tuple(dict.fromkeys(used))
        except ExprError as exc:
            self.error = f"derived channel {self.name!r}: {exc}\n{exc.caret()}"
        except DerivedError as exc:
            self.error = str(exc)

    def _check(self, node: Node, channels: list[str], used: list[str]) -> None:
        where = f"derived channel {self.name!r}"
        if isinstance(node, Name):
            if node.id not in channels:
                close = difflib.get_close_matches(node.id, channels, 3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise DerivedError(
                    f"{where}: unknown channel {node.id!r} at column {node.pos + 1}{hint}"
                )
            used.append(node.id)
        elif isinstance(node, Dur):
            raise DerivedError(f"{where}: durations are not values (column {node.pos + 1})")
        elif isinstance(node, Unary):
            self._check(node.operand, channels, used)
        elif isinstance(node, Bin):
            self._check(node.left, channels, used)
            self._check(node.right, channels, used)
        elif isinstance(node, Call):
            spec = FUNCTIONS.get(node.func)
            if spec is None:
                raise DerivedError(
                    f"{where}: unknown function {node.func!r} at column {node.pos + 1}; "
                    f"valid: {', '.join(sorted(FUNCTIONS))}"
                )
            lo, hi, _ = spec
            if len(node.args) < lo or (hi is not None and len(node.args) > hi):
                want = str(lo) if hi == lo else f"{lo}+" if hi is None else f"{lo}-{hi}"
                raise DerivedError(
                    f"{where}: {node.func}() takes {want} arguments, got {len(node.args)} "
                    f"(column {node.pos + 1})"
                )
            if node.func in _CONST_ARG and not isinstance(node.args[1], Num):
                raise DerivedError(
                    f"{where}: the second argument of {node.func}() must be a number "
                    f"(column {node.args[1].pos + 1})"
                )
            for a in node.args:
                self._check(a, channels, used)

    def evaluate(self, chunk: Chunk) -> np.ndarray:
        """Values for every sample of the chunk (state carried to the next chunk)."""
        if self.tree is None:
            raise DerivedError(self.error or f"derived channel {self.name!r} is not compiled")
        cols = {name: chunk.values[:, chunk.channels.index(name)] for name in self.inputs}
        with np.errstate(all="ignore"):
            out = self._eval(self.tree, cols, chunk.t_ns)
        return np.broadcast_to(np.asarray(out, dtype=np.float64), (len(chunk),)).copy()

    def _eval(self, node: Node, cols: dict[str, np.ndarray], t: np.ndarray) -> Any:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Name):
            return cols[node.id]
        if isinstance(node, Unary):
            v = self._eval(node.operand, cols, t)
            return -v if node.op == "-" else (np.asarray(v) == 0).astype(float)
        if isinstance(node, Bin):
            a, b = self._eval(node.left, cols, t), self._eval(node.right, cols, t)
            return _binary(node.op, a, b)
        assert isinstance(node, Call)
        f = node.func
        if f in ("ma", "lowpass", "highpass"):
            op = self._state.get(id(node))
            if op is None:
                arg = node.args[1].value  # type: ignore[attr-defined]
                op = self._state[id(node)] = FUNCTIONS[f][2](int(arg) if f == "ma" else arg)  # type: ignore[misc]
            x = np.broadcast_to(self._eval(node.args[0], cols, t), t.shape)
            return op(x, t)
        if f in ("deriv", "integ"):
            op = self._state.setdefault(id(node), FUNCTIONS[f][2]())  # type: ignore[misc]
            return op(np.broadcast_to(self._eval(node.args[0], cols, t), t.shape), t)
        args = [self._eval(a, cols, t) for a in node.args]
        if f == "abs":
            return np.abs(args[0])
        if f == "sqrt":
            return np.sqrt(args[0])
        if f == "min":
            return np.minimum.reduce(np.broadcast_arrays(*args))
        if f == "max":
            return np.maximum.reduce(np.broadcast_arrays(*args))
        return ops.magnitude(*args)


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return np.add(a, b)
    if op == "-":
        return np.subtract(a, b)
    if op == "*":
        return np.multiply(a, b)
    if op == "/":
        return np.true_divide(a, b)
    if op == "%":
        return np.fmod(a, b)
    if op == "**":
        return np.power(np.asarray(a, dtype=float), b)
    if op in ("and", "or"):
        ta, tb = np.asarray(a) != 0, np.asarray(b) != 0
        return (ta & tb if op == "and" else ta | tb).astype(float)
    return COMPARISONS[op](a, b).astype(float)


def parse_definition(text: str) -> DerivedChannel:
    """Parse `name = expr [unit]` (as given on the command line) into a DerivedChannel."""
    name, eq, rest = text.partition("=")
    if not eq:
        raise DerivedError(f"derived channel {text!r}: expected NAME = EXPRESSION [UNIT]")
    rest = rest.strip()
    unit = ""
    m = re.search(r"\[([^\]]*)\]\s*$", rest)
    if m:
        unit, rest = m.group(1).strip(), rest[: m.start()].strip()
    return DerivedChannel(name.strip(), rest, unit)


class DerivedEngine:
    """Widens each device's chunks with derived channels before they are published.

    It runs in the sink (on the driver's thread), so every consumer sees one chunk holding the
    source and derived channels: rules can mix them, the recorder stores them side by side.
    """

    def __init__(
        self,
        runtime: Any,
        channels: Sequence[DerivedChannel],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.on_error = on_error
        self.specs = list(channels)
        self._per_layout: dict[tuple[str, tuple[str, ...]], list[DerivedChannel]] = {}
        self._lock = threading.Lock()
        self.errors: dict[tuple[str, str], str] = {}
        self.faults = 0
        runtime.sink.transforms.append(self)

    def _compiled(self, device: str, channels: tuple[str, ...]) -> list[DerivedChannel]:
        key = (device, channels)
        have = self._per_layout.get(key)
        if have is not None:
            return have
        out = []
        for spec in self.specs:
            if spec.device and spec.device != device:
                continue
            mine = DerivedChannel(spec.name, spec.expr, spec.unit, device)
            mine.compile(channels)
            if mine.error:
                if (device, spec.name) not in self.errors:
                    self.errors[(device, spec.name)] = mine.error
                    if self.on_error is not None:
                        self.on_error(f"{device}: {mine.error}")
                    if spec.device:  # explicitly bound to this device: say why it is inert
                        self.runtime.events.emit("error", device, mine.error)
                continue
            out.append(mine)
        self._per_layout[key] = out
        return out

    def declare(self, device: Device) -> Device:
        """The device with its derived channels appended."""
        with self._lock:
            specs = self._compiled(device.id, device.channel_names)
        if not specs:
            return device
        extra = tuple(
            Channel(c.name, c.unit, description=f"{DERIVED_PREFIX}{c.expr}") for c in specs
        )
        return Device(
            device.id, device.driver, device.channels + extra, device.description, device.meta
        )

    def __call__(self, chunk: Chunk) -> Chunk:
        """The chunk with derived columns appended (unchanged when none applies)."""
        if not len(chunk):
            return chunk
        with self._lock:
            specs = self._compiled(chunk.device, chunk.channels)
            if not specs:
                return chunk
            try:
                cols = [s.evaluate(chunk) for s in specs]
            except Exception as exc:  # a bad derived channel never stops the data
                self.faults += 1
                self.errors[(chunk.device, "*")] = str(exc)
                return chunk
        return Chunk(
            chunk.device,
            chunk.channels + tuple(s.name for s in specs),
            chunk.t_ns,
            np.column_stack([chunk.values, *cols]),
        )
