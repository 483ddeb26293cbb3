"""XY plot (one channel against another, with a trail) and histogram panels."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QSpinBox

from twinbench.analysis.histogram import histogram
from twinbench.widgets.channel_mime import accept_channels, channels_from
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.tap_panel import TapPanel


class XYPanel(TapPanel):
    """Any channel against any other, showing the last `trail` samples."""

    STATE_IGNORED = (*TapPanel.STATE_IGNORED, "trail_box")  # "trail" of workspace_config()

    n_channels = 2
    capacity = 200_000

    def __init__(self, ctx: AppContext) -> None:
        self.trail_box = QSpinBox()
        super().__init__(ctx)
        self.trail_box.setRange(10, self.capacity)
        self.trail_box.setValue(2000)
        self.controls.addWidget(QLabel("Trail"))
        self.controls.addWidget(self.trail_box)
        self.plot = pg.PlotWidget()
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#e8a33d", width=1), connect="finite")
        self.head = pg.ScatterPlotItem(size=8, brush=pg.mkBrush("#d9534f"))
        self.plot.addItem(self.head)
        self.layout_.addWidget(self.plot, 1)
        self.plot.setAcceptDrops(False)  # dropped channels go to the panel
        self.setAcceptDrops(True)
        self.next_axis = "x"  # a drop away from both axes sets X, then Y, then X...
        self.on_selection()

    # -- dropped channels ------------------------------------------------------------------
    def dragEnterEvent(self, ev: Any) -> None:
        """Accept dragged channels (the device tree, the latest-values table)."""
        accept_channels(ev)

    def dragMoveEvent(self, ev: Any) -> None:
        """Keep accepting channels while they move over the panel."""
        accept_channels(ev)

    def dropEvent(self, ev: Any) -> None:
        """Put the dropped channel(s) on the axis under the drop (see `drop_channels`)."""
        pos = ev.position().toPoint()
        if self.drop_channels(channels_from(ev.mimeData()), self.axis_at(pos)):
            ev.acceptProposedAction()

    def axis_at(self, pos: Any) -> str | None:
        """'x' over the bottom axis, 'y' over the left one, None elsewhere (panel coordinates)."""
        view = self.plot
        scene = view.mapToScene(view.viewport().mapFromGlobal(self.mapToGlobal(pos)))
        item = view.getPlotItem()
        for name, axis in (("x", "bottom"), ("y", "left")):
            if item.getAxis(axis).sceneBoundingRect().contains(scene):
                return name
        return None

    def drop_channels(self, keys: list[tuple[str, str]], axis: str | None = None) -> str:
        """Two channels: X then Y; one: onto `axis`, or X then Y on successive drops.

        The device becomes the dropped channels' device (the other axis keeps its channel when
        that device has it). Returns the axes set ('x', 'y', 'xy') or '' when nothing was.
        """
        if not keys:
            return ""
        device = keys[0][0]
        st = self.hub.devices.get(device)
        names = list(st.device.channel_names) if st is not None else []
        chans = [c for d, c in keys if d == device and c in names][:2]
        if not chans:
            return ""
        x, y = (b.currentText() for b in self.channel_boxes)
        if len(chans) == 2:
            x, y, done = chans[0], chans[1], "xy"
        else:
            done = axis or self.next_axis
            x, y = (chans[0], y) if done == "x" else (x, chans[0])
            self.next_axis = "y" if done == "x" else "x"
        other = [c for c in names if c not in (x, y)]
        x = x if x in names else (other.pop(0) if other else x)
        y = y if y in names else (other.pop(0) if other else y)
        self.select(device, x, y)
        return done

    def refresh(self) -> None:
        """Draw the trail and the latest point."""
        assert self.tap is not None
        _, v = self.tap.latest(self.trail_box.value())
        x, y = v[:, 0], v[:, 1]
        self.curve.setData(x, y, connect="finite")
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            i = np.flatnonzero(ok)[-1]
            self.head.setData([x[i]], [y[i]])

    def on_selection(self) -> None:
        """Label the axes with the chosen channels and units."""
        if not hasattr(self, "plot"):
            return
        xs, ys = (b.currentText() for b in self.channel_boxes)
        self.plot.setLabel("bottom", xs, self.unit(xs))
        self.plot.setLabel("left", ys, self.unit(ys))

    def workspace_config(self) -> dict:
        """Selection and trail length."""
        return {**super().workspace_config(), "trail": self.trail_box.value()}

    def apply_workspace_config(self, cfg: dict) -> None:
        """Restore selection and trail."""
        self.trail_box.setValue(int(cfg.get("trail", 2000)))
        super().apply_workspace_config(cfg)


class HistogramPanel(TapPanel):
    """Distribution of the latest samples of one channel."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"bins": "bins_box", "samples": "span_box"}

    capacity = 100_000
    max_hz = 10.0

    def __init__(self, ctx: AppContext) -> None:
        self.bins_box = QSpinBox()
        self.span_box = QSpinBox()
        super().__init__(ctx)
        self.bins_box.setRange(5, 500)
        self.bins_box.setValue(50)
        self.span_box.setRange(10, self.capacity)
        self.span_box.setValue(10_000)
        for label, w in (("Bins", self.bins_box), ("Samples", self.span_box)):
            self.controls.addWidget(QLabel(label))
            self.controls.addWidget(w)
        self.plot = pg.PlotWidget()
        self.curve = self.plot.plot(
            [0, 1], [0], stepMode="center", fillLevel=0, brush=(60, 140, 220, 150)
        )
        self.layout_.addWidget(self.plot, 1)
        self.counts = np.zeros(0, np.int64)
        self.on_selection()

    def refresh(self) -> None:
        """Recount and redraw."""
        assert self.tap is not None
        _, v = self.tap.latest(self.span_box.value())
        self.counts, edges = histogram(v[:, 0], self.bins_box.value())
        self.curve.setData(edges, self.counts, stepMode="center", fillLevel=0)

    def on_selection(self) -> None:
        """Label the axis with the chosen channel and unit."""
        if hasattr(self, "plot"):
            name = self.channel_boxes[0].currentText()
            self.plot.setLabel("bottom", name, self.unit(name))


PANELS = [
    PanelSpec("xy", "XY plot", XYPanel, "right", multiple=True),
    PanelSpec("histogram", "Histogram", HistogramPanel, "right", multiple=True),
]
