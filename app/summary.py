"""Running per-channel statistics (count, NaN count, min, max, mean) over chunks, vectorised."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinbench.hub import Hub
from twinbench.model import Chunk


@dataclass
class _Acc:
    names: tuple[str, ...]
    count: np.ndarray
    nan: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    total: np.ndarray
    first_t: int = 0
    last_t: int = 0
    rows: int = 0
    chunks: int = 0


@dataclass
class SummaryStats:
    """Accumulates statistics per device and channel layout from batches of chunks."""

    _acc: dict[tuple[str, tuple[str, ...]], _Acc] = field(default_factory=dict)

    def add(self, chunks: list[Chunk]) -> None:
        """Fold a batch of chunks into the statistics."""
        for c in chunks:
            if not len(c):
                continue
            key = (c.device, c.channels)
            a = self._acc.get(key)
            k = len(c.channels)
            if a is None:
                a = self._acc[key] = _Acc(
                    c.channels,
                    np.zeros(k, np.int64),
                    np.zeros(k, np.int64),
                    np.full(k, np.inf),
                    np.full(k, -np.inf),
                    np.zeros(k),
                    first_t=int(c.t_ns[0]),
                )
            v = c.values
            finite = np.isfinite(v)
            n_ok = finite.sum(axis=0)
            a.count += len(c)
            a.nan += len(c) - n_ok
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                a.lo = np.fmin(a.lo, np.nanmin(np.where(finite, v, np.nan), axis=0))
                a.hi = np.fmax(a.hi, np.nanmax(np.where(finite, v, np.nan), axis=0))
            a.total += np.where(finite, v, 0.0).sum(axis=0)
            a.last_t = int(c.t_ns[-1])
            a.rows += len(c)
            a.chunks += 1

    def to_dict(self, hub: Hub | None = None) -> dict[str, Any]:
        """The summary as plain JSON-able data: devices -> channels -> figures."""
        out: dict[str, Any] = {}
        for (dev, _names), a in self._acc.items():
            d = out.setdefault(dev, {"samples": 0, "channels": {}})
            d["samples"] += a.rows
            span = (a.last_t - a.first_t) / 1e9
            d["rate_hz"] = round((a.rows - 1) / span, 3) if span > 0 else 0.0
            d["first_t_ns"], d["last_t_ns"] = a.first_t, a.last_t
            units = {}
            state = ""
            if hub is not None and dev in hub.devices:
                units = {ch.name: ch.unit for ch in hub.devices[dev].device.channels}
                state = hub.devices[dev].state
                d["driver"] = hub.devices[dev].device.driver
            d["state"] = state
            for i, name in enumerate(a.names):
                ok = int(a.count[i] - a.nan[i])
                d["channels"][name] = {
                    "unit": units.get(name, ""),
                    "count": int(a.count[i]),
                    "nan": int(a.nan[i]),
                    "min": float(a.lo[i]) if ok else None,
                    "max": float(a.hi[i]) if ok else None,
                    "mean": float(a.total[i] / ok) if ok else None,
                    "drops": 0,
                }
        return out
