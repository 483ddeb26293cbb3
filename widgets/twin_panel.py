"""The model-driven twin panel: binding a DTDL model to a device generates its dashboard."""

from __future__ import annotations

import concurrent.futures
import json
import time
from typing import Any, ClassVar

from PySide6.QtCore import QEvent
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from twinbench.dtdl import Content, Interface
from twinbench.twin import Binding, TwinDocument, TwinService, unit_symbol
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.theme import TEXT_COLORS, is_dark
from twinbench.widgets.twin_editors import ValueEditor
from twinbench.widgets.twin_json import TwinJsonView
from twinbench.widgets.twin_plots import TelemetryGrid

MAX_HZ = 15.0  # values, tables and property states redraw at most this often
PLOT_HZ = 5.0  # the telemetry sparklines, at most this often
EDITOR_MIN = 70  # px: spin boxes with a wide range would ask for more, and crowd a narrow dock

_STATE_COLORS = {  # (on a light background, on a dark one), each >= 4.5:1 contrast
    "accepted": TEXT_COLORS["ok"],
    "synced": TEXT_COLORS["ok"],
    "default": TEXT_COLORS["muted"],
    "pending": TEXT_COLORS["warn"],
    "rejected": TEXT_COLORS["error"],
    "failed": TEXT_COLORS["error"],
}


def state_color(state: str) -> str:
    """The text colour of a property state in the current theme."""
    light, dark = _STATE_COLORS.get(state, ("#000000", "#e0e0e0"))
    return dark if is_dark() else light


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
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.editor = ValueEditor(prop.schema, rng)
        self.editor.widget.setMinimumWidth(EDITOR_MIN)
        self.button = QPushButton("Set")
        self.button.setEnabled(False)  # until the editor shows the twin's value (or is edited)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.hint = QLabel(self.editor.range_text())
        self.hint.setObjectName("rangeHint")
        # editor, unit and Set on a line; the range (or why the value is refused) and the
        # desired/reported status below, so that a narrow dock still shows them whole
        top = QHBoxLayout()
        top.addWidget(self.editor.widget, 1)
        unit = unit_symbol(prop.unit)
        if unit:
            top.addWidget(QLabel(unit))
        top.addWidget(self.button)
        lay.addLayout(top)
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        lay.addWidget(self.status)
        self.button.clicked.connect(self.submit)
        self._seeded = False  # shows a value from the twin
        self._touched = False  # the user changed it since
        self._seeding = False
        self.shown: Any = None  # the twin value the editor was last seeded with
        self.state = ""
        self._dark = is_dark()  # the theme the status colours were chosen for
        self.editor.on_change(self._edited)

    def _edited(self) -> None:
        if not self._seeding:
            self._touched = True
        self._validate()

    def _validate(self) -> None:
        err = self.editor.error()
        self.hint.setText(err or self.editor.range_text())
        self.hint.setStyleSheet(f"color: {state_color('rejected')}" if err else "")
        self.button.setEnabled(not err and (self._seeded or self._touched))

    def submit(self) -> None:
        """Send the edited value as a desired patch (off the GUI thread); refuses bad input."""
        try:
            value = self.editor.value()
        except ValueError as exc:
            self.hint.setText(str(exc))
            return
        patch: dict[str, Any] = {self.prop.name: value}
        if "." in self.path:
            comp = self.path.split(".")[0]
            patch = {comp: {"__t": "c", self.prop.name: value}}
        self._touched = False
        self.panel.submit(
            f"set {self.path}", self.panel.service.set_desired, self.panel.device, patch
        )

    def seed(self, value: Any) -> None:
        """Show a value from the twin unless the user is editing."""
        if value is None or self._touched or (self._seeded and value == self.shown):
            return
        self._seeding = True
        try:
            self.editor.set_value(value)
        finally:
            self._seeding = False
        self._seeded, self.shown = True, value
        self._validate()

    def refresh(self, twin: TwinDocument) -> None:
        """Show desired vs reported with versions, the acknowledgement and pending time."""
        st = twin.property_status(self.path)
        self.seed(st.desired if st.desired is not None else st.reported)
        text = f"reported {_fmt(st.reported)}"
        if st.desired is not None:
            text = f"desired {_fmt(st.desired)} (v{st.desired_version}) · " + text
        if st.ack_code is not None:
            text += f" · ack {st.ack_code} v{st.ack_version}"
            if st.ack_description:
                text += f" “{st.ack_description}”"
        if st.state == "pending":
            text += f" · pending {st.pending_for():.1f} s"
        elif st.state in ("rejected", "failed", "accepted"):
            text += f" · {st.state}"
        if self.status.text() != text:
            self.status.setText(text)
        if st.state != self.state:  # restyling every tick costs milliseconds
            self.state = st.state
            self._restyle()

    def _restyle(self) -> None:
        self._dark = is_dark()
        self.status.setStyleSheet(f"color: {state_color(self.state)}")
        self._validate()

    def changeEvent(self, ev: QEvent) -> None:
        """Status colours follow a theme switch."""
        kinds = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if ev.type() in kinds and self.state and self._dark != is_dark():
            self._dark = is_dark()
            self._restyle()
        super().changeEvent(ev)


