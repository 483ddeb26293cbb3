"""A small form to add a binding to the 3D twin view from the GUI (same rules as the profile)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
)

from twinbench.errors import ConfigError
from twinbench.visuals.bindings import KINDS, Binding, parse_binding
from twinbench.visuals.rotations import COLORMAPS, EULER_ORDERS
from twinbench.widgets.status_label import StatusLabel


class BindingForm(QDialog):
    """Kind, device, part, channels and options; `binding()` validates like a profile entry."""

    def __init__(
        self,
        devices: Sequence[str],
        part: str = "",
        on_accept: Callable[[Binding], None] | None = None,
        parent: object = None,
    ) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.setWindowTitle("Add 3D binding")
        self.on_accept = on_accept
        form = QFormLayout(self)
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.addItems(list(devices))
        self.part = QLineEdit(part)
        self.part.setPlaceholderText("empty: the whole device")
        self.channels = QLineEdit()
        self.channels.setPlaceholderText("comma separated, e.g. qw, qx, qy, qz")
        self.form_ = QComboBox()
        self.form_.addItems(["quaternion", "euler"])
        self.units = QComboBox()
        self.units.addItems(["rad", "deg", "deg/s", "rad/s"])
        self.order = QComboBox()
        self.order.addItems(list(EULER_ORDERS))
        self.colormap = QComboBox()
        self.colormap.addItems(list(COLORMAPS))
        self.lo, self.hi = QDoubleSpinBox(), QDoubleSpinBox()
        for box, value in ((self.lo, 20.0), (self.hi, 90.0)):
            box.setRange(-1e9, 1e9)
            box.setValue(value)
        self.rule = QLineEdit()
        self.rule.setPlaceholderText("alarm rule; empty: any")
        self.mode = QComboBox()
        self.mode.addItems(["blink", "hide"])
        self.error = StatusLabel(kind="error")
        for label, w in (
            ("Kind", self.kind),
            ("Device", self.device),
            ("Part", self.part),
            ("Channels", self.channels),
            ("Orientation form", self.form_),
            ("Units", self.units),
            ("Euler order", self.order),
            ("Colormap", self.colormap),
            ("Range low", self.lo),
            ("Range high", self.hi),
            ("Alarm rule", self.rule),
            ("Alarm mode", self.mode),
        ):
            form.addRow(label, w)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def binding(self) -> Binding:
        """The binding the form describes; raises ConfigError naming the bad field."""
        kind = self.kind.currentText()
        item = {
            "kind": kind,
            "device": self.device.currentText().strip(),
            "part": self.part.text().strip(),
            "channels": [c.strip() for c in self.channels.text().split(",") if c.strip()],
            "form": self.form_.currentText(),
            "order": self.order.currentText(),
            "colormap": self.colormap.currentText(),
            "range": [self.lo.value(), self.hi.value()],
            "rule": self.rule.text().strip(),
            "mode": self.mode.currentText(),
        }
        units = self.units.currentText()
        if (kind == "imu") == units.endswith("/s"):  # units only where they mean something
            item["units"] = units
        return parse_binding(item, "binding form")

    def _accept(self) -> None:
        try:
            b = self.binding()
        except ConfigError as exc:
            self.error.setText(str(exc))
            return
        if self.on_accept is not None:
            self.on_accept(b)
        self.accept()
