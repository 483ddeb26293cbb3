"""Small telemetry plots of a twin: one per Telemetry, titled with its unit, fed once per tick."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from twinbench.dtdl import Content
from twinbench.twin import TwinDocument, unit_symbol
from twinbench.widgets.theme import fit_pens

_PENS = ("#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8")


class TelemetryPlot(QWidget):
    """A sparkline-sized plot of the latest values of one Telemetry (or its fields)."""

    def __init__(self, content: Content, channels: tuple[str, ...], keep: int = 300) -> None:
        super().__init__()
        self.content = content
        self.channels = channels
        unit = unit_symbol(content.unit)
        self.title = f"{content.display_name or content.name}" + (f" ({unit})" if unit else "")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.label = QLabel(self.title)
        self.label.setWordWrap(True)
        self.value_label = QLabel("-")
        self.value_label.setWordWrap(True)  # four quaternion values must not widen a narrow dock
        lay.addWidget(self.label)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(70)
        self.plot.setMaximumHeight(110)
        self.plot.hideAxis("bottom")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        lay.addWidget(self.plot)
        lay.addWidget(self.value_label)
        self.apply_palette()
        self.keep = keep
        self.data = np.full((keep, len(channels)), np.nan)
        self.count = 0
        self.last_t = -1
        self.curves = [
            self.plot.plot(pen=pg.mkPen(_PENS[i % len(_PENS)], width=1.5))
            for i in range(len(channels))
        ]
        fit_pens(self.plot)

    def apply_palette(self) -> None:
        """Plot background and axes in the theme's base and text colours (dark stays dark)."""
        pal = self.palette()
        self.plot.setBackground(pal.base().color())
        fg = pal.text().color()
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(fg)
            axis.setTextPen(fg)
        fit_pens(self.plot)  # the pens in a shade that reaches 3:1 on this background

    def changeEvent(self, ev: QEvent) -> None:
        """Follow a theme switch."""
        if ev.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(ev)

    def update_from(self, twin: TwinDocument) -> bool:
        """Append the twin's latest values when they are new; returns whether anything changed."""
        vals = [twin.telemetry.get(ch) for ch in self.channels]
        if any(v is None for v in vals):
            return False
        t = max(v[2] for v in vals if v is not None)
        if t == self.last_t:
            return False
        self.last_t = t
        self.data = np.roll(self.data, -1, axis=0)
        self.data[-1] = [v[0] for v in vals if v is not None]
        self.count = min(self.count + 1, self.keep)
        shown = self.data[-self.count :]
        for i, curve in enumerate(self.curves):
            curve.setData(shown[:, i])
        unit = unit_symbol(self.content.unit)
        self.value_label.setText(
            ", ".join(f"{x:.4g}" for x in self.data[-1]) + (f" {unit}" if unit else "")
        )
        return True


class TelemetryGrid(QWidget):
    """The plots of an Interface's telemetry, two per row, or one when the panel is narrow."""

    COLUMN_MIN = 200  # px a sparkline needs to be read; narrower: one column

    def __init__(self, telemetry: list[Content], composites: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.plots: list[TelemetryPlot] = []
        for c in telemetry:
            chans = composites.get(c.name)
            if chans is None and c.schema is not None and c.schema.kind == "Object":
                chans = tuple(n for n, _s in c.schema.fields)
            self.plots.append(TelemetryPlot(c, chans or (c.name,)))
        self.columns = 0
        self.place(2)

    def place(self, columns: int) -> None:
        """Lay the plots out in `columns` columns."""
        if columns == self.columns:
            return
        self.columns = columns
        for plot in self.plots:
            self.grid.removeWidget(plot)
        for i, plot in enumerate(self.plots):
            self.grid.addWidget(plot, i // columns, i % columns)
        for col in range(2):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)

    def minimumSizeHint(self) -> QSize:
        """As narrow as one column (a narrow dock gets one column, not a scroll bar)."""
        hint = super().minimumSizeHint()
        one = max((p.minimumSizeHint().width() for p in self.plots), default=0)
        return QSize(min(hint.width(), one), hint.height())

    def resizeEvent(self, ev: QResizeEvent) -> None:
        """Two columns when both fit, else one."""
        self.place(2 if ev.size().width() >= 2 * self.COLUMN_MIN else 1)
        super().resizeEvent(ev)

    def update_from(self, twin: TwinDocument) -> int:
        """Refresh every plot; returns how many changed."""
        return sum(p.update_from(twin) for p in self.plots)
