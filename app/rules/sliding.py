"""Sliding windows: a two-stack buffer answers every (t - size, t] query in bulk."""

from __future__ import annotations

import numpy as np

from twinbench.rules.windows import (
    _EMPTY_T,
    _EMPTY_V,
    INF_NS,
    WindowSpec,
    WindowState,
    _finish,
    _finish_full,
    append1,
)


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
