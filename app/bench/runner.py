"""Headless test mode: run a bench config, decide its assertions, write JUnit and JSON."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any

from twinbench import runlog
from twinbench.attachments import attach_all
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


class BenchRun:
    """One run of a bench config, steppable: the CLI loops it, the station view polls it."""

    def __init__(
        self,
        cfg: BenchConfig,
        *,
        duration: float | None = None,
        record: str | None = None,
        summary: str | None = None,
        junit: str | None = None,
    ) -> None:
        self.cfg = cfg
        self.summary_path = summary
        self.junit_path = junit
        self.runtime = Runtime()
        for i, d in enumerate(cfg.devices):
            try:
                self.runtime.add_driver(d.driver, d.settings)
            except UsageError as exc:
                raise ConfigError(f"{cfg.path}:{d.line}: device[{i}]: {exc}") from None
        try:
            self.att = attach_all(self.runtime, [str(r) for r in cfg.rules], cfg.derived)
        except UsageError as exc:
            raise ConfigError(f"{cfg.path}: bench: {exc}") from None
        self.stats = SummaryStats()
        self.runtime.add_consumer("summary", self.stats.add, maxsize=4096, policy="block")
        self.watch = EventWatch(cfg.assertions, cfg.until)
        self.runtime.events.listen(self.watch)
        self.rec_dir = record or (str(cfg.record) if cfg.record else None)
        self.recorder: Any = None
        self.limit = cfg.duration if duration is None else duration
        self.meta: dict[str, Any] = {}
        self.t0 = 0.0
        self.sent: set[int] = set()
        self.running = False
        self.stopped_by = "duration"  # or SIGTERM, SIGINT (docs/summary.md)
        self.result: dict[str, Any] | None = None
        self.outcomes: list[Outcome] = []
        self.log = runlog.Watch(self.runtime, self.limit)

    def start(self) -> None:
        """Start recording (if asked) and the devices."""
        if self.rec_dir:
            from twinbench.recording import Recorder

            meta = {"bench": {"config": str(self.cfg.path)}}
            self.recorder = Recorder(self.runtime, self.rec_dir, metadata=meta)
            self.runtime.services["recorder"] = self.recorder
            self.recorder.start(self.cfg.record_name or self.cfg.name)
        self.t0 = time.monotonic()
        self.watch.start()
        self.log.start()
        self.running = True
        try:
            self.runtime.start()
            _check_channels(self.cfg, self.runtime)
            self.att.check_rules([str(r) for r in self.cfg.rules])
        except BaseException:
            self.stop()
            raise

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.monotonic() - self.t0 if self.t0 else 0.0

    def step(self) -> bool:
        """Send due commands; False once the run should end (duration or `until` reached)."""
        if not self.running:
            return False
        _send_commands(self.cfg, self.runtime, self.t0, self.sent)
        return self.elapsed < self.limit and not self.watch.stop.is_set()

    def live(self) -> list[Outcome]:
        """The assertions judged on what has been seen so far (final only after finish())."""
        from twinbench.headless import build_summary

        if self.result is not None:
            return self.outcomes
        return evaluate(
            self.cfg.assertions, build_summary(self.runtime, self.stats, self.elapsed), self.watch
        )

    def stop(self) -> None:
        """Stop the devices and close the recording."""
        if not self.running:
            return
        self.running = False
        self.log.closing = True
        try:
            self.runtime.stop()
            self.att.close()
        finally:
            if self.recorder is not None:
                self.meta = self.recorder.stop()
            self.log.stop()

    def finish(self) -> dict[str, Any]:
        """Stop, decide every assertion, write the reports; returns the JSON summary."""
        from twinbench.headless import build_summary, recording_extra

        self.stop()
        wall = self.elapsed
        rec = self.recorder
        extra = self.att.summary()
        if rec is not None:
            extra.update(recording_extra(rec, self.meta))
        extra["stopped_by"] = self.stopped_by
        out = build_summary(self.runtime, self.stats, wall, extra)
        self.outcomes = evaluate(self.cfg.assertions, out, self.watch)
        passed = all(o.passed for o in self.outcomes)
        out["bench"] = {
            "name": self.cfg.name,
            "config": str(self.cfg.path),
            "passed": passed,
            "duration_s": round(wall, 3),
            "assertions": [o.to_dict() for o in self.outcomes],
        }
        self.result = out
        _write_reports(
            self.cfg, out, self.outcomes, wall, self.summary_path, self.junit_path, self.meta, rec
        )
        return out


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
    from twinbench.headless import print_devices

    cfg = load_config(config)
    run = BenchRun(cfg, duration=duration, record=record, summary=summary, junit=junit)
    term = threading.Event()  # SIGTERM (CI timeouts, systemctl stop) ends the run as Ctrl-C does
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, lambda *_: term.set()) if main else None
    run.start()
    try:
        while run.step() and not term.is_set():
            time.sleep(0.02)
    except KeyboardInterrupt:
        run.stopped_by = "SIGINT"
    finally:
        run.stop()
        if main:
            signal.signal(signal.SIGTERM, old)
    if term.is_set():
        run.stopped_by = "SIGTERM"
        runlog.event(logging.WARNING, "stopped", "SIGTERM: run ended early; judging what was seen")
    out = run.finish()
    outcomes = run.outcomes
    if not quiet:
        print_devices(out)
    for o in outcomes:
        print(line(o))
        level = logging.INFO if o.passed else logging.ERROR
        runlog.event(
            level, "assertion", line(o), o.assertion.params.get("device", ""), **o.to_dict()
        )
    wall = out["bench"]["duration_s"]
    if out["bench"]["passed"]:
        msg = f"passed: {len(outcomes)}/{len(outcomes)} assertions ({cfg.name}, {wall:.1f} s)"
        print(msg)
        run.log.result(True, msg, exit_code=0, junit=junit or cfg.junit)
        return 0
    n_fail = sum(not o.passed for o in outcomes)
    msg = f"FAILED: {n_fail} of {len(outcomes)} assertions ({cfg.name}, {wall:.1f} s)"
    print(msg)
    run.log.result(False, msg, exit_code=1, failed=n_fail, junit=junit or cfg.junit)
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
