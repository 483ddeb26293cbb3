"""Vectorised evaluation of checked expressions over chunks, with per-device state.

Values are float arrays; truth is 1.0 / 0.0 and NaN means unknown (NaN inputs, division by
zero), so a comparison with NaN is unknown and never raises or clears an alarm by itself.
An expression without windows is evaluated at every sample time; one with windowed aggregates
is evaluated where its windows emit, reading channels as of that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import NormalDist
from typing import Any

import numpy as np

from twinbench.rules.expr import Bin, Call, Name, Node, Num, Unary, walk
from twinbench.rules.typecheck import Checked
from twinbench.rules.windows import cat, make_window

NAN = float("nan")
_NO_HISTORY = np.empty(0)


_CMP = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
TRUTH_OPS = {*_CMP, "and", "or"}
COMPARISONS = _CMP  # the comparison operators as numpy functions (derived channels use them too)


def full(x: Any, n: int) -> np.ndarray:
    """`x` as a float array of length n (constants repeated)."""
    if isinstance(x, np.ndarray) and x.shape == (n,):
        return x if x.dtype == np.float64 else x.astype(np.float64)
    return np.full(n, x, np.float64)


def truth(x: Any) -> np.ndarray:
    """1.0 where non-zero, 0.0 where zero, NaN where unknown."""
    x = np.asarray(x, np.float64)
    r = (x != 0).astype(np.float64)
    nan = np.isnan(x)
    if np.count_nonzero(nan):
        return np.where(nan, NAN, r)  # (scalars too: a constant can divide by zero)
    return r


def is_truth(node: Node) -> bool:
    """Whether `node` evaluates to 1/0/NaN already (a comparison, logic, or an anomaly flag)."""
    return (
        (isinstance(node, Bin) and node.op in TRUTH_OPS)
        or (isinstance(node, Unary) and node.op == "not")
        or (isinstance(node, Call) and node.func in ("spike", "dip"))
    )


def _nan_mask(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        m = np.isnan(x)
        return m if np.count_nonzero(m) else None
    return True if x != x else None


def _cmp(op: str, a: Any, b: Any) -> np.ndarray:
    r = np.asarray(_CMP[op](a, b), np.float64)
    for m in (_nan_mask(a), _nan_mask(b)):
        if m is not None:
            r = np.where(m, NAN, r)
    return r


# --- compiled per-sample evaluation ---------------------------------------------------------
# Each node of a checked tree becomes a closure once (cached on the Checked object), so a pass
# runs straight numpy calls instead of dispatching on node types at every chunk.

Fn = Callable[["Evaluation"], Any]
STATEFUL = ("lag", "delta", "rate", "spike", "dip")


def _compiled(c: Checked) -> dict[int, Fn]:
    """id(node) -> closure for every node of `c` (built on first use)."""
    fns = c.__dict__.get("_fns")
    if fns is None:
        fns = {}
        _compile(c.tree, c, fns)
        c.__dict__["_fns"] = fns
    return fns


def prepare(c: Checked) -> None:
    """Compile `c` now (closures, windowed nodes), not on its first pass over data."""
    _compiled(c)
    _agg_nodes(c)


def has_stateful(node: Node) -> bool:
    """Whether `node` calls a function that keeps state between passes (lag, rate, spike...)."""
    return any(isinstance(n, Call) and n.func in STATEFUL for n in walk(node))


def _compile(node: Node, c: Checked, fns: dict[int, Fn]) -> Fn:
    key = id(node)
    got = fns.get(key)
    if got is not None:
        return got
    f: Fn
    if isinstance(node, Num):
        value = np.float64(node.value)

        def f(ev: Evaluation) -> Any:
            return value

    elif isinstance(node, Name):
        name = node.id

        def f(ev: Evaluation) -> Any:
            col = ev.cols[name]
            if name not in ev.memo:
                ev.memo[name] = True
                ev._count_nan(name, col)
            return col

    elif isinstance(node, Unary):
        g = _compile(node.operand, c, fns)
        if node.op == "-":

            def f(ev: Evaluation) -> Any:
                return -g(ev)

        elif is_truth(node.operand):

            def f(ev: Evaluation) -> Any:
                return 1.0 - g(ev)

        else:

            def f(ev: Evaluation) -> Any:
                return 1.0 - ev.truth(g(ev))

    elif isinstance(node, Bin):
        f = _compile_bin(node, c, fns)
    else:
        assert isinstance(node, Call)
        f = _compile_call(node, c, fns)
    fns[key] = f
    return f


def _memo(key: int, compute: Fn) -> Fn:
    """`compute`, evaluated at most once per pass."""

    def f(ev: Evaluation) -> Any:
        memo = ev.memo
        r = memo.get(key)
        if r is None:
            r = memo[key] = compute(ev)
        return r

    return f


def _compile_bin(node: Bin, c: Checked, fns: dict[int, Fn]) -> Fn:
    fa = _compile(node.left, c, fns)
    fb = _compile(node.right, c, fns)
    op = node.op
    if op in _CMP:
        ufunc = _CMP[op]

        def compute(ev: Evaluation) -> Any:
            a = fa(ev)
            b = fb(ev)
            if ev.maybe_nan:
                return _cmp(op, a, b)
            return np.asarray(ufunc(a, b), np.float64)

    elif op in ("+", "-", "*"):
        ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]

        def compute(ev: Evaluation) -> Any:
            a = fa(ev)
            b = fb(ev)
            with np.errstate(all="ignore"):
                return ufunc(a, b)

    else:
        ta, tb = is_truth(node.left), is_truth(node.right)

        def compute(ev: Evaluation) -> Any:
            return ev.binary(op, fa(ev), fb(ev), ta, tb)

    return _memo(id(node), compute)


def _compile_call(node: Call, c: Checked, fns: dict[int, Fn]) -> Fn:
    func = node.func
    # aggregates, lag, spike and dip take constants or a window after their first argument
    several = func in ("abs", "min", "max") and id(node) not in c.windows
    args = [_compile(a, c, fns) for a in (node.args if several else node.args[:1])]
    if id(node) in c.windows:

        def compute(ev: Evaluation) -> Any:
            raise TypeError("windowed aggregate outside a windowed evaluation")

    elif func == "abs":
        g = args[0]

        def compute(ev: Evaluation) -> Any:
            return np.abs(g(ev))

    elif func in ("min", "max"):
        red = np.minimum if func == "min" else np.maximum

        def compute(ev: Evaluation) -> Any:
            out = args[0](ev)
            for g in args[1:]:
                out = red(out, g(ev))
            return out

    else:

        def compute(ev: Evaluation) -> Any:
            return ev.call(node, full(args[0](ev), ev.n))

    return _memo(id(node), compute)


class Evaluation:
    """One evaluation pass over a chunk: channel columns, times, and the state it updates."""

    def __init__(
        self,
        checked: Checked,
        state: dict[int, Any],
        t: np.ndarray,
        cols: dict[str, np.ndarray],
        watermark: int,
        nan_counts: dict[str, int] | None = None,
        shared: tuple[dict, dict, dict] | None = None,
        facts: dict[Any, Any] | None = None,
    ) -> None:
        self.c = checked
        # facts of this pass's times, worked out once for every rule of the pass (spacing)
        self.facts = facts
        # (id(aggregate) -> sharing key, key -> window state, key -> this pass's emissions)
        self.shared = shared
        self.nan_counts = nan_counts
        # False while no value of this pass can be NaN: NaN checks are skipped then
        self.maybe_nan = bool(checked.aggregates)  # windowed
        self.state = state
        self.t = t
        self.cols = cols
        self.watermark = watermark
        self.n = t.size
        self.undefined = 0  # values made unknown by division by zero
        self.nan_inputs = 0  # NaN samples read from channels
        self.memo: dict[Any, Any] = {}  # stateful calls are evaluated once per pass
        self.fns = checked.__dict__.get("_fns") or _compiled(checked)

    # -- per-sample (S) evaluation ---------------------------------------------------------
    def s(self, node: Node) -> Any:
        """Value of `node` at every sample time (a scalar for constants)."""
        with np.errstate(all="ignore"):
            return self.value(node)

    def value(self, node: Node) -> Any:
        """`s(node)` without its own floating-point error state (the caller set one)."""
        fn = self.fns.get(id(node))
        if fn is None:  # a node from outside the checked tree (tests, tools)
            fn = _compile(node, self.c, self.fns)
        return fn(self)

    def spacing(self) -> int:
        """The common gap of this pass's times when evenly spaced and increasing, else 0."""
        facts = self.facts
        if facts is None:
            return spacing_of(self.t)
        got = facts.get("spacing")
        if got is None:
            got = facts["spacing"] = spacing_of(self.t)
        return got

    def _count_nan(self, name: str, col: np.ndarray) -> None:
        """Count a channel's NaN samples once per pass."""
        if self.nan_counts is not None and name in self.nan_counts:
            k = self.nan_counts[name]
        else:
            k = int(np.count_nonzero(np.isnan(col)))
        if k:
            self.nan_inputs += k
            self.maybe_nan = True

    def binary(self, op: str, a: Any, b: Any, truth_a: bool = False, truth_b: bool = False) -> Any:
        """Apply an operator to two values (arrays or scalars); truth_*: already 1/0/NaN."""
        if op in ("and", "or"):
            ta = a if truth_a else self.truth(a)
            tb = b if truth_b else self.truth(b)
            if not self.maybe_nan:
                return np.minimum(ta, tb) if op == "and" else np.maximum(ta, tb)
            # Kleene logic: false and unknown = false, true or unknown = true
            r = np.minimum(ta, tb) if op == "and" else np.maximum(ta, tb)
            unknown = np.isnan(r)
            if np.count_nonzero(unknown):
                dominant = 0.0 if op == "and" else 1.0
                decided = (ta == dominant) | (tb == dominant)
                r = np.where(unknown & decided, dominant, r)
            return r
        if op in ("<", "<=", ">", ">=", "==", "!="):
            if not self.maybe_nan:
                return np.asarray(_CMP[op](a, b), np.float64)
            return _cmp(op, a, b)
        with np.errstate(all="ignore"):
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "**":
                self.maybe_nan = True
                r = np.power(np.asarray(a, np.float64), b)
                return np.where(np.isfinite(r) | np.isnan(a), r, NAN)
            zero = np.asarray(b) == 0
            if np.count_nonzero(zero):
                self.maybe_nan = True
                self.undefined += int(np.count_nonzero(np.broadcast_to(zero, np.shape(a + b))))
                b = np.where(zero, NAN, b)
            return a / b if op == "/" else np.fmod(a, b)

    def call(self, node: Call, x: np.ndarray) -> Any:
        """Value of a stateful call (lag, delta, rate, spike, dip) of `x` at every sample time."""
        f = node.func
        st = self.state.get(id(node))
        if st is None:
            st = self.state[id(node)] = {}
        if f == "lag":
            r = self.lag(st, x, int(self.c.params[id(node)][0]))
            if np.count_nonzero(np.isnan(r)):  # the first n samples, or NaN inputs carried
                self.maybe_nan = True
            return r
        if f in ("delta", "rate"):
            if not x.size:
                return x
            dx = np.empty(x.size)
            px = st.get("px", NAN)
            if px != px:  # unknown before the first sample (or after a NaN one)
                self.maybe_nan = True
            dx[0] = x[0] - px
            np.subtract(x[1:], x[:-1], out=dx[1:])
            st["px"] = float(x[-1])
            if f == "delta":
                return dx
            t = self.t
            step = self.spacing()
            if step:  # every gap after the first is `step`: divide by it as a scalar
                return self._rate_spaced(st, dx, step)
            dt = np.empty(t.size, np.int64)
            prev_t = st.get("pt")
            dt[0] = t[0] - prev_t if prev_t is not None else 0
            np.subtract(t[1:], t[:-1], out=dt[1:])
            st["pt"] = int(t[-1])
            with np.errstate(all="ignore"):
                r = dx / dt * 1e9
            bad = dt <= 0
            if np.count_nonzero(bad):
                r[bad] = NAN
                self.maybe_nan = True
            return r
        conf, hist = self.c.params[id(node)]
        arg, counts = node.args[0], self.nan_counts
        # a channel read as it is, whose NaNs the engine counted already: none to look for
        clean = isinstance(arg, Name) and counts is not None and counts.get(arg.id) == 0
        return self.anomaly(st, x, conf, int(hist), f == "spike", clean)

    def _rate_spaced(self, st: dict, dx: np.ndarray, step: int) -> np.ndarray:
        """rate over evenly spaced times: the values of `dx / dt * 1e9` with dt = step after
        the first sample, in place over dx (the first gap is the one from the last pass)."""
        t = self.t
        prev_t = st.get("pt")
        dt0 = int(t[0]) - prev_t if prev_t is not None else 0
        st["pt"] = int(t[-1])
        first = float(dx[0])
        np.divide(dx, step, out=dx)
        dx *= 1e9
        if dt0 > 0:
            dx[0] = first / dt0 * 1e9
        else:
            dx[0] = NAN
            self.maybe_nan = True
        return dx

    def truth(self, x: Any) -> np.ndarray:
        """`truth(x)`, without NaN handling while no value can be NaN."""
        if self.maybe_nan:
            return truth(x)
        return np.asarray(np.asarray(x) != 0, np.float64)

    def lag(self, st: dict, x: np.ndarray, n: int) -> np.ndarray:
        """x delayed by n samples, carried across chunks (NaN before the first n)."""
        hist = st.get("hist")
        if hist is None:
            hist = np.full(n, NAN)
        buf = np.concatenate([hist, x])
        st["hist"] = buf[-n:].copy()
        return buf[: x.size]

    def anomaly(
        self, st: dict, x: np.ndarray, conf: float, hist: int, up: bool, x_clean: bool = False
    ) -> np.ndarray:
        """1 where x lies outside mean +/- z*std of the previous `hist` samples (one-sided).

        x_clean: x is known to hold no NaN.
        """
        prev = st.get("hist", _NO_HISTORY)
        p, n = prev.size, x.size
        buf = np.empty(p + n)
        buf[:p] = prev
        buf[p:] = x
        st["hist"] = buf[-hist:].copy()
        z = st.get("z")
        if z is None:
            z = st["z"] = NormalDist().inv_cdf(conf / 100.0)
        # the history was checked when it was kept: only the new samples can bring a NaN in
        clean = p >= hist and st.get("clean", False) and (x_clean or not np.isnan(x).any())
        st["clean"] = clean or not np.isnan(st["hist"]).any()
        if clean:
            # steady state: every sample has a full history; running sums by slices, both
            # rows accumulated in one call (the same additions, in the same order, as cumsum)
            c = np.empty((2, p + n + 1))
            c[:, 0] = 0.0
            y = np.subtract(buf, buf[0], out=c[0, 1:])
            np.multiply(y, y, out=c[1, 1:])
            dev = x - buf[0]  # y[p:], before the accumulation overwrites y
            np.add.accumulate(c[:, 1:], axis=1, out=c[:, 1:])
            s1, s2 = c[:, p : p + n] - c[:, p - hist : p - hist + n]
            mean = s1 / hist
            std = s1 * mean
            np.subtract(s2, std, out=std)
            std /= hist - 1
            np.maximum(std, 0.0, out=std)
            np.sqrt(std, out=std)
            dev -= mean
            out = mean  # reused for the flags: 1.0 / 0.0 as (dev > std).astype(float)
            if up:
                std *= z
                return np.greater(dev, std, out=out)
            std *= -z
            return np.less(dev, std, out=out)
        ok = np.isfinite(buf)
        ref = float(buf[ok][0]) if ok.any() else 0.0
        y = np.where(ok, buf - ref, 0.0)
        c1 = cat(0.0, np.cumsum(y))
        c2 = cat(0.0, np.cumsum(y * y))
        cn = cat(0, np.cumsum(ok))
        j = np.arange(prev.size, buf.size)
        lo = np.maximum(j - hist, 0)
        cnt = cn[j] - cn[lo]
        with np.errstate(all="ignore"):
            mean = (c1[j] - c1[lo]) / cnt
            var = ((c2[j] - c2[lo]) - cnt * mean * mean) / np.maximum(cnt - 1, 1)
            std = np.sqrt(np.maximum(var, 0.0))
        val = buf[j] - ref
        flag = val > mean + z * std if up else val < mean - z * std
        r = np.where(cnt >= 2, flag, 0.0).astype(np.float64)
        return np.where(np.isnan(x), NAN, r)

    # -- windowed (E) evaluation -----------------------------------------------------------
    def emissions(self, defer: bool = False) -> dict[int, tuple[np.ndarray, Any]]:
        """Feed every windowed aggregate and return what each emitted in this pass.

        defer: values may come back as a sliding.Deferred (bounds now, values when asked for).
        """
        out: dict[int, tuple[np.ndarray, Any]] = {}
        shared = self.shared
        for node in self.c.aggregates:
            key = id(node)
            x = full(self.value(node.args[0]), self.n)  # always read: it counts NaN inputs
            skey = shared[0].get(key) if shared is not None else None
            if skey is not None:
                assert shared is not None
                got = shared[2].get(skey)
                if got is None:
                    win = shared[1].get(skey)
                    if win is None:
                        win = shared[1][skey] = self._window(node)
                    got = shared[2][skey] = self._update(win, node, x, defer)
                elif not defer and not isinstance(got[1], np.ndarray):  # deferred by another
                    got = shared[2][skey] = (got[0], got[1].values())
                out[key] = got
                continue
            win = self.state.get(key)
            if win is None:
                win = self.state[key] = self._window(node)
            out[key] = self._update(win, node, x, defer)
        return out

    def _update(self, win: Any, node: Call, x: np.ndarray, defer: bool) -> tuple:
        """Feed a window state this pass's values of its aggregate, with what is known of them."""
        if win.wants_spacing:
            win.spacing_hint = self.spacing()
        if not win.can_defer:
            return win.update(self.t, x, self.watermark)
        arg, facts = node.args[0], self.facts
        if isinstance(arg, Name) and facts is not None and "ranges" in facts:
            win.range_hint = facts["ranges"].get(arg.id)  # a channel read as it is
        return win.update(self.t, x, self.watermark, defer)

    def _window(self, node: Call) -> Any:
        key = id(node)
        p = self.c.params.get(key, (50.0,))[0]
        return make_window(self.c.windows[key], node.func, p)

    def e(self, node: Node, te: np.ndarray, em: dict[int, tuple[np.ndarray, np.ndarray]]) -> Any:
        """Value of `node` at the evaluation times `te` of a windowed expression."""
        key = id(node)
        if key in em:
            return self._asof(("w", key), *em[key], te)
        if key not in _agg_nodes(self.c):
            if isinstance(node, Num):
                return np.float64(node.value)
            vals = full(self.value(node), self.n)
            return self._asof(("s", key), self.t, vals, te)
        if isinstance(node, Unary):
            x = self.e(node.operand, te, em)
            if node.op == "-":
                return -x
            return 1.0 - (x if is_truth(node.operand) else truth(x))
        if isinstance(node, Bin):
            return self.binary(
                node.op,
                self.e(node.left, te, em),
                self.e(node.right, te, em),
                is_truth(node.left),
                is_truth(node.right),
            )
        assert isinstance(node, Call)
        if node.func == "abs":
            return np.abs(self.e(node.args[0], te, em))
        if node.func in ("min", "max"):
            vals = [self.e(a, te, em) for a in node.args]
            out = vals[0]
            for v in vals[1:]:
                out = np.minimum(out, v) if node.func == "min" else np.maximum(out, v)
            return out
        raise TypeError(f"{node.func}() of a windowed aggregate is not supported")

    def _asof(self, key: tuple, t: np.ndarray, v: np.ndarray, te: np.ndarray) -> np.ndarray:
        """Values of the series (t, v) as of each time in te, carrying the last across chunks."""
        st = self.state.setdefault(key, {})
        if t is te:  # evaluated exactly where this series is defined
            if v.size:
                st["last"] = float(v[-1])
            return v
        carry = st.get("last", NAN)
        idx = np.searchsorted(t, te, "right") - 1
        out = np.where(idx >= 0, v[np.maximum(idx, 0)] if v.size else carry, carry)
        if v.size:
            st["last"] = float(v[-1])
        return out


