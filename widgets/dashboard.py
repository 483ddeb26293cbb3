"""The Dashboard panel (like Serial Studio's): a device's telemetry as a grid of widgets.

The tiles are planned from the groups the device's profile declares, its bound DTDL model, or
its channels (see `dash_layout.plan`); gauge, bar and LED scales and thresholds come from the
profile's channel metadata, else the model's ranges, else the values seen (`value_range`). The
panel registers one tick with the context (released with the panel) and reads every tile's
values from the display history there, at most `max_hz` times a second: no timer and no
subscription per tile.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.context import AppContext
from twinbench.widgets.dash_layout import Group, plan
from twinbench.widgets.dash_widgets import TileFrame
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.value_range import channel_range, has_limits, limits

COLUMNS = 4  # at most; fewer in a narrow dock
TILE_WIDTH = 190  # px a tile needs to read
TAIL = 512  # newest samples each tile reads (small plot length, observed range)
TRACK_TAIL = 20_000  # a position track keeps more of its path


class DashboardPanel(QWidget):
    """A device selector and its dashboard: groups of gauges, LEDs, plots, attitude, track."""

    STATE_IGNORED: ClassVar[tuple[str, ...]] = ("device_box",)  # "device" of state()
    max_hz = 15.0

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.device = ""
        self.pending = ""  # a restored device that has not appeared yet
        self.groups: list[Group] = []
        self.frames: list[TileFrame] = []
        self.scales: dict[str, tuple[str, float, float]] = {}
        self._layout_key: tuple = ()
        self.grids: list[tuple[QGridLayout, list[TileFrame]]] = []
        self._columns = 0
        self._last = 0.0
        self.device_box = QComboBox()
        self.device_box.currentTextChanged.connect(self.show_device)
        self.source = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("Device"))
        top.addWidget(self.device_box)
        top.addWidget(self.source, 1)
        self.body = QWidget()
        self.grid_box = QVBoxLayout(self.body)
        self.grid_box.setContentsMargins(0, 0, 0, 0)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.body, 1)
        ctx.on_tick(self.tick)

    # -- state -----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The device shown."""
        return {"device": self.pending or self.device}

    def restore(self, state: dict[str, Any]) -> None:
        """Show a saved device (once it appears)."""
        device = state.get("device")
        if isinstance(device, str) and device:
            self.pending = device
            self._sync_devices()

    # -- building --------------------------------------------------------------------------
    def _binding(self, device: str) -> Any:
        twins = self.ctx.services.get("twins")
        return getattr(twins, "bindings", {}).get(device) if twins is not None else None

    def _sync_devices(self) -> None:
        devices = sorted(self.ctx.runtime.hub.devices)
        if devices != [self.device_box.itemText(i) for i in range(self.device_box.count())]:
            self.device_box.blockSignals(True)
            self.device_box.clear()
            self.device_box.addItems(devices)
            self.device_box.blockSignals(False)
            want = self.pending if self.pending in devices else self.device
            if want not in devices:  # the device selected in the tree, else the first
                tree = getattr(self.ctx.window, "tree", None)
                current = tree.current_device() if tree is not None else None
                want = current if current in devices else (devices[0] if devices else "")
            self.device_box.setCurrentText(want)
            self.show_device(want)
        elif self.pending in devices and self.pending != self.device:
            self.device_box.setCurrentText(self.pending)
        if self.pending in devices:
            self.pending = ""

    def show_device(self, device: str) -> None:
        """Plan and build the dashboard of `device` (again when its channels or model change)."""
        st = self.ctx.runtime.hub.devices.get(device)
        channels = list(st.device.channel_names) if st is not None else []
        units = {c.name: c.unit for c in st.device.channels} if st is not None else {}
        declared = st.device.groups if st is not None else ()
        binding = self._binding(device)
        key = (device, tuple(channels), id(binding), declared)
        if key == self._layout_key:
            return
        self._layout_key, self.device = key, device
        self.groups = plan(binding, channels, units, declared)
        source = [f"model {binding.model_id}"] if binding is not None else []
        if declared:
            source.insert(0, "its profile's groups")
        self.source.setText(f"from {' and '.join(source or ['its channels'])}")
        self.scales.clear()
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(0, 0, 0, 0)
        self.frames = []
        self.grids: list[tuple[QGridLayout, list[TileFrame]]] = []
        for group in self.groups:
            gb = QGroupBox(group.title)
            frames = [TileFrame(tile) for tile in group.tiles]
            self.frames += frames
            self.grids.append((QGridLayout(gb), frames))
            box.addWidget(gb)
        self._columns = 0
        self._regrid()
        box.addStretch(1)
        lay = self.layout()
        lay.replaceWidget(self.body, body)
        self.body.deleteLater()
        self.body = body

    def columns(self) -> int:
        """Tiles per row for the width the panel is shown in (its dock's scroll area)."""
        host = self.parentWidget()  # the scroll area's viewport in a dock
        width = host.width() if host is not None else self.width()
        return max(1, min(COLUMNS, (width - 30) // TILE_WIDTH))

    def _regrid(self) -> None:
        columns = self.columns()
        if columns == self._columns:
            return
        self._columns = columns
        for grid, frames in self.grids:
            for frame in frames:
                grid.removeWidget(frame)
            for i, frame in enumerate(frames):
                grid.addWidget(frame, i // columns, i % columns)

    def resizeEvent(self, event: Any) -> None:
        """Lay the tiles out again when the number that fits in a row changes."""
        super().resizeEvent(event)
        self._regrid()

    def frame(self, kind: str, channel: str) -> TileFrame | None:
        """The tile of a kind that reads `channel` (None when there is none)."""
        return next(
            (f for f in self.frames if f.tile.kind == kind and channel in f.tile.channels), None
        )

    # -- updating --------------------------------------------------------------------------
    def tick(self) -> None:
        """On the GUI tick: follow devices and channels; refresh tiles at most max_hz."""
        now = time.monotonic()
        if now - self._last < 1.0 / self.max_hz:
            return
        self._last = now
        self._sync_devices()
        if self.device:
            self.show_device(self.device)  # a no-op unless channels or the model changed
        self._regrid()  # the dock may have narrowed below the tiles' width: no resize event
        self.refresh()

    def refresh(self) -> None:
        """Hand every tile its newest values from the display history."""
        hist, dev = self.ctx.history, self.device
        if hist is None or not dev:
            return
        have = set(hist.channels(dev)) if dev in hist.devices() else set()
        for frame in self.frames:
            tile = frame.tile
            if not set(tile.channels) <= have:
                continue
            n = TRACK_TAIL if tile.kind == "track" else TAIL
            values = hist.tail(dev, list(tile.channels), n)
            if not len(values):
                continue
            cols = [values[:, i] for i in range(values.shape[1])]
            if tile.kind in ("gauge", "bar") or (
                tile.kind == "led" and has_limits(self.ctx, dev, tile.channels[0])
            ):  # an LED without thresholds is on at 1, off at 0
                self._scale(frame, cols[0])
            frame.show_values(cols)

    def _scale(self, frame: TileFrame, seen: np.ndarray) -> None:
        ch = frame.tile.channels[0]
        source, lo, hi = channel_range(self.ctx, self.device, ch, seen)
        old = self.scales.get(ch)
        if old is not None and old[0] == source == "observed":  # widen only, never jitter
            lo, hi = min(lo, old[1]), max(hi, old[2])
        if old != (source, lo, hi):
            self.scales[ch] = (source, lo, hi)
        if frame.scaled != (source, lo, hi):  # a channel may have several tiles
            frame.set_scale(source, lo, hi, limits(self.ctx, self.device, ch, lo, hi))


PANELS = [
    PanelSpec("dashboard", "Dashboard", DashboardPanel, "right", group="Plots and analysis"),
]
