"""Range reductions over a ring of samples cut into fixed-size blocks (sliding windows).

Each block keeps prefix and suffix reductions and a total, computed when a query first needs
them; a query over many blocks is a suffix, the totals in between (a two-stack over block
totals) and a prefix, so no step grows with the window.
"""

from __future__ import annotations

import numpy as np

from twinbench.rules.windows import distinct_sorted

BITS = 12
BLOCK = 1 << BITS  # samples per block; every ring capacity is a multiple of it


def round_up(n: int) -> int:
    """n rounded up to a whole number of blocks."""
    return -(-n // BLOCK) * BLOCK


class Totals:
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


class Blocks:
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
        self.totals = Totals(op)
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
        if m == k:  # the usual case: no wrap
            self.col[p : p + k] = vals
        else:
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
        for b in distinct_sorted(bl).tolist():  # the first query of a block has its lowest lo
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
