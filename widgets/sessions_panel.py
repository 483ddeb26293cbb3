"""Sessions browser panel: list, rename, annotate, delete, disk usage, record and export."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

COLUMNS = ("Name", "Started (UTC)", "Duration", "State", "Devices", "Size", "Note")


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


class SessionsPanel(FormState, QWidget):
    """A table of the sessions under a folder, with the actions of `twinbench sessions`."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"folder": "folder"}

    def __init__(self, ctx: AppContext, folder: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.infos: list[Any] = []
        self._export: dict[str, Any] = {}
        self._ticks = 0
        from twinbench.cli.sessions_cmd import default_dir

        self.folder = QLineEdit(folder or default_dir())
        browse = QPushButton("…")
        browse.clicked.connect(self._browse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.total = QLabel()
        self.status = QLabel()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.record_btn = QPushButton("Record")
        self.record_btn.clicked.connect(self.toggle_record)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Refresh", self.refresh),
            ("Rename…", self._rename),
            ("Note…", self._annotate),
            ("Delete", self._delete),
            ("Export…", self._export_dialog),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        self.cancel_btn = QPushButton("Cancel export")
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(self.cancel_export)
        top = QHBoxLayout()
        top.addWidget(self.folder, 1)
        top.addWidget(browse)
        top.addWidget(self.record_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.cancel_btn)
        lay.addWidget(self.total)
        lay.addWidget(self.status)
        self.folder.editingFinished.connect(self.refresh)
        ctx.on_tick(self._tick)
        self.refresh()

    # -- listing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the folder."""
        from twinbench.recording.session import list_sessions

        root = Path(self.folder.text())
        try:
            self.infos = list_sessions(root) if root.is_dir() else []
        except Exception as exc:  # shown, never raised into Qt
            self.status.setText(str(exc))
            self.infos = []
        self.table.setRowCount(len(self.infos))
        for r, i in enumerate(self.infos):
            cells = (
                i.name or i.id,
                i.created_utc,
                f"{i.duration_s:.1f} s",
                i.problem or i.state,
                ", ".join(i.devices),
                _human(i.bytes),
                i.note.splitlines()[0] if i.note else "",
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        used = sum(i.bytes for i in self.infos)
        self.total.setText(f"{len(self.infos)} session(s), {_human(used)} on disk")

    def selected(self) -> Path | None:
        """The folder of the selected session."""
        rows = {ix.row() for ix in self.table.selectedIndexes()}
        if not rows:
            return None
        return self.infos[min(rows)].folder

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Recordings folder", self.folder.text())
        if d:
            self.folder.setText(d)
            self.refresh()

    # -- actions ---------------------------------------------------------------------------
    def _act(self, fn: Any, *a: Any) -> None:
        try:
            fn(*a)
        except Exception as exc:
            self.status.setText(str(exc))
        self.refresh()

    def _rename(self) -> None:
        from twinbench.recording.session import rename

        s = self.selected()
        if s is not None:
            name, ok = QInputDialog.getText(self, "Rename session", "Name:")
            if ok:
                self._act(rename, s, name)

    def _annotate(self) -> None:
        from twinbench.recording.session import annotate

        s = self.selected()
        if s is not None:
            note, ok = QInputDialog.getMultiLineText(self, "Session note", "Note:")
            if ok:
                self._act(annotate, s, note)

    def _delete(self) -> None:
        from twinbench.recording.session import delete

        s = self.selected()
        if s is None:
            return
        answer = QMessageBox.question(self, "Delete session", f"Delete {s.name}?")
        if answer == QMessageBox.StandardButton.Yes:
            self._act(delete, s)

    def recorder(self) -> Any:
        """The runtime's recorder service (made on first use, recording into the folder)."""
        services = self.ctx.runtime.services
        rec = services.get("recorder") or self.ctx.services.get("recorder")
        if rec is None:
            from twinbench.recording import Recorder

            rec = Recorder(self.ctx.runtime, self.folder.text())
            services["recorder"] = rec
        return rec

    def toggle_record(self) -> None:
        """Start or stop recording the live devices."""
        rec = self.recorder()
        try:
            if rec.recording:
                rec.stop()
            else:
                rec.root = Path(self.folder.text())
                rec.start()
        except Exception as exc:
            self.status.setText(str(exc))
        self.refresh()

    def _export_dialog(self) -> None:
        s = self.selected()
        if s is None:
            return
        out = QFileDialog.getExistingDirectory(self, "Export Parquet dataset into")
        if out:
            self.start_export([s], Path(out) / s.name, ("date", "device_id"))

    def start_export(self, sessions: list[Path], out: Path, partition: tuple[str, ...]) -> None:
        """Export in a worker thread; progress shows on the bar, Cancel removes partial output."""
        from twinbench.recording.export import ExportOptions, export_sessions

        cancel = threading.Event()
        state: dict[str, Any] = {"done": 0, "total": 1, "error": "", "finished": False}

        def progress(done: int, total: int) -> None:
            state["done"], state["total"] = done, max(total, 1)

        def work() -> None:
            try:
                opts = ExportOptions(out=out, partition=partition, progress=progress, cancel=cancel)
                res = export_sessions(sessions, opts)
                state["result"] = f"exported {res.rows:,} rows to {out}"
            except Exception as exc:
                state["error"] = str(exc)
            state["finished"] = True

        th = threading.Thread(target=work, name="twinbench-export", daemon=True)
        self._export = {"thread": th, "cancel": cancel, "state": state}
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(True)
        th.start()

    def cancel_export(self) -> None:
        """Cancel the running export."""
        if self._export:
            self._export["cancel"].set()

    def wait_export(self, timeout: float = 30.0) -> None:
        """Wait for the running export (tests, shutdown)."""
        if self._export:
            self._export["thread"].join(timeout)
            self._tick()

    def _tick(self) -> None:
        if self._export:
            st = self._export["state"]
            self.progress.setValue(int(100 * st["done"] / st["total"]))
            if st["finished"]:
                self.status.setText(st["error"] or st.get("result", ""))
                self.progress.setVisible(False)
                self.cancel_btn.setVisible(False)
                self._export = {}
        rec = self.ctx.runtime.services.get("recorder")
        recording = bool(rec is not None and rec.recording)
        self.record_btn.setText("Stop recording" if recording else "Record")
        if recording and rec.stats.error:
            self.status.setText(f"recording error: {rec.stats.error}")
        self._ticks += 1
        if self._ticks % 120 == 0:
            self.refresh()


def make_panel(ctx: AppContext) -> QWidget:
    """Factory for the panel registry."""
    return SessionsPanel(ctx)


PANELS = [PanelSpec("sessions", "Sessions", make_panel, area="left")]
