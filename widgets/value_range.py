"""Where a gauge, bar or LED gets its scale and thresholds: the range and thresholds the device's
profile declares for the channel, else the bound model's range, else what has been seen."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from twinbench.model import Channel

Limits = tuple[float, float, float, float]
"""(warn low, warn high, alarm low, alarm high); +-inf where there is none."""


def declared(ctx: Any, device: str, channel: str) -> Channel | None:
    """The channel as its device declares it (a profile's range and thresholds), if known."""
    hub = getattr(getattr(ctx, "runtime", None), "hub", None)
    st = hub.devices.get(device) if hub is not None else None
    if st is None:
        return None
    try:
        return st.device.channel(channel)
    except KeyError:
        return None


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
    """(where from, lo, hi): the profile's range, the model's, the observed one, else 0..100."""
    ch = declared(ctx, device, channel)
    if ch is not None and ch.range is not None:
        return "profile", ch.range[0], ch.range[1]
    rng = model_range(ctx, device, channel)
    if rng is not None:
        return "model", rng[0], rng[1]
    obs = observed_range(seen)
    if obs is not None:
        return "observed", obs[0], obs[1]
    return "default", 0.0, 100.0


def limits(ctx: Any, device: str, channel: str, lo: float, hi: float) -> Limits:
    """The thresholds the profile declares; with none, amber at 70 % and red at 90 % of lo..hi."""
    ch = declared(ctx, device, channel)
    if ch is None or (ch.warn is None and ch.alarm is None):
        return -math.inf, lo + 0.7 * (hi - lo), -math.inf, lo + 0.9 * (hi - lo)
    out = []
    for band in (ch.warn, ch.alarm):
        low = band.low if band is not None else None
        high = band.high if band is not None else None
        out += [-math.inf if low is None else low, math.inf if high is None else high]
    return out[0], out[1], out[2], out[3]


def has_limits(ctx: Any, device: str, channel: str) -> bool:
    """Whether the device's profile declares thresholds for the channel."""
    ch = declared(ctx, device, channel)
    return ch is not None and (ch.warn is not None or ch.alarm is not None)
