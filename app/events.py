"""Low-rate events (connection changes, alarms, commands) with their listeners."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """Something that happened at a moment: what kind, to which device, and details."""

    t_ns: int
    kind: str
    device: str = ""
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class EventLog:
    """Keeps recent events and tells listeners about new ones."""

    def __init__(self, keep: int = 10_000) -> None:
        self.recent: deque[Event] = deque(maxlen=keep)
        self._listeners: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()

    def emit(self, kind: str, device: str = "", message: str = "", **data: Any) -> Event:
        """Record an event now and notify listeners."""
        ev = Event(time.time_ns(), kind, device, message, data)
        with self._lock:
            self.recent.append(ev)
            listeners = list(self._listeners)
        for cb in listeners:
            cb(ev)
        return ev

    def listen(self, callback: Callable[[Event], None]) -> None:
        """Call `callback(event)` for every event from now on."""
        with self._lock:
            self._listeners.append(callback)
