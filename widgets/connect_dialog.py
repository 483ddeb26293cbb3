"""Devices > Connect…: pick a driver, fill a form built from its settings schema, connect."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.context import AppContext

ERROR_STYLE = "color: #c62828;"


class SettingField(QWidget):
    """One setting's editor with its inline error line."""

    def __init__(self, setting: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = setting
        s = setting
        if s.type == "bool":
            self.editor: QWidget = QCheckBox()
            self.editor.setChecked(bool(s.default))
        elif s.choices:
            self.editor = QComboBox()
            self.editor.addItems([str(c) for c in s.choices])
            if s.default is not None:
                self.editor.setCurrentText(str(s.default))
        else:
            self.editor = QLineEdit()
            self.editor.setPlaceholderText("" if s.default in (None, "") else str(s.default))
            if s.secret:
                self.editor.setEchoMode(QLineEdit.EchoMode.Password)
        tips = [s.help] if s.help else []
        if s.type in ("int", "float") and (s.min is not None or s.max is not None):
            tips.append(f"range {s.range_text()}")
        if s.default not in (None, ""):
            tips.append(f"default {s.default}")
        self.editor.setToolTip("; ".join(tips) or s.label)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(self.editor)
        lay.addWidget(self.error)

    def raw(self) -> Any:
        """What the user entered (None: left empty, the default applies)."""
        ed = self.editor
        if isinstance(ed, QCheckBox):
            return ed.isChecked()
        if isinstance(ed, QComboBox):
            return ed.currentText()
        text = ed.text().strip()  # type: ignore[attr-defined]
        return text or None

    def set_text(self, text: str) -> None:
        """Type a value into the editor (tests, restoring a form)."""
        ed = self.editor
        if isinstance(ed, QCheckBox):
            ed.setChecked(text.lower() in ("1", "true", "yes", "on"))
        elif isinstance(ed, QComboBox):
            ed.setCurrentText(text)
        else:
            ed.setText(text)  # type: ignore[attr-defined]

    def check(self) -> tuple[bool, Any]:
        """(ok, parsed value or None), showing the setting's error under it."""
        from twinbench.drivers.base import SettingError

        raw = self.raw()
        try:
            value = None if raw is None else self.setting.parse(raw)
        except SettingError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return False, None
        self.error.clear()
        self.error.setVisible(False)
        return True, value


class ConnectDialog(QDialog):
    """Lists the installed drivers and builds a settings form for the chosen one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from twinbench.registry import driver_names

        self.ctx = ctx
        self.setWindowTitle("Connect a device")
        self.driver = QComboBox()
        self.driver.addItems(driver_names())
        self.driver.setToolTip("Installed drivers (the twinbench.drivers entry points)")
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.fields: dict[str, SettingField] = {}
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        self.buttons.accepted.connect(self.connect_device)
        self.buttons.rejected.connect(self.reject)
        self.added: Any = None
        lay = QVBoxLayout(self)
        top = QFormLayout()
        top.addRow("Driver", self.driver)
        lay.addLayout(top)
        lay.addWidget(self.about)
        lay.addWidget(self.form_host)
        lay.addWidget(self.problem)
        lay.addWidget(self.buttons)
        self.driver.currentTextChanged.connect(self.build_form)
        self.build_form(self.driver.currentText())

    def build_form(self, name: str) -> None:
        """One row per setting of driver `name`."""
        from twinbench.registry import load_driver

        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        self.problem.clear()
        if not name:
            return
        try:
            cls = load_driver(name)
        except Exception as exc:
            self.about.setText("")
            self.problem.setText(str(exc))
            return
        self.about.setText(getattr(cls, "description", ""))
        for s in cls.settings:
            f = SettingField(s)
            self.fields[s.key] = f
            self.form.addRow(s.label or s.key, f)
            f.show()  # the layout would only show it on the next event loop pass

    def values(self) -> dict[str, Any] | None:
        """The entered settings, parsed; None (errors shown inline) when any is invalid."""
        out: dict[str, Any] = {}
        ok = True
        for key, f in self.fields.items():
            good, value = f.check()
            ok = ok and good
            if good and value is not None:
                out[key] = value
        return out if ok else None

    def connect_device(self) -> None:
        """Validate, then add the driver to the runtime; stay open on any error."""
        values = self.values()
        if values is None:
            self.problem.setText("Fix the settings marked above.")
            return
        runtime = self.ctx.runtime
        if runtime is None:
            self.problem.setText("Still starting; try again in a moment.")
            return
        try:
            self.added = runtime.add_driver(self.driver.currentText(), values)
        except Exception as exc:
            self.problem.setText(str(exc))
            return
        self.accept()
