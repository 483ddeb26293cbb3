"""Where a gauge, bar or LED gets its scale: the model's range, else what has been seen."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def model_range(ctx: Any, device: str, channel: str) -> tuple[float, float] | None:
    """The range a bound twin model gives a channel (binding `ranges`), if any."""
    twins = ctx.services.get("twins") if ctx is not None else None
    binding = getattr(twins, "bindings", {}).get(device) if twins is not None else None
    rng = getattr(binding, "ranges", {}).get(channel) if binding is not None else None
    return (float(rng[0]), float(rng[1])) if rng else None


def nice_range(lo: float, hi: float) -> tuple[float, float]:
    """A rounded scale around [lo, hi] (1, 2 or 5 times a power of ten per step, 5 steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def observed_range(values: np.ndarray) -> tuple[float, float] | None:
    """The rounded range of the finite values seen (None when there are none)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not v.size:
        return None
    return nice_range(float(v.min()), float(v.max()))


def channel_range(
    ctx: Any, device: str, channel: str, seen: np.ndarray
) -> tuple[str, float, float]:
    """(where from, lo, hi): the model's range, else the observed one, else 0..100."""
    rng = model_range(ctx, device, channel)
    if rng is not None:
        return "model", rng[0], rng[1]
    obs = observed_range(seen)
    if obs is not None:
        return "observed", obs[0], obs[1]
    return "default", 0.0, 100.0
