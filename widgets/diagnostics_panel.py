"""The diagnostics panel: every device's rates, latency and loss counters; the app's CPU/memory."""

from __future__ import annotations

import time
from typing import ClassVar

from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from twinbench.diagnostics import Diagnostics
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

REFRESH_S = 0.5


class DiagnosticsPanel(FormState, QWidget):
    """A tree of per-device health figures, refreshed twice a second."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {}

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.diag = ctx.services.get("diagnostics") or Diagnostics(ctx.runtime)
        ctx.services["diagnostics"] = self.diag
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["figure", "value"])
        self.process = QLabel("")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.process)
        lay.addWidget(self.tree)
        self._next = 0.0  # monotonic time of the next refresh (twice a second, whatever the fps)
        self.diag.snapshot()  # a first mark: the first figures shown are real rates
        self.last: dict = {}
        self.focus: str | None = None  # show_device(): that device expanded and selected
        ctx.on_tick(self._tick)

    def show_device(self, device: str) -> None:
        """Bring one device's figures forward (the others stay listed, collapsed)."""
        self.focus = device
        self.refresh()

    def _tick(self) -> None:
        if time.monotonic() >= self._next:
            self.refresh()

    def refresh(self) -> None:
        """Take a snapshot and show it."""
        self._next = time.monotonic() + REFRESH_S
        snap = self.diag.snapshot()
        self.last = snap
        pr = snap["process"]
        self.process.setText(
            f"TwinBench: CPU {pr['cpu_percent']:.0f} %, memory {pr['rss_mb']:.0f} MB, "
            f"{pr['threads']} threads"
            + "".join(
                f"\n{who}: {r['devices']} devices refused (cap {r['cap']}), "
                f"{r['samples']} samples dropped"
                for who, r in sorted(snap.get("refused", {}).items())
            )
        )
        self.tree.clear()
        for dev_id, d in sorted(snap["devices"].items()):
            top = QTreeWidgetItem([dev_id, d["state"]])
            lat = d["latency_ms"]
            known = d.get("rate_window_s", 1.0) > 0
            figures = [
                ("samples/s", f"{d['samples_per_s']:.0f}" if known else "measuring…"),
                ("frames (chunks)/s", f"{d['chunks_per_s']:.1f}"),
                ("bytes/s", f"{d['bytes_per_s']:.0f}"),
                ("latency source -> now", "-" if lat is None else f"{lat:.1f} ms"),
                ("reconnects", str(d.get("reconnects", 0))),
            ]
            figures += [(k, str(v)) for k, v in d["losses"].items()]
            figures += [(f"queue drops: {k}", str(v)) for k, v in d["queue_drops"].items()]
            for k, v in figures:
                top.addChild(QTreeWidgetItem([k, v]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(self.focus is None or dev_id == self.focus)
            if dev_id == self.focus:
                self.tree.setCurrentItem(top)
                self.tree.scrollToItem(top)


PANELS = [PanelSpec("diagnostics", "Diagnostics", DiagnosticsPanel, "right")]
