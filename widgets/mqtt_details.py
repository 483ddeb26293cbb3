"""The selected topic in the MQTT panel: last payload, message history, diff and value plot."""

from __future__ import annotations

import difflib
import json
import time
from typing import Any

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from twinbench.mqtt.payloads import get_path, parse_path
from twinbench.mqtt.topictree import Message, numeric_fields, render_payload
from twinbench.widgets.theme import fit_pens

PREVIEW = 80  # payload characters shown in a history row


def payload_diff(old: bytes | None, new: bytes) -> str:
    """A unified diff of two payloads (pretty JSON compared line by line)."""
    if old is None:
        return "(only one message so far)"
    a = render_payload(old)[1].splitlines()
    b = render_payload(new)[1].splitlines()
    if a == b:
        return "(identical payloads)"
    return "\n".join(difflib.unified_diff(a, b, "previous", "latest", lineterm=""))


def field_series(messages: list[Message], path: str) -> tuple[np.ndarray, np.ndarray]:
    """(t seconds, value) of one numeric field over the history; NaN where absent."""
    keys = () if path in ("", "$") else parse_path(path)
    t = np.array([m.t_ns for m in messages], np.int64) / 1e9
    v = np.full(len(messages), np.nan)
    for i, m in enumerate(messages):
        try:
            doc = json.loads(m.payload)
            v[i] = float(get_path(doc, keys) if keys else doc)
        except (ValueError, TypeError, KeyError, IndexError):
            pass
    return t, v


class TopicDetails(QWidget):
    """Shows one topic: header figures, payload, history table, diff and value history plot."""

    def __init__(self) -> None:
        super().__init__()
        import pyqtgraph as pg

        self.topic = ""
        self.messages: list[Message] = []
        self.header = QLabel("select a topic")
        self.header.setWordWrap(True)
        self.payload = QPlainTextEdit(readOnly=True)
        self.history = QTableWidget(0, 5)
        self.history.setHorizontalHeaderLabels(["time", "QoS", "retained", "bytes", "payload"])
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.diff = QPlainTextEdit(readOnly=True)
        self.values = pg.PlotWidget()
        self.values.setMinimumHeight(120)
        self.values_curve = self.values.plot([], [], pen=pg.mkPen("#1f77b4", width=2), symbol="o",
                                             symbolSize=5)  # fmt: skip
        self.fields = QComboBox()
        self.fields.setToolTip("numeric fields of the payload ($.path)")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.payload, "Payload")
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.diff, "Diff")
        self.tabs.addTab(self.values, "Values")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.header)
        lay.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("field"))
        row.addWidget(self.fields, 1)
        lay.addLayout(row)
        self.history.itemSelectionChanged.connect(self._diff_selected)
        self.fields.currentTextChanged.connect(lambda *_: self._plot_values())

    def set_colors(self, background: str, foreground: str) -> None:
        """Theme the value plot."""
        self.values.setBackground(background)
        fit_pens(self.values)
        for ax in ("left", "bottom"):
            self.values.getAxis(ax).setTextPen(foreground)
            self.values.getAxis(ax).setPen(foreground)

    def show_topic(self, topic: str, st: Any, messages: list[Message], bad: dict[str, int]) -> None:
        """Show a topic's last payload, its history, the diff of the last two and field values."""
        changed = topic != self.topic
        self.topic = topic
        self.messages = messages
        if st is None:
            self.header.setText(topic or "select a topic")
            self.payload.setPlainText("")
            self.history.setRowCount(0)
            self.diff.setPlainText("")
            self.fields.clear()
            self.values_curve.setData([], [])
            return
        self.header.setText(
            f"<b>{topic}</b> &nbsp; {st.count} messages, {st.rate_hz:.1f}/s, QoS {st.qos}"
            + (", <b>retained</b>" if st.retained else "")
        )
        _kind, text = render_payload(st.last_payload)
        if bad:
            text = "bad: " + ", ".join(f"{k} {v}" for k, v in sorted(bad.items())) + "\n\n" + text
        self.payload.setPlainText(text)
        self._fill_history(messages)
        self.diff.setPlainText(payload_diff(st.prev_payload, st.last_payload))
        names = list(numeric_fields(st.last_payload))
        if changed or names != [self.fields.itemText(i) for i in range(self.fields.count())]:
            keep = self.fields.currentText()
            self.fields.blockSignals(True)
            self.fields.clear()
            self.fields.addItems(names)
            if keep in names:
                self.fields.setCurrentText(keep)
            self.fields.blockSignals(False)
        self._plot_values()

    def _fill_history(self, messages: list[Message]) -> None:
        h = self.history
        h.setRowCount(len(messages))
        for r, m in enumerate(reversed(messages)):  # newest first
            stamp = time.strftime("%H:%M:%S", time.localtime(m.t_ns / 1e9))
            ms = f".{m.t_ns // 1_000_000 % 1000:03d}"
            text = render_payload(m.payload)[1].replace("\n", " ")
            for c, v in enumerate((stamp + ms, str(m.qos), "yes" if m.retained else "",
                                   str(len(m.payload)), text[:PREVIEW])):  # fmt: skip
                h.setItem(r, c, QTableWidgetItem(v))

    def _diff_selected(self) -> None:
        """Diff a selected history row with the message before it."""
        rows = sorted({i.row() for i in self.history.selectedItems()})
        if not rows or not self.messages:
            return
        i = len(self.messages) - 1 - rows[0]
        old = self.messages[i - 1].payload if i > 0 else None
        self.diff.setPlainText(payload_diff(old, self.messages[i].payload))

    def _plot_values(self) -> None:
        path = self.fields.currentText()
        if not path or not self.messages:
            self.values_curve.setData([], [])
            return
        t, v = field_series(self.messages, path)
        self.values_curve.setData(t - t[0] if len(t) else t, v)
