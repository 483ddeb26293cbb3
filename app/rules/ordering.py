"""Event-time ordering per device: a watermark, a reorder buffer, and late-sample handling."""

from __future__ import annotations

import numpy as np

from twinbench.rules.windows import INF_NS, cat

NEG_INF = -INF_NS


class Orderer:
    """Releases samples in time order once the watermark (max seen - tolerance) passes them.

    A sample older than the watermark is late: dropped, or (policy "adjust") moved to the
    watermark, and counted either way.
    """

    def __init__(self, tolerance_ns: int = 0, late: str = "drop") -> None:
        if late not in ("drop", "adjust"):
            raise ValueError("late policy must be 'drop' or 'adjust'")
        self.tolerance = int(tolerance_ns)
        self.policy = late
        self.watermark = NEG_INF
        self.max_seen = NEG_INF
        self.pend_t = np.empty(0, np.int64)
        self.pend_v: np.ndarray | None = None
        self.late_dropped = 0
        self.late_adjusted = 0

    def push(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Take a chunk (t in ns, values n x k); return released (t, values) and the watermark."""
        t = np.asarray(t, np.int64)
        if (
            self.tolerance == 0
            and t.size
            and t[0] >= self.watermark
            and not np.count_nonzero(t[1:] < t[:-1])
        ):  # the common case: in order, nothing late
            self.max_seen = max(self.max_seen, int(t[-1]))
            self.watermark = self.max_seen
            return t, v, self.watermark
        if t.size:
            prior = np.maximum.accumulate(cat(self.max_seen, t[:-1]))
            wm_before = np.maximum(self.watermark, prior - self.tolerance)
            wm_before[prior == NEG_INF] = self.watermark
            late = t < wm_before
            if late.any():
                n_late = int(np.count_nonzero(late))
                if self.policy == "drop":
                    self.late_dropped += n_late
                    t, v = t[~late], v[~late]
                else:
                    self.late_adjusted += n_late
                    t = np.where(late, wm_before, t)
            if t.size:
                self.max_seen = max(self.max_seen, int(t.max()))
                self.watermark = max(self.watermark, self.max_seen - self.tolerance)
        if self.tolerance == 0 and self.pend_v is None:
            if t.size and np.count_nonzero(t[1:] < t[:-1]):  # only possible after "adjust"
                order = np.argsort(t, kind="stable")
                t, v = t[order], v[order]
            return t, v, self.watermark
        all_t = np.concatenate([self.pend_t, t]) if self.pend_t.size else t
        all_v = v if self.pend_v is None else np.concatenate([self.pend_v, v])
        order = np.argsort(all_t, kind="stable")
        all_t, all_v = all_t[order], all_v[order]
        cut = int(np.searchsorted(all_t, self.watermark, "right"))
        self.pend_t, self.pend_v = all_t[cut:], (all_v[cut:] if cut < all_t.size else None)
        return all_t[:cut], all_v[:cut], self.watermark

    def flush(self) -> tuple[np.ndarray, np.ndarray | None, int]:
        """Release everything still held and move the watermark to the end of time."""
        t, v = self.pend_t, self.pend_v
        self.pend_t, self.pend_v = np.empty(0, np.int64), None
        self.watermark = INF_NS
        return t, v, INF_NS
