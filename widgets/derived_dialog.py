"""Devices > Add derived channel: an expression over a device's channels, checked as you type.

The expression is compiled against the device's own channels on every keystroke (the engine's
message, with its caret, shows under the form; OK stays disabled while it is invalid) and
evaluated on the device's newest samples for the preview. Accepting adds the channel to the
bench model (so workspaces save it) and re-attaches the derived engine to the running bench.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from twinbench.derived.engine import DERIVED_PREFIX, DerivedChannel
from twinbench.model import Chunk
from twinbench.widgets.status_label import StatusLabel

if TYPE_CHECKING:
    from twinbench.widgets.main_window import MainWindow

PREVIEW_ROWS = 6  # newest values shown
PREVIEW_SPAN_NS = 2_000_000_000  # samples the preview evaluates (stateful functions warm up)


def source_channels(runtime: Any, device: str) -> list[str]:
    """The device's own channels (derived ones left out: expressions see the raw chunk)."""
    st = runtime.hub.devices.get(device)
    if st is None:
        return []
    return [c.name for c in st.device.channels if not c.description.startswith(DERIVED_PREFIX)]


class DerivedDialog(QDialog):
    """Name, expression and unit of a new derived channel, validated and previewed live."""

    def __init__(self, window: MainWindow, device: str | None = None) -> None:
        super().__init__(window)
        self.win, self.ctx = window, window.ctx
        self.setWindowTitle("Add derived channel")
        self.added: dict[str, str] | None = None
        self.device = QComboBox()
        devices = sorted(self.ctx.runtime.hub.devices)
        self.device.addItems(devices)
        if device in devices:
            self.device.setCurrentText(device)
        self.name = QLineEdit(placeholderText="power")
        self.expr = QLineEdit(placeholderText="current * voltage")
        self.unit = QLineEdit(placeholderText="W")
        self.channels = QLabel(wordWrap=True)
        self.channels.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = StatusLabel(kind="error")
        self.problem.setWordWrap(False)
        self.problem.setFont(QFont("monospace"))
        self.problem.setObjectName("derivedProblem")
        self.preview = QTableWidget(0, 2)
        self.preview.setHorizontalHeaderLabels(["seconds ago", "value"])
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.verticalHeader().hide()
        self.preview.setMinimumHeight(170)
        self.summary = QLabel()
        form = QFormLayout()
        form.addRow("Device", self.device)
        form.addRow("Name", self.name)
        form.addRow("Expression", self.expr)
        form.addRow("Unit", self.unit)
        form.addRow("Channels", self.channels)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.add)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(QLabel("Preview on the newest samples:"))
        box.addWidget(self.preview)
        box.addWidget(self.summary)
        box.addWidget(self.buttons)
        for w in (self.name, self.expr):
            w.textChanged.connect(self.validate)
        self.device.currentTextChanged.connect(self.validate)
        self.validate()

    def ok_button(self) -> Any:
        """The OK button (disabled while the definition is invalid)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _spec(self) -> DerivedChannel:
        return DerivedChannel(
            self.name.text().strip(), self.expr.text().strip(), self.unit.text().strip()
        )

    def validate(self) -> bool:
        """Check the definition now; show the message or the preview; returns whether valid."""
        device = self.device.currentText()
        names = source_channels(self.ctx.runtime, device)
        self.channels.setText(", ".join(names) or "(no device)")
        spec = self._spec()
        error = ""
        if not device:
            error = "no device to derive from"
        elif not spec.name:
            error = "name the channel (an identifier such as power)"
        elif not spec.expr:
            error = "type an expression over the channels above"
        elif any(
            d["name"] == spec.name and d.get("device", "") in ("", device) for d in self._have()
        ):
            error = f"derived channel {spec.name!r} already exists on {device}"
        else:
            spec.compile(names)
            error = spec.error
        self.problem.setText(error)
        self.problem.setVisible(bool(error))
        self.ok_button().setEnabled(not error)
        self._preview(spec if not error else None, device)
        return not error

    def _have(self) -> list[dict[str, str]]:
        model = self.ctx.services.get("bench_model")
        return list(model.derived) if model is not None else []

    def _preview(self, spec: DerivedChannel | None, device: str) -> None:
        self.preview.setRowCount(0)
        self.summary.setText("")
        hist = self.ctx.history
        if spec is None or hist is None or not spec.inputs:
            return
        span = hist.span(device)
        if span is None:
            self.summary.setText("no samples yet")
            return
        try:
            cols = hist.view_many(
                device, list(spec.inputs), span[1] - PREVIEW_SPAN_NS, span[1], 1 << 20
            )
        except KeyError:
            self.summary.setText("no samples yet")
            return
        n = min(len(t) for t, _ in cols.values())
        if n == 0:
            return
        t = next(iter(cols.values()))[0][-n:]
        values = np.column_stack([y[-n:] for _, y in cols.values()])
        out = spec.evaluate(Chunk(device, tuple(cols), t, values))
        rows = min(PREVIEW_ROWS, n)
        self.preview.setRowCount(rows)
        for r in range(rows):
            i = n - 1 - r
            ago = QTableWidgetItem(f"{(span[1] - int(t[i])) / 1e9:.3f}")
            val = QTableWidgetItem(f"{out[i]:.6g}")
            val.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.preview.setItem(r, 0, ago)
            self.preview.setItem(r, 1, val)
        unit = f" {spec.unit}" if spec.unit else ""
        finite = out[np.isfinite(out)]
        if len(finite):
            self.summary.setText(
                f"{n} samples: min {finite.min():.6g}{unit}, max {finite.max():.6g}{unit}"
            )
        else:
            self.summary.setText(f"{n} samples: no finite value")

    def add(self) -> None:
        """Add the channel to the bench model and the running engine, then close."""
        if not self.validate():
            return
        spec, device = self._spec(), self.device.currentText()
        entry = {"name": spec.name, "expr": spec.expr, "unit": spec.unit, "device": device}
        model = self.ctx.services.get("bench_model")
        sync = self.ctx.services.get("bench_sync")
        if model is not None:
            model.set_derived([*model.derived, entry])
        if sync is not None:
            sync.attach_derived()
        self.added = entry
        self.win.statusBar().showMessage(f"{device}: derived channel {spec.name} added", 5000)
        self.accept()


def install_action(window: MainWindow) -> QAction:
    """Add Devices > Add derived channel… (for the device selected in the tree)."""
    act = QAction("Add de&rived channel\u2026", window)
    act.setToolTip("A new channel computed from an expression over a device's channels")

    def open_dialog() -> None:
        dlg = DerivedDialog(window, window.tree.current_device())
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.derived_dialog = dlg  # type: ignore[attr-defined]
        dlg.open()

    act.triggered.connect(open_dialog)
    window.devices_menu.addAction(act)
    window.derived_action = act  # type: ignore[attr-defined]
    return act
