"""Base of the analysis panels: pick a device and channels, pull samples on the GUI tick."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from twinbench.tap import ChannelTap
from twinbench.widgets.context import AppContext


class TapPanel(QWidget):
    """A panel fed by a ChannelTap on one device; subclasses draw in `refresh()`."""

    n_channels = 1
    capacity = 65536
    max_hz = 30.0

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.hub = ctx.runtime.hub
        self.tap: ChannelTap | None = None
        self._last_draw = 0.0
        self.device_box = QComboBox()
        self.channel_boxes = [QComboBox() for _ in range(self.n_channels)]
        self.controls = QHBoxLayout()
        self.controls.addWidget(QLabel("Device"))
        self.controls.addWidget(self.device_box)
        for i, box in enumerate(self.channel_boxes):
            self.controls.addWidget(QLabel("Channel" if self.n_channels == 1 else "XY"[i % 2]))
            self.controls.addWidget(box)
            box.currentTextChanged.connect(self._retap)
        self.device_box.currentTextChanged.connect(self._device_changed)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.layout_.addLayout(self.controls)
        self.readout = QLabel("")
        self._known_devices: tuple[str, ...] = ()
        self._wanted: tuple[str, tuple[str, ...]] | None = None  # a selection awaiting its device
        self._sync_devices()
        ctx.on_tick(self._tick)

    # -- selection -------------------------------------------------------------------------
    def _sync_devices(self) -> None:
        devs = tuple(sorted(self.hub.devices))
        if devs == self._known_devices:
            return
        self._known_devices = devs
        current = self.device_box.currentText()
        self.device_box.blockSignals(True)
        self.device_box.clear()
        self.device_box.addItems(list(devs))
        self.device_box.blockSignals(False)
        if current in devs:
            self.device_box.setCurrentText(current)
        elif devs:
            self._device_changed(devs[0])

    def _device_changed(self, device: str) -> None:
        st = self.hub.devices.get(device)
        names = list(st.device.channel_names) if st else []
        for i, box in enumerate(self.channel_boxes):
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            if names:
                box.setCurrentIndex(min(i, len(names) - 1))
            box.blockSignals(False)
        self._retap()

    def select(self, device: str, *channels: str) -> None:
        """Choose the device and channel(s) shown (kept until they exist, if they do not yet)."""
        self._sync_devices()
        st = self.hub.devices.get(device)
        names = st.device.channel_names if st is not None else ()
        missing = st is None or any(c not in names for c in channels)
        self._wanted = (device, tuple(channels)) if missing else None
        if st is None:
            return
        self.device_box.setCurrentText(device)
        if any(box.findText(c) < 0 for box, c in zip(self.channel_boxes, channels, strict=False)):
            self._device_changed(device)  # channels added since (derived ones): list them
        for box, name in zip(self.channel_boxes, channels, strict=False):
            box.blockSignals(True)
            box.setCurrentText(name)
            box.blockSignals(False)
        self._retap()

    def _retap(self, *_: Any) -> None:
        if self.tap is not None:
            self.tap.close()
            self.tap = None
        device = self.device_box.currentText()
        chans = [b.currentText() for b in self.channel_boxes]
        if device and all(chans):
            self.tap = ChannelTap(self.hub, device, chans, self.capacity)
        self.on_selection()

    # -- config ----------------------------------------------------------------------------
    def workspace_config(self) -> dict[str, Any]:
        """What a workspace saves for this panel."""
        if self._wanted is not None:
            return {"device": self._wanted[0], "channels": list(self._wanted[1])}
        return {
            "device": self.device_box.currentText(),
            "channels": [b.currentText() for b in self.channel_boxes],
        }

    def apply_workspace_config(self, cfg: dict[str, Any]) -> None:
        """Restore what `config()` saved."""
        if cfg.get("device"):
            self.select(cfg["device"], *cfg.get("channels", []))

    # -- updates ---------------------------------------------------------------------------
    def _tick(self) -> None:
        self._sync_devices()
        if self._wanted is not None:
            st = self.hub.devices.get(self._wanted[0])
            if st is not None and set(self._wanted[1]) <= set(st.device.channel_names):
                self.select(self._wanted[0], *self._wanted[1])
        if self.tap is None:
            return
        self.tap.poll()
        now = time.monotonic()
        if now - self._last_draw >= 1.0 / self.max_hz and self.tap.size:
            self._last_draw = now
            self.refresh()

    def on_selection(self) -> None:
        """Called when the device or channels change."""

    def refresh(self) -> None:
        """Recompute and redraw from `self.tap`."""

    def unit(self, channel: str) -> str:
        """The unit of a channel of the selected device."""
        st = self.hub.devices.get(self.device_box.currentText())
        try:
            return st.device.channel(channel).unit if st else ""
        except KeyError:
            return ""

    def closeEvent(self, event: Any) -> None:
        """Release the tap with the panel."""
        self.ctx.off_tick(self._tick)
        if self.tap is not None:
            self.tap.close()
            self.tap = None
        super().closeEvent(event)
