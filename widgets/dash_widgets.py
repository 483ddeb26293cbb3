"""The dashboard's tiles: gauge/bar/LED (the value panels' dial), small plot, compass, table of
values, attitude, track.

Tiles only paint: the dashboard hands each its newest values on its one tick (`show`), so no
tile owns a timer. The small plot, attitude and track tiles paint with QPainter from numpy
arrays (no plot widget per tile); the track needs no map tiles (nothing is fetched).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from twinbench.visuals.rotations import quat_to_euler
from twinbench.widgets.contrast import legible
from twinbench.widgets.dash_layout import Tile
from twinbench.widgets.value_panels import _Dial
from twinbench.widgets.value_range import Limits

SKY, GROUND = QColor("#4a90d9"), QColor("#8b5a2b")


def _fg(widget: QWidget) -> QColor:
    pal = widget.palette()  # kept alive while its colour is copied
    return QColor(pal.color(widget.foregroundRole()))


def _path(x: np.ndarray, y: np.ndarray, most: int = 2000) -> QPainterPath:
    """A polyline through (x, y), thinned to at most `most` points (a tile is a few hundred
    pixels wide)."""
    step = max(1, len(x) // most)
    xs, ys = x[::step].tolist(), y[::step].tolist()
    if step > 1:
        xs.append(float(x[-1]))
        ys.append(float(y[-1]))
    path = QPainterPath()
    path.moveTo(xs[0], ys[0])
    for a, b in zip(xs[1:], ys[1:], strict=True):
        path.lineTo(a, b)
    return path


class Spark(QWidget):
    """A painted line of the newest values, with the latest value written on it."""

    def __init__(self) -> None:
        super().__init__()
        self.y = np.empty(0)
        self.text = ""
        self.setMinimumSize(140, 70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    LINE = "#e8a33d"

    def ink(self) -> tuple[QColor, QColor, QColor]:
        """Text, line and background colours: the line in a shade of amber legible (3:1) on
        the theme's background."""
        bg = QColor(self.palette().color(self.backgroundRole()))
        return _fg(self), QColor(legible(self.LINE, bg.name())), bg

    def legible_pairs(self) -> list[tuple[str, QColor, QColor, float]]:
        """What this tile paints on what (see widgets/legibility.py)."""
        text, line, bg = self.ink()
        return [("sparkline text", text, bg, 4.5), ("sparkline", line, bg, 3.0)]

    def paintEvent(self, event: object) -> None:
        """The line scaled to the box."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(4, 18, -4, -4)
        y = self.y[np.isfinite(self.y)] if len(self.y) else self.y
        if len(y) > 1:
            lo, hi = float(y.min()), float(y.max())
            span = hi - lo or 1.0
            xs = r.left() + np.arange(len(y)) * (r.width() / (len(y) - 1))
            ys = r.bottom() - (y - lo) / span * r.height()
            p.setPen(QPen(self.ink()[1], 1.5))
            p.drawPath(_path(xs, ys))
        p.setPen(self.ink()[0])
        p.drawText(QRectF(self.rect()).adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignTop, self.text)
        p.end()


class Attitude(QWidget):
    """An artificial horizon painted from roll and pitch, with roll, pitch and yaw in degrees."""

    def __init__(self) -> None:
        super().__init__()
        self.rpy = (math.nan, math.nan, math.nan)  # degrees
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_quaternion(self, q: np.ndarray) -> None:
        """Show orientation (w, x, y, z) (normalised here; NaN or zero shows nothing)."""
        n = float(np.linalg.norm(q)) if np.all(np.isfinite(q)) else 0.0
        if n < 1e-9:
            self.rpy = (math.nan, math.nan, math.nan)
        else:
            r, pch, yw = np.degrees(quat_to_euler(np.asarray(q, dtype=np.float64) / n))
            self.rpy = (float(r), float(pch), float(yw))
        self.update()

    def paintEvent(self, event: object) -> None:
        """Sky and ground split by a horizon rolled and shifted by pitch, a fixed aircraft mark."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height() - 22) - 8
        c = QPointF(self.width() / 2, 4 + side / 2)
        disc = QRectF(c.x() - side / 2, c.y() - side / 2, side, side)
        clip = QPainterPath()
        clip.addEllipse(disc)
        p.setClipPath(clip)
        roll, pitch, yaw = self.rpy
        ok = math.isfinite(roll)
        p.translate(c)
        p.rotate(-roll if ok else 0.0)
        shift = (pitch if ok else 0.0) / 90.0 * side / 2
        p.fillRect(QRectF(-side, -side * 2 + shift, side * 2, side * 2), SKY)
        p.fillRect(QRectF(-side, shift, side * 2, side * 2), GROUND)
        p.setPen(QPen(QColor("white"), 2))
        p.drawLine(QPointF(-side, shift), QPointF(side, shift))
        for deg in (-20, -10, 10, 20):  # pitch ladder
            y = shift - deg / 90.0 * side / 2
            p.drawLine(QPointF(-side / 10, y), QPointF(side / 10, y))
        p.resetTransform()
        p.setClipping(False)
        p.setPen(QPen(QColor("#ffd60a"), 3))
        p.drawLine(QPointF(c.x() - side / 4, c.y()), QPointF(c.x() - side / 12, c.y()))
        p.drawLine(QPointF(c.x() + side / 12, c.y()), QPointF(c.x() + side / 4, c.y()))
        p.setPen(QPen(_fg(self), 1.5))
        p.drawEllipse(disc)
        text = (
            f"roll {roll:+.1f}°  pitch {pitch:+.1f}°  yaw {yaw:+.1f}°" if ok else "no orientation"
        )
        p.drawText(
            QRectF(0, self.height() - 20, self.width(), 20), Qt.AlignmentFlag.AlignCenter, text
        )
        p.end()


