"""Evaluating bench assertions against a run's summary and its events."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from twinbench.bench.config import SEVERITIES, Assertion
from twinbench.events import Event

ANSWERED = ("answered", "ok", "done", "replied")


@dataclass
class Outcome:
    """The result of one assertion: passed or not, the measured value and a message."""

    assertion: Assertion
    passed: bool
    value: Any
    message: str
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {
            "name": self.assertion.name,
            "check": self.assertion.check,
            "line": self.assertion.line,
            "passed": self.passed,
            "value": self.value,
            "message": self.message,
        }


class EventWatch:
    """Keeps what the assertions need from the events: alarms, twin values, commands."""

    def __init__(self, assertions: list[Assertion], until: dict[str, Any] | None = None) -> None:
        self.assertions = assertions
        self.until = until
        self.t0_ns = time.time_ns()
        self.alarms: list[Event] = []
        self.twin_hits: dict[int, float] = {}  # assertion index -> seconds from start
        self.cmd_sent: dict[str, int] = {}
        self.cmd_answered: dict[int, float] = {}
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Mark the start of the run (times are measured from here)."""
        self.t0_ns = time.time_ns()

    def __call__(self, ev: Event) -> None:
        """Event listener."""
        with self._lock:
            self._take(ev)
        if self.until is not None and _matches(ev, self.until):
            self.stop.set()

    def _take(self, ev: Event) -> None:
        at = (ev.t_ns - self.t0_ns) / 1e9
        if ev.kind == "alarm":
            self.alarms.append(ev)
        elif ev.kind == "twin":
            for i, a in enumerate(self.assertions):
                if a.check != "twin" or i in self.twin_hits:
                    continue
                p = a.params
                if ev.data.get("property") != p["property"]:
                    continue
                if "device" in p and ev.device != p["device"]:
                    continue
                if _twin_ok(ev.data.get("value"), p):
                    self.twin_hits[i] = at
        elif ev.kind == "command":
            name = str(ev.data.get("name", ""))
            state = str(ev.data.get("state", ""))
            if state == "sent":
                self.cmd_sent.setdefault(name, ev.t_ns)
            if state in ANSWERED or "reply" in ev.data:
                for i, a in enumerate(self.assertions):
                    if a.check == "command" and a.params["command"] == name:
                        if "device" in a.params and ev.device != a.params["device"]:
                            continue
                        sent = self.cmd_sent.get(name, self.t0_ns)
                        self.cmd_answered.setdefault(i, (ev.t_ns - sent) / 1e9)


def _matches(ev: Event, cond: dict[str, Any]) -> bool:
    if ev.kind != cond.get("kind"):
        return False
    for key, want in cond.items():
        if key == "kind":
            continue
        have = ev.device if key == "device" else ev.data.get(key)
        if have != want:
            return False
    return True


def _twin_ok(value: Any, p: dict[str, Any]) -> bool:
    if "equals" in p:
        want = p["equals"]
        if isinstance(want, int | float) and not isinstance(want, bool):
            try:
                return math.isclose(float(value), float(want), rel_tol=1e-9, abs_tol=1e-12)
            except (TypeError, ValueError):
                return False
        return value == want
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return p.get("min", -math.inf) <= v <= p.get("max", math.inf)


def evaluate(
    assertions: list[Assertion], summary: dict[str, Any], watch: EventWatch
) -> list[Outcome]:
    """Decide every assertion from the run summary and the watched events."""
    out = []
    for i, a in enumerate(assertions):
        out.append(_one(i, a, summary, watch))
    return out


def _one(i: int, a: Assertion, summary: dict[str, Any], watch: EventWatch) -> Outcome:
    p = a.params
    devices = summary.get("devices", {})
    if a.check == "stat":
        dev_id = p.get("device") or (next(iter(devices)) if len(devices) == 1 else "")
        dev = devices.get(dev_id)
        if dev is None:
            return Outcome(a, False, None, f"no data from device {dev_id or '(give device=)'!r}")
        ch = dev["channels"].get(p["channel"])
        if ch is None:
            return Outcome(a, False, None, f"no channel {p['channel']!r} on {dev_id!r}")
        value = ch[p["stat"]]
        unit = ch.get("unit", "") if p["stat"] in ("min", "max", "mean") else ""
        if value is None:
            return Outcome(a, False, None, f"{p['stat']} undefined (no finite samples)")
        ok = p.get("min", -math.inf) <= value <= p.get("max", math.inf)
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return Outcome(a, ok, value, f"{p['stat']} = {shown}{' ' + unit if unit else ''}")
    if a.check == "no_loss":
        lost = summary.get("dropped_samples", 0)
        rec = summary.get("recording", {})
        lost += rec.get("lost_samples", 0)
        if "device" in p:
            lost = sum(devices.get(p["device"], {}).get("drops", {}).values())
        return Outcome(a, lost == 0, lost, f"{lost} sample(s) lost or dropped")
    if a.check == "no_alarm":
        floor = SEVERITIES.index(p["severity"])
        bad = [
            e
            for e in watch.alarms
            if str(e.data.get("severity")) in SEVERITIES
            and SEVERITIES.index(str(e.data["severity"])) >= floor
            and e.data.get("state", "raised") == "raised"
            and ("device" not in p or e.device == p["device"])
        ]
        if bad:
            e = bad[0]
            msg = f"{len(bad)} alarm(s), first: {e.data.get('rule', '')} {e.data['severity']}"
            return Outcome(a, False, len(bad), f"{msg} ({e.message})")
        return Outcome(a, True, 0, "no alarm")
    if a.check == "twin":
        at = watch.twin_hits.get(i)
        if at is None:
            return Outcome(a, False, None, f"{p['property']} never reached the target")
        ok = at <= p["within"]
        return Outcome(a, ok, round(at, 3), f"reached after {at:.2f} s")
    at = watch.cmd_answered.get(i)
    if at is None:
        return Outcome(a, False, None, f"command {p['command']!r} never answered")
    ok = at <= p.get("within", math.inf)
    return Outcome(a, ok, round(at, 3), f"answered after {at:.2f} s")
