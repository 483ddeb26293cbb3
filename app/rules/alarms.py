"""Alarms: raise, clear, acknowledge and shelve, with a history of what happened when."""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

SEVERITY_RANK = {"info": 0, "warning": 1, "major": 2, "critical": 3}


@dataclass
class Alarm:
    """The live state of one rule on one device."""

    rule: str
    device: str
    severity: str
    active: bool = False
    acked: bool = True
    value: float = float("nan")
    raised_t_ns: int = 0  # event time of the last raise
    changed_t_ns: int = 0  # event time of the last change
    shelved_until: float = 0.0  # wall-clock seconds; 0 when not shelved
    message: str = ""

    @property
    def shelved(self) -> bool:
        """Whether the alarm is shelved now."""
        return self.shelved_until > time.time()

    @property
    def needs_attention(self) -> bool:
        """Active, or cleared but never acknowledged."""
        return self.active or not self.acked


class AlarmRecord(NamedTuple):
    """One line of alarm history."""

    t_ns: int  # event time (sample time) for raise/clear, wall time for ack/shelve
    wall_ns: int
    rule: str
    device: str
    severity: str
    state: str  # raised, cleared, acked, shelved
    value: float
    message: str
    shelved: bool = False


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TEMPLATES: dict[str, list[str]] = {}  # template -> [text, key, text, key, ..., text]


def _format(v: Any) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.6g}"
    return str(v)


def render(template: str, fields: dict[str, Any]) -> str:
    """Fill `{name}` placeholders from `fields` (no attribute access, no format specs)."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        parts = _TEMPLATES[template] = _PLACEHOLDER.split(template)
    if len(parts) == 1:
        return template
    out = []
    for i, part in enumerate(parts):
        if not i % 2:
            out.append(part)
        elif part in fields:
            out.append(_format(fields[part]))
        else:
            out.append("{" + part + "}")  # unknown names stay as written
    return "".join(out)


class AlarmBook:
    """Every alarm by (rule, device), its history, and the callbacks that report changes."""

    def __init__(
        self,
        emit: Callable[..., Any] | None = None,
        on_change: Callable[[AlarmRecord, Any], None] | None = None,
        keep: int = 10_000,
    ) -> None:
        self.emit = emit  # runtime.events.emit
        self.on_change = on_change  # (record, rule or None) -> actions
        self.alarms: dict[tuple[str, str], Alarm] = {}
        # plain tuples (see `history`): the collector untracks them, so an alarm storm leaves
        # nothing for later garbage collections on the hot path to scan
        self._history: deque[tuple] = deque(maxlen=keep)
        self._lock = threading.RLock()
        self._changes = 0

    def _record(self, alarm: Alarm, state: str, t_ns: int, value: float, rule: Any) -> AlarmRecord:
        fields = (t_ns, time.time_ns(), alarm.rule, alarm.device, alarm.severity, state, value)
        fields += (alarm.message, alarm.shelved)
        self._history.append(fields)
        rec = AlarmRecord(*fields)
        self._changes += 1
        if not rec.shelved or state in ("acked", "shelved"):
            if self.emit is not None:
                self.emit(
                    "alarm",
                    alarm.device,
                    f"{state}: {alarm.message}",
                    rule=alarm.rule,
                    severity=alarm.severity,
                    state=state,
                    value=value,
                    t_event_ns=t_ns,
                )
            if self.on_change is not None and state in ("raised", "cleared"):
                self.on_change(rec, rule)
        return rec

    def transition(
        self,
        rule: Any,
        device: str,
        state: str,
        t_ns: int,
        value: float,
    ) -> AlarmRecord:
        """Raise or clear the alarm of `rule` (a Rule) on `device` at event time t_ns."""
        with self._lock:
            key = (rule.name, device)
            alarm = self.alarms.get(key)
            if alarm is None:
                alarm = self.alarms[key] = Alarm(rule.name, device, rule.severity)
            fields = {
                "rule": rule.name,
                "device": device,
                "value": float(value),
                "severity": rule.severity,
                "state": state,
            }
            alarm.message = render(rule.message, fields)
            alarm.value = float(value)
            alarm.changed_t_ns = t_ns
            if state == "raised":
                alarm.active, alarm.acked, alarm.raised_t_ns = True, False, t_ns
            else:
                alarm.active = False
            return self._record(alarm, state, t_ns, float(value), rule)

    @property
    def history(self) -> list[AlarmRecord]:
        """Every kept alarm change, oldest first."""
        with self._lock:
            items = list(self._history)
        return [AlarmRecord(*r) for r in items]

    def acknowledge(self, rule: str, device: str) -> bool:
        """Acknowledge an alarm; False when there is none to acknowledge."""
        with self._lock:
            alarm = self.alarms.get((rule, device))
            if alarm is None or alarm.acked:
                return False
            alarm.acked = True
            self._record(alarm, "acked", time.time_ns(), alarm.value, None)
            return True

    def shelve(self, rule: str, device: str, seconds: float) -> bool:
        """Shelve an alarm for `seconds` (0 unshelves): no events or actions meanwhile."""
        with self._lock:
            alarm = self.alarms.get((rule, device))
            if alarm is None:
                return False
            alarm.shelved_until = time.time() + seconds if seconds > 0 else 0.0
            if seconds > 0:
                self._record(alarm, "shelved", time.time_ns(), alarm.value, None)
            return True

    def version(self) -> int:
        """A number that changes whenever an alarm or its shelving changes (for redraws)."""
        with self._lock:
            return self._changes + sum(a.shelved for a in self.alarms.values())

    def snapshot(self) -> list[Alarm]:
        """Copies of every alarm, most severe and most recent first."""
        with self._lock:
            items = [Alarm(**vars(a)) for a in self.alarms.values()]
        items.sort(key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), -a.changed_t_ns))
        return items

    def active(self) -> list[Alarm]:
        """Alarms that are active now."""
        return [a for a in self.snapshot() if a.active]
