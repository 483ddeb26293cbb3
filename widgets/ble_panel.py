"""BLE dock panels: a live scanner with filters, and a GATT browser with read/write/subscribe.

Both pull their data on the GUI tick; bleak runs on the runtime's I/O loop, reached through
``runtime.call`` (futures are polled on the tick, never waited for on the GUI thread).
"""

from __future__ import annotations

import concurrent.futures
import time
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.ble.ops import explain
from twinbench.ble.scanner import ScanFilter, Scanner
from twinbench.ble.sig import uuid_label
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

SCAN_COLUMNS = ("Address", "Name", "RSSI", "Services", "Manufacturer data", "Service data", "Age")


class _Pending:
    """A future from the I/O loop and what to do with its result on the GUI thread."""

    def __init__(self) -> None:
        self.items: list[tuple[concurrent.futures.Future[Any], Any]] = []

    def add(self, fut: concurrent.futures.Future[Any], on_done: Any) -> None:
        """Remember a future and its GUI-side callback (called on a later tick)."""
        self.items.append((fut, on_done))

    def poll(self) -> None:
        """Run the callbacks of finished futures with (result, error)."""
        left = []
        for fut, cb in self.items:
            if not fut.done():
                left.append((fut, cb))
                continue
            exc = fut.exception()
            cb(None if exc else fut.result(), exc)
        self.items = left


