"""The panel protocol: every panel widget has `state() -> dict` and `restore(dict)`.

A panel's state is its user's choices (device and channels, ranges, options, text typed in),
saved in the session and in workspaces. `FormState` gives both methods to a panel from one
declaration, `STATE_FIELDS` (state key -> attribute holding a combo box, line or text edit,
spin box or check box): the schema of what the panel saves, in one place, so a new control
is saved by adding one line, and a panel kind without the methods fails `check_panel`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
)

PENDING = "twinbench_pending"  # a combo box's restored choice, waiting to be offered


def _choose_when_offered(box: QComboBox, text: str) -> None:
    """Select `text` once the box lists it (a device that has not appeared yet)."""
    box.setProperty(PENDING, text)

    def pick() -> None:
        i = box.findText(text)
        if box.property(PENDING) == text and i >= 0:
            box.setProperty(PENDING, None)
            box.setCurrentIndex(i)

    def check(*_: object) -> None:
        if box.property(PENDING) == text and box.findText(text) >= 0:
            QTimer.singleShot(0, box, pick)  # after the panel has finished filling the box

    box.model().rowsInserted.connect(check)
    box.activated.connect(lambda *_: box.setProperty(PENDING, None))  # the user chose


def read_control(w: Any) -> Any:
    """The value a control shows (text, number or checked)."""
    if isinstance(w, QComboBox):
        pending = w.property(PENDING)
        return pending if pending else w.currentText()
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        return w.value()
    if isinstance(w, QAbstractButton):
        return w.isChecked()
    raise TypeError(f"cannot save the state of a {type(w).__name__}")


def write_control(w: Any, value: Any) -> None:
    """Show `value` in a control (a choice not offered is left as it is)."""
    if isinstance(w, QComboBox):
        if w.findText(str(value)) >= 0 or w.isEditable():
            w.setProperty(PENDING, None)
            w.setCurrentText(str(value))
        elif value:
            _choose_when_offered(w, str(value))
    elif isinstance(w, QLineEdit):
        w.setText(str(value))
    elif isinstance(w, QPlainTextEdit):
        if w.toPlainText() != str(value):
            w.setPlainText(str(value))
    elif isinstance(w, QSpinBox):
        w.setValue(int(value))
    elif isinstance(w, QDoubleSpinBox):
        w.setValue(float(value))
    elif isinstance(w, QAbstractButton):
        w.setChecked(bool(value))


class FormState:
    """Mixin: `state()` and `restore()` from the controls named in `STATE_FIELDS`.

    `STATE_IGNORED` names the input controls a panel does not save that way on purpose (a
    read-only view, a choice saved by other means): `unsaved_controls` lists any other.
    """

    STATE_FIELDS: ClassVar[dict[str, str]] = {}
    STATE_IGNORED: ClassVar[tuple[str, ...]] = ()

    def state(self) -> dict[str, Any]:
        """The panel's user choices."""
        return {key: read_control(getattr(self, attr)) for key, attr in self.STATE_FIELDS.items()}

    def restore(self, state: dict[str, Any]) -> None:
        """Show saved choices (keys it does not know are left out)."""
        for key, attr in self.STATE_FIELDS.items():
            if key in state:
                write_control(getattr(self, attr), state[key])


INPUTS = (QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QDoubleSpinBox)


def unsaved_controls(widget: Any) -> list[str]:
    """Input controls a panel holds that neither STATE_FIELDS nor STATE_IGNORED names."""
    named = set(getattr(widget, "STATE_FIELDS", {}).values())
    named |= set(getattr(widget, "STATE_IGNORED", ()))
    out = []
    for attr, value in vars(widget).items():
        is_input = isinstance(value, INPUTS) or (
            isinstance(value, QAbstractButton) and value.isCheckable()
        )
        if is_input and attr not in named:
            out.append(attr)
    return out


def check_panel(widget: Any) -> list[str]:
    """What keeps a panel from saving itself (empty when it follows the protocol)."""
    problems = []
    for name in ("state", "restore"):
        if not callable(getattr(widget, name, None)):
            problems.append(f"{type(widget).__name__} has no {name}() method")
    problems += [
        f"{type(widget).__name__}.{attr} is neither in STATE_FIELDS nor in STATE_IGNORED"
        for attr in unsaved_controls(widget)
    ]
    return problems


def panel_state(widget: Any) -> dict[str, Any]:
    """A panel's state, {} for a widget without the protocol."""
    fn = getattr(widget, "state", None)
    return dict(fn()) if callable(fn) else {}
