"""Single-value panels (gauge, bar, LED indicator) and the table of latest values."""

from __future__ import annotations

import math
from typing import ClassVar

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QLabel,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.channel_mime import ChannelDragTable
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.tap_panel import TapPanel
from twinbench.widgets.value_range import Limits, channel_range, limits


class _Dial(QWidget):
    """Paints a value as a gauge needle, a bar or an LED."""

    def __init__(self, style: str) -> None:
        super().__init__()
        self.style = style
        self.value = math.nan
        self.lo, self.hi = 0.0, 100.0
        self.warn, self.alarm = 70.0, 90.0
        self.warn_low = self.alarm_low = -math.inf  # a profile's low thresholds, if any
        self.text = ""
        self.text_rect = QRectF()
        self.arc_rect = QRectF()  # the gauge's circle (its upper half is drawn)
        self.setMinimumSize(120, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_limits(self, lo: float, hi: float, limits: Limits) -> None:
        """The scale and the thresholds (warn low/high, alarm low/high)."""
        self.lo, self.hi = lo, hi
        self.warn_low, self.warn, self.alarm_low, self.alarm = limits

    def colour(self) -> QColor:
        """Green, amber or red by the thresholds (above the high, below the low ones); grey with
        no value."""
        v = self.value
        if not math.isfinite(v):
            return QColor("#888888")
        if v >= self.alarm or v <= self.alarm_low:
            return QColor("#d9534f")
        if v >= self.warn or v <= self.warn_low:
            return QColor("#f0ad4e")
        return QColor("#5cb85c")

    def legible_pairs(self) -> list[tuple[str, QColor, QColor, float]]:
        """The value and scale text, painted on the widget's background (see legibility.py)."""
        pal = self.palette()
        text, bg = (
            QColor(pal.color(self.foregroundRole())),
            QColor(pal.color(self.backgroundRole())),
        )
        return [(f"{self.style} text", text, bg, 4.5)]

    def fraction(self) -> float:
        """Where the value sits between lo and hi, clipped to 0..1."""
        if not math.isfinite(self.value) or self.hi <= self.lo:
            return 0.0
        return min(1.0, max(0.0, (self.value - self.lo) / (self.hi - self.lo)))

    def zones(self) -> list[tuple[float, float, QColor]]:
        """The warn (amber) and alarm (red) stretches of the scale, as fractions of lo..hi."""
        span = self.hi - self.lo
        if not span > 0:
            return []
        out = []
        for a, b, colour in (
            (self.lo, self.alarm_low, "#d9534f"),
            (self.alarm_low, self.warn_low, "#f0ad4e"),
            (self.warn, self.alarm, "#f0ad4e"),
            (self.alarm, self.hi, "#d9534f"),
        ):
            fa = min(1.0, max(0.0, (a - self.lo) / span))
            fb = min(1.0, max(0.0, (b - self.lo) / span))
            if fb > fa:
                out.append((fa, fb, QColor(colour)))
        return out

    def paintEvent(self, event: object) -> None:
        """Draw the gauge, bar or LED, its warn and alarm zones and the value text."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        col = self.colour()
        f = QFont(self.font())
        f.setPointSize(14)
        text_h = QFontMetricsF(f).height() + 4
        if self.style == "gauge":
            # the arc (a half circle, pen 10 px) sits above a line kept for the text
            side = max(20.0, min(r.width(), (r.height() - text_h) * 2 - 10))
            box = QRectF(r.center().x() - side / 2, r.top(), side, side).adjusted(10, 10, -10, -10)
            p.setPen(QPen(QColor("#9e9e9e"), 10))
            p.drawArc(box, 0, 180 * 16)
            p.setPen(QPen(col, 10))
            p.drawArc(box, 180 * 16, -int(180 * 16 * self.fraction()))
            inner = box.adjusted(10, 10, -10, -10)  # the zones: a thin arc inside the scale
            for fa, fb, zc in self.zones():
                p.setPen(QPen(zc, 3))
                p.drawArc(inner, int((180 - 180 * fa) * 16), -int(180 * 16 * (fb - fa)))
            self.arc_rect = box
            self.text_rect = QRectF(r.left(), box.center().y() + 8, r.width(), text_h)
        elif self.style == "bar":
            bar = r.adjusted(0, text_h, 0, -text_h - 6)  # scale above; zones, value below
            p.fillRect(bar, QColor("#9e9e9e"))
            p.fillRect(
                QRectF(bar.left(), bar.top(), bar.width() * self.fraction(), bar.height()), col
            )
            for fa, fb, zc in self.zones():  # a strip under the bar
                w = bar.width()
                p.fillRect(QRectF(bar.left() + w * fa, bar.bottom() + 1, w * (fb - fa), 4), zc)
        else:
            d = max(8.0, min(r.width(), r.height() - 2 * text_h))
            p.setBrush(col)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(QRectF(r.center().x() - d / 2, r.top() + text_h, d, d))
        if self.style != "gauge":
            self.text_rect = QRectF(r.left(), r.bottom() - text_h, r.width(), text_h)
        p.setPen(self.legible_pairs()[0][1])
        p.setFont(f)
        p.drawText(self.text_rect, Qt.AlignmentFlag.AlignCenter, self.text)
        scale = f"{self.lo:g} … {self.hi:g}"
        p.setFont(self.font())
        p.drawText(r, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft, scale)
        p.end()


class ValuePanel(TapPanel):
    """One channel's latest value as a gauge, a bar or an LED with thresholds."""

    capacity = 4096  # recent samples: the observed range when the model gives none
    style = "gauge"

    def __init__(self, ctx: AppContext) -> None:
        self.dial = _Dial(self.style)
        self.boxes = {}
        super().__init__(ctx)
        for key, label, val in (
            ("lo", "Min", 0.0),
            ("hi", "Max", 100.0),
            ("warn", "Warn", 70.0),
            ("alarm", "Alarm", 90.0),
        ):
            box = QDoubleSpinBox()
            box.setRange(-1e9, 1e9)
            box.setDecimals(3)
            if key in ("warn", "alarm"):
                box.setSpecialValueText("off")  # at its minimum: no such threshold
            box.setValue(val)
            box.valueChanged.connect(self._thresholds)
            box.valueChanged.connect(self._user_scale)
            self.boxes[key] = box
            self.controls.addWidget(QLabel(label))
            self.controls.addWidget(box)
        self.layout_.addWidget(self.dial, 1)

    auto_scale = True  # min/max/warn/alarm follow the model or the observed range
    scale_source = "default"
    _scaling = False

    def _user_scale(self) -> None:
        if not self._scaling:
            self.auto_scale = False  # the user set a scale: keep it

    _scale_for: tuple[str, str] | None = None  # the channel the scale was chosen for

    def on_selection(self) -> None:
        """A new channel: its scale comes from the model or what it shows."""
        super().on_selection()
        key = (self.device_box.currentText(), self.channel_boxes[0].currentText())
        if key != self._scale_for:
            self._scale_for = key
            self.auto_scale = True
            self.scale_source = "default"

    def _auto_scale(self) -> None:
        assert self.tap is not None
        name = self.channel_boxes[0].currentText()
        _, v = self.tap.latest(self.tap.size)
        device = self.device_box.currentText()
        src, lo, hi = channel_range(self.ctx, device, name, v[:, 0])
        if src == "observed" and self.scale_source == "observed":
            lo, hi = min(lo, self.boxes["lo"].value()), max(hi, self.boxes["hi"].value())
        self.scale_source = src
        warn_low, warn, alarm_low, alarm = limits(self.ctx, device, name, lo, hi)
        self.dial.warn_low, self.dial.alarm_low = warn_low, alarm_low
        self._scaling = True
        try:
            for key, val in (("lo", lo), ("hi", hi), ("warn", warn), ("alarm", alarm)):
                box = self.boxes[key]
                val = val if math.isfinite(val) else box.minimum()  # "off"
                if box.value() != val:
                    box.setValue(val)
        finally:
            self._scaling = False
        if src in ("profile", "model"):
            self.auto_scale = False  # a declared range does not move

    def _thresholds(self) -> None:
        for key, box in self.boxes.items():
            off = key in ("warn", "alarm") and box.value() == box.minimum()
            setattr(self.dial, key, math.inf if off else box.value())
        self.dial.update()

    def refresh(self) -> None:
        """Show the latest value with its unit."""
        assert self.tap is not None
        if self.auto_scale:
            self._auto_scale()
        _, v = self.tap.latest(1)
        self.dial.value = float(v[-1, 0])
        name = self.channel_boxes[0].currentText()
        self.dial.text = f"{self.dial.value:.4g} {self.unit(name)}".strip()
        self.dial.update()

    def workspace_config(self) -> dict:
        """Selection and thresholds."""
        return {**super().workspace_config(), **{k: b.value() for k, b in self.boxes.items()}}

    def apply_workspace_config(self, cfg: dict) -> None:
        """Restore selection and thresholds."""
        if any(k in cfg for k in self.boxes):  # a saved scale is kept for the saved channel
            self.auto_scale = False
            chans = cfg.get("channels") or [""]
            self._scale_for = (str(cfg.get("device", "")), str(chans[0]))
        for k, b in self.boxes.items():
            if k in cfg:
                b.setValue(float(cfg[k]))
        super().apply_workspace_config(cfg)


class BarPanel(ValuePanel):
    """One channel as a horizontal bar."""

    style = "bar"


class LedPanel(ValuePanel):
    """One channel as a green/amber/red indicator."""

    style = "led"


class TablePanel(FormState, QWidget):
    """Latest value, unit, count and age of every channel of every device."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {}

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.hub = ctx.runtime.hub
        self.table = ChannelDragTable(0, 5)  # rows drag onto plots as channels
        self.table.setHorizontalHeaderLabels(["device", "channel", "value", "unit", "samples"])
        self.table.verticalHeader().setVisible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)
        self._frame = 0
        ctx.on_tick(self.refresh)

    def refresh(self) -> None:
        """Rewrite the table (at most 10 times a second)."""
        self._frame += 1
        if self._frame % 6:
            return
        rows = []
        for dev_id, st in sorted(self.hub.devices.items()):
            for name, cs in st.channel_stats().items():
                unit = ""
                try:
                    unit = st.device.channel(name).unit
                except KeyError:
                    pass
                rows.append((dev_id, name, f"{cs.last:.6g}", unit, str(cs.count)))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = self.table.item(r, c)
                if item is None:
                    self.table.setItem(r, c, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)


PANELS = [
    PanelSpec("gauge", "Gauge", ValuePanel, "right", multiple=True),
    PanelSpec("bar", "Bar", BarPanel, "right", multiple=True),
    PanelSpec("led", "LED indicator", LedPanel, "right", multiple=True),
    PanelSpec("table", "Latest values", TablePanel, "right"),
]
