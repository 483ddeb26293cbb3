"""Health figures for every device and for the app itself, for the GUI panel and summaries."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import psutil

from twinbench.runtime import Runtime

RATE_WINDOW_S = 3.0  # rates are measured over up to this many seconds of snapshots


@dataclass
class _Mark:
    t: float
    samples: dict[str, int] = field(default_factory=dict)
    chunks: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)


class Diagnostics:
    """Computes rates between calls, latency from source timestamps, and loss counters."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.process = psutil.Process()
        self.process.cpu_percent(None)
        self._marks: deque[_Mark] = deque(maxlen=64)  # earlier snapshots' counters
        self.byte_counts: dict[str, int] = {}
        self.connects: dict[str, int] = {}
        runtime.hub.on_bytes(self._count_bytes)
        runtime.events.listen(self._on_event)

    def _on_event(self, ev: Any) -> None:
        if ev.kind == "connection" and ev.data.get("state") == "connected":
            self.connects[ev.device] = self.connects.get(ev.device, 0) + 1

    def _count_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        self.byte_counts[device_id] = self.byte_counts.get(device_id, 0) + len(data)

    def snapshot(self) -> dict[str, Any]:
        """Figures now: per device rates, latency, losses; the app's CPU and memory."""
        now = time.monotonic()
        now_ns = time.time_ns()
        hub = self.runtime.hub
        mark = self._base(now)
        dt = (now - mark.t) if mark else 0.0
        new = _Mark(now)
        devices: dict[str, Any] = {}
        counters = driver_counters(self.runtime)
        for dev_id, st in list(hub.devices.items()):
            nbytes = self.byte_counts.get(dev_id, 0)
            new.samples[dev_id], new.chunks[dev_id], new.bytes[dev_id] = (
                st.samples,
                st.chunks,
                nbytes,
            )

            def rate(now_v: int, old: dict[str, int], key: str = dev_id) -> float:
                return (now_v - old.get(key, 0)) / dt if mark and dt > 0 else 0.0

            losses = dict(counters.get(dev_id, {}))
            # a driver that counts reconnects itself (BLE) knows better than the events
            reconnects = losses.pop("reconnects", max(0, self.connects.get(dev_id, 0) - 1))
            devices[dev_id] = {
                "state": st.state,
                "message": st.message,
                "channels": len(st.device.channels),
                "samples": st.samples,
                "samples_per_s": rate(st.samples, mark.samples if mark else {}),
                "chunks_per_s": rate(st.chunks, mark.chunks if mark else {}),
                "bytes": nbytes,
                "bytes_per_s": rate(nbytes, mark.bytes if mark else {}),
                "rate_window_s": dt,  # 0: no earlier snapshot yet, the rates are not known
                "latency_ms": (now_ns - st.last_t_ns) / 1e6 if st.last_t_ns else None,
                "losses": losses,
                "reconnects": reconnects,
                "queue_drops": hub.drops_by_subscriber(dev_id),
            }
        self._marks.append(new)
        with self.process.oneshot():
            mem = self.process.memory_info().rss
            cpu = self.process.cpu_percent(None)
            threads = self.process.num_threads()
        return {
            "devices": devices,
            "counters": counters,
            "process": {"cpu_percent": cpu, "rss_mb": mem / 2**20, "threads": threads},
            "refused": self._refusals(),
        }

    def _base(self, now: float) -> _Mark | None:
        """The snapshot to measure rates from: the oldest of the last RATE_WINDOW_S seconds, so
        callers polling at any pace (or several at once) all see rates over a useful span."""
        while len(self._marks) > 1 and now - self._marks[0].t > RATE_WINDOW_S:
            self._marks.popleft()
        return self._marks[0] if self._marks else None

    def _refusals(self) -> dict[str, dict[str, int]]:
        """Devices refused over a cap: by the hub, and by drivers that create devices."""
        hub = self.runtime.hub
        out: dict[str, dict[str, int]] = {}
        if hub.refused_devices:
            out["hub"] = {"cap": hub.max_devices, "devices": hub.refused_devices,
                          "samples": hub.refused_samples}  # fmt: skip
        for drv in self.runtime.drivers:
            stats = getattr(drv, "stats", None)
            st = stats() if callable(stats) else {}
            if st.get("refused_devices"):
                key = str(getattr(drv, "device_id", drv.name))
                out[key] = {"cap": st.get("max_devices", 0), "devices": st["refused_devices"],
                            "samples": st.get("refused_samples", 0)}  # fmt: skip
        return out


def driver_counters(runtime: Runtime) -> dict[str, dict[str, int]]:
    """Every driver's counters by source (device id, or the MQTT connection): name -> count."""
    out: dict[str, dict[str, int]] = {}
    for drv in list(runtime.drivers):
        get = getattr(drv, "counters", None)
        if not callable(get):
            continue
        try:
            found = get()
        except Exception:  # a plugin's counters must not break a summary
            continue
        for source, values in found.items():
            out.setdefault(str(source), {}).update(
                {str(k): int(v) for k, v in values.items() if isinstance(v, int | float)}
            )
    return out
