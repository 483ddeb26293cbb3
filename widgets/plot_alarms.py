"""Alarm markers on the time plot: a vertical line per raised alarm, coloured by severity."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from twinbench.events import Event
    from twinbench.widgets.plot_lane import Lane

SEVERITY_COLORS = {
    "info": "#3182bd",
    "warning": "#e6a700",
    "major": "#e6550d",
    "critical": "#d62728",
}
MAX_MARKERS = 500


def _line_color(severity: str) -> str:
    """The severity's colour in a shade legible (3:1) on the theme's plot background."""
    from twinbench.widgets.contrast import legible

    bg = pg.mkColor(pg.getConfigOption("background")).name()
    return legible(SEVERITY_COLORS.get(severity, "#888888"), bg)


def alarm_time_ns(ev: Event) -> int:
    """When an alarm happened: `t_event_ns` (sample time) when given, else the event time."""
    t = ev.data.get("t_event_ns")
    return int(t) if isinstance(t, (int, float)) else int(ev.t_ns)


class AlarmMarkers(QObject):
    """Collects alarm events (any thread) and draws raised ones on every lane (GUI thread)."""

    raised = Signal(object)  # the Event, once per raised alarm, on the GUI thread

    def __init__(self, events: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inbox: deque[Event] = deque()
        self.markers: deque[tuple[int, str, str]] = deque(maxlen=MAX_MARKERS)  # t, severity, tip
        self._lines: list[tuple[Lane, deque[pg.InfiniteLine]]] = []
        if events is None:
            return
        for _ in range(3):  # another thread may append while we copy
            try:
                self._inbox.extend(e for e in list(events.recent) if e.kind == "alarm")
                break
            except RuntimeError:
                continue
        events.listen(self._on_event)

    def _on_event(self, ev: Event) -> None:
        if ev.kind == "alarm":
            self._inbox.append(ev)  # deque.append is thread-safe

    def attach(self, lane: Lane) -> None:
        """Give a (new) lane the markers seen so far."""
        lines: deque[pg.InfiniteLine] = deque()
        self._lines.append((lane, lines))
        for t, sev, tip in self.markers:
            self._add_line(lane, lines, t, sev, tip)

    def detach_all(self) -> None:
        """Forget the lanes (they were cleared)."""
        self._lines.clear()

    def _add_line(
        self, lane: Lane, lines: deque[pg.InfiniteLine], t: int, sev: str, tip: str
    ) -> None:
        line = pg.InfiniteLine(
            pos=t / 1e9,
            angle=90,
            movable=False,
            pen=pg.mkPen(_line_color(sev), width=1, style=pg.QtCore.Qt.DashLine),
        )
        line.setToolTip(tip)
        line.setZValue(-5)
        lane.item.addItem(line, ignoreBounds=True)
        lines.append(line)
        if len(lines) > MAX_MARKERS:
            lane.item.removeItem(lines.popleft())

    def poll(self) -> int:
        """Draw the alarms raised since the last call; returns how many."""
        n = 0
        while self._inbox:
            ev = self._inbox.popleft()
            if ev.data.get("state") != "raised":
                continue
            t = alarm_time_ns(ev)
            sev = str(ev.data.get("severity", "warning"))
            rule = ev.data.get("rule", "")
            tip = f"{sev} alarm {rule!s} on {ev.device}: {ev.message}".strip()
            self.markers.append((t, sev, tip))
            for lane, lines in self._lines:
                self._add_line(lane, lines, t, sev, tip)
            self.raised.emit(ev)
            n += 1
        return n

    def colors(self) -> list[str]:
        """The colour of each marker, oldest first (for tests and the legend)."""
        return [SEVERITY_COLORS.get(sev, "#888") for _, sev, _ in self.markers]
