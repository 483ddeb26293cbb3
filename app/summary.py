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
        """The summary as plain JSON-able data: devices -> channels -> figures.

        A device that changed layout (a board reset, a new label) has one accumulator per
        layout; a channel's figures are merged over every layout that carries it.
        """
        out: dict[str, Any] = {}
        merged: dict[str, dict[str, list[Any]]] = {}
        span: dict[str, list[int]] = {}
        for (dev, _names), a in self._acc.items():
            d = out.setdefault(dev, {"samples": 0, "channels": {}})
            d["samples"] += a.rows
            sp = span.setdefault(dev, [a.first_t, a.last_t])
            sp[0], sp[1] = min(sp[0], a.first_t), max(sp[1], a.last_t)
            chans = merged.setdefault(dev, {})
            for i, name in enumerate(a.names):
                m = chans.setdefault(name, [0, 0, np.inf, -np.inf, 0.0])
                m[0] += int(a.count[i])
                m[1] += int(a.nan[i])
                m[2] = min(m[2], float(a.lo[i]))
                m[3] = max(m[3], float(a.hi[i]))
                m[4] += float(a.total[i])
        for dev, d in out.items():
            first, last = span[dev]
            secs = (last - first) / 1e9
            d["rate_hz"] = round((d["samples"] - 1) / secs, 3) if secs > 0 else 0.0
            d["first_t_ns"], d["last_t_ns"] = first, last
            units: dict[str, str] = {}
            state = ""
            if hub is not None and dev in hub.devices:
                units = {ch.name: ch.unit for ch in hub.devices[dev].device.channels}
                state = hub.devices[dev].state
                d["driver"] = hub.devices[dev].device.driver
            d["state"] = state
            for name, (count, nan, lo, hi, total) in merged[dev].items():
                ok = count - nan
                d["channels"][name] = {
                    "unit": units.get(name, ""),
                    "count": count,
                    "nan": nan,
                    "min": lo if ok else None,
                    "max": hi if ok else None,
                    "mean": total / ok if ok else None,
                    "sum": total,
                    "drops": 0,
                }
        if hub is not None:  # devices that produced nothing still appear, with zeros
            for dev, st in list(hub.devices.items()):
                if dev not in out:
                    out[dev] = {
                        "samples": 0,
                        "channels": {},
                        "rate_hz": 0.0,
                        "first_t_ns": None,
                        "last_t_ns": None,
                        "driver": st.device.driver,
                        "state": st.state,
                    }
        return out
