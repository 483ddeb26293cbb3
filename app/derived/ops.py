"""Stateful signal operations evaluated chunk by chunk: the output over many chunks equals the
output over their concatenation."""

from __future__ import annotations

import math

import numpy as np


def first_order_scan(x: np.ndarray, a: float, b: float, y0: float) -> np.ndarray:
    """y[n] = a*y[n-1] + b*x[n] from y[-1] = y0, vectorised in blocks where a**-k stays small."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    if x.size == 0:
        return out
    if a <= 0.0:
        return b * x
    block = max(1, int(12 * math.log(10) / -math.log(a))) if a < 1 else x.size
    y = y0
    for s in range(0, x.size, block):
        seg = x[s : s + block]
        k = np.arange(1, seg.size + 1, dtype=np.float64)
        pw = a**k  # a^1 .. a^m
        # y[j] = a^(j+1) y + b * sum_{i<=j} a^(j-i) x[i] = a^(j+1) (y + b * cumsum(x[i] a^-(i+1)))
        acc = np.cumsum(seg / pw)
        res = pw * (y + b * acc)
        out[s : s + seg.size] = res
        y = float(res[-1])
    return out


class MovingAverage:
    """Mean of the last n samples (fewer at the start)."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("moving average length must be at least 1")
        self.n = int(n)
        self.tail = np.zeros(0)

    def __call__(self, x: np.ndarray, t_ns: np.ndarray) -> np.ndarray:
        """Averages for this chunk."""
        full = np.concatenate([self.tail, np.asarray(x, dtype=np.float64)])
        c = np.concatenate([[0.0], np.cumsum(full)])
        idx = np.arange(self.tail.size, full.size)
        lo = np.maximum(0, idx + 1 - self.n)
        out = (c[idx + 1] - c[lo]) / (idx + 1 - lo)
        self.tail = full[-(self.n - 1) :] if self.n > 1 else np.zeros(0)
        return out


class Derivative:
    """Rate of change per second from consecutive samples (NaN for the very first)."""

    def __init__(self) -> None:
        self.last_x = math.nan
        self.last_t = 0

    def __call__(self, x: np.ndarray, t_ns: np.ndarray) -> np.ndarray:
        """Derivatives for this chunk."""
        xs = np.concatenate([[self.last_x], x])
        ts = np.concatenate([[self.last_t], t_ns]).astype(np.float64)
        dt = np.diff(ts) / 1e9
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(dt > 0, np.diff(xs) / dt, np.nan)
        if x.size:
            self.last_x, self.last_t = float(x[-1]), int(t_ns[-1])
        return out


class Integral:
    """Running trapezoidal integral over time in seconds; NaN samples contribute nothing."""

    def __init__(self) -> None:
        self.total = 0.0
        self.last_x = math.nan
        self.last_t = 0

    def __call__(self, x: np.ndarray, t_ns: np.ndarray) -> np.ndarray:
        """Integral at each sample of this chunk."""
        xs = np.concatenate([[self.last_x], x])
        ts = np.concatenate([[self.last_t], t_ns]).astype(np.float64)
        area = 0.5 * (xs[1:] + xs[:-1]) * np.diff(ts) / 1e9
        area = np.where(np.isfinite(area), area, 0.0)
        out = self.total + np.cumsum(area)
        if x.size:
            self.total, self.last_x, self.last_t = float(out[-1]), float(x[-1]), int(t_ns[-1])
        return out


class LowPass:
    """First-order low-pass filter with a cut-off in Hz, for the data's sample rate."""

    def __init__(self, cutoff_hz: float) -> None:
        if not cutoff_hz > 0:
            raise ValueError("cut-off frequency must be positive")
        self.fc = float(cutoff_hz)
        self.y = math.nan

    def __call__(self, x: np.ndarray, t_ns: np.ndarray) -> np.ndarray:
        """Filtered values for this chunk (NaN inputs hold the previous output)."""
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0:
            return x.copy()
        dt = float(np.median(np.diff(t_ns))) / 1e9 if t_ns.size > 1 else 0.0
        dt = dt if dt > 0 else 1e-3
        alpha = 1.0 - math.exp(-2 * math.pi * self.fc * dt)
        if not math.isfinite(self.y):
            finite = x[np.isfinite(x)]
            self.y = float(finite[0]) if finite.size else math.nan
            if not math.isfinite(self.y):
                return np.full_like(x, np.nan)
        x = x.copy()
        bad = ~np.isfinite(x)
        if bad.any():  # hold: replace gaps with the last good input (or the filter state)
            idx = np.where(bad, 0, np.arange(x.size))
            np.maximum.accumulate(idx, out=idx)
            x = np.where(bad & (idx == 0) & bad[0], self.y, x[idx])
        out = first_order_scan(x, 1.0 - alpha, alpha, self.y)
        self.y = float(out[-1])
        return out


class HighPass(LowPass):
    """First-order high-pass: the input minus its low-pass."""

    def __call__(self, x: np.ndarray, t_ns: np.ndarray) -> np.ndarray:
        """High-passed values for this chunk."""
        return np.asarray(x, dtype=np.float64) - super().__call__(x, t_ns)


def magnitude(*components: np.ndarray) -> np.ndarray:
    """Euclidean norm of a vector given as channels."""
    return np.sqrt(sum(np.square(np.asarray(c, dtype=np.float64)) for c in components))
