"""Headless runs: devices streaming through the same runtime, with no Qt imported."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench import __version__
from twinbench.errors import UsageError
from twinbench.runtime import Runtime
from twinbench.summary import SummaryStats


@dataclass
class HeadlessOptions:
    """What a headless run does: which driver, its settings, how long, where to write."""

    driver: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    duration: float | None = None
    summary: str | None = None
    quiet: bool = False


def build_summary(
    runtime: Runtime, stats: SummaryStats, wall_s: float, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON summary of a run: per device and channel figures, drops and events."""
    devices = stats.to_dict(runtime.hub)
    for sub in runtime.hub.subscriptions:
        if sub.dropped_samples:
            for dev in devices.values():
                dev.setdefault("drops", {})[sub.name] = sub.dropped_samples
    for dev in devices.values():
        dev.setdefault("drops", {})
    for drv in runtime.drivers:  # byte transports: bytes, frames, checksum rejects, gaps...
        loss = getattr(drv, "loss", None)
        dev_id = getattr(drv, "cfg", {}).get("device_id")
        if callable(loss) and dev_id is not None:
            devices.setdefault(dev_id, {"channels": {}, "samples": 0, "drops": {}})["loss"] = loss()
    out: dict[str, Any] = {
        "twinbench": __version__,
        "duration_s": round(wall_s, 3),
        "devices": devices,
        "dropped_samples": runtime.hub.dropped(),
        "events": [
            {"t_ns": e.t_ns, "kind": e.kind, "device": e.device, "message": e.message}
            for e in list(runtime.events.recent)[-200:]
        ],
    }
    if extra:
        out.update(extra)
    return out


def write_json(path: str, data: dict[str, Any]) -> None:
    """Write JSON atomically (temp file then rename), naming the path on failure."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
        os.replace(tmp, p)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def run_headless(opts: HeadlessOptions) -> int:
    """Run devices for the duration, print one line per device, write the summary."""
    duration = 5.0 if opts.duration is None else opts.duration
    if not duration > 0:
        raise UsageError(f"--duration must be positive, got {duration}")
    runtime = Runtime()
    runtime.add_driver(opts.driver or "sim", opts.settings)
    stats = SummaryStats()
    runtime.add_consumer("summary", stats.add, maxsize=4096, policy="block")
    t0 = time.monotonic()
    runtime.start()
    try:
        time.sleep(duration)
    except KeyboardInterrupt:
        pass
    finally:
        runtime.stop()
    wall = time.monotonic() - t0
    summary = build_summary(runtime, stats, wall)
    if opts.summary:
        write_json(opts.summary, summary)
    if not opts.quiet:
        for dev_id, dev in summary["devices"].items():
            chans = dev["channels"]
            print(
                f"{dev_id}: {dev['samples']} samples x {len(chans)} channels "
                f"at {dev['rate_hz']:.1f} Hz, dropped {sum(dev['drops'].values())}"
            )
    print(f"ok: {len(summary['devices'])} device(s), {wall:.1f} s")
    return 0
