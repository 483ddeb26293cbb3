"""The model-driven twin panel: binding a DTDL model to a device generates its dashboard."""

from __future__ import annotations

import concurrent.futures
import json
import time
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.dtdl import Content, Interface
from twinbench.twin import Binding, TwinDocument, TwinService, unit_symbol
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.twin_editors import ValueEditor
from twinbench.widgets.twin_plots import TelemetryGrid

MAX_HZ = 15.0  # values, tables and property states redraw at most this often
PLOT_HZ = 5.0  # the telemetry sparklines, at most this often

_STATE_COLORS = {
    "accepted": "#2e7d32",
    "synced": "#2e7d32",
    "default": "#546e7a",
    "pending": "#ef6c00",
    "rejected": "#c62828",
    "failed": "#c62828",
}


def twin_service(ctx: AppContext) -> TwinService:
    """The context's twin service, created on first use."""
    svc = ctx.services.get("twins")
    if svc is None:
        svc = ctx.services["twins"] = TwinService(ctx.runtime)
    return svc


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


class WritableRow(QWidget):
    """Editor, Set button and desired/reported status of one writable property."""

    def __init__(
        self, panel: TwinPanel, prop: Content, rng: tuple[float, float] | None, path: str
    ) -> None:
        super().__init__()
        self.panel, self.prop, self.path = panel, prop, path
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.editor = ValueEditor(prop.schema, rng)
        self.button = QPushButton("Set")
        self.status = QLabel("")
        lay.addWidget(self.editor.widget, 2)
        unit = unit_symbol(prop.unit)
        if unit:
            lay.addWidget(QLabel(unit))
        lay.addWidget(self.button)
        lay.addWidget(self.status, 3)
        self.button.clicked.connect(self.submit)
        self._seeded = False

    def submit(self) -> None:
        """Send the edited value as a desired patch (off the GUI thread)."""
        try:
            value = self.editor.value()
        except ValueError as exc:
            self.status.setText(f"invalid: {exc}")
            return
        patch: dict[str, Any] = {self.prop.name: value}
        if "." in self.path:
            comp = self.path.split(".")[0]
            patch = {comp: {"__t": "c", self.prop.name: value}}
        self.panel.submit(
            f"set {self.path}", self.panel.service.set_desired, self.panel.device, patch
        )

    def refresh(self, twin: TwinDocument) -> None:
        """Show desired vs reported, the acknowledgement and how long a value has pended."""
        st = twin.property_status(self.path)
        if not self._seeded and st.reported is not None:
            self.editor.set_value(st.desired if st.desired is not None else st.reported)
            self._seeded = True
        text = f"reported {_fmt(st.reported)}"
        if st.desired is not None:
            text = f"desired {_fmt(st.desired)} · " + text
        if st.state == "pending":
            text += f" · pending {st.pending_for():.1f} s"
        elif st.state in ("rejected", "failed"):
            text += f" · {st.state} ({st.ack_code}: {st.ack_description})"
        elif st.ack_code:
            text += f" · {st.state}"
        if self.status.text() != text:
            self.status.setText(text)
        if st.state != getattr(self, "state", None):  # restyling every tick costs milliseconds
            self.status.setStyleSheet(f"color: {_STATE_COLORS.get(st.state, '#000')}")
        self.state = st.state


class CommandRow(QWidget):
    """A command button with its request form and the last response."""

    def __init__(self, panel: TwinPanel, cmd: Content, address: str = "") -> None:
        super().__init__()
        self.panel, self.cmd = panel, cmd
        self.address = address or cmd.name  # "imu*calibrate" for a component's command
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.editor = ValueEditor(cmd.request[1]) if cmd.request else None
        if self.editor is not None and cmd.request is not None:
            lay.addWidget(QLabel(cmd.request[0]))
            lay.addWidget(self.editor.widget, 1)
        self.button = QPushButton(cmd.display_name or cmd.name)
        self.response = QLabel("")
        self.response.setWordWrap(True)
        lay.addWidget(self.button)
        lay.addWidget(self.response, 3)
        self.button.clicked.connect(self.submit)

    def submit(self) -> None:
        """Run the command with the request form's value (off the GUI thread)."""
        try:
            payload = self.editor.value() if self.editor is not None else None
        except ValueError as exc:
            self.response.setText(f"invalid request: {exc}")
            return
        self.response.setText("running…")
        self.panel.submit(
            f"cmd {self.address}",
            self.panel.service.invoke,
            self.panel.device,
            self.address,
            payload,
            target=self,
        )

    def show_result(self, result: Any, error: BaseException | None) -> None:
        """Show a response (status and payload) or the error."""
        if error is not None:
            self.response.setText(f"error: {error}")
        else:
            self.response.setText(f"{result.get('status')}: {_fmt(result.get('payload'))}")


