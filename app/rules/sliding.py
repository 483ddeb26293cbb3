"""Sliding windows: fixed-size blocks of prefix and suffix reductions answer every (t - size, t]
query in bulk, at a cost per chunk that does not grow with the window."""

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

BITS = 12
BLOCK = 1 << BITS  # samples per block; every ring capacity is a multiple of it
EST_MAX = 1 << 24  # samples: a window's first estimate reserves at most this much


def _round_up(n: int) -> int:
    return -(-n // BLOCK) * BLOCK


class _Totals:
    """A two-stack over block totals (by global block number), for the blocks inside a window.

    Numbers below the flip point `f` hold the reduction from there up to `f`; numbers from `f`
    hold the reduction from `f` on. A flip costs the blocks of one window, not its samples.
    """

    def __init__(self, op: np.ufunc) -> None:
        self.op = op
        self.col = np.empty(64)
        self.agg = np.empty(64)
        self.base = 0  # block number of col[0]
        self.n = 0
        self.f = 0  # local, as are valid and n
        self.valid = 0  # prefixes are computed for [f, valid)
        self.dead = 0  # no query reaches below this block number
        self.last = (-1, -1, 0.0)  # the last query of one(), and its answer

    def push(self, x: np.ndarray, first: int) -> None:
        """Append the totals of blocks first, first + 1, ... (skipping blocks no query reads)."""
        if first > self.base + self.n:  # a jump: nothing before `first` is read again
            self.base, self.n, self.f, self.valid = first, 0, 0, 0
        while self.n + x.size > self.col.size:
            self._compact(x.size)
        self.col[self.n : self.n + x.size] = x
        self.n += x.size

    def _compact(self, k: int) -> None:
        cut = min(max(self.dead - self.base, 0), self.n)
        if self.f < cut:  # nothing computed below `cut` is read again: the next query flips
            self.f = self.valid = cut
        live = self.n - cut
        if 2 * (live + k) > self.col.size:
            size = 4 * (live + k) + 64
            col, agg = np.empty(size), np.empty(size)
            col[:live], agg[:live] = self.col[cut : self.n], self.agg[cut : self.n]
            self.col, self.agg = col, agg
        else:  # the ranges do not overlap
            self.col[:live] = self.col[cut : self.n]
            self.agg[:live] = self.agg[cut : self.n]
        self.base += cut
        self.n, self.f, self.valid = live, self.f - cut, self.valid - cut

    def _ensure(self, upto: int) -> None:
        lo = self.valid
        if upto <= lo:
            return
        agg = self.agg
        if lo > self.f:  # carry the running prefix on
            agg[lo:upto] = self.col[lo:upto]
            self.op.accumulate(agg[lo - 1 : upto], out=agg[lo - 1 : upto])
        else:
            self.op.accumulate(self.col[lo:upto], out=agg[lo:upto])
        self.valid = upto

    def _flip(self, lo: int, hi: int) -> None:
        """Suffixes over [lo, hi): later queries start at lo or after."""
        self.op.accumulate(self.col[lo:hi][::-1], out=self.agg[lo:hi][::-1])
        self.f = self.valid = hi

    def one(self, lo: int, hi: int) -> float:
        """Reduce the totals of blocks lo..hi-1 (queries in order)."""
        if lo == self.last[0] and hi == self.last[1]:  # totals never change once pushed
            return self.last[2]
        g = lo, hi
        lo -= self.base
        hi -= self.base
        if lo >= self.f:
            self._flip(lo, hi)
        if hi > self.f:
            self._ensure(hi)
            x = self.op(self.agg[lo], self.agg[hi - 1])
        else:
            x = self.agg[lo]
        self.last = (*g, x)
        return x

    def query(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Reduce blocks lo..hi-1 for each pair; pairs sorted by lo and by hi, lo < hi."""
        lo = lo - self.base
        hi = hi - self.base
        out = np.empty(lo.size)
        i = 0
        while i < lo.size:
            if lo[i] >= self.f:
                self._flip(int(lo[i]), int(hi[i]))
            j = int(lo.searchsorted(self.f, "left"))
            seg_lo, seg_hi = lo[i:j], hi[i:j]
            self._ensure(int(seg_hi[-1]))
            front = self.agg[seg_lo]
            back = self.agg[seg_hi - 1]
            out[i:j] = np.where(seg_hi > self.f, self.op(front, back), front)
            i = j
        return out


class _Blocks:
    """Range reductions over a ring of samples cut into blocks of BLOCK (global sample indices).

    A query [lo, hi) that crosses a block boundary is the suffix at lo (within its block), the
    totals of the blocks in between and the prefix at hi - 1 (within its block); one inside a
    block uses a two-stack confined to that block. Suffixes, prefixes and totals are computed
    when a query first needs them, each once, so every sample costs O(1) and no step of a query
    grows with the window.
    """

    def __init__(self, op: np.ufunc, cap: int) -> None:
        self.op = op
        self.cap = cap
        self.col = np.empty(cap)
        self.pre = np.empty(cap)
        self.suf = np.empty(cap)
        self.end = 0  # global index after the last sample
        self.pre_to = 0  # pre is valid below this index, within its block
        self.suf_block = -1  # suf is valid in this block from suf_from up
        self.suf_from = 0
        self.tot_to = 0  # block totals are pushed below this block
        self.totals = _Totals(op)
        # the in-block two-stack: block `sb`, flip point `sf`, prefixes valid up to `sv`
        self.sagg = np.empty(BLOCK)
        self.sb = -1
        self.sf = 0
        self.sv = 0

    def append(self, vals: np.ndarray) -> None:
        """Add the next samples (the ring has room for them)."""
        p = self.end % self.cap
        k = vals.size
        m = min(k, self.cap - p)
        self.col[p : p + m] = vals[:m]
        self.col[: k - m] = vals[m:]
        self.end += k

    def _prefixes(self, g0: int, g1: int) -> None:
        """Make pre valid on [g0, g1) (g0 and up only: lower ones are never read again)."""
        g = max(self.pre_to, g0 >> BITS << BITS)
        op, cap, col, pre = self.op, self.cap, self.col, self.pre
        while g < g1:
            off = g & (BLOCK - 1)
            p = g % cap
            take = min(g1 - g, BLOCK - off)
            if off:  # carry the block's running prefix on, in place
                pre[p : p + take] = col[p : p + take]
                op.accumulate(pre[p - 1 : p + take], out=pre[p - 1 : p + take])
            else:
                op.accumulate(col[p : p + take], out=pre[p : p + take])
            g += take
        self.pre_to = max(self.pre_to, g1)

    def _suffixes(self, lo: int) -> None:
        """Make suf valid from lo to the end of its block (queries come in order)."""
        b = lo >> BITS
        if b == self.suf_block and lo >= self.suf_from:
            return
        p = lo % self.cap
        e = p - (lo & (BLOCK - 1)) + BLOCK
        self.op.accumulate(self.col[p:e][::-1], out=self.suf[p:e][::-1])
        self.suf_block, self.suf_from = b, lo

    def _totals_to(self, b: int, first: int) -> None:
        """Push the totals of the blocks below b, from `first` at least."""
        g = max(self.tot_to, first)
        while g < b:
            p = (g << BITS) % self.cap
            m = min(b - g, (self.cap - p) >> BITS)  # whole blocks up to the end of the ring
            runs = self.col[p : p + (m << BITS)].reshape(m, BLOCK)
            self.totals.push(self.op.reduce(runs, axis=1), g)
            g += m
        self.tot_to = max(self.tot_to, b)

    def forget(self, g: int) -> None:
        """No query will start below global index g."""
        self.totals.dead = g >> BITS

    def move(self, cap: int, g0: int) -> None:
        """Copy samples g0..end into a ring of `cap`."""
        idx = np.arange(g0, self.end)
        old, new = idx % self.cap, idx % cap
        for name in ("col", "pre", "suf"):
            arr = np.empty(cap)
            arr[new] = getattr(self, name)[old]
            setattr(self, name, arr)
        self.cap = cap

    def query(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Reduce samples lo..hi-1 for each pair; pairs sorted by lo and by hi, lo < hi."""
        bl = lo >> BITS
        bh = (hi - 1) >> BITS
        inside = bl == bh
        if np.count_nonzero(inside):
            out = np.empty(lo.size)
            cross = np.flatnonzero(~inside)
            at = np.flatnonzero(inside)
            out[at] = self._inside(lo[at], hi[at])
            if cross.size:
                out[cross] = self._across(lo[cross], hi[cross], bl[cross], bh[cross])
            return out
        return self._across(lo, hi, bl, bh)

    def _across(self, lo, hi, bl, bh) -> np.ndarray:
        for b in np.unique(bl).tolist():  # the first query in each block has the lowest lo
            self._suffixes(int(lo[int(np.searchsorted(bl, b))]))
        self._prefixes(int(hi[0]) - 1, int(hi[-1]))
        out = self.op(self.suf[lo % self.cap], self.pre[(hi - 1) % self.cap])
        mid = np.flatnonzero(bh - bl > 1)
        if mid.size:
            self._totals_to(int(bh[mid[-1]]), int(bl[mid[0]]) + 1)
            out[mid] = self.op(out[mid], self.totals.query(bl[mid] + 1, bh[mid]))
        return out

    def _inside(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        out = np.empty(lo.size)
        i = 0
        while i < lo.size:
            if lo[i] >= self.sf or int(lo[i]) >> BITS != self.sb:
                self._sflip(int(lo[i]), int(hi[i]))
            j = int(lo.searchsorted(self.sf, "left"))
            seg_lo, seg_hi = lo[i:j], hi[i:j]
            self._sensure(int(seg_hi[-1]))
            base = self.sb << BITS
            front = self.sagg[seg_lo - base]
            back = self.sagg[seg_hi - 1 - base]
            out[i:j] = np.where(seg_hi > self.sf, self.op(front, back), front)
            i = j
        return out

    def _sflip(self, lo: int, hi: int) -> None:
        """Suffixes over [lo, hi) in lo's block, for the in-block two-stack."""
        self.sb = lo >> BITS
        base = self.sb << BITS
        p = lo % self.cap
        self.op.accumulate(
            self.col[p : p + hi - lo][::-1], out=self.sagg[lo - base : hi - base][::-1]
        )
        self.sf = self.sv = hi

    def _sensure(self, upto: int) -> None:
        lo = self.sv
        if upto <= lo:
            return
        base = self.sb << BITS
        p = lo % self.cap
        vals = self.col[p : p + upto - lo]
        agg = self.sagg
        if lo > self.sf:  # carry the running prefix on
            agg[lo - base : upto - base] = vals
            self.op.accumulate(
                agg[lo - 1 - base : upto - base], out=agg[lo - 1 - base : upto - base]
            )
        else:
            self.op.accumulate(vals, out=agg[lo - base : upto - base])
        self.sv = upto

    def query_run(self, lo0: int, hi0: int, k: int, out: np.ndarray) -> None:
        """Reduce samples lo0 + i .. hi0 + i - 1 into out[i] for i < k (windows of one length)."""
        if hi0 - lo0 <= BLOCK:  # some may sit inside a block
            self._short_run(lo0, hi0, k, out)
            return
        op, cap = self.op, self.cap
        b0 = lo0 >> BITS
        if b0 != self.suf_block or lo0 < self.suf_from:
            self._suffixes(lo0)
        for b in range(b0 + 1, ((lo0 + k - 1) >> BITS) + 1):
            self._suffixes(b << BITS)
        self._prefixes(hi0 - 1, hi0 - 1 + k)
        if (hi0 + k - 2) >> BITS > self.tot_to:
            self._totals_to((hi0 + k - 2) >> BITS, b0 + 1)
        pl, ph = lo0 % cap, (hi0 - 1) % cap
        if pl + k <= cap and ph + k <= cap:
            op(self.suf[pl : pl + k], self.pre[ph : ph + k], out=out[:k])
        else:  # the ring wraps under one of them
            i = np.arange(k, dtype=np.int64)
            op(self.suf[(i + lo0) % cap], self.pre[(i + hi0 - 1) % cap], out=out[:k])
        a = 0
        while a < k:  # runs of queries with the same blocks in between
            lo, last = lo0 + a, hi0 - 1 + a
            b = min(k, a + BLOCK - (lo & (BLOCK - 1)), a + BLOCK - (last & (BLOCK - 1)))
            bl, bh = lo >> BITS, last >> BITS
            if bh - bl > 1:
                op(out[a:b], self.totals.one(bl + 1, bh), out=out[a:b])
            a = b

    def _short_run(self, lo0: int, hi0: int, k: int, out: np.ndarray) -> None:
        """query_run for windows no longer than a block: inside one, or across one boundary."""
        op, cap = self.op, self.cap
        a = 0
        while a < k:
            lo, last = lo0 + a, hi0 - 1 + a
            b = min(k, a + BLOCK - (lo & (BLOCK - 1)), a + BLOCK - (last & (BLOCK - 1)))
            if lo >> BITS == last >> BITS:
                self._inside_run(lo0, hi0, a, b, out)
            else:
                self._suffixes(lo)
                self._prefixes(last, last + b - a)
                pl, ph = lo % cap, last % cap
                op(self.suf[pl : pl + b - a], self.pre[ph : ph + b - a], out=out[a:b])
            a = b

    def _inside_run(self, lo0: int, hi0: int, a: int, b: int, out: np.ndarray) -> None:
        """Queries a..b-1 of a run, all inside one block, by the in-block two-stack."""
        agg, op = self.sagg, self.op
        i = a
        while i < b:
            if lo0 + i >= self.sf or (lo0 + i) >> BITS != self.sb:
                self._sflip(lo0 + i, hi0 + i)
            f, base = self.sf, self.sb << BITS
            j = min(b, f - lo0)  # queries i..j-1 start before f
            self._sensure(hi0 + j - 1)
            x = i
            if hi0 + i == f:  # only the first can end at f: the suffix alone
                out[i] = agg[lo0 + i - base]
                x = i + 1
            if x < j:
                op(
                    agg[lo0 + x - base : lo0 + j - base],
                    agg[hi0 + x - 1 - base : hi0 + j - 1 - base],
                    out=out[x:j],
                )
            i = j


class SlidingWindow(WindowState):
    """Sliding windows: emit at each event and where an event leaves, if the window is not empty."""

    def __init__(self, spec: WindowSpec, agg: str, p: float = 50.0) -> None:
        super().__init__(spec, agg, p)
        if agg == "percentile":
            raise ValueError("percentile over a sliding window is not supported")
        # times live in a ring of `cap`, written twice (at i % cap and i % cap + cap) so that any
        # `cap` consecutive samples are one slice: `t` is the view from global sample `o` on, and
        # every index kept here (n, head, reg_from) counts from `o`
        self.cap = BLOCK
        self._tring = np.empty(2 * BLOCK, np.int64)
        self.o = 0
        self.t = self._tring[:BLOCK]
        self.n = 0
        self.head = 0
        self._sized = False
        ops = {"min": [np.minimum], "max": [np.maximum], "count": [], "stdev": [np.add, np.add]}
        self.stacks = [_Blocks(op, BLOCK) for op in ops.get(agg, [np.add])]
        self.watermark = -INF_NS
        # t[reg_from:n] is evenly spaced by reg_step (0: not known yet, fewer than two samples)
        self.reg_from = 0
        self.reg_step = 0
        self._gaps = _EMPTY_T

    def _append(self, t: np.ndarray, v: np.ndarray) -> None:
        k = t.size
        if self.n + k > self.cap or (self.reg_step and not self._sized):
            self._make_room(k)
        n0 = self.n
        self._write_t(self.o + n0, t)
        self.n = n0 + k
        self._track_spacing(n0, k)
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
        o = (self.o + self.head) >> BITS << BITS
        shift = o - self.o
        live = self.n - shift
        cap = self.cap
        if live + k > cap:
            cap = _round_up(2 * (live + k))
        if self.reg_step and not self._sized:  # the spacing is known: reserve a whole window
            self._sized = True
            est = min(self.spec.size // self.reg_step, EST_MAX)
            cap = max(cap, _round_up(est + est // 4 + 4 * k + 2 * BLOCK))
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
