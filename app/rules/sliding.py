"""Sliding windows: fixed-size blocks of prefix and suffix reductions answer every (t - size, t]
query in bulk, at a cost per chunk that does not grow with the window."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from twinbench.rules import blocks
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

EST_MAX = 1 << 24  # samples: a window's first estimate reserves at most this much


class SlidingWindow(WindowState):
    """Sliding windows: emit at each event and where an event leaves, if the window is not empty."""

    wants_spacing = True

    def __init__(self, spec: WindowSpec, agg: str, p: float = 50.0) -> None:
        super().__init__(spec, agg, p)
        if agg == "percentile":
            raise ValueError("percentile over a sliding window is not supported")
        # times live in a ring of `cap`, written twice (at i % cap and i % cap + cap) so that any
        # `cap` consecutive samples are one slice: `t` is the view from global sample `o` on, and
        # every index kept here (n, head, reg_from) counts from `o`
        self.cap = blocks.BLOCK
        self._tring = np.empty(2 * blocks.BLOCK, np.int64)
        self.o = 0
        self.t = self._tring[: blocks.BLOCK]
        self.n = 0
        self.head = 0
        self._sized = False
        ops = {"min": [np.minimum], "max": [np.maximum], "count": [], "stdev": [np.add, np.add]}
        self.stacks = [blocks.Blocks(op, blocks.BLOCK) for op in ops.get(agg, [np.add])]
        self.watermark = -INF_NS
        # t[reg_from:n] is evenly spaced by reg_step (0: not known yet, fewer than two samples)
        self.reg_from = 0
        self.reg_step = 0
        self._gaps = _EMPTY_T
        self.spacing_hint = -1  # for the next update only (see WindowState.wants_spacing)
        # min/max: the extremes of the chunks a window may still reach, for bounds on the
        # emissions without computing them (Deferred)
        self.can_defer = agg in ("min", "max")
        self._ext: deque[tuple[int, float]] = deque()
        self._inner: deque[tuple[int, float]] = deque()
        self._cur: tuple[float, float] | None = None  # the last chunk's stored range
        self._near: float | None = None  # the _inner front for the last chunk
        self.range_hint: tuple[float, float] | None = None  # the next chunk's (min, max)

    def _append(self, t: np.ndarray, v: np.ndarray, hint: int = -1) -> None:
        k = t.size
        if self.n + k > self.cap or (self.reg_step and not self._sized):
            self._make_room(k)
        n0 = self.n
        self._write_t(self.o + n0, t)
        self.n = n0 + k
        self._track_spacing(n0, k, hint)
        if self.stacks:
            d = v - self._ref_of(v)
            self.stacks[0].append(d)
            if self.agg == "stdev":
                self.stacks[1].append(d * d)

    def _write_t(self, g: int, t: np.ndarray) -> None:
        """Store times of global samples g.. in both halves of the ring."""
        cap, ring = self.cap, self._tring
        a = g % cap
        end = a + t.size
        ring[a:end] = t
        if end <= cap:  # the usual case: one copy in each half
            ring[a + cap : end + cap] = t
            return
        if a < cap:  # the copy of what landed in the first half
            m = min(end, cap)
            ring[a + cap : m + cap] = t[: m - a]
        if end > cap:
            s = max(a, cap)
            ring[s - cap : end - cap] = t[s - a :]

    def _make_room(self, k: int) -> None:
        """Move the origin up to the block of `head`; grow the rings if k samples do not fit."""
        o = (self.o + self.head) >> blocks.BITS << blocks.BITS
        shift = o - self.o
        live = self.n - shift
        cap = self.cap
        if live + k > cap:
            cap = blocks.round_up(2 * (live + k))
        if self.reg_step and not self._sized:  # the spacing is known: reserve a whole window
            self._sized = True
            est = min(self.spec.size // self.reg_step, EST_MAX)
            cap = max(cap, blocks.round_up(est + est // 4 + 4 * k + 2 * blocks.BLOCK))
        if cap != self.cap:
            times = self.t[shift : self.n].copy()
            self.cap = cap
            self._tring = np.empty(2 * cap, np.int64)
            self._write_t(o, times)
            for s in self.stacks:
                s.move(cap, o)
        self.o = o
        self.n, self.head = live, self.head - shift
        self.reg_from = max(self.reg_from - shift, 0)
        a = o % self.cap
        self.t = self._tring[a : a + self.cap]
        for s in self.stacks:
            s.forget(o)

    def _track_spacing(self, n0: int, k: int, hint: int = -1) -> None:
        """Keep `t[reg_from:n]` evenly spaced by `reg_step` once t[n0:n0 + k] is written.

        hint: the spacing of those times if the caller knows it (WindowState.wants_spacing).
        """
        tb = self.t
        first = int(tb[n0])
        if k > 2 and hint >= 0:  # the caller knows: evenly spaced by hint > 0, or not (0)
            step, even = hint, hint > 0
        elif k > 2:  # every gap is `step` iff the gaps add up and none is larger
            last = int(tb[n0 + k - 1])
            step = int(tb[n0 + 1]) - first
            if self._gaps.size < k:
                self._gaps = np.empty(2 * k, np.int64)
            gaps = np.subtract(tb[n0 + 1 : n0 + k], tb[n0 : n0 + k - 1], out=self._gaps[: k - 1])
            even = last - first == (k - 1) * step and int(gaps.max()) == step
        else:
            step = int(tb[n0 + 1]) - first if k > 1 else 0
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

    def _note_range(self, t: np.ndarray, rng: tuple[float, float] | None) -> None:
        """Note the stored range of the chunk just appended (rng: its values' min and max).

        Two monotonic queues of chunk extremes (maxima for a max, minima for a min), O(1) per
        chunk however long the window: `_ext` by last time, of the chunks a window of this pass
        may reach (its front bounds the emissions on the far side); `_inner` by first time, of
        the earlier chunks that every window of this pass holds whole (its front bounds them
        on the near side, with the chunk's own samples).
        """
        ext, inner, ref = self._ext, self._inner, self.ref or 0.0
        size, is_max = self.spec.size, self.agg == "max"
        first, last = int(t[0]), int(t[-1])
        while ext and ext[0][0] <= first - size:  # no window from here on reaches them
            ext.popleft()
        while inner and inner[0][0] <= last - size:  # not whole in the last window
            inner.popleft()
        self._near = inner[0][1] if inner else None
        far = math.inf if is_max else -math.inf  # unknown: no bounds while a window reaches it
        if rng is None:  # not a channel read as it is, or a NaN in it
            self._cur = None
            near = -far
        else:  # the stored values are v - ref, rounded monotonically: their range is this
            self._cur = (rng[0] - ref, rng[1] - ref)
            far = near = self._cur[1] if is_max else self._cur[0]
        for q, key, val in ((ext, last, far), (inner, first, near)):
            if is_max:
                while q and q[-1][1] <= val:
                    q.pop()
            else:
                while q and q[-1][1] >= val:
                    q.pop()
            q.append((key, val))

    def _bounds(self) -> tuple[float, float] | None:
        """Bounds on every emission at the last chunk's sample times (the regular case).

        Each window holds its own end sample and the chunks in _inner whole, and nothing older
        than the chunks in _ext: a max lies between the larger of the chunk's min and the
        _inner front, and the _ext front (a min likewise).
        """
        cur, far, near = self._cur, self._ext[0][1], self._near
        if cur is None or math.isinf(far):
            return None
        ref = self.ref or 0.0
        if self.agg == "max":
            lo = cur[0] if near is None or near <= cur[0] else near
            return lo + ref, far + ref
        hi = cur[1] if near is None or near >= cur[1] else near
        return far + ref, hi + ref

    def _update_regular(
        self, t: np.ndarray, watermark: int, defer: bool = False
    ) -> tuple[np.ndarray, np.ndarray | Deferred] | None:
        """The common case in O(1) searches: evenly spaced new samples (t), exits all on events.

        defer (min/max): hand back the values as a Deferred, computed only if asked for.
        """
        k = t.size
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
        # the new samples' times as written at tb[start:n] (a copy: the buffer is reused)
        times = t if t.dtype == np.int64 else tb[start:n].copy()
        agg = self.agg
        ref = self.ref or 0.0
        if agg == "count":
            vals = np.full(k, float(m))
        elif agg in ("min", "max"):
            if defer:
                if k1 > k0:
                    self.head = k1
                return times, Deferred(self, self.o + lo0, self.o + start + 1, k, self._bounds())
            vals = np.empty(k)
            self.stacks[0].query_run(self.o + lo0, self.o + start + 1, k, vals)
            vals += ref
        else:
            s = np.empty(k)
            self.stacks[0].query_run(self.o + lo0, self.o + start + 1, k, s)
            ss = s
            if agg == "stdev":
                ss = np.empty(k)
                self.stacks[1].query_run(self.o + lo0, self.o + start + 1, k, ss)
            vals = _finish_full(agg, m, s, ss, ref)
        if k1 > k0:  # what _trim would find
            self.head = k1
        return times, vals

    def update(
        self, t: np.ndarray, v: np.ndarray, watermark: int, defer: bool = False
    ) -> tuple[np.ndarray, np.ndarray | Deferred]:
        """Add samples and emit at their times, and at exits that the watermark has passed.

        defer: min/max over evenly spaced samples may hand back their values as a Deferred
        (see `can_defer`), which bounds them until they are asked for.
        """
        size = self.spec.size
        old_wm = self.watermark
        hint, self.spacing_hint = self.spacing_hint, -1
        rng, self.range_hint = self.range_hint, None
        if t.size:
            self._append(t, v, hint)
            if self.can_defer:
                self._note_range(t, rng)
            if defer:
                fast = self._update_regular(t, watermark, defer=True)
            else:
                fast = self._update_regular(t, watermark)
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
        if self.stacks and lo.size:  # global sample indices
            lo, hi = lo + self.o, hi + self.o
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


class Deferred:
    """The values a sliding min/max emitted in one pass, computed when first asked for.

    `bounds` encloses every value (None if unknown), so a rule whose alarm those bounds settle
    never has them computed. Valid only until the window's next update.
    """

    __slots__ = ("_vals", "bounds", "hi", "k", "lo", "win")

    def __init__(
        self, win: SlidingWindow, lo: int, hi: int, k: int, bounds: tuple[float, float] | None
    ) -> None:
        self.win, self.lo, self.hi, self.k, self.bounds = win, lo, hi, k, bounds
        self._vals: np.ndarray | None = None

    def values(self) -> np.ndarray:
        """The emitted values (the window's query, once)."""
        if self._vals is None:
            vals = np.empty(self.k)
            self.win.stacks[0].query_run(self.lo, self.hi, self.k, vals)
            vals += self.win.ref or 0.0
            self._vals = vals
        return self._vals
