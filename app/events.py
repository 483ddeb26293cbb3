"""Low-rate events (connection changes, alarms, commands) with their listeners."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from itertools import chain
from typing import Any, NamedTuple


class Event(NamedTuple):
    """Something that happened at a moment: what kind, to which device, and details."""

    t_ns: int
    kind: str
    device: str
    message: str
    data: dict[str, Any]


class EventLog:
    """Keeps recent events and tells listeners about new ones."""

    def __init__(self, keep: int = 10_000) -> None:
        # plain tuples of plain values: the collector untracks them, so a burst of events
        # (an alarm storm) leaves nothing for later garbage collections to scan
        self._recent: deque[tuple] = deque(maxlen=keep)
        self._listeners: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()
        self.total = 0  # every event emitted, kept or not

    def emit(self, kind: str, device: str = "", message: str = "", **data: Any) -> Event:
        """Record an event now and notify listeners."""
        ev = Event(time.time_ns(), kind, device, message, data)
        with self._lock:
            self.total += 1
            self._recent.append(
                (ev.t_ns, kind, device, message, *chain.from_iterable(data.items()))
            )
            listeners = list(self._listeners)
        for cb in listeners:
            cb(ev)
        return ev

    @property
    def recent(self) -> list[Event]:
        """The kept events, oldest first."""
        with self._lock:
            items = list(self._recent)
        return [Event(*r[:4], dict(zip(r[4::2], r[5::2], strict=True))) for r in items]

    def listen(self, callback: Callable[[Event], None]) -> None:
        """Call `callback(event)` for every event from now on."""
        with self._lock:
            self._listeners.append(callback)
