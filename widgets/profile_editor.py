"""Profile editor: TOML on the left, the device's raw bytes and the decoded preview on the right."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.console import Renderer
from twinbench.profiles.preview import preview
from twinbench.widgets.console import byte_log
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

SAMPLE_BYTES = 8192


class ProfileEditor(FormState, QWidget):
    """Edit a profile; every change is re-validated and re-applied to the latest bytes."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"device": "device", "raw_mode": "raw_mode"}
    STATE_IGNORED = ("editor", "raw")  # the profile's text lives in its file; raw bytes view

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.log = byte_log(ctx)
        self.path: Path | None = None
        self._dirty = True
        self.sample = b""

        self.device = QComboBox()
        self.raw_mode = QComboBox()
        self.raw_mode.addItems(["text", "hex"])
        open_b, save_b = QPushButton("Open…"), QPushButton("Save")
        top = QHBoxLayout()
        for w in (open_b, save_b, QLabel("Bytes from"), self.device, self.raw_mode):
            top.addWidget(w)
        top.addStretch(1)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText('[framing]\ntype = "end"\n\n[decoder]\ntype = "csv"\n')
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.table = QTableWidget()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.raw)
        right.addWidget(self.table)
        split = QSplitter()
        split.addWidget(self.editor)
        split.addWidget(right)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.status)

        self.editor.textChanged.connect(self._mark)
        self.raw_mode.currentTextChanged.connect(self._mark)
        self.device.currentTextChanged.connect(self._mark)
        open_b.clicked.connect(self._open_dialog)
        save_b.clicked.connect(self.save)
        ctx.on_tick(self.tick)

    def _mark(self) -> None:
        self._dirty = True

    def load(self, path: str | Path) -> None:
        """Edit a profile file."""
        from twinbench.errors import ConfigError
        from twinbench.userfile import read_text

        try:
            text = read_text(path, "device profile")  # size limit, UTF-8, not a folder
        except ConfigError as exc:
            self.status.setText(f"not opened: {exc}")
            return
        self.path = Path(path)
        self.editor.setPlainText(text)

    def _open_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open profile", "", "Profiles (*.toml)")
        if name:
            self.load(name)

    def save(self) -> None:
        """Write the text back if it is a valid profile."""
        res = preview(self.editor.toPlainText(), b"", str(self.path or "<editor>"))
        if res.error:
            self.status.setText(f"not saved: {res.error}")
            return
        if self.path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Save profile", "", "Profiles (*.toml)")
            if not name:
                return
            self.path = Path(name)
        self.path.write_text(self.editor.toPlainText(), encoding="utf-8")
        self.status.setText(f"saved {self.path}")

    def tick(self) -> None:
        """Refresh the sample bytes and, when something changed, the preview."""
        devs = self.log.devices()
        if self.device.count() != len(devs):
            cur = self.device.currentText()
            self.device.clear()
            self.device.addItems(devs)
            if cur in devs:
                self.device.setCurrentText(cur)
        _, items = self.log.since(0, self.device.currentText() or None)
        sample = b"".join(d for _, d in items)[-SAMPLE_BYTES:]
        if sample != self.sample:
            self.sample = sample
            self._dirty = True
        if self._dirty:
            self._dirty = False
            self.refresh()

    def refresh(self) -> None:
        """Show the raw sample and what the profile text decodes from it."""
        r = Renderer(mode=self.raw_mode.currentText())
        self.raw.setPlainText(r.render(0, self.sample[-2048:]))
        res = preview(self.editor.toPlainText(), self.sample, str(self.path or "<editor>"))
        if res.error:
            self.status.setText(res.error)
            self.table.setRowCount(0)
            return
        self.table.setColumnCount(len(res.names))
        self.table.setHorizontalHeaderLabels(list(res.names))
        self.table.setRowCount(res.values.shape[0])
        for i, row in enumerate(res.values.tolist()):
            for j, v in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(f"{v:.6g}"))
        lost = {k: v for k, v in res.loss.items() if v and k not in ("bytes_in", "frames")}
        self.status.setText(
            f"{res.loss.get('frames', 0)} frames from {res.loss.get('bytes_in', 0)} bytes"
            + (f"; {lost}" if lost else "")
        )


def make_editor(ctx: AppContext) -> QWidget:
    """Panel factory."""
    return ProfileEditor(ctx)


PANELS: list[PanelSpec] = [PanelSpec("profile-editor", "Profile editor", make_editor, area="right")]