class Track(QWidget):
    """The latitude/longitude path so far, scaled to the box (equirectangular), newest dotted."""

    def __init__(self) -> None:
        super().__init__()
        self.lat = np.empty(0)
        self.lon = np.empty(0)
        self.setMinimumSize(160, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: object) -> None:
        """The path and the newest position."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(8, 8, -8, -26)
        p.setPen(QPen(_fg(self), 1, Qt.PenStyle.DotLine))
        p.drawRect(r)
        ok = np.isfinite(self.lat) & np.isfinite(self.lon)
        lat, lon = self.lat[ok], self.lon[ok]
        text = "no position"
        if len(lat):
            k = math.cos(math.radians(float(np.mean(lat))))  # metres per degree of longitude
            x, y = lon * k, lat
            span = max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-9)
            s = min(r.width(), r.height()) / span
            cx, cy = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2
            px = r.center().x() + (x - cx) * s
            py = r.center().y() - (y - cy) * s
            p.setPen(QPen(QColor("#3d8fe8"), 2))
            p.drawPath(_path(px, py))
            p.setBrush(QColor("#d9534f"))
            p.drawEllipse(QPointF(px[-1], py[-1]), 4, 4)
            text = f"{lat[-1]:.5f}°, {lon[-1]:.5f}°"
        p.setPen(_fg(self))
        p.drawText(
            QRectF(0, self.height() - 22, self.width(), 20), Qt.AlignmentFlag.AlignCenter, text
        )
        p.end()


POINTS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def compass_point(degrees: float) -> str:
    """The nearest of the eight compass points to a heading in degrees."""
    return POINTS[int(((degrees % 360.0) + 22.5) // 45.0) % 8]


class Compass(QWidget):
    """A heading in degrees (0 north, clockwise) as a needle on a compass rose."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = math.nan
        self.setMinimumSize(150, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def legible_pairs(self) -> list[tuple[str, QColor, QColor, float]]:
        """The rose and its text on the widget's background (see widgets/legibility.py)."""
        bg = QColor(self.palette().color(self.backgroundRole()))
        return [("compass text", _fg(self), bg, 4.5)]

    def paintEvent(self, event: object) -> None:
        """The rose (ticks every 30 degrees, N E S W), the needle and the heading."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg = _fg(self)
        side = max(20.0, min(self.width(), self.height() - 22) - 8)
        c = QPointF(self.width() / 2, 4 + side / 2)
        rad = side / 2
        p.setPen(QPen(fg, 1.5))
        p.drawEllipse(c, rad, rad)
        for deg in range(0, 360, 30):
            a = math.radians(deg)
            d = QPointF(math.sin(a), -math.cos(a))
            inner = rad - (8 if deg % 90 == 0 else 5)
            p.drawLine(c + d * inner, c + d * rad)
            if deg % 90 == 0:
                at = c + d * (rad - 18)
                p.drawText(QRectF(at.x() - 10, at.y() - 9, 20, 18), Qt.AlignmentFlag.AlignCenter,
                           POINTS[deg // 45])  # fmt: skip
        text = "no heading"
        if math.isfinite(self.heading):
            p.translate(c)
            p.rotate(self.heading)
            p.setPen(Qt.PenStyle.NoPen)
            w, tip = max(4.0, rad / 9), rad - 22
            p.setBrush(QColor("#d9534f"))  # north end
            p.drawPolygon([QPointF(-w, 0), QPointF(0, -tip), QPointF(w, 0)])
            p.setBrush(QColor("#9e9e9e"))
            p.drawPolygon([QPointF(-w, 0), QPointF(0, tip), QPointF(w, 0)])
            p.resetTransform()
            text = f"{self.heading % 360:.1f}° {compass_point(self.heading)}"
        p.setPen(fg)
        p.drawText(
            QRectF(0, self.height() - 20, self.width(), 20), Qt.AlignmentFlag.AlignCenter, text
        )
        p.end()


class ValueTable(QWidget):
    """The latest value of each of a group's channels, a row each (Serial Studio's data grid)."""

    ROW = 20  # px

    def __init__(self, names: tuple[str, ...], units: tuple[str, ...]) -> None:
        super().__init__()
        self.names, self.units = names, units or ("",) * len(names)
        self.values = [math.nan] * len(names)
        self.setMinimumSize(160, self.ROW * len(names) + 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def rows(self) -> list[tuple[str, str]]:
        """(name, value with unit) per channel, as shown."""
        return [
            (n, f"{v:.6g} {u}".strip() if math.isfinite(v) else "no value")
            for n, v, u in zip(self.names, self.values, self.units, strict=True)
        ]

    def shade(self) -> QColor:
        """Every other row's background: the text colour at 10 % over the widget's."""
        fg, bg = _fg(self), QColor(self.palette().color(self.backgroundRole()))
        pairs = zip(fg.getRgb()[:3], bg.getRgb()[:3], strict=True)
        return QColor(*[round(0.9 * b + 0.1 * f) for f, b in pairs])

    def legible_pairs(self) -> list[tuple[str, QColor, QColor, float]]:
        """Row text on both row backgrounds (see widgets/legibility.py)."""
        bg = QColor(self.palette().color(self.backgroundRole()))
        return [
            ("table text", _fg(self), bg, 4.5),
            ("shaded row text", _fg(self), self.shade(), 4.5),
        ]

    def paintEvent(self, event: object) -> None:
        """Names on the left, values on the right, every other row shaded."""
        p = QPainter(self)
        fg, shade = _fg(self), self.shade()
        for i, (name, value) in enumerate(self.rows()):
            r = QRectF(4, 4 + i * self.ROW, self.width() - 8, self.ROW)
            if i % 2:
                p.fillRect(r, shade)
            p.setPen(fg)
            left, right = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
            p.drawText(r.adjusted(4, 0, 0, 0), left | Qt.AlignmentFlag.AlignVCenter, name)
            p.drawText(r.adjusted(0, 0, -4, 0), right | Qt.AlignmentFlag.AlignVCenter, value)
        p.end()


class TileFrame(QFrame):
    """A titled frame around one tile's painter widget."""

    def __init__(self, tile: Tile) -> None:
        super().__init__()
        self.tile = tile
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"tile:{tile.kind}:{'+'.join(tile.channels)}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel(f"<b>{tile.title}</b>")
        self.scale = QLabel("")  # a gauge's range and where it came from
        font = self.scale.font()  # smaller, not paler: grey text was 3:1 in both themes
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.scale.setFont(font)
        lay.addWidget(self.title)
        self.view: Any
        self.scaled: tuple[str, float, float] | None = None  # set_scale's source, lo, hi
        if tile.kind in ("gauge", "bar", "led"):
            self.view = _Dial(tile.kind)
            if tile.kind == "led":  # on (red) at 1, off (green) at 0 until thresholds are set
                self.view.set_limits(0.0, 1.0, (-math.inf, 0.5, -math.inf, 0.5))
        elif tile.kind == "attitude":
            self.view = Attitude()
        elif tile.kind == "track":
            self.view = Track()
        elif tile.kind == "compass":
            self.view = Compass()
        elif tile.kind == "table":
            self.view = ValueTable(tile.channels, tile.units)
        else:
            self.view = Spark()
        lay.addWidget(self.view, 1)
        if tile.kind in ("gauge", "bar"):
            lay.addWidget(self.scale)

    def set_scale(self, source: str, lo: float, hi: float, limits: Limits) -> None:
        """A gauge's, bar's or LED's range, where it came from, and its thresholds."""
        self.view.set_limits(lo, hi, limits)
        self.scaled = (source, lo, hi)
        self.scale.setText(f"{source} range")

    def show_values(self, cols: list[np.ndarray]) -> None:
        """The newest samples of the tile's channels (oldest first), one array per channel."""
        v = self.view
        if self.tile.kind == "attitude":
            v.set_quaternion(np.array([c[-1] if len(c) else np.nan for c in cols]))
            return
        if self.tile.kind == "table":
            v.values = [float(c[-1]) if len(c) else math.nan for c in cols]
        elif self.tile.kind == "compass":
            v.heading = float(cols[0][-1]) if len(cols[0]) else math.nan
        elif self.tile.kind == "track":
            v.lat, v.lon = cols[0], cols[1]
        elif self.tile.kind == "plot":
            v.y = cols[0]
            last = cols[0][-1] if len(cols[0]) else math.nan
            v.text = f"{last:.4g} {self.tile.unit}".strip()
        else:
            v.value = float(cols[0][-1]) if len(cols[0]) else math.nan
            v.text = f"{v.value:.4g} {self.tile.unit}".strip()
        v.update()