class CommandRow(QWidget):
    """A command button with its request form and the last response."""

    def __init__(self, panel: TwinPanel, cmd: Content, address: str = "") -> None:
        super().__init__()
        self.panel, self.cmd = panel, cmd
        self.address = address or cmd.name  # "imu*calibrate" for a component's command
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        lay = QHBoxLayout()  # request and button on a line, the response below (narrow docks)
        outer.addLayout(lay)
        self.editor = ValueEditor(cmd.request[1]) if cmd.request else None
        if self.editor is not None and cmd.request is not None:
            self.editor.widget.setMinimumWidth(EDITOR_MIN)
            lay.addWidget(QLabel(cmd.request[0]))
            lay.addWidget(self.editor.widget, 1)
        self.button = QPushButton(cmd.display_name or cmd.name)
        self.button.setToolTip(self.address)
        self.response = QLabel("")
        self.response.setWordWrap(True)
        lay.addWidget(self.button)
        if self.editor is None:
            lay.addStretch(1)
        outer.addWidget(self.response)
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
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Ask the device for its reported properties")
        top.addWidget(QLabel("Device"))
        top.addWidget(self.devices, 1)
        top.addWidget(self.refresh_button)
        outer.addLayout(top)
        outer.addWidget(self.model_label)
        self.versions = QLabel("")
        self.versions.setObjectName("twinVersions")
        outer.addWidget(self.versions)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.json_view = TwinJsonView(self.apply_patch)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.scroll, "Properties")
        self.tabs.addTab(self.json_view, "Twin JSON")
        outer.addWidget(self.tabs, 1)
        self.body: QWidget | None = None
        self._seen_version = -1
        self.devices.currentTextChanged.connect(self.show_device)
        self.refresh_button.clicked.connect(self.load_reported)
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
        self._seen_version = -1
        self.json_view.editor.document().setModified(False)
        if binding is not None:
            self.load_reported()

    def load_reported(self) -> None:
        """Ask the device for its reported properties (the panel shows them when they come)."""
        if self.device:
            self.submit("refresh", self.service.refresh, self.device)

    def apply_patch(self, patch: dict[str, Any]) -> None:
        """Send a desired merge patch (from the Twin JSON tab)."""
        if self.device:
            self.submit("save desired", self.service.set_desired, self.device, patch)

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
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: label above
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
        if twin.version != self._seen_version:
            self._seen_version = twin.version
            self.versions.setText(
                f"twin v{twin.version} · desired $version {twin.desired.version}"
                f" · reported $version {twin.reported.version}"
            )
            self.json_view.show_doc(twin.to_json())
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
