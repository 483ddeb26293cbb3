"""Tumbling and hopping windows: partial aggregates over aligned panes."""

from __future__ import annotations

import functools
import math

import numpy as np

from twinbench.rules.windows import (
    _EMPTY_T,
    _EMPTY_V,
    INF_NS,
    WindowSpec,
    WindowState,
    _max,
    _merge_m2,
    _min,
    append1,
    cat,
)


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
            mn = float(np.minimum.reduce(v)) - self._ref_of(v)
        elif agg == "max":
            s = sq = mn = 0.0
            mx = float(np.maximum.reduce(v)) - self._ref_of(v)
        else:
            if self._scratch.size < n:
                self._scratch = np.empty(2 * n)
            x = np.subtract(v, self._ref_of(v), out=self._scratch[:n])
            s = float(np.add.reduce(x))  # x.sum() without its wrapper
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
