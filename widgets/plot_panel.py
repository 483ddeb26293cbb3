"""The live time plot: min/max levels from the display history, drawn once per GUI tick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets import plot_remove
from twinbench.widgets.channel_mime import accept_channels, channels_from
from twinbench.widgets.context import AppContext
from twinbench.widgets.contrast import legible
from twinbench.widgets.plot_alarms import AlarmMarkers
from twinbench.widgets.plot_lane import Curve, Lane, color_for, format_time
from twinbench.widgets.plot_measure import CursorPair, MeasureTable, measure
from twinbench.widgets.plot_options import TIME_MODES, auto_hidden

AUTO_CURVES = 32  # channels drawn without being asked for; the rest wait for the user
AUTO_DEVICES = 8  # devices whose channels are drawn without being asked for
EMPTY_HINT = (
    "No device is live.\n\nDevices \u25b8 Add simulated board starts a simulated motor rig;\n"
    "connected devices show up here as soon as they send data."
)
DROP_HINT = "Drag channels here\nfrom the device tree or the latest-values table."


class _Overlay(QObject):
    """Keeps the empty-state label centred over the plot as it resizes; says when the mouse
    leaves the plot (the hover readout then clears)."""

    left = Signal()

    def __init__(self, host: QWidget, label: QLabel) -> None:
        super().__init__(host)
        self.label = label
        host.installEventFilter(self)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        """Re-centre on resize."""
        if ev.type() == QEvent.Type.Resize:
            self.label.setGeometry(obj.rect())  # type: ignore[attr-defined]
        elif ev.type() == QEvent.Type.Leave:
            self.left.emit()
        return False


class PlotPanel(QWidget):
    """Live plot of every visible channel, one lane per unit (or all in one), following the
    newest data unless paused, panned or scrolled back."""

    pausedChanged = Signal(bool)
    cursorsChanged = Signal(bool)
    timelikeHidden = Signal(list)  # [(device, channel)] left out as time-like at first sight
    channelsDropped = Signal(list)  # [(device, channel)] dropped onto the plot (now shown)
    channelsRemoved = Signal(list)  # [(device, channel)] removed by Delete or the context menu
    rangeChosen = Signal(object, object)  # ns: the time range the user chose (pan, zoom...)
    hovered = Signal(object)  # the crosshair's time (ns) under the mouse, or None when it left

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        window_s: float = 10.0,
        split_units: bool = True,
        auto: bool = True,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # auto: every channel is drawn unless hidden (the main plot); otherwise only the
        # channels put on it (a plot area of its own), `wanted` holding those not seen yet
        self.auto = auto
        self.wanted: set[tuple[str, str]] = set()
        # where a channel's colour comes from first (the main plot's, so a channel looks the
        # same in every plot and in the device tree)
        self.base_of: Callable[[str, str], str | None] | None = None
        self.history = ctx.history
        self.window_ns = int(window_s * 1e9)
        self.paused = False
        self.auto_y = True  # fit each lane's y axis to what it shows, until the user zooms y
        self.split_units = split_units
        self.hidden: set[tuple[str, str]] = set()
        self.timelike: set[tuple[str, str]] = set()  # time/counter channels left out at first
        self.legends = True
        self.time_mode = "wall"
        self.curves: dict[tuple[str, str], Curve] = {}
        self.capped: set[tuple[str, str]] = set()  # new channels not drawn (past AUTO_CURVES)
        self.lanes: dict[str, Lane] = {}
        self.cursor_ns: int | None = None
        self.frames = 0
        self._x = (0, 0)
        self._drawn: tuple = ()
        self._legends_due: set[Lane] | None = None  # lanes whose legend waits for a refresh
        self.mouse_scene: Any = None  # the mouse's last point over the plot (Delete removes there)

        self.colors = ("w", "#333333")  # background, foreground (see widgets/theme.py)
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setBackground(self.colors[0])
        self.plot.setMinimumSize(200, 120)
        self.plot.ci.layout.setSpacing(0)
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
        self.split_button = QToolButton(text="Split by unit", checkable=True)
        self.split_button.setChecked(split_units)
        self.split_button.setToolTip("One lane per unit, or every channel on one axis")
        self.split_button.toggled.connect(self.set_split_units)
        self.cursors = CursorPair(self)
        self.cursors.moved.connect(self._measure_later)
        self.cursor_button = QToolButton(text="Cursors", checkable=True)
        self.cursor_button.setToolTip(
            "Two cursors: \u0394t and min/max/mean of each visible channel between them (Ctrl+M)"
        )
        self.cursor_button.toggled.connect(self.set_cursors)
        self.legend_button = QToolButton(text="Legend", checkable=True)
        self.legend_button.setChecked(True)
        self.legend_button.setToolTip("Channel names in a column right of each lane")
        self.legend_button.toggled.connect(self.set_legends)
        self.time_box = QComboBox()
        for mode, label in TIME_MODES.items():
            self.time_box.addItem(label, mode)
        self.time_box.setToolTip("Time axis: wall clock, seconds since start or cursor, samples")
        self.time_box.currentIndexChanged.connect(
            lambda i: self.set_time_mode(self.time_box.itemData(i))
        )
        self.measure_table = MeasureTable()
        self.measure_table.setVisible(False)
        self._measure_dirty = False
        events = ctx.runtime.events if ctx.runtime is not None else None
        self.alarms = AlarmMarkers(events, self)
        self.scroll = QScrollBar(Qt.Orientation.Horizontal)
        self.scroll.setToolTip("Scroll back through the display history")
        self.scroll.valueChanged.connect(self._on_scroll)
        self._scroll_by_us = False
        self._scroll_unit = 1_000_000  # ns per scroll bar step

        top = self.toolbar = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 0)
        for b in (self.pause_button, self.live_button, self.split_button, self.cursor_button):
            top.addWidget(b)
        top.addWidget(self.legend_button)
        top.addWidget(self.time_box)
        top.addWidget(self.readout, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.scroll)
        lay.addWidget(self.measure_table)

        self.hint = QLabel(EMPTY_HINT if auto else DROP_HINT, self.plot)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._style_hint()
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._overlay = _Overlay(self.plot, self.hint)
        self._overlay.left.connect(self._on_mouse_left)
        self.plot.setAcceptDrops(False)  # drops go to the panel (channels_mime)
        self.setAcceptDrops(True)

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
            self.auto_y = True
            self.refresh()

    def set_split_units(self, split: bool) -> None:
        """One lane per unit (True) or every channel in one lane (False)."""
        if bool(split) == self.split_units:
            return
        self.split_units = bool(split)
        self.split_button.blockSignals(True)
        self.split_button.setChecked(self.split_units)
        self.split_button.blockSignals(False)
        self.rebuild()

    def rebuild(self) -> None:
        """Drop every lane and curve and draw again from the history (devices went away)."""
        if not self.auto:  # the channels put on it stay put, and come back with their data
            self.wanted |= set(self.visible_keys())
            self.capped.clear()
        for lane in self.lanes.values():
            lane.legend_column.detach()
        self.plot.ci.clear()
        self.lanes.clear()
        self.cursors.detach_all()
        self.alarms.detach_all()
        self.curves.clear()
        self.refresh()

    def set_channel_visible(self, device: str, channel: str, visible: bool) -> None:
        """Show or hide one channel's curve."""
        key = (device, channel)
        (self.hidden.discard if visible else self.hidden.add)(key)
        if visible and key in self.capped:  # the user asks for it: drawn from the next frame
            self.capped.discard(key)
            self._curve(device, channel)
        curve = self.curves.get(key)
        if curve is not None:
            curve.setVisible(visible)
            for lane in self.lanes.values():
                if key in lane.curves:
                    lane.sync_legend(self.hidden)

    def state(self) -> dict[str, Any]:
        """The plot's choices: channels left out (or put on it), lanes, legends, time axis mode,
        window."""
        if not self.auto:
            return {
                "channels": [[d, c] for d, c in self.channels()],
                "split_units": self.split_units,
                "legends": self.legends,
                "time_mode": self.time_mode,
                "window_s": self.window_ns / 1e9,
            }
        return {
            "hidden": sorted([d, c] for d, c in self.hidden),
            "timelike": sorted([d, c] for d, c in self.timelike),  # decided: never re-hidden
            "split_units": self.split_units,
            "legends": self.legends,
            "time_mode": self.time_mode,
            "window_s": self.window_ns / 1e9,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Apply what `state()` returned (unknown or malformed keys are left as they are)."""
        chosen = state.get("channels")
        if not self.auto and isinstance(chosen, list):
            pairs = [k for k in chosen if isinstance(k, list | tuple) and len(k) == 2]
            self.put_channels([(str(k[0]), str(k[1])) for k in pairs])
        hidden = state.get("hidden") if self.auto else None
        if isinstance(hidden, list):
            keys = {
                (str(k[0]), str(k[1]))
                for k in hidden
                if isinstance(k, list | tuple) and len(k) == 2
            }
            for key in set(self.hidden) - keys:
                self.set_channel_visible(*key, True)
            for key in keys:
                self.set_channel_visible(*key, False)
        decided = state.get("timelike")
        if isinstance(decided, list):
            self.timelike |= {
                (str(k[0]), str(k[1]))
                for k in decided
                if isinstance(k, list | tuple) and len(k) == 2
            }
        if isinstance(state.get("split_units"), bool):
            self.set_split_units(state["split_units"])
        if isinstance(state.get("legends"), bool):
            self.set_legends(state["legends"])
        if state.get("time_mode") in TIME_MODES:
            self.set_time_mode(state["time_mode"])
        if isinstance(state.get("window_s"), int | float) and state["window_s"] > 0:
            self.set_window(float(state["window_s"]))

    def set_legends(self, on: bool) -> None:
        """Show or hide the legend column of every lane."""
        self.legends = bool(on)
        self.legend_button.blockSignals(True)
        self.legend_button.setChecked(self.legends)
        self.legend_button.blockSignals(False)
        for lane in self.lanes.values():
            lane.legend_column.set_shown(self.legends)

    def set_time_mode(self, mode: str) -> None:
        """Label the time axis as wall clock, since start, since the cursor or sample index."""
        if mode not in TIME_MODES:
            raise ValueError(f"time axis mode {mode!r} is not one of {', '.join(TIME_MODES)}")
        self.time_mode = mode
        i = self.time_box.findData(mode)
        if i != self.time_box.currentIndex():
            self.time_box.blockSignals(True)
            self.time_box.setCurrentIndex(i)
            self.time_box.blockSignals(False)
        for lane in self.lanes.values():
            self._time_axis(lane)

    def _time_axis(self, lane: Lane) -> None:
        span = self.history.span() if self.history is not None else None
        origin = span[0] if span else 0
        if self.time_mode == "cursor":
            origin = self.cursors.span()[0] if self.cursors.enabled else (self.cursor_ns or origin)
        lane.axis.index_of = self._index_of
        lane.axis.set_mode(self.time_mode, origin / 1e9)
        label = {"start": "s since start", "cursor": "s since cursor", "index": "sample"}
        lane.item.setLabel("bottom", label.get(self.time_mode, ""))
        lanes = list(self.lanes.values())
        lane.item.showAxis("bottom", bool(lanes) and lane is lanes[-1])  # setLabel showed it

    def _index_of(self, t_s: float) -> int:
        """Sample number (from the oldest kept) at a time, on the first visible channel."""
        keys = self.visible_keys()
        if not keys or self.history is None:
            return 0
        return self.history.index_at(*keys[0], int(t_s * 1e9))

    def set_window(self, seconds: float) -> None:
        """Width of the followed time window."""
        self.window_ns = max(int(1e6), int(seconds * 1e9))

    def set_cursors(self, on: bool) -> None:
        """Show (True) or hide the two measurement cursors and their table."""
        on = bool(on)
        self.cursor_button.blockSignals(True)
        self.cursor_button.setChecked(on)
        self.cursor_button.blockSignals(False)
        if on == self.cursors.enabled:
            return
        self.cursors.set_enabled(on, *self._x)
        self.measure_table.setVisible(on)
        self.update_measurements()
        self.cursorsChanged.emit(on)

    def update_measurements(self) -> None:
        """Recompute the table for the span between the cursors (raw samples)."""
        self._measure_dirty = False
        if not self.cursors.enabled or self.history is None:
            return
        a, b = self.cursors.span()
        keys = self.visible_keys()
        units = {k: self._unit(*k) for k in keys}
        self.measure_table.show_rows(a, b, measure(self.history, keys, a, b, units))

    def _measure_later(self) -> None:
        self._measure_dirty = True

    def channels(self) -> list[tuple[str, str]]:
        """The channels on this plot, drawn or put on it and not seen yet (sorted)."""
        return sorted(set(self.visible_keys()) | (self.wanted - set(self.curves)))

    def put_channels(self, keys: list[tuple[str, str]]) -> None:
        """Put channels on the plot: drawn now if known, else as soon as they send data."""
        self.add_channels(keys)
        known = set(self.curves)
        self.wanted |= {k for k in keys if k not in known}
        self._drawn = ()

    def visible_keys(self) -> list[tuple[str, str]]:
        """(device, channel) of every curve shown, in curve order."""
        return [k for k in self.curves if k not in self.hidden]

    def apply_colors(self, background: str, foreground: str) -> None:
        """Theme colours for the plot background, axes and labels."""
        self.colors = (background, foreground)
        self.plot.setBackground(background)
        self._style_hint()
        for lane in self.lanes.values():
            self._color_lane(lane)

    def _style_hint(self) -> None:
        fg = self.colors[1]  # the theme's plot text colour (grey was 2.9:1 on the dark plot)
        self.hint.setStyleSheet(f"color: {fg}; font-size: 13pt; background: transparent;")

    def _pen_color(self, curve: Curve) -> str:
        """A curve's colour made legible (3:1) on the plot background, hue kept."""
        bg = pg.mkColor(self.colors[0]).name()
        return legible(curve.base_color, bg)

    def _color_lane(self, lane: Lane) -> None:
        fg = self.colors[1]
        bg = pg.mkColor(self.colors[0]).name()
        lane.cursor.setPen(pg.mkPen(legible("#555555", bg), width=1))
        for key in lane.curves:
            curve = self.curves.get(key)
            if curve is not None and curve.opts["pen"].color().name() != self._pen_color(curve):
                curve.setPen(pg.mkPen(self._pen_color(curve), width=1))
        for name in ("left", "bottom"):
            axis = lane.item.getAxis(name)
            axis.setPen(fg)
            axis.setTextPen(fg)
        lane.legend.setLabelTextColor(fg)  # legend text in the theme's foreground
        lane.sync_legend(self.hidden)

    def center_on(self, t_ns: int) -> None:
        """Pause and show the current window width centred on `t_ns`."""
        self.set_paused(True)
        half = self.window_ns // 2
        self._set_x(int(t_ns) - half, int(t_ns) + half)
        self.refresh()

    def show_range(self, t0_ns: int, t1_ns: int) -> None:
        """Pause and show [t0_ns, t1_ns] (an opened file's whole span, say)."""
        self.set_paused(True)
        self.window_ns = max(1_000_000, int(t1_ns) - int(t0_ns))
        self._set_x(int(t0_ns), int(t0_ns) + self.window_ns)
        self.refresh()

    def x_range_ns(self) -> tuple[int, int]:
        """The time range shown now."""
        return self._x

    def base_color_of(self, device: str, channel: str) -> str | None:
        """The colour a channel's curve was given (before the theme's shading), if it has one."""
        curve = self.curves.get((device, channel))
        return None if curve is None else getattr(curve, "base_color", None)

    def color_of(self, device: str, channel: str) -> str | None:
        """The colour of a channel's curve, once it has one."""
        curve = self.curves.get((device, channel))
        return None if curve is None else curve.opts["pen"].color().name()

    # -- events ----------------------------------------------------------------------------
    def follow_range(self, x0_ns: int, x1_ns: int) -> None:
        """Show [x0, x1] paused, as a plot beside this one was just panned or zoomed to."""
        self.set_paused(True)
        self.window_ns = max(int(1e6), int(x1_ns) - int(x0_ns))
        self._set_x(int(x0_ns), int(x1_ns))
        self.refresh()

    def _on_mouse_left(self) -> None:
        self.set_cursor(None)
        self.hovered.emit(None)

    def _on_manual_range(self, vb: object, *args: object) -> None:
        # the user panned or zoomed: stop following and keep the width they chose
        mask = args[0] if args and isinstance(args[0], (list, tuple)) else (True, True)
        if len(mask) > 1 and mask[1]:
            self.auto_y = False
        x0, x1 = vb.viewRange()[0]  # type: ignore[attr-defined]
        self._x = (int(x0 * 1e9), int(x1 * 1e9))
        self.window_ns = max(int(1e6), self._x[1] - self._x[0])
        self.set_paused(True)
        self.rangeChosen.emit(*self._x)

    def _on_scroll(self, value: int) -> None:
        if self._scroll_by_us or self.history is None:
            return
        span = self.history.span()
        if span is None:
            return
        self.set_paused(True)
        x0 = span[0] + value * self._scroll_unit
        self._set_x(x0, x0 + self.window_ns)
        self.refresh()
        self.rangeChosen.emit(*self._x)

    def _on_mouse_moved(self, pos: object) -> None:
        self.mouse_scene = pos
        for lane in self.lanes.values():
            if lane.vb.sceneBoundingRect().contains(pos):  # type: ignore[arg-type]
                self.set_cursor(int(lane.vb.mapSceneToView(pos).x() * 1e9))
                self.hovered.emit(self.cursor_ns)
                return
        if self.cursor_ns is not None:  # over an axis or a legend: no stale readout
            self.set_cursor(None)
            self.hovered.emit(None)

    def dragEnterEvent(self, ev: Any) -> None:
        """Accept dragged channels (the device tree, the latest-values table)."""
        accept_channels(ev)

    def dragMoveEvent(self, ev: Any) -> None:
        """Keep accepting channels while they move over the plot."""
        accept_channels(ev)

    def dropEvent(self, ev: Any) -> None:
        """Show the dropped channels."""
        keys = self.add_channels(channels_from(ev.mimeData()))
        if keys:
            ev.acceptProposedAction()

    def add_channels(self, keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Plot these channels (hidden, capped or time-like ones too); returns the ones known."""
        known = [
            k for k in keys if self.history is not None and k[1] in self.history.channels(k[0])
        ]
        for dev, ch in known:
            self.set_channel_visible(dev, ch, True)
            self._curve(dev, ch)
        if known:
            self._drawn = ()  # the next tick draws them (one frame, not two)
            self.channelsDropped.emit(known)
        return known

    def contextMenuEvent(self, ev: Any) -> None:
        """Right-click over a lane: Remove <channel> for its channels, nearest first."""
        plot_remove.show_context_menu(self, ev)

    def keyPressEvent(self, ev: object) -> None:
        """Space pauses, End goes live, Left/Right scroll, Delete removes the nearest channel."""
        key = ev.key()  # type: ignore[attr-defined]
        if key == Qt.Key.Key_Space:
            self.set_paused(not self.paused)
        elif key == Qt.Key.Key_End:
            self.set_paused(False)
        elif key == Qt.Key.Key_Delete:
            plot_remove.remove_under_mouse(self)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            x0, x1 = self._x
            step = (x1 - x0) // 2 * (-1 if key == Qt.Key.Key_Left else 1)
            self.set_paused(True)
            self._set_x(x0 + step, x1 + step)
            self.refresh()
            self.rangeChosen.emit(*self._x)
        else:
            super().keyPressEvent(ev)  # type: ignore[arg-type]

    # -- cursor ----------------------------------------------------------------------------
    def set_cursor(self, t_ns: int | None) -> str:
        """Put the crosshair at `t_ns` and return the readout text (time and each value)."""
        self.cursor_ns = t_ns
        if t_ns is None or self.history is None:
            for lane in self.lanes.values():
                lane.cursor.setVisible(False)
            self.readout.setText(" ")
            return ""
        for lane in self.lanes.values():
            lane.cursor.setPos(t_ns / 1e9)
            lane.cursor.setVisible(True)
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

    def cursor_visible(self) -> bool:
        """Whether the crosshair is shown."""
        return any(lane.cursor.isVisible() for lane in self.lanes.values())

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
        self._x = (int(x0_ns), int(x1_ns))
        for lane in self.lanes.values():
            lane.vb.setXRange(x0_ns / 1e9, x1_ns / 1e9, padding=0)

    def _lane(self, unit: str) -> Lane:
        key = unit if self.split_units else ""
        lane = self.lanes.get(key)
        if lane is None:
            lane = Lane(key if self.split_units else "")
            first = next(iter(self.lanes.values()), None)
            self.plot.ci.addItem(lane.item, row=len(self.lanes), col=0)
            self.lanes[key] = lane
            if first is not None:
                lane.item.setXLink(first.item)
            lane.vb.sigRangeChangedManually.connect(
                lambda *a, vb=lane.vb: self._on_manual_range(vb, *a)
            )
            lane.vb.setXRange(self._x[0] / 1e9, self._x[1] / 1e9, padding=0)
            self.cursors.attach(lane)
            self.alarms.attach(lane)
            self._color_lane(lane)
            lane.legend_column.set_shown(self.legends)
            if self.time_mode != "wall":
                self._time_axis(lane)
            lanes = list(self.lanes.values())
            for other in lanes:
                other.item.showAxis("bottom", other is lanes[-1])
        return lane

    def _curve(self, device: str, channel: str) -> Curve:
        key = (device, channel)
        curve = self.curves.get(key)
        if curve is None:
            multi = len({d for d, _ in self.curves} | {device}) > 1
            name = f"{device}/{channel}" if multi else channel
            unit = self._unit(device, channel)
            base = (self.base_of(device, channel) if self.base_of else None) or color_for(
                len(self.curves)
            )
            curve = Curve(
                pen=pg.mkPen(legible(base, pg.mkColor(self.colors[0]).name()), width=1),
                name=f"{name} [{unit}]" if unit and not self.split_units else name,
                connect="finite",
                skipFiniteCheck=True,
            )
            curve.base_color = base
            self.curves[key] = curve
            lane = self._lane(unit)
            lane.add(key, curve)
            desc = self._describe(device, channel)
            curve.setToolTip(desc)
            lane.item.getAxis("left").setToolTip("\n".join(self._describe(*k) for k in lane.curves))
            curve.setVisible(key not in self.hidden)
            if self._legends_due is None:
                lane.sync_legend(self.hidden)
            else:  # curves arriving together: each lane's legend is rebuilt once, after them
                self._legends_due.add(lane)
        return curve

    def _leave_out_timelike(self, device: str, names: list[str]) -> None:
        """Hide new time-like and counter channels (they stay channels; tick them to plot)."""
        assert self.history is not None
        found = auto_hidden(self.history, device, names)
        keys = {(device, ch) for ch in found} - self.timelike
        if keys:
            self.timelike |= keys
            self.hidden |= keys
            self.timelikeHidden.emit(sorted(keys))

    def _auto_curve(self, device: str, channel: str) -> None:
        """Add a curve for new data, unless a handful are shown already (the user adds more)."""
        devices = {d for d, _ in self.curves}
        if len(self.curves) >= AUTO_CURVES or (
            device not in devices and len(devices) >= AUTO_DEVICES
        ):
            self.capped.add((device, channel))
            self.hidden.add((device, channel))
            self.readout.setText(
                f"{len(self.capped)} more channels not plotted: tick them in the device tree"
            )
            return
        self._curve(device, channel)

    def _chosen_curves(self, device: str, names: list[str]) -> None:
        """A plot of chosen channels: draw the new ones put on it, keep the rest off."""
        for ch in names:
            key = (device, ch)
            if key in self.wanted:
                self.wanted.discard(key)
                self.hidden.discard(key)
                self._curve(device, ch)
            else:
                self.capped.add(key)
                self.hidden.add(key)

    def _describe(self, device: str, channel: str) -> str:
        unit = self._unit(device, channel)
        return f"{device}/{channel}" + (f" [{unit}]" if unit else " (no unit)")

    def live_devices(self) -> list[str]:
        """Devices connected now."""
        return [d for d, st in self.ctx.runtime.hub.devices.items() if st.state == "connected"]

    def refresh(self) -> None:
        """Redraw from the history: called once per GUI tick."""
        h = self.history
        self.alarms.poll()
        span = h.span() if h is not None else None
        if self.auto:
            self.hint.setVisible(span is None and not self.live_devices())
        else:
            self.hint.setVisible(not any(k not in self.hidden for k in self.curves))
        if span is None:
            return
        if not self.paused:
            self._set_x(span[1] - self.window_ns, span[1])
        x0, x1 = self._x
        state = (h.appended, self._x, len(self.hidden), self.split_units, self.plot.width())
        if state == self._drawn:  # nothing new to draw this tick; moved cursors still measure
            if self.cursors.enabled and self._measure_dirty:
                self.update_measurements()
            return
        self._drawn = state
        lane_of: dict[tuple[str, str], Lane] = {}
        self._legends_due = set()
        try:
            self._new_curves()
        finally:
            due, self._legends_due = self._legends_due, None
            for lane in due:
                lane.sync_legend(self.hidden)
        for lane in self.lanes.values():
            lane.lo, lane.hi = np.inf, -np.inf
            for key in lane.curves:
                lane_of[key] = lane
        width = max(100, int(self.plot.width()) - 70)
        for dev in h.devices():
            shown = [
                ch
                for ch in h.channels(dev)
                if (dev, ch) in self.curves and (dev, ch) not in self.hidden
            ]
            seconds: dict[int, np.ndarray] = {}  # channels of one stream share their times
            for ch, (t, y) in h.view_many(dev, shown, x0, x1, 2 * width).items():
                x = seconds.get(id(t))
                if x is None:
                    x = seconds[id(t)] = t / 1e9
                ymin, ymax = self.curves[dev, ch].set_frame(x, y)
                if ymin == ymin:  # not all NaN
                    lane = lane_of[dev, ch]
                    lane.lo, lane.hi = min(lane.lo, ymin), max(lane.hi, ymax)
        for lane in self.lanes.values():
            lane.raster.sync()
        if self.auto_y:
            for lane in self.lanes.values():
                lane.autoscale()
        self._sync_scroll(span, x0)
        if self.cursor_ns is not None and not self.paused:
            self.set_cursor(self.cursor_ns)
        if self.cursors.enabled and self.cursors.span() == (0, 0):  # switched on before data
            w = x1 - x0
            self.cursors.set_positions(x0 + w // 3, x0 + 2 * w // 3)
        if self.cursors.enabled and (self._measure_dirty or self.frames % 15 == 0):
            self.update_measurements()  # live data moves under the cursors: a few times a second
        # move the views now: left to the paint, the new transforms ask for a second paint
        self.plot.scene().prepareForPaint()
        self.frames += 1

    def _new_curves(self) -> None:
        """Curves for channels the history holds and the plot has not met yet."""
        h = self.history
        assert h is not None
        for dev in h.devices():
            new = [
                ch
                for ch in h.channels(dev)
                if (dev, ch) not in self.curves and (dev, ch) not in self.capped
            ]
            if not self.auto:
                self._chosen_curves(dev, new)
                continue
            if new:
                self._leave_out_timelike(dev, new)
            for ch in new:
                self._auto_curve(dev, ch)

    def _sync_scroll(self, span: tuple[int, int], x0: int) -> None:
        # one scroll step is 1 ms, or more when the span would overflow the bar's int range
        # (an opened file from years ago beside live data)
        total_ns = max(0, span[1] - span[0] - self.window_ns)
        unit = self._scroll_unit = max(1_000_000, -(-total_ns // 2_000_000_000))
        total = total_ns // unit
        self._scroll_by_us = True
        try:
            self.scroll.setRange(0, int(total))
            self.scroll.setPageStep(int(min(2_000_000_000, max(1, self.window_ns // unit))))
            self.scroll.setValue(int(min(total, max(0, (x0 - span[0]) // unit))))
        finally:
            self._scroll_by_us = False
