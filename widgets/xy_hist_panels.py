"""XY plot (one channel against another, with a trail) and histogram panels."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QSpinBox

from twinbench.analysis.histogram import histogram
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
        self.on_selection()

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