def spacing_of(t: np.ndarray) -> int:
    """The common gap of times `t` when there are two or more, evenly spaced, increasing; else 0."""
    n = t.size
    if n < 2:
        return 0
    first = int(t[0])
    step = int(t[1]) - first
    if step <= 0 or int(t[-1]) - first != (n - 1) * step:
        return 0
    if n > 2 and int(np.subtract(t[1:], t[:-1]).max()) != step:  # no gap above: all are step
        return 0
    return step


def _agg_nodes(c: Checked) -> set[int]:
    """ids of the nodes of `c` that hold a windowed aggregate (built on first use)."""
    got = c.__dict__.get("_agg_nodes")
    if got is None:
        got = c.__dict__["_agg_nodes"] = set()

        def visit(node: Node) -> bool:
            kids: tuple[Node, ...] = ()
            if isinstance(node, Unary):
                kids = (node.operand,)
            elif isinstance(node, Bin):
                kids = (node.left, node.right)
            elif isinstance(node, Call):
                kids = node.args
            inner = [visit(k) for k in kids]  # every child is visited
            if id(node) in c.windows or any(inner):
                got.add(id(node))
                return True
            return False

        visit(c.tree)
    return got


def primary(node: Node) -> Node:
    """The operand reported as an alarm's value: the left side of the first comparison."""
    if isinstance(node, Bin):
        if node.op in ("<", "<=", ">", ">=", "==", "!="):
            return node.left
        if node.op in ("and", "or"):
            return primary(node.left)
    if isinstance(node, Unary) and node.op == "not":
        return primary(node.operand)
    return node
