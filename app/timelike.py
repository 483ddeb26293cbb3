"""Recognise time-like and counter channels (ts, seq, epoch values) so plots leave them out."""

from __future__ import annotations

import re

import numpy as np

_NAMES = re.compile(
    r"^(ts|t|time|timestamp|datetime|date|epoch|seq|sequence|counter|count|index|idx|frame|"
    r"sample|n|millis|micros|uptime|tick|ticks)(_?(ms|us|ns|s|num|no|nr|id))?$|"
    r"(^|[_.])(ts|timestamp|time_?ms|time_?us|seq|seqno|sequence|epoch)$",
    re.IGNORECASE,
)
# epoch seconds / ms / us / ns between 2001 and 2100, as a float64 column holds them
_EPOCH_RANGES = ((1e9, 4.2e9), (1e12, 4.2e12), (1e15, 4.2e15), (1e18, 4.2e18))


def timelike_name(name: str) -> bool:
    """Whether a channel's name says it holds a time or a counter (`ts`, `seq`, `time_ms`)."""
    return bool(_NAMES.search(name.rsplit("/", 1)[-1]))


def timelike_columns(values: np.ndarray, min_rows: int = 8) -> np.ndarray:
    """Per column of a (rows, channels) chunk: True where it looks like an epoch or a counter.

    An epoch column lies wholly in an epoch range (s, ms, µs or ns since 1970, 2001-2100) and
    never goes back; a counter holds integers that rise by at least 1 on every row. Chunks
    shorter than `min_rows` say nothing (all False).
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape[0] < min_rows:
        return np.zeros(v.shape[-1] if v.ndim else 0, dtype=bool)
    finite = np.isfinite(v).all(axis=0)
    d = np.diff(v, axis=0)
    rising = (d >= 0).all(axis=0)
    lo, hi = np.nanmin(v, axis=0), np.nanmax(v, axis=0)
    epoch = np.zeros(v.shape[1], dtype=bool)
    for a, b in _EPOCH_RANGES:
        epoch |= (lo >= a) & (hi <= b)
    integral = (v == np.round(v)).all(axis=0)
    counter = integral & (d >= 1).all(axis=0)
    return finite & rising & (epoch | counter)


def timelike_channels(names: list[str] | tuple[str, ...], values: np.ndarray | None) -> set[str]:
    """The channel names that are time-like by name or (when a chunk is given) by values."""
    out = {n for n in names if timelike_name(n)}
    if values is not None and len(names):
        flags = timelike_columns(values)
        out.update(n for n, f in zip(names, flags, strict=False) if f)
    return out


def epoch_unit_ns(magnitude: float) -> int:
    """Nanoseconds per unit of an epoch number this large: s, ms, µs or ns, told apart by
    magnitude (unambiguous for dates between 1973 and 2286; smaller numbers are seconds)."""
    mag = abs(magnitude)
    return 10**9 if mag < 1e11 else 10**6 if mag < 1e14 else 10**3 if mag < 1e17 else 1


def epoch_seconds(values: np.ndarray) -> np.ndarray:
    """Epoch values in s, ms, µs or ns (told apart by magnitude) as float seconds."""
    v = np.asarray(values, dtype=np.float64)
    big = float(np.nanmax(np.abs(v))) if v.size else 0.0
    return v / (1e9 / epoch_unit_ns(big))


def most_dynamic(names: list[str] | tuple[str, ...], values: np.ndarray) -> str | None:
    """The channel whose sample-to-sample change is largest for its size (a spectrum's best
    default: vibration over a nearly constant temperature); time-like channels never win."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape[0] < 8 or v.shape[1] != len(names):
        return None
    skip = timelike_channels(list(names), v)
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.nanmax(np.abs(v), axis=0)
        score = np.nanstd(np.diff(v, axis=0), axis=0) / np.where(size > 0, size, np.inf)
    score = np.where(np.isfinite(score), score, -1.0)
    for i, n in enumerate(names):
        if n in skip:
            score[i] = -1.0
    best = int(np.argmax(score))
    return names[best] if score[best] > 0 else None
