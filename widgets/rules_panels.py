"""Rule panels: the alarm list (filter, sort, acknowledge, shelve) and the rules editor."""

from __future__ import annotations

import time
from collections import deque
from typing import Any, ClassVar

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from twinbench.errors import ConfigError
from twinbench.model import Chunk
from twinbench.rules.alarms import SEVERITY_RANK
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.status_label import StatusLabel
from twinbench.widgets.theme import text_color, text_shade

COLUMNS = ("Severity", "Rule", "Device", "State", "Value", "Raised at", "Message")
COLOURS = {"info": "#5b8def", "warning": "#e0b000", "major": "#ef7d22", "critical": "#d9342b"}
SERVICE = "rules"  # ctx.services["rules"]: the RulesHandle from twinbench.rules.attach


def _fmt_time(t_ns: int) -> str:
    if not t_ns:
        return ""
    return time.strftime("%H:%M:%S", time.localtime(t_ns / 1e9)) + f".{t_ns % 10**9 // 10**6:03d}"


class AlarmPanel(FormState, QWidget):
    """Every alarm of the attached rules; refreshed on the GUI tick when something changed."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {
        "filter": "filter",
        "min_severity": "min_severity",
        "only_attention": "only_attention",
        "shelve_minutes": "shelve_minutes",
    }

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._seen = -1
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(self.jump)
        self.filter = QLineEdit(placeholderText="filter rule, device, message...")
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.min_severity = QComboBox()
        self.min_severity.addItems(list(SEVERITY_RANK))
        self.min_severity.currentIndexChanged.connect(lambda _i: self.refresh(force=True))
        self.only_attention = QComboBox()
        self.only_attention.addItems(["needing attention", "all alarms"])
        self.only_attention.currentIndexChanged.connect(lambda _i: self.refresh(force=True))
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.shelve_minutes = QDoubleSpinBox(
            minimum=0.0, maximum=24 * 60, value=15.0, suffix=" min"
        )
        self.shelve_button = QPushButton("Shelve")
        self.shelve_button.clicked.connect(self.shelve_selected)
        self.status = QLabel("no rules attached")
        self.notice = QLabel("")
        self._notes: deque[str] = deque(maxlen=20)
        notes = self._notes

        def on_event(ev: Any) -> None:  # any thread: only queue it, the tick shows it
            if ev.kind == "notification" or (
                ev.kind == "alarm"
                and ev.data.get("severity") == "critical"
                and ev.data.get("state") == "raised"
            ):
                notes.append(f"{ev.device}: {ev.message}")

        ctx.runtime.events.listen(on_event)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(QLabel("at least"))
        top.addWidget(self.min_severity)
        top.addWidget(self.only_attention)
        bottom = QHBoxLayout()
        bottom.addWidget(self.ack_button)
        bottom.addWidget(self.shelve_minutes)
        bottom.addWidget(self.shelve_button)
        bottom.addStretch(1)
        bottom.addWidget(self.status)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.notice)
        lay.addWidget(self.view, 1)
        lay.addLayout(bottom)
        ctx.on_tick(self.refresh)

    def handle(self) -> Any:
        """The attached rules handle, if any."""
        return self.ctx.services.get(SERVICE)

    def refresh(self, force: bool = False) -> None:
        """Rebuild the rows when the alarm history changed (or when forced)."""
        if self._notes:
            self.notice.setText("<b>" + self._notes[-1] + "</b>")
            self._notes.clear()
        h = self.handle()
        if h is None:
            return
        book = h.book
        version = book.version()
        if version == self._seen and not force:
            return
        self._seen = version
        min_rank = self.min_severity.currentIndex()
        only = self.only_attention.currentIndex() == 0
        self.model.setRowCount(0)
        for a in book.snapshot():
            if SEVERITY_RANK.get(a.severity, 0) < min_rank or (only and not a.needs_attention):
                continue
            state = "active" if a.active else "cleared"
            if not a.acked:
                state += ", unacknowledged"
            if a.shelved:
                state += ", shelved"
            cells = [
                (a.severity, SEVERITY_RANK.get(a.severity, 0)),
                (a.rule, a.rule),
                (a.device, a.device),
                (state, state),
                (f"{a.value:.6g}", a.value),
                (_fmt_time(a.raised_t_ns), a.raised_t_ns),
                (a.message, a.message),
            ]
            row = []
            for text, key in cells:
                it = QStandardItem(text)
                it.setData(key, Qt.ItemDataRole.UserRole)
                it.setEditable(False)
                row.append(it)
            row[0].setForeground(text_shade(COLOURS.get(a.severity, "#888888")))
            row[0].setData((a.rule, a.device), Qt.ItemDataRole.UserRole + 1)
            self.model.appendRow(row)
        active = sum(a.active for a in book.snapshot())
        self.status.setText(f"{active} active, {self.model.rowCount()} shown")

    def selected(self) -> list[tuple[str, str]]:
        """(rule, device) of the selected rows."""
        out = []
        for idx in self.view.selectionModel().selectedRows(0):
            src = self.proxy.mapToSource(idx)
            out.append(self.model.item(src.row(), 0).data(Qt.ItemDataRole.UserRole + 1))
        return out

    def jump(self, index: Any) -> None:
        """Show the moment an alarm was raised: calls `ctx.window.jump_to(device, t_ns)`."""
        h = self.handle()
        fn = getattr(self.ctx.window, "jump_to", None)
        if h is None or not callable(fn):
            return
        src = self.proxy.mapToSource(index)
        rule, device = self.model.item(src.row(), 0).data(Qt.ItemDataRole.UserRole + 1)
        alarm = h.book.alarms.get((rule, device))
        if alarm is not None:
            fn(device, alarm.raised_t_ns)

    def acknowledge_selected(self) -> None:
        """Acknowledge the selected alarms."""
        h = self.handle()
        if h is not None:
            for rule, device in self.selected():
                h.book.acknowledge(rule, device)
            self.refresh(force=True)

    def shelve_selected(self) -> None:
        """Shelve the selected alarms for the chosen time (0 unshelves)."""
        h = self.handle()
        if h is not None:
            for rule, device in self.selected():
                h.book.shelve(rule, device, self.shelve_minutes.value() * 60.0)
            self.refresh(force=True)


class RulesEditor(FormState, QWidget):
    """Edit a rule file with validation as you type; dry-run it over recent data; apply it."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"text": "editor"}

    def __init__(self, ctx: AppContext, keep_s: float = 300.0) -> None:
        super().__init__()
        self.ctx = ctx
        self.keep_ns = int(keep_s * 1e9)
        self.recent: deque[Chunk] = deque()
        self.sub = ctx.runtime.hub.subscribe("rules-editor", maxsize=4096)
        self.rules: Any = None
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            '[[rule]]\nname = "hot"\ncondition = "avg(temperature, tumbling(5s)) > 60"'
        )
        self.status = StatusLabel()
        self.dry_button = QPushButton("Dry run over recent data")
        self.dry_button.clicked.connect(self.dry_run)
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self.apply)
        self.results = QListWidget()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.validate)
        self.editor.textChanged.connect(self._timer.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dry_button)
        buttons.addWidget(self.apply_button)
        buttons.addStretch(1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.editor, 1)
        tl.addWidget(self.status)
        tl.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.results)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        ctx.on_tick(self.pull)
        self.destroyed.connect(lambda *_: ctx.runtime.hub.unsubscribe(self.sub))

    def channels(self) -> list[str] | None:
        """Channel names of the devices seen so far (None before any device)."""
        names = {c.name for st in self.ctx.runtime.hub.devices.values() for c in st.device.channels}
        return sorted(names) or None

    def pull(self) -> None:
        """Keep the last minutes of chunks for dry runs (called on the GUI tick)."""
        got = self.sub.drain()
        if not got:
            return
        got = [c for c in got if len(c)]
        if not got:
            return
        self.recent.extend(got)
        newest = max(int(c.t_ns[-1]) for c in got)
        while self.recent and newest - int(self.recent[0].t_ns[-1]) > self.keep_ns:
            self.recent.popleft()

    def validate(self) -> bool:
        """Check the text now; show the first error and mark its line."""
        from twinbench.rules.loader import parse_rules

        self.editor.setExtraSelections([])
        text = self.editor.toPlainText()
        try:
            self.rules = parse_rules(text, "editor", self.channels())
        except ConfigError as exc:
            self.rules = None
            msg = str(exc)
            self.status.say(msg, "error")
            self._mark(msg)
            return False
        n = len(self.rules.rules)
        self.status.say(f"ok: {n} rule(s)", "ok")
        return True

    def _mark(self, msg: str) -> None:
        import re

        m = re.match(r"editor:(\d+):", msg)
        if not m:
            return
        block = self.editor.document().findBlockByNumber(int(m.group(1)) - 1)
        if not block.isValid():
            return
        sel = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(text_color("error")))
        sel.format = fmt
        cur = QTextCursor(block)
        cur.select(QTextCursor.SelectionType.LineUnderCursor)
        sel.cursor = cur
        self.editor.setExtraSelections([sel])

    def dry_run(self) -> None:
        """Evaluate the rules over the kept chunks and list what would have fired, when."""
        from twinbench.rules.dryrun import dryrun

        self.pull()
        self.results.clear()
        if not self.validate() or self.rules is None:
            return
        history, diag = dryrun(self.rules, list(self.recent))
        for rec in history:
            self.results.addItem(
                f"{_fmt_time(rec.t_ns)}  {rec.state:<8} {rec.severity:<8} {rec.device}: "
                f"{rec.message}"
            )
        faults = sum(r["faults"] for r in diag["rules"].values())
        self.results.addItem(
            f"-- {len(history)} change(s) over {diag['samples']:,} samples, {faults} fault(s)"
        )

    def apply(self) -> None:
        """Attach the rules to the runtime (replacing the ones attached before)."""
        from twinbench.rules.attach import attach

        if not self.validate() or self.rules is None:
            return
        old = self.ctx.services.pop(SERVICE, None)
        if old is not None:
            old.close()
        self.ctx.services[SERVICE] = attach(self.ctx.runtime, self.rules)
        model = self.ctx.services.get("bench_model")
        if model is not None:  # the bench keeps the applied text (it replaced the files' rules)
            model.set_rules(files=[], text=self.editor.toPlainText())
        self.status.say(f"applied {len(self.rules.rules)} rule(s)", "ok")


PANELS = [
    PanelSpec("alarms", "Alarms", AlarmPanel, area="bottom", default_open=True),
    PanelSpec("rules-editor", "Rules editor", RulesEditor, area="right"),
]
