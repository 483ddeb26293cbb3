"""Headless test mode: run a bench config, decide its assertions, write JUnit and JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from twinbench.bench.checks import EventWatch, Outcome, evaluate
from twinbench.bench.config import BenchConfig, load_config
from twinbench.bench.report import junit_xml, line, write_bytes
from twinbench.errors import ConfigError, UsageError
from twinbench.runtime import Runtime
from twinbench.summary import SummaryStats


def _check_channels(cfg: BenchConfig, runtime: Runtime) -> None:
    """After the devices opened: every stat assertion must name a declared device and channel."""
    devices = runtime.hub.devices
    for a in cfg.assertions:
        if a.check != "stat":
            continue
        dev = a.params.get("device")
        if dev is None:
            if len(devices) != 1:
                raise ConfigError(
                    f"{cfg.path}:{a.line}: assert.device: required when there are several "
                    f"devices ({', '.join(devices)})"
                )
            dev = next(iter(devices))
        if dev not in devices:
            raise ConfigError(
                f"{cfg.path}:{a.line_of('device')}: assert.device: no device {dev!r}; "
                f"devices: {', '.join(devices)}"
            )
        names = devices[dev].device.channel_names
        if names and a.params["channel"] not in names:
            raise ConfigError(
                f"{cfg.path}:{a.line_of('channel')}: assert.channel: no channel "
                f"{a.params['channel']!r} on {dev!r}; channels: {', '.join(names)}"
            )


def _send_commands(cfg: BenchConfig, runtime: Runtime, t0: float, sent: set[int]) -> None:
    for i, c in enumerate(cfg.commands):
        if i in sent or time.monotonic() - t0 < c.at:
            continue
        sent.add(i)
        driver = next(
            (d for d in runtime.drivers if c.device in [x.id for x in getattr(d, "devices", [])]),
            runtime.drivers[0],
        )
        runtime.events.emit("command", c.device, f"{c.name} sent", name=c.name, state="sent")

        def done(fut: Any, c: Any = c) -> None:
            try:
                reply = fut.result()
            except Exception as exc:
                runtime.events.emit(
                    "command", c.device, f"{c.name} failed: {exc}", name=c.name, state="failed"
                )
            else:
                runtime.events.emit(
                    "command",
                    c.device,
                    f"{c.name} answered",
                    name=c.name,
                    state="answered",
                    reply=reply,
                )

        runtime.call(driver.command(c.device, c.name, c.payload)).add_done_callback(done)


def run_bench(
    config: str,
    *,
    duration: float | None = None,
    record: str | None = None,
    summary: str | None = None,
    junit: str | None = None,
    quiet: bool = False,
) -> int:
    """Run a bench config: exit 0 when all assertions pass, 1 when one fails, 2 on bad config."""
    from twinbench.headless import build_summary, print_devices, recording_extra

    cfg = load_config(config)
    runtime = Runtime()
    for i, d in enumerate(cfg.devices):
        try:
            runtime.add_driver(d.driver, d.settings)
        except UsageError as exc:
            raise ConfigError(f"{cfg.path}:{d.line}: device[{i}]: {exc}") from None
    stats = SummaryStats()
    runtime.add_consumer("summary", stats.add, maxsize=4096, policy="block")
    watch = EventWatch(cfg.assertions, cfg.until)
    runtime.events.listen(watch)
    rec_dir = record or (str(cfg.record) if cfg.record else None)
    recorder = None
    if rec_dir:
        from twinbench.recording import Recorder

        recorder = Recorder(runtime, rec_dir, metadata={"bench": {"config": str(cfg.path)}})
        runtime.services["recorder"] = recorder
        recorder.start(cfg.record_name or cfg.name)
    limit = cfg.duration if duration is None else duration
    meta: dict[str, Any] = {}
    t0 = time.monotonic()
    try:
        watch.start()
        runtime.start()
        _check_channels(cfg, runtime)
        sent: set[int] = set()
        while time.monotonic() - t0 < limit and not watch.stop.is_set():
            _send_commands(cfg, runtime, t0, sent)
            time.sleep(0.02)
    except KeyboardInterrupt:
        pass
    finally:
        runtime.stop()
        if recorder is not None:
            meta = recorder.stop()
    wall = time.monotonic() - t0
    out = build_summary(runtime, stats, wall, recording_extra(recorder, meta) if recorder else None)
    outcomes = evaluate(cfg.assertions, out, watch)
    passed = all(o.passed for o in outcomes)
    out["bench"] = {
        "name": cfg.name,
        "config": str(cfg.path),
        "passed": passed,
        "assertions": [o.to_dict() for o in outcomes],
    }
    _write_reports(cfg, out, outcomes, wall, summary, junit, meta, recorder)
    if not quiet:
        print_devices(out)
    for o in outcomes:
        print(line(o))
    n_fail = sum(not o.passed for o in outcomes)
    if passed:
        print(f"passed: {len(outcomes)}/{len(outcomes)} assertions ({cfg.name}, {wall:.1f} s)")
        return 0
    print(f"FAILED: {n_fail} of {len(outcomes)} assertions ({cfg.name}, {wall:.1f} s)")
    return 1


def _write_reports(
    cfg: BenchConfig,
    out: dict[str, Any],
    outcomes: list[Outcome],
    wall: float,
    summary: str | None,
    junit: str | None,
    meta: dict[str, Any],
    recorder: Any,
) -> None:
    from twinbench.headless import write_json

    spath = summary or (str(cfg.summary) if cfg.summary else None)
    jpath = junit or (str(cfg.junit) if cfg.junit else None)
    if spath:
        write_json(spath, out)
    xml = junit_xml(cfg.name, outcomes, wall)
    if jpath:
        write_bytes(Path(jpath), xml)
    if recorder is not None and meta:
        folder = recorder.root / meta["id"]
        try:
            (folder / "bench.json").write_text(json.dumps(out["bench"], indent=2) + "\n")
            (folder / "bench-junit.xml").write_bytes(xml)
        except OSError as exc:
            raise UsageError(f"cannot save the bench result in {folder}: {exc}") from None
