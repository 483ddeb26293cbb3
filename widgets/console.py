"""The console panel: a serial monitor for every byte device (text/hex, timestamps, send line)."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from twinbench.console import EOLS, ByteLog, History, Renderer, parse_send
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

MAX_LINES = 5000


def byte_log(ctx: AppContext) -> ByteLog:
    """The app-wide raw byte log (created and hooked to the hub on first use)."""
    log = ctx.services.get("byte_log")
    if log is None:
        log = ByteLog()
        ctx.runtime.hub.on_bytes(log.add)
        ctx.services["byte_log"] = log
    return log


class ConsolePanel(FormState, QWidget):
    """Received bytes as text or hex, a send line with history, and command buttons."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {
        "device": "device",
        "mode": "mode",
        "timestamps": "stamps",
        "newline": "newline",
        "eol": "eol",
        "hex": "hex_in",
    }
    STATE_IGNORED = ("view", "line")  # the received text; the send line (its history is kept)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.log = byte_log(ctx)
        self.cursor = 0
        self.renderer = Renderer()
        self.history = History()

        self.device = QComboBox()
        self.device.setMinimumContentsLength(12)
        self.mode = QComboBox()
        self.mode.addItems(["text", "hex"])
        self.stamps = QCheckBox("timestamps")
        self.newline = QComboBox()
        self.newline.addItems(["LF", "CR", "CRLF", "any"])
        self.newline.setToolTip("which received bytes end a line")
        self.loss = QLabel("")
        clear = QPushButton("Clear")
        top = QHBoxLayout()
        for w in (
            QLabel("Device"),
            self.device,
            self.mode,
            self.stamps,
            QLabel("Lines end"),
            self.newline,
            clear,
        ):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.loss)

        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.line = QLineEdit()
        self.line.setPlaceholderText("send… (\\n escapes, or hex bytes with 'hex')")
        self.line.installEventFilter(self)
        self.eol = QComboBox()
        self.eol.addItems(list(EOLS))
        self.eol.setCurrentText("LF")
        self.hex_in = QCheckBox("hex")
        send = QPushButton("Send")
        self.status = QLabel("")
        bottom = QHBoxLayout()
        for w in (self.line, self.eol, self.hex_in, send):
            bottom.addWidget(w)
        self.commands = QHBoxLayout()
        add_cmd = QPushButton("+ command")
        add_cmd.setToolTip("save the send line as a button in the device's profile")
        cmd_row = QHBoxLayout()
        cmd_row.addLayout(self.commands)
        cmd_row.addStretch(1)
        cmd_row.addWidget(add_cmd)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addLayout(bottom)
        lay.addLayout(cmd_row)
        lay.addWidget(self.status)

        clear.clicked.connect(self.view.clear)
        send.clicked.connect(self.send_line)
        self.line.returnPressed.connect(self.send_line)
        add_cmd.clicked.connect(self.add_command)
        self.mode.currentTextChanged.connect(self._settings_changed)
        self.stamps.toggled.connect(self._settings_changed)
        self.newline.currentTextChanged.connect(self._settings_changed)
        self.device.currentTextChanged.connect(self._device_changed)
        ctx.on_tick(self.tick)
        self._refresh_devices()

    # -- devices and drivers ---------------------------------------------------------------
    def drivers(self) -> dict[str, Any]:
        """Byte drivers by device id (those with a decoder pipeline)."""
        out = {}
        for d in self.ctx.runtime.drivers:
            cfg = getattr(d, "cfg", None)
            if cfg and "device_id" in cfg and hasattr(d, "decoder"):
                out[cfg["device_id"]] = d
        return out

    def _refresh_devices(self) -> None:
        names = sorted(set(self.drivers()) | set(self.log.devices()))
        have = [self.device.itemText(i) for i in range(self.device.count())]
        for n in names:
            if n not in have:
                self.device.addItem(n)

    def _device_changed(self) -> None:
        self.view.clear()
        self.cursor = 0
        self.renderer = self._new_renderer()
        self._rebuild_commands()

    def _new_renderer(self) -> Renderer:
        return Renderer(
            self.mode.currentText(), self.stamps.isChecked(), self.newline.currentText()
        )

    def _settings_changed(self) -> None:
        self.renderer = self._new_renderer()

    def _rebuild_commands(self) -> None:
        while self.commands.count():
            item = self.commands.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        drv = self.drivers().get(self.device.currentText())
        for cmd in (getattr(drv, "section", {}) or {}).get("commands", []):
            b = QPushButton(str(cmd.get("label", "?")))
            b.clicked.connect(lambda _=False, c=cmd: self.send_command(c))
            self.commands.addWidget(b)

    # -- receive ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Append what arrived since the last tick (called by the GUI timer)."""
        if self.device.count() == 0 or self.device.count() < len(self.log.devices()):
            self._refresh_devices()
        dev = self.device.currentText() or None
        self.cursor, items = self.log.since(self.cursor, dev)
        if items:
            text = "".join(self.renderer.render(t, d) for t, d in items)
            cur = self.view.textCursor()
            cur.movePosition(QTextCursor.MoveOperation.End)
            cur.insertText(text)
            self.view.setTextCursor(cur)
            self.view.ensureCursorVisible()
        drv = self.drivers().get(dev or "")
        if drv is not None:
            loss = drv.loss()
            st = self.ctx.runtime.hub.devices.get(dev or "")
            state = f"{st.state}: " if st is not None else ""
            self.loss.setText(
                f"{state}{loss['bytes_in']:,} B, {loss['frames']:,} frames, "
                f"{loss['checksum_errors'] + loss['malformed'] + loss['oversize']:,} bad, "
                f"{loss['sequence_gaps']:,} gaps"
            )

    # -- send ------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        drv = self.drivers().get(self.device.currentText())
        if drv is None:
            self.status.setText("no connected byte device to send to")
            return
        try:
            self.ctx.runtime.call(drv.write(data)).result(2)
        except Exception as exc:  # shown, never raised into Qt
            self.status.setText(f"send failed: {exc}")
            return
        self.status.setText(f"sent {len(data)} bytes")

    def send_line(self) -> None:
        """Send the line with the chosen ending."""
        text = self.line.text()
        try:
            data = parse_send(text, self.hex_in.isChecked(), self.eol.currentText())
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.history.add(text)
        self.line.clear()
        self._write(data)

    def send_command(self, cmd: dict[str, Any]) -> None:
        """Send a profile command button's bytes."""
        eol = str(cmd.get("eol", ""))
        eol_name = (
            eol if eol in EOLS else next((k for k, v in EOLS.items() if v == eol.encode()), "none")
        )
        try:
            data = parse_send(str(cmd.get("data", "")), bool(cmd.get("hex", False)), eol_name)
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self._write(data)

    def add_command(self, label: str | None = None) -> None:
        """Save the send line as a command button in the device's profile file."""
        drv = self.drivers().get(self.device.currentText())
        profile = (getattr(drv, "cfg", {}) or {}).get("profile", "")
        if not profile:
            self.status.setText("this device has no profile file to save commands in")
            return
        if not label:
            label, ok = QInputDialog.getText(self, "Command button", "Label")
            if not ok or not label:
                return
        from twinbench.errors import ConfigError
        from twinbench.profiles.loader import add_command, load_profile

        try:
            path = load_profile(profile).path
            add_command(
                path, label, self.line.text(), self.eol.currentText(), self.hex_in.isChecked()
            )
        except (ConfigError, OSError) as exc:
            self.status.setText(str(exc))
            return
        drv.section.setdefault("commands", []).append(
            {
                "label": label,
                "data": self.line.text(),
                "eol": self.eol.currentText(),
                "hex": self.hex_in.isChecked(),
            }
        )
        self._rebuild_commands()
        self.status.setText(f"saved command {label!r} in {path}")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Up/Down in the send line walk the history."""
        if obj is self.line and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Up:
                self.line.setText(self.history.prev())
                return True
            if key == Qt.Key.Key_Down:
                self.line.setText(self.history.next())
                return True
        return super().eventFilter(obj, event)


def make_console(ctx: AppContext) -> QWidget:
    """Panel factory."""
    return ConsolePanel(ctx)


PANELS: list[PanelSpec] = [
    PanelSpec("console", "Console", make_console, area="bottom", default_open=False, multiple=True),
]
