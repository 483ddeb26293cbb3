"""The live time plot: min/max levels from the display history, drawn once per GUI tick."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.context import AppContext

PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
]
EMPTY_HINT = (
    "No device is live.\n\nDevices \u25b8 Add simulated board starts a simulated motor rig;\n"
    "connected devices show up here as soon as they send data."
)


def color_for(index: int) -> str:
    """A distinct colour for the n-th curve."""
    return PALETTE[index % len(PALETTE)]


def format_time(t_ns: int) -> str:
    """Local wall-clock time with milliseconds, for the cursor readout."""
    return datetime.fromtimestamp(t_ns / 1e9).strftime("%H:%M:%S.%f")[:-3]


class Curve(pg.PlotCurveItem):
    """A curve whose data bounds are handed in with the data (no NaN-aware scan per frame)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._bounds: tuple[float, float, float, float] | None = None

    def set_frame(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Show x, y (NaN = gap); returns the finite y extent (NaN, NaN when none)."""
        if y.size:
            ymin, ymax = float(np.fmin.reduce(y)), float(np.fmax.reduce(y))
            self._bounds = (float(x[0]), float(x[-1]), ymin, ymax)
        else:
            ymin = ymax = float("nan")
            self._bounds = None
        self.setData(x, y, connect="finite", skipFiniteCheck=True)
        return ymin, ymax

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange: object = None) -> tuple:
        """Bounds from the last frame (pyqtgraph API)."""
        b = self._bounds
        if b is None or b[2] != b[2]:
            return (None, None)
        return (b[0], b[1]) if ax == 0 else (b[2], b[3])


class _Overlay(QObject):
    """Keeps the empty-state label centred over the plot as it resizes."""

    def __init__(self, host: QWidget, label: QLabel) -> None:
        super().__init__(host)
        self.label = label
        host.installEventFilter(self)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        """Re-centre on resize."""
        if ev.type() == QEvent.Type.Resize:
            self.label.setGeometry(obj.rect())  # type: ignore[attr-defined]
        return False


class PlotPanel(QWidget):
    """Live plot of every visible channel: follows the newest data unless paused or panned."""

    pausedChanged = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, window_s: float = 10.0):
        super().__init__(parent)
        self.ctx = ctx
        self.history = ctx.history
        self.window_ns = int(window_s * 1e9)
        self.paused = False
        self.hidden: set[tuple[str, str]] = set()
        self.curves: dict[tuple[str, str], Curve] = {}
        self.cursor_ns: int | None = None
        self.frames = 0

        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setBackground("w")
        self.plot.setMinimumSize(200, 120)
        self.item = self.plot.getPlotItem()
        self.item.setClipToView(False)  # the history already clips to the view
        self.legend = self.item.addLegend(offset=(8, 8), labelTextSize="8pt")
        # the legend only changes when curves come or go: paint it from a cached pixmap
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.vb = self.item.getViewBox()
        self.vb.disableAutoRange()
        self.vb.sigRangeChangedManually.connect(self._on_manual_range)
        self.cursor_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#555", width=1))
        self.cursor_line.setVisible(False)
        self.item.addItem(self.cursor_line, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.readout = QLabel(" ")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pause_button = QToolButton(text="Pause", checkable=True)
        self.pause_button.setToolTip("Freeze the time axis (Space); data keeps being recorded")
        self.pause_button.toggled.connect(self.set_paused)
        self.live_button = QToolButton(text="Live")
        self.live_button.setToolTip("Follow the newest data again (End)")
        self.live_button.clicked.connect(lambda: self.set_paused(False))
        self.scroll = QScrollBar(Qt.Orientation.Horizontal)
        self.scroll.setToolTip("Scroll back through the display history")
        self.scroll.valueChanged.connect(self._on_scroll)
        self._scroll_by_us = False

        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 0)
        top.addWidget(self.pause_button)
        top.addWidget(self.live_button)
        top.addWidget(self.readout, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.scroll)

        self.hint = QLabel(EMPTY_HINT, self.plot)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #666; font-size: 13pt; background: transparent;")
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._overlay = _Overlay(self.plot, self.hint)

    # -- state -----------------------------------------------------------------------------
    def set_paused(self, paused: bool) -> None:
        """Freeze (True) or follow the newest data (False)."""
        paused = bool(paused)
        if paused == self.paused:
            return
        self.paused = paused
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.blockSignals(False)
        self.pausedChanged.emit(paused)
        if not paused:
            self.refresh()

    def set_channel_visible(self, device: str, channel: str, visible: bool) -> None:
        """Show or hide one channel's curve."""
        key = (device, channel)
        if visible:
            self.hidden.discard(key)
        else:
            self.hidden.add(key)
        curve = self.curves.get(key)
        if curve is not None:
            curve.setVisible(visible)
            self._sync_legend()

    def set_window(self, seconds: float) -> None:
        """Width of the followed time window."""
        self.window_ns = max(int(1e6), int(seconds * 1e9))

    def x_range_ns(self) -> tuple[int, int]:
        """The time range shown now."""
        x0, x1 = self.vb.viewRange()[0]
        return int(x0 * 1e9), int(x1 * 1e9)

    # -- events ----------------------------------------------------------------------------
    def _on_manual_range(self, *args: object) -> None:
        # the user panned or zoomed: stop following and keep the width they chose
        x0, x1 = self.x_range_ns()
        self.window_ns = max(int(1e6), x1 - x0)
        self.set_paused(True)

    def _on_scroll(self, value: int) -> None:
        if self._scroll_by_us or self.history is None:
            return
        span = self.history.span()
        if span is None:
            return
        self.set_paused(True)
        x0 = span[0] + value * 1_000_000
        self._set_x(x0, x0 + self.window_ns)
        self.refresh()

    def _on_mouse_moved(self, pos: object) -> None:
        if not self.item.sceneBoundingRect().contains(pos):  # type: ignore[arg-type]
            return
        x = self.vb.mapSceneToView(pos).x()
        self.set_cursor(int(x * 1e9))

    def keyPressEvent(self, ev: object) -> None:
        """Space pauses, End goes live, Left/Right scroll half a window when paused."""
        key = ev.key()  # type: ignore[attr-defined]
        if key == Qt.Key.Key_Space:
            self.set_paused(not self.paused)
        elif key == Qt.Key.Key_End:
            self.set_paused(False)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            x0, x1 = self.x_range_ns()
            step = (x1 - x0) // 2 * (-1 if key == Qt.Key.Key_Left else 1)
            self.set_paused(True)
            self._set_x(x0 + step, x1 + step)
            self.refresh()
        else:
            super().keyPressEvent(ev)  # type: ignore[arg-type]

    # -- cursor ----------------------------------------------------------------------------
    def set_cursor(self, t_ns: int | None) -> str:
        """Put the crosshair at `t_ns` and return the readout text (time and each value)."""
        self.cursor_ns = t_ns
        if t_ns is None or self.history is None:
            self.cursor_line.setVisible(False)
            self.readout.setText(" ")
            return ""
        self.cursor_line.setPos(t_ns / 1e9)
        self.cursor_line.setVisible(True)
        parts = [format_time(t_ns)]
        for dev, ch in self.curves:
            if (dev, ch) in self.hidden:
                continue
            hit = self.history.value_at(dev, ch, t_ns)
            if hit is None:
                continue
            unit = self._unit(dev, ch)
            parts.append(f"{ch} {hit[1]:.6g}{' ' + unit if unit else ''}")
        text = "   ".join(parts)
        self.readout.setText(text)
        return text

    def _unit(self, device: str, channel: str) -> str:
        st = self.ctx.runtime.hub.devices.get(device)
        if st is None:
            return ""
        try:
            return st.device.channel(channel).unit
        except KeyError:
            return ""

    # -- drawing ---------------------------------------------------------------------------
    def _set_x(self, x0_ns: int, x1_ns: int) -> None:
        self.vb.setXRange(x0_ns / 1e9, x1_ns / 1e9, padding=0)

    def _curve(self, device: str, channel: str) -> Curve:
        key = (device, channel)
        curve = self.curves.get(key)
        if curve is None:
            multi = len({d for d, _ in self.curves} | {device}) > 1
            name = f"{device}/{channel}" if multi else channel
            unit = self._unit(device, channel)
            curve = Curve(
                pen=pg.mkPen(color_for(len(self.curves)), width=1),
                name=f"{name} [{unit}]" if unit else name,
                connect="finite",
                skipFiniteCheck=True,
            )
            self.curves[key] = curve
            self.item.addItem(curve)
            curve.setVisible(key not in self.hidden)
            self._sync_legend()
        return curve

    def _sync_legend(self) -> None:
        self.legend.clear()
        for key, curve in self.curves.items():
            if key not in self.hidden:
                self.legend.addItem(curve, curve.name())

    def live_devices(self) -> list[str]:
        """Devices connected now."""
        return [d for d, st in self.ctx.runtime.hub.devices.items() if st.state == "connected"]

    def refresh(self) -> None:
        """Redraw from the history: called once per GUI tick."""
        h = self.history
        span = h.span() if h is not None else None
        self.hint.setVisible(span is None and not self.live_devices())
        if span is None:
            return
        if not self.paused:
            x1 = span[1]
            x0 = x1 - self.window_ns
            self._set_x(x0, x1)
        else:
            x0, x1 = self.x_range_ns()
        max_points = 2 * max(100, int(self.vb.width()))
        lo, hi = np.inf, -np.inf
        for dev in h.devices():
            shown = []
            for ch in h.channels(dev):
                self._curve(dev, ch)
                if (dev, ch) not in self.hidden:
                    shown.append(ch)
            for ch, (t, y) in h.view_many(dev, shown, x0, x1, max_points).items():
                ymin, ymax = self.curves[dev, ch].set_frame(t / 1e9, y)
                if ymin == ymin:  # not all NaN
                    lo, hi = min(lo, ymin), max(hi, ymax)
        if not self.paused and lo <= hi:
            pad = max((hi - lo) * 0.05, 1e-9 if hi == lo == 0 else abs(hi) * 1e-3)
            self.vb.setYRange(lo - pad, hi + pad, padding=0)
        self._sync_scroll(span, x0)
        if self.cursor_ns is not None and not self.paused:
            self.set_cursor(self.cursor_ns)
        self.frames += 1

    def _sync_scroll(self, span: tuple[int, int], x0: int) -> None:
        total_ms = max(0, (span[1] - span[0] - self.window_ns) // 1_000_000)
        self._scroll_by_us = True
        try:
            self.scroll.setRange(0, int(total_ms))
            self.scroll.setPageStep(max(1, self.window_ns // 1_000_000))
            self.scroll.setValue(int(min(total_ms, max(0, (x0 - span[0]) // 1_000_000))))
        finally:
            self._scroll_by_us = False
