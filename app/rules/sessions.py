"""Session windows: a gap above the timeout or a maximum-duration boundary ends a session."""

from __future__ import annotations

import numpy as np

from twinbench.rules.windows import (
    _EMPTY_T,
    _EMPTY_V,
    WindowSpec,
    WindowState,
    _finish,
    append1,
    cat,
)


class SessionWindow(WindowState):
    """Session windows: a gap above the timeout or a maximum-duration boundary ends a session."""

    def __init__(self, spec: WindowSpec, agg: str, p: float = 50.0) -> None:
        super().__init__(spec, agg, p)
        # open session: [key, last_t, count, sum, sumsq, min, max, [values]]
        self.open: list | None = None
        self._gaps = _EMPTY_T

    def update(self, t: np.ndarray, v: np.ndarray, watermark: int) -> tuple[np.ndarray, np.ndarray]:
        """Split samples into sessions, merge with the open one, emit those that ended."""
        timeout, mx = self.spec.size, self.spec.hop
        out_t: list[np.ndarray] = []
        out_v: list[np.ndarray] = []
        if t.size and self._extend(t, v):
            pass  # the chunk only carried the open session on
        elif t.size:
            x = self._shift(np.asarray(v, np.float64))
            gap = np.empty(t.size, bool)
            gap[1:] = np.diff(t) > timeout
            key0 = -((-t) // mx)
            op = self.open
            gap[0] = not (op is not None and t[0] - op[1] <= timeout and key0[0] <= op[0])
            # a session that starts exactly on a boundary runs to the next one
            key = np.maximum.accumulate(key0 + (gap & (t % mx == 0)))
            if not gap[0] and op is not None:
                key = np.maximum(key, op[0])
            brk = gap.copy()
            brk[1:] |= key[1:] != key[:-1]
            starts = np.flatnonzero(brk)
            cont = op is not None and not brk[0]
            if cont:
                starts = cat(0, starts)
            elif op is not None:  # the open session ended before this chunk
                out_t.append(np.array([self._end(op)], np.int64))
                out_v.append(np.array([self._value_open(op)]))
                self.open = op = None
            ends_idx = append1(starts[1:], t.size)
            cnt = ends_idx - starts
            sums = np.add.reduceat(x, starts)
            sqs = np.add.reduceat(x * x, starts)
            mins = np.minimum.reduceat(x, starts)
            maxs = np.maximum.reduceat(x, starts)
            lasts = t[ends_idx - 1]
            keys = key[starts]
            if cont:
                assert op is not None
                cnt[0] += op[2]
                sums[0] += op[3]
                sqs[0] += op[4]
                mins[0] = np.minimum(mins[0], op[5])  # NaN wins, whatever the order
                maxs[0] = np.maximum(maxs[0], op[6])
            n_closed = starts.size - 1
            if n_closed > 0:
                end_t = np.minimum(lasts[:n_closed] + timeout, keys[:n_closed] * mx)
                out_t.append(end_t)
                if self.agg == "percentile":
                    vals = []
                    for j in range(n_closed):
                        seg = x[starts[j] : ends_idx[j]]
                        if j == 0 and cont and op is not None:
                            seg = np.concatenate([*op[7], seg])
                        vals.append(float(np.percentile(seg, self.p)) + (self.ref or 0.0))
                    out_v.append(np.asarray(vals))
                else:
                    ref = self.ref or 0.0
                    out_v.append(
                        _finish(
                            self.agg,
                            cnt[:n_closed],
                            sums[:n_closed],
                            sqs[:n_closed],
                            mins[:n_closed] + ref,
                            maxs[:n_closed] + ref,
                            ref,
                        )
                    )
            j = starts.size - 1
            tail_vals: list[np.ndarray] = []
            if self.agg == "percentile":
                if j == 0 and cont and op is not None:
                    tail_vals = [*op[7]]
                tail_vals.append(x[starts[j] :])
            self.open = [
                int(keys[j]),
                int(lasts[j]),
                int(cnt[j]),
                float(sums[j]),
                float(sqs[j]),
                float(mins[j]),
                float(maxs[j]),
                tail_vals,
            ]
        op = self.open
        if op is not None and self._end(op) < watermark:
            out_t.append(np.array([self._end(op)], np.int64))
            out_v.append(np.array([self._value_open(op)]))
            self.open = None
        if not out_t:
            return _EMPTY_T, _EMPTY_V
        return np.concatenate(out_t).astype(np.int64), np.concatenate(out_v).astype(np.float64)

    def _extend(self, t: np.ndarray, v: np.ndarray) -> bool:
        """Fold the chunk into the open session if it has no gap and stays before its cut."""
        op = self.open
        timeout, mx = self.spec.size, self.spec.hop
        if op is None or int(t[0]) - op[1] > timeout or -(-int(t[-1]) // mx) > op[0]:
            return False
        k = t.size
        if k > 1 and int(t[-1]) - int(t[0]) > timeout:  # only then can a gap hide inside
            if self._gaps.size < k:
                self._gaps = np.empty(2 * k, np.int64)
            if int(np.subtract(t[1:], t[:-1], out=self._gaps[: k - 1]).max()) > timeout:
                return False
        agg = self.agg
        op[1] = int(t[-1])
        op[2] += k
        if agg == "min":  # v - ref rounds monotonically: min(v - ref) == min(v) - ref
            op[5] = float(np.minimum(op[5], float(v.min()) - self._ref_of(v)))
        elif agg == "max":
            op[6] = float(np.maximum(op[6], float(v.max()) - self._ref_of(v)))
        elif agg != "count":
            x = self._shift(np.asarray(v, np.float64))
            op[3] += float(x.sum())
            op[4] += float(np.dot(x, x))
            if agg == "percentile":
                op[7].append(x)
        return True

    def _end(self, op: list) -> int:
        return min(op[1] + self.spec.size, op[0] * self.spec.hop)

    def _value_open(self, op: list) -> float:
        ref = self.ref or 0.0
        if self.agg == "percentile":
            return float(np.percentile(np.concatenate(op[7]), self.p)) + ref
        one = [np.array([op[i]], np.float64) for i in range(2, 7)]
        return float(_finish(self.agg, one[0], one[1], one[2], one[3] + ref, one[4] + ref, ref)[0])
