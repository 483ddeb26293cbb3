"""Stream Analytics windows over event time, incremental and vectorised over whole chunks.

Windows are `(start, end]`, labelled by their end, aligned to absolute time (multiples of the hop
from the epoch), and an empty window emits nothing. A window closes (emits) once the watermark
has passed its end (`end < watermark`); samples reach a window state already ordered, and no
sample older than the watermark arrives later (the orderer drops or adjusts those).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AGGREGATES = ("avg", "min", "max", "sum", "count", "stdev", "percentile")
WINDOW_KINDS = ("tumbling", "hopping", "sliding", "session")
INF_NS = np.iinfo(np.int64).max

_EMPTY_T = np.empty(0, np.int64)


def append1(arr: np.ndarray, last: object) -> np.ndarray:
    """`arr` with one value after it: a cheap np.append."""
    out = np.empty(arr.size + 1, np.result_type(arr.dtype, np.asarray(last).dtype))
    out[:-1] = arr
    out[-1] = last
    return out


def cat(first: object, arr: np.ndarray, last: object = None) -> np.ndarray:
    """`arr` with one value before it (and optionally one after): a cheap np.r_."""
    n = arr.size + 1 + (last is not None)
    out = np.empty(n, np.result_type(arr.dtype, np.asarray(first).dtype))
    out[0] = first
    out[1 : 1 + arr.size] = arr
    if last is not None:
        out[-1] = last
    return out


_EMPTY_V = np.empty(0, np.float64)


def distinct_sorted(arr: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (np.unique without its sort or lazy imports)."""
    if arr.size < 2:
        return arr
    return arr[append1(arr[1:] != arr[:-1], True)]


@dataclass(frozen=True)
class WindowSpec:
    """A window: kind, size and hop in ns (session: size = timeout, hop = maximum duration)."""

    kind: str
    size: int
    hop: int

    @staticmethod
    def tumbling(size: int) -> WindowSpec:
        """`TumblingWindow(size)`."""
        return WindowSpec("tumbling", size, size)

    @staticmethod
    def hopping(size: int, hop: int) -> WindowSpec:
        """`HoppingWindow(size, hop)`."""
        return WindowSpec("hopping", size, hop)

    @staticmethod
    def sliding(size: int) -> WindowSpec:
        """`SlidingWindow(size)`."""
        return WindowSpec("sliding", size, 0)

    @staticmethod
    def session(timeout: int, max_duration: int) -> WindowSpec:
        """`SessionWindow(timeout, maximum duration)`."""
        return WindowSpec("session", timeout, max_duration)


def _finish(agg: str, n: np.ndarray, s: np.ndarray, ss: np.ndarray, mn, mx, ref: float):
    """Turn count/sum/sum-of-squares/min/max (sums of values minus `ref`) into the aggregate."""
    n = n.astype(np.float64)
    if agg == "count":
        return n
    if agg == "sum":
        return s + ref * n
    if agg == "avg":
        return s / n + ref
    if agg == "min":
        return mn
    if agg == "max":
        return mx
    if agg == "stdev":  # sample standard deviation; undefined (NaN) for a single value, as SQL
        var = (ss - s * s / n) / np.maximum(n - 1.0, 1.0)
        return np.where(n > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
    raise ValueError(agg)


def _finish_full(agg: str, m: int, s: np.ndarray, ss: np.ndarray, ref: float) -> np.ndarray:
    """_finish for windows that all hold m samples, in place over s (the same float operations)."""
    if agg == "sum":
        s += ref * float(m)
    elif agg == "avg":
        s /= float(m)
        s += ref
    elif agg == "stdev":
        if m < 2:
            s.fill(np.nan)
            return s
        np.multiply(s, s, out=s)
        s /= float(m)
        np.subtract(ss, s, out=s)
        s /= float(m) - 1.0
        np.maximum(s, 0.0, out=s)
        np.sqrt(s, out=s)
    else:
        raise ValueError(agg)
    return s


def _merge_m2(n1: int, s1: float, m1: float, n2: int, s2: float, m2: float) -> float:
    """Centred sum of squares of two merged groups (Chan et al.)."""
    if n1 == 0 or n2 == 0:
        return m1 + m2
    d = s2 / n2 - s1 / n1
    return m1 + m2 + d * d * n1 * n2 / (n1 + n2)


def _min(a: float, b: float) -> float:
    """min() that returns NaN when either is NaN, as np.minimum (Python's depends on order)."""
    return a if a <= b or a != a else b


def _max(a: float, b: float) -> float:
    """max() that returns NaN when either is NaN, as np.maximum."""
    return a if a >= b or a != a else b


class WindowState:
    """Base of the incremental window states: feed ordered samples, get emissions back."""

    # a state that uses the spacing of the times (sliding) takes it from the caller, who may
    # know it already: `spacing_hint` before `update` (the common gap, 0 for uneven; -1 unknown)
    wants_spacing = False
    can_defer = False  # update(..., defer=True) may hand back values as a sliding.Deferred

    def __init__(self, spec: WindowSpec, agg: str, p: float = 50.0) -> None:
        if agg not in AGGREGATES:
            raise ValueError(f"unknown aggregate {agg!r}")
        self.spec = spec
        self.agg = agg
        self.p = p
        self.ref: float | None = None

    def _ref_of(self, v: np.ndarray) -> float:
        """The offset values are stored relative to: the first finite value ever seen."""
        if self.ref is None:
            finite = v[np.isfinite(v)]
            self.ref = float(finite[0]) if finite.size else 0.0
        return self.ref

    def _shift(self, v: np.ndarray) -> np.ndarray:
        if self.ref is None and v.size:
            self._ref_of(v)
        return v - (self.ref or 0.0)

    def update(self, t: np.ndarray, v: np.ndarray, watermark: int) -> tuple[np.ndarray, np.ndarray]:
        """Add ordered samples (t in ns) and return (end times, values) of windows now emitted."""
        raise NotImplementedError


# --- tumbling and hopping: panes of gcd(size, hop) ------------------------------------------


def make_window(spec: WindowSpec, agg: str, p: float = 50.0) -> WindowState:
    """The incremental state for an aggregate over a window."""
    if spec.kind in ("tumbling", "hopping"):
        from twinbench.rules.panes import PaneWindow

        return PaneWindow(spec, agg, p)
    if spec.kind == "sliding":
        from twinbench.rules.sliding import SlidingWindow

        return SlidingWindow(spec, agg, p)
    if spec.kind == "session":
        from twinbench.rules.sessions import SessionWindow

        return SessionWindow(spec, agg, p)
    raise ValueError(f"unknown window kind {spec.kind!r}")


def aggregate(
    spec: WindowSpec, agg: str, t_ns: np.ndarray, v: np.ndarray, p: float = 50.0
) -> tuple[np.ndarray, np.ndarray]:
    """Every window of a finished, ordered series: (end times in ns, values)."""
    st = make_window(spec, agg, p)
    t = np.asarray(t_ns, np.int64)
    a_t, a_v = st.update(t, np.asarray(v, np.float64), int(t[-1]) if t.size else -INF_NS)
    b_t, b_v = st.update(_EMPTY_T, _EMPTY_V, INF_NS)
    return np.concatenate([a_t, b_t]), np.concatenate([a_v, b_v])
