"""Two cursors on the time plot and a table of measurements between them, on raw samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from twinbench.analysis.histogram import span_stats

if TYPE_CHECKING:
    from twinbench.history import DisplayHistory
    from twinbench.widgets.plot_lane import Lane

CURSOR_COLORS = ("#e6550d", "#3182bd")
COLUMNS = ("Channel", "Unit", "\u0394", "Min", "Max", "Mean", "Samples")


def raw_samples(
    history: DisplayHistory, device: str, channels: list[str], t0_ns: int, t1_ns: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every stored sample of some channels of a device with t0 <= t <= t1 (never min/max pairs)."""
    a, b = sorted((int(t0_ns), int(t1_ns)))
    if not channels:
        return {}
    most = max(history.count(device, ch) for ch in channels) + 4
    out = {}
    for ch, (t, y) in history.view_many(device, channels, a, b, most).items():
        lo, hi = np.searchsorted(t, a, "left"), np.searchsorted(t, b, "right")
        out[ch] = (t[lo:hi], y[lo:hi])
    return out


@dataclass(frozen=True)
class Measurement:
    """One channel's figures between the cursors."""

    device: str
    channel: str
    unit: str
    delta: float
    minimum: float
    maximum: float
    mean: float
    count: int


def measure(
    history: DisplayHistory,
    keys: list[tuple[str, str]],
    t0_ns: int,
    t1_ns: int,
    unit_of: dict[tuple[str, str], str] | None = None,
) -> list[Measurement]:
    """Delta, min, max and mean of each (device, channel) between two times, on raw samples."""
    by_dev: dict[str, list[str]] = {}
    for dev, ch in keys:
        by_dev.setdefault(dev, []).append(ch)
    found: dict[tuple[str, str], Measurement] = {}
    for dev, chans in by_dev.items():
        for ch, (t, y) in raw_samples(history, dev, chans, t0_ns, t1_ns).items():
            s = span_stats(t, y, t0_ns, t1_ns)
            unit = (unit_of or {}).get((dev, ch), "")
            found[dev, ch] = Measurement(
                dev, ch, unit, s.delta, s.minimum, s.maximum, s.mean, s.count
            )
    return [found[k] for k in keys if k in found]


class CursorPair(QObject):
    """Cursor A and B: one draggable vertical line each in every lane, kept in step."""

    moved = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self.pos_ns = [0, 0]
        self._lanes: list[Lane] = []
        self._owners: list[Lane] = []  # the lane of each pair of lines
        self._lines: list[tuple[pg.InfiniteLine, pg.InfiniteLine]] = []

    def attach(self, lane: Lane) -> None:
        """Give a (new) lane its two cursor lines (made while the cursors are shown: hidden
        lines and their labels would still be moved on every frame)."""
        self._lanes.append(lane)
        if self.enabled:
            self._add_lines(lane)

    def _add_lines(self, lane: Lane) -> None:
        pair = []
        for i, color in enumerate(CURSOR_COLORS):
            line = pg.InfiniteLine(
                pos=self.pos_ns[i] / 1e9,
                angle=90,
                movable=True,
                pen=pg.mkPen(color, width=1.5),
                label="AB"[i],
                labelOpts={"position": 0.95, "color": color},
            )
            line.sigPositionChanged.connect(lambda ln, i=i: self._dragged(i, ln))
            lane.item.addItem(line, ignoreBounds=True)
            pair.append(line)
        self._lines.append((pair[0], pair[1]))
        self._owners.append(lane)

    def detach_all(self) -> None:
        """Forget the lanes and lines (the lanes were cleared)."""
        self._lanes.clear()
        self._owners.clear()
        self._lines.clear()

    def set_enabled(self, on: bool, x0_ns: int = 0, x1_ns: int = 0) -> None:
        """Show or hide both cursors; when shown anew they sit at 1/3 and 2/3 of [x0, x1]."""
        self.enabled = bool(on)
        if on and x1_ns > x0_ns:
            w = x1_ns - x0_ns
            self.set_positions(x0_ns + w // 3, x0_ns + 2 * w // 3)
        if self.enabled and not self._lines:
            for lane in self._lanes:
                self._add_lines(lane)
        elif not self.enabled:
            for lane, pair in zip(self._owners, self._lines, strict=True):
                for line in pair:
                    lane.item.removeItem(line)
            self._owners.clear()
            self._lines.clear()
        self.moved.emit()

    def set_positions(self, a_ns: int, b_ns: int) -> None:
        """Place cursor A and B (times in ns)."""
        self.pos_ns = [int(a_ns), int(b_ns)]
        self._sync()
        self.moved.emit()

    def _dragged(self, i: int, line: pg.InfiniteLine) -> None:
        t = round(line.value() * 1e9)
        if abs(t - self.pos_ns[i]) < 1000:
            return
        self.pos_ns[i] = t
        self._sync()
        self.moved.emit()

    def _sync(self) -> None:
        for pair in self._lines:
            for i, line in enumerate(pair):
                if abs(line.value() - self.pos_ns[i] / 1e9) > 1e-7:
                    line.blockSignals(True)
                    line.setValue(self.pos_ns[i] / 1e9)
                    line.blockSignals(False)

    def span(self) -> tuple[int, int]:
        """(A, B) in ns."""
        return self.pos_ns[0], self.pos_ns[1]


def _fmt(x: float) -> str:
    return "" if x != x else f"{x:.6g}"


class MeasureTable(QWidget):
    """Delta time and a row per visible channel: delta, min, max, mean between the cursors."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel(" ")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(160)
        self.rows: list[Measurement] = []
        self.dt_s = 0.0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.setSpacing(1)
        lay.addWidget(self.header)
        lay.addWidget(self.table)

    def show_rows(self, a_ns: int, b_ns: int, rows: list[Measurement]) -> None:
        """Fill the table."""
        self.rows, self.dt_s = rows, (b_ns - a_ns) / 1e9
        hz = f"   1/\u0394t {1 / abs(self.dt_s):.6g} Hz" if self.dt_s else ""
        self.header.setText(f"\u0394t (B\u2212A) = {self.dt_s:.6g} s{hz}")
        multi = len({r.device for r in rows}) > 1
        self.table.setRowCount(len(rows))
        for r, m in enumerate(rows):
            name = f"{m.device}/{m.channel}" if multi else m.channel
            cells = (name, m.unit, _fmt(m.delta), _fmt(m.minimum), _fmt(m.maximum), _fmt(m.mean))
            for c, text in enumerate((*cells, str(m.count))):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(r, c, item)
                item.setText(text)
