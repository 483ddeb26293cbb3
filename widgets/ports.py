"""Ports panel: serial ports as they come and go, the profile that recognises each, connect."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.drivers.serial.ports import PortWatcher, list_ports
from twinbench.oserrors import explain
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

COLUMNS = ("Port", "VID:PID", "Serial number", "Manufacturer", "Description", "Profile")


class PortsPanel(FormState, QWidget):
    """A table of serial ports refreshed by a watcher thread; recognised boards auto-connect."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"auto_connect": "auto"}

    def __init__(self, ctx: AppContext, lister: Any = list_ports, interval: float = 1.0) -> None:
        super().__init__()
        self.ctx = ctx
        self._ports: dict[str, dict[str, Any]] = {}
        self._changed = threading.Event()
        self._lock = threading.Lock()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.auto = QCheckBox("Connect recognised boards automatically")
        self.auto.setChecked(True)
        self._auto = True  # read by the watcher thread; the checkbox updates it
        self.auto.toggled.connect(lambda on: setattr(self, "_auto", on))
        connect = QPushButton("Connect")
        sniff = QPushButton("Sniff…")
        self.status = QLabel("")
        row = QHBoxLayout()
        for w in (self.auto, connect, sniff):
            row.addWidget(w)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)
        lay.addWidget(self.status)
        connect.clicked.connect(self.connect_selected)
        sniff.clicked.connect(self.sniff_selected)
        from twinbench.profiles.autoconnect import AutoConnector

        self.connector = AutoConnector(ctx.runtime, lister=lambda: [], interval=interval)
        self.watcher = PortWatcher(self._on_change, interval, lister)
        self.watcher.poll()
        self.watcher.start()
        self.destroyed.connect(lambda *_: self.watcher.stop())
        ctx.on_tick(self.tick)

    def close_watcher(self) -> None:
        """Stop the watcher thread."""
        self.watcher.stop()

    def shutdown(self) -> None:
        """Closing the panel stops its watcher thread (the window calls this)."""
        self.close_watcher()

    def _on_change(self, added: list[dict[str, Any]], removed: list[dict[str, Any]]) -> None:
        with self._lock:
            for p in removed:
                self._ports.pop(p["device"], None)
            for p in added:
                self._ports[p["device"]] = p
        if added and self._auto:
            self.connector._changed(added, [])  # recognised boards connect, no dialog
        self._changed.set()

    def tick(self) -> None:
        """Redraw the table when the port list changed."""
        if not self._changed.is_set():
            return
        self._changed.clear()
        from twinbench.profiles.loader import all_profiles, match_port

        profiles = all_profiles()
        with self._lock:
            ports = sorted(self._ports.values(), key=lambda p: p["device"])
        self.table.setRowCount(len(ports))
        for i, p in enumerate(ports):
            prof = match_port(p, profiles)
            ids = f"{p['vid']:04X}:{p['pid']:04X}" if p.get("vid") is not None else ""
            cells = (
                p["device"],
                ids,
                p.get("serial_number") or "",
                p.get("manufacturer") or "",
                p.get("description") or "",
                prof.name if prof else "",
            )
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def selected(self) -> dict[str, Any] | None:
        """The port in the selected row."""
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return self._ports.get(item.text()) if item else None

    def connect_selected(self) -> None:
        """Connect the selected port with its profile, or as an Arduino-style plotter."""
        from twinbench.profiles.loader import match_port

        port = self.selected()
        if port is None:
            return
        prof = match_port(port)
        try:
            if prof is not None:
                self.connector.connected[port["device"]] = self.connector.connect(prof, port)
            else:
                dev = port["device"].rsplit("/", 1)[-1]
                control = self.ctx.services.get("bench_control")
                if control is not None:  # a free id: never merged into a running device
                    from twinbench.benchmodel import free_id

                    dev = free_id(dev, control.taken_ids())
                    control.connect("serial", {"port": port["device"]}, device_id=dev)
                else:
                    self.ctx.runtime.add_driver(
                        "serial", {"port": port["device"], "device_id": dev}
                    )
        except Exception as exc:  # shown, never raised into Qt
            why = explain(exc, port["device"], "serial")
            self.status.setText(f"cannot connect {port['device']}: {why}")
            return
        self.status.setText(f"connected {port['device']}")

    def sniff_selected(self) -> None:
        """Listen to the selected port and say what it speaks."""
        from twinbench.profiles.sniff import sniff_port

        port = self.selected()
        if port is None:
            return
        guess = sniff_port(port["device"], seconds=0.3)
        if "decoder" not in guess:
            self.status.setText(f"{port['device']}: nothing recognised")
        else:
            self.status.setText(
                f"{port['device']}: {guess['decoder']['type']} at "
                f"{guess['transport']['baudrate']} baud ({guess['score']:.0%} of lines); "
                "save it with `twinbench ports --sniff PORT --save NAME`"
            )


def make_ports(ctx: AppContext) -> QWidget:
    """Panel factory."""
    return PortsPanel(ctx)


PANELS: list[PanelSpec] = [PanelSpec("ports", "Serial ports", make_ports, area="left")]
