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
from twinbench.widgets.status_label import StatusLabel


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
        self.error = StatusLabel(kind="error")
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
    """Lists the installed drivers and builds a settings form for the chosen one.

    With `record` (a bench model device) it edits that device's settings instead: the driver
    is fixed, the form is filled in, and Apply restarts the device with the new settings.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, record: Any = None) -> None:
        super().__init__(parent)
        from twinbench.registry import driver_names

        self.ctx = ctx
        self.record = record
        self.setWindowTitle("Connect a device" if record is None else f"Settings of {record.id}")
        self.driver = QComboBox()
        self.driver.addItems(driver_names() if record is None else [record.driver])
        self.driver.setEnabled(record is None)
        self.name_edit = QLineEdit()  # for drivers without a device_id setting (MQTT...)
        self.name_edit.setToolTip("The name this connection has in TwinBench (unique)")
        self.driver.setToolTip("Installed drivers (the twinbench.drivers entry points)")
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.fields: dict[str, SettingField] = {}
        self.problem = StatusLabel(kind="error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Connect" if record is None else "Apply"
        )
        self.buttons.accepted.connect(self.connect_device)
        self.buttons.rejected.connect(self.reject)
        self.added: Any = None
        lay = QVBoxLayout(self)
        top = QFormLayout()
        top.addRow("Driver", self.driver)
        top.addRow("Name", self.name_edit)
        self.top = top
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
        filled = dict(self.record.settings) if self.record is not None else {}
        for s in cls.settings:
            f = SettingField(s)
            self.fields[s.key] = f
            self.form.addRow(s.label or s.key, f)
            if s.key in filled and not s.secret:
                f.set_text(str(filled[s.key]).lower() if s.type == "bool" else str(filled[s.key]))
            f.show()  # the layout would only show it on the next event loop pass
        named = "device_id" not in self.fields
        self.top.setRowVisible(self.name_edit, named)
        if named and self.record is not None:
            self.name_edit.setText(self.record.id)

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

    def device_id(self, values: dict[str, Any]) -> str:
        """The id the device will have (the form's device id, else the name, else default)."""
        from twinbench.bench_control import default_id

        if "device_id" in self.fields:
            return default_id(self.driver.currentText(), values)
        return self.name_edit.text().strip() or default_id(self.driver.currentText(), values)

    def _propose(self, problem: str, dev_id: str) -> None:
        """Refuse an id in use: say so and put a free one in the form."""
        from twinbench.benchmodel import free_id

        control = self.ctx.services["bench_control"]
        own = self.record.id if self.record is not None else None
        free = free_id(dev_id, control.taken_ids() - ({own} if own else set()))
        field = self.fields.get("device_id")
        if field is not None:
            field.set_text(free)
        else:
            self.name_edit.setText(free)
        verb = "Connect" if self.record is None else "Apply"
        self.problem.setText(f"{problem}. The form now proposes {free!r}: press {verb} to use it.")

    def connect_device(self) -> None:
        """Validate, then connect (or apply the edit) through the bench; stay open on errors."""
        values = self.values()
        if values is None:
            self.problem.setText("Fix the settings marked above.")
            return
        control = self.ctx.services.get("bench_control")
        if self.ctx.runtime is None or control is None:
            self.problem.setText("Still starting; try again in a moment.")
            return
        dev_id = self.device_id(values)
        own = self.record.id if self.record is not None else None
        problem = control.check_id(dev_id, own=own)
        if problem:
            self._propose(problem.split(";")[0], dev_id)
            return
        try:
            if self.record is not None:
                if "device_id" not in self.fields and dev_id != own:
                    control.rename(own, dev_id)
                    own = dev_id
                rec = control.edit(own, values)
            else:
                rec = control.connect(self.driver.currentText(), values, device_id=dev_id)
        except Exception as exc:
            self.problem.setText(str(exc))
            return
        self.added = control.drivers.get(rec.id)  # the running driver (None: not started)
        self.accept()
