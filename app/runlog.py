"""Run logs for people and machines: events on stderr, human lines or one JSON object per line.

`configure` sets the format and level once per process (the CLI does it from `--log-format`,
`-v` and `--quiet`); `watch(runtime)` then logs every runtime event (connections, alarms,
actions, commands, recording, errors), counts losses as they happen and, with `--progress`,
prints a progress line at a steady pace that a CI log shows well. Standard `logging` records
of the `twinbench.*` loggers go the same way. Secrets resolved in this process are masked.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from twinbench.credentials import redact

LOGGER = "twinbench"
FORMATS = ("human", "json")
NAMED_KINDS = ("alarm", "command", "assertion", "loss")  # human lines say what these are
_state: dict[str, Any] = {"configured": False, "progress": False, "every": 10.0}


def _iso(t: float) -> str:
    ms = int(t * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{ms:03d}Z"


class HumanFormatter(logging.Formatter):
    """`HH:MM:SS.mmm LEVEL device: message` (UTC)."""

    def format(self, record: logging.LogRecord) -> str:
        """One line for a person."""
        device = getattr(record, "device", "")
        stamp = _iso(record.created)[11:23]
        head = f"{stamp} {record.levelname.lower():<7} "
        text = record.getMessage()
        kind = getattr(record, "event", "")
        if kind in NAMED_KINDS and not text.startswith(kind):
            text = f"{kind} {text}"  # "alarm raised: hot: 71.5", "command reboot sent"
        return redact(head + (f"{device}: " if device else "") + text)


class JsonFormatter(logging.Formatter):
    """One JSON object: time, level, event, device, message, fields."""

    def format(self, record: logging.LogRecord) -> str:
        """One line for a machine."""
        obj = {
            "time": _iso(record.created),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", record.name.removeprefix("twinbench.") or "log"),
            "device": getattr(record, "device", ""),
            "message": record.getMessage(),
            "fields": getattr(record, "fields", {}),
        }
        return redact(json.dumps(obj, default=str, allow_nan=False, separators=(", ", ": ")))


class _StderrHandler(logging.StreamHandler):
    """Writes to `stream`, or to whatever `sys.stderr` is at each record (tests swap it)."""

    _twinbench = True

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._follow = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        """Format and write one record."""
        if self._follow:
            self.stream = sys.stderr
        super().emit(record)


def level_for(fmt: str, verbose: int, quiet: bool) -> int:
    """--quiet: errors only; default: warnings for people, info for machines; each -v one more."""
    if quiet:
        return logging.ERROR
    base = logging.INFO if fmt == "json" else logging.WARNING
    return max(logging.DEBUG, base - 10 * verbose)


def configure(
    fmt: str = "human",
    verbose: int = 0,
    quiet: bool = False,
    progress: bool = False,
    stream: TextIO | None = None,
) -> logging.Logger:
    """Send `twinbench` log records to stderr in `fmt` at the level -v/--quiet ask for."""
    if fmt not in FORMATS:
        from twinbench.errors import UsageError

        raise UsageError(f"--log-format {fmt!r}: expected one of {', '.join(FORMATS)}")
    log = logging.getLogger(LOGGER)
    for h in list(log.handlers):
        if getattr(h, "_twinbench", False):
            log.removeHandler(h)
    handler = _StderrHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else HumanFormatter())
    level = level_for(fmt, verbose, quiet)
    handler.addFilter(
        lambda r: r.levelno >= level or (progress and getattr(r, "event", "") == "progress")
    )
    log.addHandler(handler)
    log.setLevel(min(level, logging.INFO) if progress else level)
    log.propagate = False
    _state.update(configured=True, progress=progress, fmt=fmt)
    return log


def event(level: int, kind: str, message: str, device: str = "", /, **fields: Any) -> None:
    """Log one event (a no-op until `configure` ran, as in the GUI)."""
    if not _state["configured"]:
        return
    logging.getLogger(LOGGER).log(
        level, "%s", message, extra={"event": kind, "device": device, "fields": fields}
    )


def _event_level(kind: str, data: dict[str, Any]) -> int:
    state = str(data.get("state", ""))
    if kind == "error":
        return logging.ERROR
    if kind == "connection":
        return logging.INFO if state in ("connected", "open", "opened", "") else logging.WARNING
    if kind == "alarm":
        return logging.WARNING if state == "raised" else logging.INFO
    if kind in ("action", "command"):
        failed = data.get("ok") is False or state == "failed"
        return logging.WARNING if failed else logging.INFO
    return logging.INFO


def log_runtime_event(ev: Any) -> None:
    """Log one runtime event (connection, alarm, action, command, recording, error...)."""
    event(_event_level(ev.kind, ev.data), ev.kind, ev.message, ev.device, **ev.data)


LOSS_IGNORED = ("bytes_in", "frames")


class Watch:
    """Logs a runtime's events and losses while it runs; with progress, a line every so often."""

    def __init__(
        self,
        runtime: Any,
        duration: float | None = None,
        progress: bool | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runtime = runtime
        self.duration = duration
        self.progress = _state["progress"] if progress is None else progress
        self.every = _state["every"] if every is None else every
        self.clock = clock
        self.t0 = clock()
        self._seen: dict[tuple[str, str], int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.closing = False  # set before the devices are closed on purpose
        runtime.events.listen(self._on_event)

    def _on_event(self, ev: Any) -> None:
        if self.closing and ev.kind == "connection":  # devices closing at the end: expected
            event(logging.INFO, ev.kind, ev.message, ev.device, **ev.data)
            return
        log_runtime_event(ev)

    def start(self) -> Watch:
        """Start the loss and progress poller (a daemon thread)."""
        if _state["configured"] and self._thread is None:
            self.t0 = self.clock()
            self._thread = threading.Thread(target=self._run, name="twinbench-runlog", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        next_progress = self.t0 + self.every
        while not self._stop.wait(min(1.0, self.every)):
            self.check_losses()
            if self.progress and self.clock() >= next_progress:
                next_progress += self.every
                self.log_progress()

    def check_losses(self) -> None:
        """Log each loss counter that grew since the last check, per device."""
        rt = self.runtime
        counters: list[tuple[str, str, int]] = []
        for dev in list(rt.hub.devices):
            counters.append((dev, "dropped_samples", rt.hub.dropped(dev)))
        for drv in list(rt.drivers):
            loss = getattr(drv, "loss", None)
            dev_id = getattr(drv, "cfg", {}).get("device_id")
            if callable(loss) and dev_id is not None:
                counters += [
                    (dev_id, k, int(v)) for k, v in loss().items() if k not in LOSS_IGNORED
                ]
        for dev, key, total in counters:
            before = self._seen.get((dev, key), 0)
            if total > before:
                self._seen[(dev, key)] = total
                event(
                    logging.WARNING,
                    "loss",
                    f"{key.replace('_', ' ')}: +{total - before} ({total} in all)",
                    dev,
                    counter=key,
                    delta=total - before,
                    total=total,
                )

    def log_progress(self) -> None:
        """One progress line: elapsed (of the duration), devices, samples, drops."""
        rt = self.runtime
        elapsed = self.clock() - self.t0
        samples = sum(st.samples for st in list(rt.hub.devices.values()))
        of = ""
        fields: dict[str, Any] = {"elapsed_s": round(elapsed, 1)}
        if self.duration:
            pct = min(100.0, 100.0 * elapsed / self.duration)
            of = f"/{self.duration:.0f} s ({pct:.0f}%)"
            fields.update(duration_s=self.duration, percent=round(pct, 1))
        fields.update(devices=len(rt.hub.devices), samples=samples, dropped=rt.hub.dropped())
        event(
            logging.INFO,
            "progress",
            f"progress: {elapsed:.0f}{of if of else ' s'}, {fields['devices']} device(s), "
            f"{samples:,} samples, dropped {fields['dropped']}",
            **fields,
        )

    def stop(self) -> None:
        """Stop polling (a last loss check first) and stop logging events."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join(5)
            self._thread = None
            self.check_losses()
        self._stop.set()

    def result(self, ok: bool, message: str, **fields: Any) -> None:
        """Log the run's outcome for machines (JSON only: people read it on stdout)."""
        if _state.get("fmt") == "json":
            event(logging.INFO if ok else logging.ERROR, "result", message, ok=ok, **fields)


def watch(runtime: Any, duration: float | None = None) -> Watch:
    """Start logging a runtime's events, losses and progress; call `.stop()` at the end."""
    return Watch(runtime, duration).start()