class BleScannerPanel(FormState, QWidget):
    """Every advertising device, updated live, filtered by name, service UUID and RSSI."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {
        "name": "name_edit",
        "service": "service_edit",
        "min_rssi": "rssi_spin",
    }

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.scanner = Scanner()
        self.pending = _Pending()
        self._connecting: Any = None  # the driver opened by Connect, until it fails or works
        self.name_edit = QLineEdit(placeholderText="name (glob or text)")
        self.service_edit = QLineEdit(placeholderText="service UUID, e.g. 180d")
        self.rssi_spin = QSpinBox(minimum=-127, maximum=20, value=-127, suffix=" dBm")
        self.scan_button = QPushButton("Scan")
        self.connect_button = QPushButton("Connect")
        self.status = QLabel("idle")
        self.status.setWordWrap(True)  # error sentences say what to do: keep all of it visible
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(SCAN_COLUMNS))
        self.table.setHorizontalHeaderLabels(SCAN_COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        top = QHBoxLayout()
        for w in (self.name_edit, self.service_edit, self.rssi_spin, self.scan_button):
            top.addWidget(w)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.connect_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self.scan_button.clicked.connect(self.toggle_scan)
        self.connect_button.clicked.connect(self.connect_selected)
        ctx.on_tick(self.refresh)

    def _filter(self) -> ScanFilter | None:
        try:
            rssi = self.rssi_spin.value()
            return ScanFilter(
                self.name_edit.text(), self.service_edit.text(), None if rssi <= -127 else rssi
            )
        except ValueError as exc:
            self.status.setText(str(exc))
            return None

    def toggle_scan(self) -> None:
        """Start or stop scanning on the I/O loop."""
        stopping = self.scanner.running or self.scan_button.text() == "Stop"
        coro = self.scanner.stop() if stopping else self.scanner.start()
        try:
            fut = self.ctx.runtime.call(coro)
        except RuntimeError as exc:  # the runtime is not running
            coro.close()
            self.status.setText(f"cannot scan: {exc}")
            return
        self.pending.add(fut, self._done("stopped" if stopping else "scanning"))
        self.scan_button.setText("Scan" if stopping else "Stop")

    def _done(self, ok_text: str) -> Any:
        def cb(_result: Any, exc: BaseException | None) -> None:
            if exc is None:
                self.status.setText(ok_text)
                return
            self.status.setText(explain(exc))  # the CLI's sentence, with what to do
            self.scan_button.setText("Stop" if self.scanner.running else "Scan")

        return cb

    def selected_address(self) -> str:
        """Address in the selected row ("" when none)."""
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else ""

    def connect_selected(self) -> None:
        """Open a `ble` driver on the selected device (its notifiable SIG characteristics)."""
        addr = self.selected_address()
        if not addr:
            self.status.setText("select a device first")
            return
        if self.scanner.running:
            self.toggle_scan()
        try:
            self._connecting = self.ctx.runtime.add_driver("ble", {"address": addr, "scan_s": 2.0})
        except Exception as exc:  # shown, never raised into Qt
            self.status.setText(f"cannot connect {addr}: {exc}")
            return
        self.status.setText(f"connecting to {addr}")

    def refresh(self) -> None:
        """Pull the scanner table (GUI tick)."""
        self.pending.poll()
        failed = getattr(self._connecting, "error", "")
        if failed:
            self.status.setText(failed)
            self._connecting = None
        flt = self._filter()
        if flt is None:
            return
        entries = self.scanner.entries(flt)
        now = time.monotonic()
        keep = self.selected_address()
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            cells = (
                e.address,
                e.name or "(no name)",
                str(e.rssi),
                ", ".join(uuid_label(u) for u in e.service_uuids),
                ", ".join(f"0x{k:04X}={v.hex()}" for k, v in e.manufacturer_data.items()),
                ", ".join(f"{uuid_label(k)}={v.hex()}" for k, v in e.service_data.items()),
                f"{now - e.last_seen:.1f} s",
            )
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    self.table.setItem(r, c, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)
            if e.address == keep:
                self.table.selectRow(r)
        if self.scanner.running:
            self.status.setText(self.scanner.error or f"scanning: {len(entries)} device(s)")


class BleGattPanel(FormState, QWidget):
    """The GATT table of a connected device, with read, write, subscribe and per-char counters."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {
        "device": "device_box",
        "decoder": "decoder_edit",
        "write_value": "value_edit",
    }

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.pending = _Pending()
        self.device_box = QComboBox()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Attribute", "Properties", "Handle", "Notifications", "Status"])
        self.value_edit = QLineEdit(placeholderText="hex to write, e.g. 01ff")
        self.decoder_edit = QLineEdit(placeholderText="decoder: blank, hr, struct:a:u16,...")
        self.result = QLabel("")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.read_button = QPushButton("Read")
        self.write_button = QPushButton("Write")
        self.sub_button = QPushButton("Subscribe")
        self.unsub_button = QPushButton("Unsubscribe")
        for b in (self.read_button, self.write_button, self.sub_button, self.unsub_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.device_box)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.value_edit)
        lay.addWidget(self.decoder_edit)
        lay.addLayout(buttons)
        lay.addWidget(self.result)
        self.read_button.clicked.connect(lambda: self.run("read"))
        self.write_button.clicked.connect(lambda: self.run("write"))
        self.sub_button.clicked.connect(lambda: self.run("subscribe"))
        self.unsub_button.clicked.connect(lambda: self.run("unsubscribe"))
        self.device_box.currentTextChanged.connect(lambda _t: self._rebuild())
        self._shown: tuple[str, int] = ("", -1)
        ctx.on_tick(self.refresh)

    def links(self) -> dict[str, tuple[Any, Any]]:
        """device id -> (driver, link) for every BLE device in the runtime."""
        out = {}
        for d in self.ctx.runtime.drivers:
            for dev_id, link in getattr(d, "links", {}).items():
                out[dev_id] = (d, link)
        return out

    def selected_uuid(self) -> str:
        """UUID of the selected characteristic ("" when none)."""
        item = self.tree.currentItem()
        return "" if item is None else str(item.data(0, Qt.ItemDataRole.UserRole) or "")

    def run(self, op: str) -> None:
        """Send a command for the selected characteristic through the driver."""
        links = self.links()
        dev = self.device_box.currentText()
        uuid = self.selected_uuid()
        if dev not in links or not uuid:
            self.result.setText("select a device and a characteristic")
            return
        driver = links[dev][0]
        payload: dict[str, Any] = {"uuid": uuid}
        if op == "write":
            payload["data"] = self.value_edit.text().strip()
        if op == "subscribe":
            payload["decoder"] = self.decoder_edit.text().strip()

        def done(result: Any, exc: BaseException | None) -> None:
            if exc is not None:
                self.result.setText(f"{op} failed: {exc}")
            elif op == "read":
                self.result.setText(f"{uuid_label(uuid)} = {bytes(result).hex() or '(empty)'}")
            elif op == "subscribe":
                self.result.setText(f"subscribed: {', '.join(result)}")
            else:
                self.result.setText(f"{op} ok")

        self.pending.add(self.ctx.runtime.call(driver.command(dev, op, payload)), done)

    def _rebuild(self) -> None:
        links = self.links()
        dev = self.device_box.currentText()
        self.tree.clear()
        if dev not in links:
            return
        link = links[dev][1]
        for s in link.tree:
            si = QTreeWidgetItem([uuid_label(s.uuid), "service", f"0x{s.handle:04X}", "", ""])
            self.tree.addTopLevelItem(si)
            for c in s.characteristics:
                ci = QTreeWidgetItem(
                    [uuid_label(c.uuid), ", ".join(c.properties), f"0x{c.handle:04X}", "", ""]
                )
                ci.setData(0, Qt.ItemDataRole.UserRole, c.uuid)
                si.addChild(ci)
                for d in c.descriptors:
                    ci.addChild(
                        QTreeWidgetItem([uuid_label(d.uuid), "descriptor", f"0x{d.handle:04X}"])
                    )
            si.setExpanded(True)
        self._shown = (dev, link.connects)

    def refresh(self) -> None:
        """Update the device list, the tree after (re)connects, and the counters (GUI tick)."""
        self.pending.poll()
        links = self.links()
        names = sorted(links)
        if names != [self.device_box.itemText(i) for i in range(self.device_box.count())]:
            cur = self.device_box.currentText()
            self.device_box.blockSignals(True)
            self.device_box.clear()
            self.device_box.addItems(names)
            if cur in names:
                self.device_box.setCurrentText(cur)
            self.device_box.blockSignals(False)
        dev = self.device_box.currentText()
        if dev not in links:
            return
        link = links[dev][1]
        if self._shown != (dev, link.connects):
            self._rebuild()
        for i in range(self.tree.topLevelItemCount()):
            si = self.tree.topLevelItem(i)
            for j in range(si.childCount()):
                ci = si.child(j)
                sub = link.subs.get(ci.data(0, Qt.ItemDataRole.UserRole))
                if sub is None:
                    continue
                s = sub.stats
                bad = s.bad_length + s.unknown_flags + s.invalid + s.missing
                ci.setText(3, str(s.notifications))
                ci.setText(
                    4,
                    ("ok" if sub.active else "inactive")
                    + (f", {bad} bad: {s.message}" if bad else ""),
                )


PANELS = [
    PanelSpec("ble-scanner", "BLE scanner", BleScannerPanel, area="right"),
    PanelSpec("ble-gatt", "BLE GATT browser", BleGattPanel, area="right"),
]
