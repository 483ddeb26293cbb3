"""Run logs: one JSON object per line or human lines on a stream, levels, losses, progress."""

from __future__ import annotations

import io
import json
import logging
import time

import numpy as np
import pytest

from twinbench import runlog
from twinbench.credentials import SecretSpec, resolve
from twinbench.model import Channel, Chunk, Device
from twinbench.runtime import Runtime


@pytest.fixture
def logged():
    """Configure the run log onto a buffer; undo after the test."""
    buf = io.StringIO()

    def setup(fmt="json", verbose=0, quiet=False, progress=False):
        runlog.configure(fmt, verbose, quiet, progress, stream=buf)
        return buf

    yield setup
    log = logging.getLogger(runlog.LOGGER)
    for h in list(log.handlers):
        log.removeHandler(h)
    runlog._state.update(configured=False, progress=False, fmt="human")


def _lines(buf):
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_runtime_events_become_json_lines_with_levels(logged):
    buf = logged("json")
    rt = Runtime()
    w = runlog.Watch(rt)
    rt.events.emit("connection", "rig", "connected", state="connected")
    rt.events.emit("connection", "rig", "lost link", state="disconnected")
    rt.events.emit("alarm", "rig", "raised: hot", rule="hot", state="raised", value=71.5)
    rt.events.emit("error", "", "recorder: disk full", source="recorder")
    w.closing = True
    rt.events.emit("connection", "rig", "disconnected", state="disconnected")
    got = _lines(buf)
    assert [(g["event"], g["level"], g["device"]) for g in got] == [
        ("connection", "info", "rig"),
        ("connection", "warning", "rig"),
        ("alarm", "warning", "rig"),
        ("error", "error", ""),
        ("connection", "info", "rig"),  # closing on purpose is no warning
    ]
    assert got[2]["fields"] == {"rule": "hot", "state": "raised", "value": 71.5}
    assert got[0]["time"].endswith("Z") and got[0]["time"][10] == "T"


def test_quiet_and_verbose_set_the_level(logged):
    buf = logged("json", quiet=True)
    runlog.event(logging.WARNING, "loss", "dropped")
    runlog.event(logging.ERROR, "error", "broken")
    assert [g["event"] for g in _lines(buf)] == ["error"]
    buf = logged("json")
    runlog.event(logging.DEBUG, "debug", "detail")
    runlog.event(logging.INFO, "connection", "up")
    assert [g["event"] for g in _lines(buf)] == ["error", "connection"]
    logged("json", verbose=1)
    runlog.event(logging.DEBUG, "debug", "detail")
    assert _lines(buf)[-1]["event"] == "debug"


def test_human_lines_start_at_warnings(logged):
    buf = logged("human")
    runlog.event(logging.INFO, "connection", "up", "rig")
    assert buf.getvalue() == ""
    logged("human", verbose=1)
    runlog.event(logging.INFO, "connection", "up", "rig")
    assert buf.getvalue().endswith(" info    rig: up\n")


def test_human_lines_and_masked_secrets(logged, monkeypatch):
    buf = logged("human")
    monkeypatch.setenv("TB_RUNLOG_PW", "sup3r-s3cret-pw")
    resolve(SecretSpec("pw", env="TB_RUNLOG_PW"))
    runlog.event(logging.WARNING, "connection", "login sup3r-s3cret-pw refused", "rig")
    (line,) = buf.getvalue().splitlines()
    assert line[12:] == " warning rig: login *** refused"
    logged("json")
    runlog.event(logging.INFO, "x", "m", "", detail="sup3r-s3cret-pw")
    last = buf.getvalue().splitlines()[-1]
    assert "sup3r" not in buf.getvalue() and json.loads(last)["fields"]["detail"] == "***"


def test_losses_are_logged_once_per_increase(logged):
    buf = logged("json")
    rt = Runtime()
    sub = rt.hub.subscribe("slow", maxsize=1, policy="drop")
    w = runlog.Watch(rt)
    rt.hub.declare(Device("rig", "sim", (Channel("x"),)))
    for i in range(3):
        rt.hub.publish(Chunk("rig", ("x",), np.array([i, i + 1]), np.zeros((2, 1))))
    w.check_losses()
    w.check_losses()  # nothing new: no second line
    (got,) = _lines(buf)
    assert (got["event"], got["level"], got["device"]) == ("loss", "warning", "rig")
    assert got["fields"] == {"counter": "dropped_samples", "delta": 4, "total": 4}
    rt.hub.unsubscribe(sub)


def test_progress_line_counts_time_devices_and_samples(logged):
    buf = logged("human", quiet=True, progress=True)  # asked for: shown at any level
    now = [100.0]
    rt = Runtime()
    w = runlog.Watch(rt, duration=60, clock=lambda: now[0])
    now[0] = 130.0
    w.log_progress()
    assert (
        buf.getvalue()
        .rstrip()
        .endswith("info    progress: 30/60 s (50%), 0 device(s), 0 samples, dropped 0")
    )
    runlog.event(logging.WARNING, "loss", "lost frames")  # --quiet still hides the rest
    assert "lost frames" not in buf.getvalue()


def test_the_watch_thread_logs_progress_lines(logged):
    buf = logged("json", progress=True)
    rt = Runtime()
    w = runlog.Watch(rt, duration=30, every=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while buf.getvalue().count('"progress"') < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        w.stop()
    lines = [g for g in _lines(buf) if g["event"] == "progress"]
    assert len(lines) >= 2 and lines[0]["fields"]["duration_s"] == 30
    assert lines[0]["fields"]["elapsed_s"] <= lines[1]["fields"]["elapsed_s"]


def test_human_lines_name_alarms_and_commands(logged):
    buf = logged("human")
    rt = Runtime()
    runlog.Watch(rt)
    rt.events.emit("alarm", "rig", "raised: hot: 71.5", state="raised")
    assert buf.getvalue().endswith(" warning rig: alarm raised: hot: 71.5\n")


def test_bad_format_is_a_usage_error():
    from twinbench.errors import UsageError

    with pytest.raises(UsageError, match="expected one of human, json"):
        runlog.configure("xml")
