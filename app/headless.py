"""Headless runs: devices streaming through the same runtime, with no Qt imported."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench import __version__, runlog
from twinbench.attachments import attach_all
from twinbench.errors import UsageError
from twinbench.runtime import Runtime, settle_heap
from twinbench.summary import SummaryStats


@dataclass
class HeadlessOptions:
    """What a headless run does: which driver, its settings, how long, where to write."""

    driver: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    duration: float | None = None
    summary: str | None = None
    quiet: bool = False
    record: str | None = None
    record_name: str = ""
    record_devices: tuple[str, ...] = ()
    stop_when: Callable[[Runtime], bool] | None = None
    label: str = "ok"
    rules: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    twins: bool = True


def build_summary(
    runtime: Runtime, stats: SummaryStats, wall_s: float, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON summary of a run: per device and channel figures, drops and events."""
    devices = stats.to_dict(runtime.hub)
    for dev_id, dev in devices.items():
        dev["drops"] = runtime.hub.drops_by_subscriber(dev_id)
    for dev in devices.values():
        dev.setdefault("drops", {})
    for drv in runtime.drivers:  # byte transports: bytes, frames, checksum rejects, gaps...
        loss = getattr(drv, "loss", None)
        dev_id = getattr(drv, "cfg", {}).get("device_id")
        if callable(loss) and dev_id is not None:
            devices.setdefault(dev_id, {"channels": {}, "samples": 0, "drops": {}})["loss"] = loss()
        counters = getattr(drv, "counters", None)  # drivers of several devices (BLE)
        for dev_id, counts in (counters() if callable(counters) else {}).items():
            devices.setdefault(dev_id, {"channels": {}, "samples": 0, "drops": {}})["loss"] = counts
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


def wait_until(
    runtime: Runtime, duration: float, stop_when: Callable[[Runtime], bool] | None
) -> None:
    """Sleep for `duration` seconds, or less once `stop_when(runtime)` is true (Ctrl-C ends)."""
    deadline = time.monotonic() + duration
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (stop_when is not None and stop_when(runtime)):
                return
            time.sleep(min(left, 0.05))
    except KeyboardInterrupt:
        pass


def recording_extra(recorder: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """The summary's `recording` section: folder and the recorder's counters."""
    st = recorder.stats
    return {
        "recording": {
            "folder": str(recorder.root / meta["id"]) if meta else "",
            "rows": st.rows,
            "values": st.values,
            "events": st.events,
            "raw_bytes": st.raw_bytes,
            "stalls": st.stalls,
            "lost_samples": st.lost_samples,
            "error": st.error,
        }
    }


def print_devices(summary: dict[str, Any]) -> None:
    """One line per device: samples, channels, rate and drops."""
    for dev_id, dev in summary["devices"].items():
        chans = dev["channels"]
        print(
            f"{dev_id}: {dev['samples']} samples x {len(chans)} channels "
            f"at {dev['rate_hz']:.1f} Hz, dropped {sum(dev['drops'].values())}"
        )


def run_headless(opts: HeadlessOptions) -> int:
    """Run devices for the duration, print one line per device, write the summary."""
    duration = 5.0 if opts.duration is None else opts.duration
    if not duration > 0:
        raise UsageError(f"--duration must be positive, got {duration}")
    runtime = Runtime()
    runtime.add_driver(opts.driver or "sim", opts.settings)
    att = attach_all(runtime, opts.rules, opts.derived, opts.twins)
    stats = SummaryStats()
    runtime.add_consumer("summary", stats.add, maxsize=4096, policy="block")
    recorder = None
    if opts.record:
        from twinbench.recording import Recorder

        recorder = Recorder(runtime, opts.record, devices=opts.record_devices or None)
        runtime.services["recorder"] = recorder
    meta: dict[str, Any] = {}
    if recorder is not None:
        recorder.start(opts.record_name)
    t0 = time.monotonic()
    settle_heap()
    mon = runlog.watch(runtime, duration)
    try:
        runtime.start()
        att.check_rules(opts.rules)  # channels are known once the drivers declared them
        wait_until(runtime, duration, opts.stop_when)
    finally:
        mon.closing = True
        runtime.stop()
        att.close()
        if recorder is not None:
            meta = recorder.stop()
        mon.stop()
    wall = time.monotonic() - t0
    extra = att.summary()
    if recorder is not None:
        extra.update(recording_extra(recorder, meta))
    summary = build_summary(runtime, stats, wall, extra)
    if opts.summary:
        write_json(opts.summary, summary)
    if not opts.quiet:
        print_devices(summary)
        if recorder is not None:
            rec = summary["recording"]
            print(
                f"recorded: {rec['folder']} ({rec['rows']} rows, {rec['events']} events, "
                f"lost {rec['lost_samples']})"
            )
    if not opts.quiet and att.rules is not None:
        for rec in att.rules.book.history:
            if rec.state in ("raised", "cleared"):
                when = time.strftime("%H:%M:%S", time.gmtime(rec.t_ns / 1e9))
                frac = f".{rec.t_ns % 1_000_000_000 // 1_000_000:03d}"
                print(
                    f"alarm {rec.state}: {rec.rule} on {rec.device} at {when}{frac} UTC "
                    f"(value {rec.value:.6g}, {rec.severity})"
                )
    if recorder is not None and recorder.stats.error:
        print(f"error: recording: {recorder.stats.error}")
        mon.result(False, f"recording: {recorder.stats.error}", exit_code=1)
        return 1
    print(f"{opts.label}: {len(summary['devices'])} device(s), {wall:.1f} s")
    mon.result(
        True, f"{opts.label}: {len(summary['devices'])} device(s), {wall:.1f} s", exit_code=0
    )
    return 0
