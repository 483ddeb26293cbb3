"""Message time stamps to ns since the epoch: ISO 8601 text, or epoch numbers in s/ms/us/ns.

With `time_unit = "auto"` (the default) an epoch number's unit is told by its magnitude, which is
unambiguous for any date between 1973 and 2286: below 1e11 it is seconds, below 1e14
milliseconds, below 1e17 microseconds, else nanoseconds. ISO 8601 text (`2025-12-06T10:00:00.25Z`,
an offset such as `+01:00`, up to nine fraction digits) is UTC when it names no zone.
A value that is neither leaves the message at its arrival time; the caller counts that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from twinbench.timelike import epoch_unit_ns

AUTO = 0  # time_scale meaning "tell the unit by the magnitude"
_FRACTION = re.compile(r"[.,](\d+)")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def epoch_to_ns(value: float | int, scale: int) -> int | None:
    """An epoch number in a known unit (`scale` ns per unit) or by magnitude (`AUTO`)."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if scale == AUTO:
        scale = epoch_unit_ns(value)
    if isinstance(value, int):
        return value * scale
    whole = int(value)
    return whole * scale + round((value - whole) * scale)


def iso_to_ns(text: str) -> int | None:
    """ISO 8601 text as ns since the epoch (UTC unless it names an offset); None if it is not."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    micros = (dt - _EPOCH) // _MICRO
    m = _FRACTION.search(text)
    sub = int((m.group(1)[6:9]).ljust(3, "0")) if m and len(m.group(1)) > 6 else 0
    return micros * 1000 + sub


def value_to_ns(value: Any, scale: int) -> int | None:
    """A JSON time value (number, numeric text or ISO 8601 text) as ns; None when it is neither."""
    t = type(value)
    if t is int or t is float:
        return epoch_to_ns(value, scale)
    if t is str:
        try:
            num = float(value)
        except ValueError:
            return iso_to_ns(value)
        return epoch_to_ns(int(value) if value.strip().lstrip("+-").isdigit() else num, scale)
    return None


def times_to_ns(values: Sequence[Any], scale: int, arrival: np.ndarray) -> tuple[np.ndarray, int]:
    """Time stamps of a batch: (t_ns, how many fell back to the arrival time)."""
    out = np.array(arrival, np.int64, copy=True)
    if values and all(type(v) is int for v in values):  # the usual case, in one step
        ints = np.asarray(values, np.int64)
        if scale != AUTO:
            return ints * scale, 0
        mag = np.abs(ints)
        scales = np.where(mag < 10**11, 10**9, np.where(mag < 10**14, 10**6,
                          np.where(mag < 10**17, 10**3, 1)))  # fmt: skip
        return ints * scales, 0
    missed = 0
    for i, v in enumerate(values):
        t = value_to_ns(v, scale)
        if t is None or not -(2**63) <= t < 2**63:
            missed += 1
        else:
            out[i] = t
    return out, missed