class TwinPanel(FormState, QWidget):
    """Device selector plus the sections generated from the bound model."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"device": "devices"}

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = twin_service(ctx)
        self.device = ""
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        self.jobs: list[tuple[str, concurrent.futures.Future[Any], Any]] = []
        self._drawn = 0.0
        self._plotted = 0.0
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.devices = QComboBox()
        self.model_label = QLabel("no model bound")
        top.addWidget(QLabel("Device"))
        top.addWidget(self.devices, 1)
        outer.addLayout(top)
        outer.addWidget(self.model_label)
        self.message = QLabel("")
        outer.addWidget(self.message)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        outer.addWidget(self.scroll, 1)
        self.body: QWidget | None = None
        self.devices.currentTextChanged.connect(self.show_device)
        self.destroyed.connect(lambda *_: self.pool.shutdown(wait=False, cancel_futures=True))
        ctx.on_tick(self.refresh)
        self.refresh()

    def shutdown(self) -> None:
        """Closing the panel stops its worker pool (the window calls this)."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    # -- building --------------------------------------------------------------------------
    def show_device(self, device: str) -> None:
        """Generate the sections for a device's bound model."""
        self.device = device
        self.rows: list[WritableRow] = []
        self.commands: dict[str, CommandRow] = {}
        self.tables: list[tuple[QTableWidget, list[str]]] = []
        self.grids: list[TelemetryGrid] = []
        body = QWidget()
        lay = QVBoxLayout(body)
        binding = self.service.bindings.get(device)
        if binding is None:
            self.model_label.setText("no model bound to this device")
        else:
            self.model_label.setText(f"model {binding.model_id}")
            self._section(lay, binding, binding.interface, "", binding.interface.display_name)
            for comp in binding.interface.of("Component"):
                sub = binding.components.get(comp.name)
                if sub is not None:
                    self._section(
                        lay,
                        binding,
                        sub,
                        comp.name + ".",
                        f"{comp.display_name or comp.name} ({sub.id})",
                    )
        lay.addStretch(1)
        self.scroll.setWidget(body)
        self.body = body

    def _section(
        self, lay: QVBoxLayout, b: Binding, iface: Interface, prefix: str, title: str
    ) -> None:
        box = QGroupBox(title or iface.id)
        box.setObjectName(f"section:{prefix or iface.id}")
        inner = QVBoxLayout(box)
        tele = iface.of("Telemetry")
        if tele and not prefix:
            grid = TelemetryGrid(tele, b.composites)
            self.grids.append(grid)
            inner.addWidget(grid)
        ro = [c for c in iface.of("Property") if not c.writable]
        if ro:
            table = QTableWidget(len(ro), 3)
            table.setHorizontalHeaderLabels(["Property", "Value", "Unit"])
            for i, c in enumerate(ro):
                table.setItem(i, 0, QTableWidgetItem(c.display_name or c.name))
                table.setItem(i, 1, QTableWidgetItem(""))
                table.setItem(i, 2, QTableWidgetItem(unit_symbol(c.unit)))
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setStretchLastSection(True)
            rows_h = sum(table.rowHeight(i) for i in range(len(ro)))
            table.setMaximumHeight(table.horizontalHeader().sizeHint().height() + rows_h + 6)
            self.tables.append((table, [prefix + c.name for c in ro]))
            inner.addWidget(table)
        rw = [c for c in iface.of("Property") if c.writable]
        if rw:
            form = QFormLayout()
            for c in rw:
                row = WritableRow(self, c, b.ranges.get(prefix + c.name), prefix + c.name)
                self.rows.append(row)
                form.addRow(c.display_name or c.name, row)
            inner.addLayout(form)
        for c in iface.of("Command"):
            row = CommandRow(self, c, f"{prefix[:-1]}*{c.name}" if prefix else c.name)
            self.commands[prefix + c.name] = row
            inner.addWidget(row)
        lay.addWidget(box)

    # -- actions ---------------------------------------------------------------------------
    def submit(self, what: str, fn: Any, *args: Any, target: Any = None) -> None:
        """Run a blocking twin call on the panel's pool; the result is picked up on a tick."""
        self.jobs.append((what, self.pool.submit(fn, *args), target))

    def refresh(self) -> None:
        """Tick: new devices, finished jobs, latest telemetry, property states."""
        names = sorted(self.service.twins)
        if names != [self.devices.itemText(i) for i in range(self.devices.count())]:
            current = self.device
            self.devices.blockSignals(True)
            self.devices.clear()
            self.devices.addItems(names)
            self.devices.blockSignals(False)
            if names:
                pick = current if current in names else names[0]
                self.devices.setCurrentText(pick)
                if pick != self.device or self.body is None:
                    self.show_device(pick)
        for job in [j for j in self.jobs if j[1].done()]:
            self.jobs.remove(job)
            what, fut, target = job
            err = fut.exception()
            if target is not None:
                target.show_result(None if err else fut.result(), err)
            self.message.setText(f"{what}: {err}" if err else "")
        if not self.device or self.body is None:
            return
        now = time.monotonic()
        if now - self._drawn < 1.0 / MAX_HZ:  # a dashboard is read, not animated: <= 15 Hz
            return
        self._drawn = now
        twin = self.service.twin(self.device)
        if now - self._plotted >= 1.0 / PLOT_HZ:  # each sparkline repaint costs milliseconds
            self._plotted = now
            for grid in self.grids:
                grid.update_from(twin)
        reported = twin.reported.values
        for table, paths in self.tables:
            for i, path in enumerate(paths):
                head, _, tail = path.partition(".")
                value = reported.get(head)
                if tail and isinstance(value, dict):
                    value = value.get(tail)
                item = table.item(i, 1)
                text = "" if value is None else _fmt(value)
                if item is not None and item.text() != text:
                    item.setText(text)
        for row in self.rows:
            row.refresh(twin)


PANELS = [
    PanelSpec("twin", "Digital twin", TwinPanel, area="right", default_open=True, shortcut="Ctrl+T")
]
