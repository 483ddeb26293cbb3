"""Stream Analytics windows over event time, incremental and vectorised over whole chunks.

Windows are `(start, end]`, labelled by their end, aligned to absolute time (multiples of the hop
from the epoch), and an empty window emits nothing. A window closes (emits) once the watermark
has passed its end (`end < watermark`); samples reach a window state already ordered, and no
sample older than the watermark arrives later (the orderer drops or adjusts those).
"""

from __future__ import annotations

import functools
import math
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


class PaneWindow(WindowState):
    """Tumbling and hopping windows built from partial aggregates over aligned panes."""

    def __init__(self, spec: WindowSpec, agg: str, p: float = 50.0) -> None:
        super().__init__(spec, agg, p)
        self.pane = math.gcd(spec.size, spec.hop)
        self.per_window = spec.size // self.pane
        self.hop_panes = spec.hop // self.pane
        # pane id -> [count, sum, sumsq, min, max, [value arrays] or None]
        self.panes: dict[int, list] = {}
        self.emitted_until = -INF_NS  # every window ending at or before this has been emitted
        self.next_end = INF_NS  # a lower bound on the end of any window still to emit
        self._scratch = _EMPTY_V

    def update(self, t: np.ndarray, v: np.ndarray, watermark: int) -> tuple[np.ndarray, np.ndarray]:
        """Fold samples into panes and emit the non-empty windows that closed."""
        if t.size:
            # pane k holds ((k-1)*pane, k*pane]; t is sorted, so split at the pane edges
            p0 = -(-int(t[0]) // self.pane)
            p1 = -(-int(t[-1]) // self.pane)
            if p0 == p1 and self.agg != "percentile":
                self._fold_one(p0, v)
                if watermark <= self.next_end:  # cheap test: nothing can close yet
                    return _EMPTY_T, _EMPTY_V
                return self._close(watermark)
            if p1 - p0 <= 8 and self.agg != "percentile":  # a few panes: fold piece by piece
                if self.agg != "count":
                    self._ref_of(v)  # from the whole chunk, as below
                a, pane = 0, self.pane
                for k in range(p0, p1):
                    b = int(t.searchsorted(k * pane, "right"))
                    if b > a:
                        self._fold_one(k, v[a:b])
                        a = b
                self._fold_one(p1, v[a:])  # not empty: t[-1] lies in pane p1
                return self._close(watermark)
            x = self._shift(np.asarray(v, np.float64))
            if p0 == p1:
                starts = np.zeros(1, np.int64)
            else:
                edges = np.arange(p0, p1, dtype=np.int64) * self.pane
                starts = cat(0, np.searchsorted(t, edges, "right"))
                starts = starts[append1(starts[1:] != starts[:-1], True)]
            counts = np.diff(append1(starts, t.size))
            pids = -(-t[starts] // self.pane)
            agg = self.agg
            need_sum = agg in ("avg", "sum", "stdev")
            sums = np.add.reduceat(x, starts) if need_sum else np.zeros(starts.size)
            if agg == "stdev":  # centred sums of squares per pane (no cancellation)
                dev = x - np.repeat(sums / counts, counts)
                sqs = np.add.reduceat(dev * dev, starts)
            else:
                sqs = sums
            mins = np.minimum.reduceat(x, starts) if agg == "min" else sums
            maxs = np.maximum.reduceat(x, starts) if agg == "max" else sums
            keep = agg == "percentile"
            for j, k in enumerate(pids.tolist()):
                acc = self.panes.get(k)
                vals = x[starts[j] : starts[j] + counts[j]] if keep else None
                if acc is None:
                    self.panes[k] = [
                        int(counts[j]),
                        float(sums[j]),
                        float(sqs[j]),
                        float(mins[j]),
                        float(maxs[j]),
                        [vals] if keep else None,
                    ]
                else:
                    acc[2] = _merge_m2(
                        acc[0], acc[1], acc[2], int(counts[j]), float(sums[j]), float(sqs[j])
                    )
                    acc[0] += int(counts[j])
                    acc[1] += float(sums[j])
                    acc[3] = _min(acc[3], float(mins[j]))
                    acc[4] = _max(acc[4], float(maxs[j]))
                    if keep:
                        acc[5].append(vals)
        return self._close(watermark)

    def _fold_one(self, k: int, v: np.ndarray) -> None:
        """Fold samples that all fall in pane k (the common case of a chunk inside a pane)."""
        agg = self.agg
        n = v.size
        if agg == "count":
            s = sq = mn = mx = 0.0
        elif agg == "min":  # v - ref rounds monotonically: min(v - ref) == min(v) - ref
            s = sq = mx = 0.0
            mn = float(v.min()) - self._ref_of(v)
        elif agg == "max":
            s = sq = mn = 0.0
            mx = float(v.max()) - self._ref_of(v)
        else:
            if self._scratch.size < n:
                self._scratch = np.empty(2 * n)
            x = np.subtract(v, self._ref_of(v), out=self._scratch[:n])
            s = float(x.sum())
            if agg == "stdev":
                dev = np.subtract(x, s / n, out=x)
                sq = float(np.dot(dev, dev))
            else:
                sq = s
            mn = mx = s
        acc = self.panes.get(k)
        if acc is None:
            self.panes[k] = [n, s, sq, mn, mx, None]
            # the earliest window end covering pane k: nothing closes before the watermark passes
            first = -(-k * self.pane // self.spec.hop) * self.spec.hop
            if first < self.next_end:
                self.next_end = first
        else:
            acc[2] = _merge_m2(acc[0], acc[1], acc[2], n, s, sq)
            acc[0] += n
            acc[1] += s
            acc[3] = _min(acc[3], mn)
            acc[4] = _max(acc[4], mx)

    def _close(self, watermark: int) -> tuple[np.ndarray, np.ndarray]:
        if self._bound() >= watermark:
            return _EMPTY_T, _EMPTY_V  # no window can have closed yet
        pane, hop = self.pane, self.spec.hop
        ends: set[int] = set()
        for k in self.panes:
            first_end = k * pane  # the earliest window end that covers pane k
            first = -(-first_end // hop) * hop
            last = k * pane + self.spec.size - pane
            e = first
            while e <= last:
                if self.emitted_until < e < watermark:
                    ends.add(e)
                e += hop
        out_t: list[int] = []
        out_v: list[float] = []
        for e in sorted(ends):
            kk = e // pane
            accs = [
                self.panes[j] for j in range(kk - self.per_window + 1, kk + 1) if j in self.panes
            ]
            if not accs:
                continue
            out_t.append(e)
            out_v.append(self._value(accs))
        if ends:
            self.emitted_until = max(self.emitted_until, max(ends))
        if watermark < INF_NS:
            # a pane is done once every window covering it has closed
            done = [k for k in self.panes if k * pane + self.spec.size - pane < watermark]
        else:
            done = list(self.panes)
        for k in done:
            del self.panes[k]
        self._bound()
        return np.asarray(out_t, np.int64), np.asarray(out_v, np.float64)

    def _bound(self) -> int:
        """Set and return `next_end`: no window ending before it can still emit."""
        if not self.panes:
            self.next_end = INF_NS
        else:
            hop = self.spec.hop
            # window ends are multiples of the hop, after emitted_until, and cover a pane
            first_end = -(-min(self.panes) * self.pane // hop) * hop
            self.next_end = max(first_end, self.emitted_until + hop)
        return self.next_end

    def _value(self, accs: list[list]) -> float:
        ref = self.ref or 0.0
        if self.agg == "percentile":
            vals = np.concatenate([a for acc in accs for a in acc[5]])
            return float(np.percentile(vals, self.p)) + ref
        agg = self.agg
        if agg == "min":
            return functools.reduce(_min, [a[3] for a in accs]) + ref
        if agg == "max":
            return functools.reduce(_max, [a[4] for a in accs]) + ref
        n = sum(a[0] for a in accs)
        if agg == "count":
            return float(n)
        if agg != "stdev":  # the same float operations as _finish
            s = accs[0][1]
            for a in accs[1:]:
                s += a[1]
            return s + ref * float(n) if agg == "sum" else s / float(n) + ref
        n, s, m2 = accs[0][0], accs[0][1], accs[0][2]
        for a in accs[1:]:
            m2 = _merge_m2(n, s, m2, a[0], a[1], a[2])
            n, s = n + a[0], s + a[1]
        return math.sqrt(max(m2, 0.0) / (n - 1)) if n > 1 else float("nan")


# --- sliding: a two-stack buffer answers every (t - size, t] query in bulk ------------------


class _TwoStack:
    """Range reductions over a growing array with monotone queries, amortised O(1) each.

    Indices below the flip point `f` hold the reduction from i up to `f` (suffixes); indices from
    `f` hold the reduction from `f` up to i (prefixes). Queries whose start passes `f` flip it.
    """

    def __init__(self, op: np.ufunc, cap: int = 1024) -> None:
        self.op = op
        self.col = np.empty(cap)
        self.agg = np.empty(cap)
        self.f = 0
        self.valid = 0  # prefixes are computed for [f, valid)

    def _ensure(self, upto: int) -> None:
        lo = self.valid
        if upto <= lo:
            return
        agg = self.agg
        if lo > self.f:  # carry the running prefix on, in place
            agg[lo:upto] = self.col[lo:upto]
            self.op.accumulate(agg[lo - 1 : upto], out=agg[lo - 1 : upto])
        else:
            self.op.accumulate(self.col[lo:upto], out=agg[lo:upto])
        self.valid = upto

    def _flip(self, new_f: int) -> None:
        f = self.f
        if new_f > f:
            self.op.accumulate(self.col[f:new_f][::-1], out=self.agg[f:new_f][::-1])
        self.f = new_f
        self.valid = new_f

    def query(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Reduce col[lo:hi] for each pair; pairs sorted by lo and by hi, lo < hi."""
        out = np.empty(lo.size)
        i = 0
        while i < lo.size:
            if lo[i] >= self.f:
                self._flip(int(hi[i]))
            j = int(lo.searchsorted(self.f, "left"))
            seg_lo, seg_hi = lo[i:j], hi[i:j]
            self._ensure(int(seg_hi[-1]))
            front = self.agg[seg_lo]
            back = self.agg[np.maximum(seg_hi - 1, 0)]
            out[i:j] = np.where(seg_hi > self.f, self.op(front, back), front)
            i = j
        return out

    def query_run(self, lo0: int, hi0: int, k: int, out: np.ndarray) -> None:
        """Reduce col[lo0 + i : hi0 + i] into out[i] for i < k (windows of one length)."""
        agg, op = self.agg, self.op
        i = 0
        while i < k:
            if lo0 + i >= self.f:
                self._flip(hi0 + i)
            f = self.f
            j = min(k, f - lo0)  # queries i..j-1 start before f
            self._ensure(hi0 + j - 1)
            a = i
            if hi0 + i == f:  # only the first can end at f: the suffix alone
                out[i] = agg[lo0 + i]
                a = i + 1
            if a < j:
                op(agg[lo0 + a : lo0 + j], agg[hi0 + a - 1 : hi0 + j - 1], out=out[a:j])
            i = j


class SlidingWindow(WindowState):
    """Sliding windows: emit at each event and where an event leaves, if the window is not empty."""

    def __init__(self, spec: WindowSpec, agg: str, p: float = 50.0) -> None:
        super().__init__(spec, agg, p)
        if agg == "percentile":
            raise ValueError("percentile over a sliding window is not supported")
        self.t = np.empty(1024, np.int64)
        self.n = 0
        self.head = 0
        ops = {"min": [np.minimum], "max": [np.maximum], "count": [], "stdev": [np.add, np.add]}
        self.stacks = [_TwoStack(op) for op in ops.get(agg, [np.add])]
        self.watermark = -INF_NS
        # t[reg_from:n] is evenly spaced by reg_step (0: not known yet, fewer than two samples)
        self.reg_from = 0
        self.reg_step = 0
        self._gaps = _EMPTY_T

    def _append(self, t: np.ndarray, v: np.ndarray) -> None:
        k = t.size
        if self.n + k > self.t.size:
            self._compact(k)
        n0 = self.n
        self.t[n0 : n0 + k] = t
        self._track_spacing(n0, k)
        if self.stacks:
            c0 = self.stacks[0].col[n0 : n0 + k]
            np.subtract(v, self._ref_of(v), out=c0)
            if self.agg == "stdev":
                np.multiply(c0, c0, out=self.stacks[1].col[n0 : n0 + k])
        self.n = n0 + k

    def _compact(self, k: int) -> None:
        """Drop what no query needs any more; reuse the buffers unless they are too small."""
        base = min(self.head, *(s.f for s in self.stacks)) if self.stacks else self.head
        live = self.n - base
        cap = self.t.size
        if 2 * (live + k) > cap:  # grow: fresh buffers
            cap = max(1024, 4 * (live + k))

            def move(arr: np.ndarray) -> np.ndarray:
                out = np.empty(cap, arr.dtype)
                out[:live] = arr[base : base + live]
                return out
        else:  # in place: base >= live + k, so the two ranges do not overlap

            def move(arr: np.ndarray) -> np.ndarray:
                arr[:live] = arr[base : base + live]
                return arr

        self.t = move(self.t)
        for s in self.stacks:
            s.col = move(s.col)
            s.agg = move(s.agg)
            s.f -= base
            s.valid -= base
        self.head -= base
        self.reg_from = max(self.reg_from - base, 0)
        self.n = live

    def _track_spacing(self, n0: int, k: int) -> None:
        """Keep `t[reg_from:n]` evenly spaced by `reg_step` once t[n0:n0 + k] is written."""
        tb = self.t
        first, last = int(tb[n0]), int(tb[n0 + k - 1])
        step = int(tb[n0 + 1]) - first if k > 1 else 0
        if k > 2:  # every gap is `step` iff the gaps add up and none is larger
            if self._gaps.size < k:
                self._gaps = np.empty(2 * k, np.int64)
            gaps = np.subtract(tb[n0 + 1 : n0 + k], tb[n0 : n0 + k - 1], out=self._gaps[: k - 1])
            even = last - first == (k - 1) * step and int(gaps.max()) == step
        else:
            even = True
        if even and n0 > self.reg_from:  # does the chunk carry the run before it on?
            join = first - int(tb[n0 - 1])
            want = self.reg_step or join
            if want > 0 and join == want and (k == 1 or step == want):
                self.reg_step = want
                return
        if even and (k == 1 or step > 0):
            self.reg_from, self.reg_step = n0, step
        else:
            self.reg_from, self.reg_step = n0 + k, 0

    def _update_regular(self, k: int, watermark: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The common case in O(1) searches: evenly spaced new samples, exits all on events."""
        step = self.reg_step
        start = self.n - k
        if not k or not step or self.reg_from > start:
            return None
        size = self.spec.size
        m = -(-size // step)  # samples in every full window
        lo0 = start + 1 - m
        if lo0 - 1 < self.reg_from:
            return None
        tb = self.t
        n = self.n
        # exits the watermark passed: each must sit on an event (then it emits nothing new)
        if watermark >= INF_NS:
            return None
        # _trim left head at the first exit not yet closed (t >= old watermark - size)
        k0 = self.head
        k1 = int(tb[:n].searchsorted(watermark - size, "left")) if watermark > -INF_NS else 0
        if k1 > k0 and (
            size % step or k0 < self.reg_from or int(tb[k1 - 1]) + size > int(tb[n - 1])
        ):
            return None
        self.watermark = watermark
        times = tb[start:n].copy()  # the buffer is reused
        agg = self.agg
        ref = self.ref or 0.0
        if agg == "count":
            vals = np.full(k, float(m))
        elif agg in ("min", "max"):
            vals = np.empty(k)
            self.stacks[0].query_run(lo0, start + 1, k, vals)
            vals += ref
        else:
            s = np.empty(k)
            self.stacks[0].query_run(lo0, start + 1, k, s)
            ss = s
            if agg == "stdev":
                ss = np.empty(k)
                self.stacks[1].query_run(lo0, start + 1, k, ss)
            vals = _finish_full(agg, m, s, ss, ref)
        if k1 > k0:  # what _trim would find
            self.head = k1
        return times, vals

    def update(self, t: np.ndarray, v: np.ndarray, watermark: int) -> tuple[np.ndarray, np.ndarray]:
        """Add samples and emit at their times, and at exits that the watermark has passed."""
        size = self.spec.size
        old_wm = self.watermark
        if t.size:
            self._append(t, v)
            fast = self._update_regular(t.size, watermark)
            if fast is not None:
                return fast
        start = self.n - t.size  # after any compaction
        tb = self.t[: self.n]
        # events: one emission per distinct new time, covering every sample at that time
        new_t = tb[start:]
        if new_t.size:
            same = new_t[1:] == new_t[:-1]
            if not np.count_nonzero(same):  # distinct times (the usual case): one per sample
                times = new_t.copy()  # the buffer is reused
                hi = np.arange(start + 1, self.n + 1, dtype=np.int64)
            else:
                last_of_group = np.flatnonzero(append1(~same, True))
                times = new_t[last_of_group]
                hi = last_of_group + (start + 1)
        else:
            times, hi = _EMPTY_T, _EMPTY_T
        # exits: t_i + size that the watermark has passed (t_i < watermark - size), no event on
        k0 = int(tb.searchsorted(old_wm - size, "left")) if old_wm > -INF_NS else self.head
        k0 = max(k0, self.head)
        if watermark >= INF_NS:
            k1 = tb.size
        else:
            k1 = int(tb.searchsorted(watermark - size, "left")) if watermark > -INF_NS else 0
        x = tb[k0 : max(k0, k1)] + size
        if x.size:
            dup = x[1:] == x[:-1]
            if np.count_nonzero(dup):  # sorted already: drop repeats
                x = x[append1(~dup, True)]
            s0 = int(tb.searchsorted(x[0], "left"))
            m = x.size
            if s0 + m <= tb.size and not np.count_nonzero(tb[s0 : s0 + m] != x):
                x = _EMPTY_T  # regular sampling: every exit sits on an event
        if x.size:
            idx = np.searchsorted(tb[s0:], x, "left") + s0
            off = idx >= tb.size
            on_event = ~off & (tb[np.minimum(idx, tb.size - 1)] == x)
            if np.count_nonzero(on_event):
                x, idx = x[~on_event], idx[~on_event]
            if x.size:  # idx counts the samples at or before x (none sits on it)
                order = np.argsort(np.concatenate([times, x]), kind="stable")
                times = np.concatenate([times, x])[order]
                hi = np.concatenate([hi, idx])[order]
        self.watermark = watermark
        if not times.size:
            self._trim(watermark)
            return _EMPTY_T, _EMPTY_V
        needles = times - size
        b0 = int(tb.searchsorted(needles[0], "right"))
        b1 = int(tb.searchsorted(needles[-1], "right"))  # needles are sorted: none lands past
        lo = np.searchsorted(tb[b0:b1], needles, "right") + b0
        nonempty = hi > lo
        if np.count_nonzero(nonempty) < nonempty.size:
            times, lo, hi = times[nonempty], lo[nonempty], hi[nonempty]
        vals = self._reduce(lo, hi)
        self._trim(watermark)
        return times, vals

    def _reduce(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        if self.agg in ("min", "max") and lo.size:
            return self.stacks[0].query(lo, hi) + (self.ref or 0.0)
        n = (hi - lo).astype(np.float64)
        if self.agg == "count" or not lo.size:
            return n
        ref = self.ref or 0.0
        s = self.stacks[0].query(lo, hi)
        ss = self.stacks[1].query(lo, hi) if self.agg == "stdev" else s
        return _finish(self.agg, n, s, ss, None, None, ref)

    def _trim(self, watermark: int) -> None:
        if watermark >= INF_NS:
            self.head = self.n
            return
        # samples whose exit (t + size) the watermark has passed; an exit at the watermark itself
        # has not closed yet, so its sample stays
        head = int(self.t[: self.n].searchsorted(watermark - self.spec.size, "left"))
        if head > self.head:
            self.head = head


def make_window(spec: WindowSpec, agg: str, p: float = 50.0) -> WindowState:
    """The incremental state for an aggregate over a window."""
    if spec.kind in ("tumbling", "hopping"):
        return PaneWindow(spec, agg, p)
    if spec.kind == "sliding":
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
