"""Base of the analysis panels: pick a device and channels, pull samples on the GUI tick."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from twinbench.tap import ChannelTap
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState


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
        self._known_channels: tuple[str, ...] = ()
        # (device, channels) asked for that do not exist yet
        self._pending: tuple[str, tuple[str, ...]] | None = None
        self._sync_devices()
        ctx.on_tick(self._tick)

    # -- selection -------------------------------------------------------------------------
    def _sync_devices(self) -> None:
        devs = tuple(sorted(self.hub.devices))
        if devs == self._known_devices:
            return
        self._known_devices = devs
        before = self.device_box.currentText()
        current = self._pending[0] if self._pending else before
        self.device_box.blockSignals(True)
        self.device_box.clear()
        self.device_box.addItems(list(devs))
        self.device_box.blockSignals(False)
        if current in devs:
            self.device_box.blockSignals(True)
            self.device_box.setCurrentText(current)
            self.device_box.blockSignals(False)
        now = self.device_box.currentText()
        if devs and (now != before or self._pending or not self._known_channels):
            self._device_changed(now, by_user=False)

    def _channel_names(self) -> tuple[str, ...]:
        st = self.hub.devices.get(self.device_box.currentText())
        return tuple(st.device.channel_names) if st else ()

    def _sync_channels(self) -> None:
        """Refill the channel boxes when the device gains channels (derived ones come later)."""
        names = self._channel_names()
        if names == self._known_channels:
            return
        keep = tuple(b.currentText() for b in self.channel_boxes)
        self._fill_channels(names)
        self._show(keep)
        self._retap()

    def _fill_channels(self, names: tuple[str, ...]) -> None:
        self._known_channels = names
        for i, box in enumerate(self.channel_boxes):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(names))
            if names:
                box.setCurrentIndex(min(i, len(names) - 1))
            box.blockSignals(False)

    def _show(self, channels: tuple[str, ...]) -> None:
        """Select `channels` in the boxes; a selection asked for and not there yet waits."""
        if self._pending and self._pending[0] == self.device_box.currentText():
            channels = self._pending[1]
        for box, name in zip(self.channel_boxes, channels, strict=False):
            box.blockSignals(True)
            box.setCurrentText(name)
            box.blockSignals(False)
        mine = self._pending and self._pending[0] == self.device_box.currentText()
        if mine and all(c in self._known_channels for c in self._pending[1]):
            self._pending = None

    def _device_changed(self, device: str, by_user: bool = True) -> None:
        if by_user and self._pending and self._pending[0] != device:
            self._pending = None  # the user chose another device
        st = self.hub.devices.get(device)
        self._fill_channels(tuple(st.device.channel_names) if st else ())
        self._show(())
        self._retap()

    def select(self, device: str, *channels: str) -> None:
        """Choose the device and channel(s) shown (once they exist, if they do not yet)."""
        # a device or channel not there yet (a derived channel) is selected once it appears
        self._pending = (device, tuple(channels))
        self._known_devices = ()
        self._sync_devices()

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
        if self._pending:  # a selection still waiting for its device or channel is kept
            return {"device": self._pending[0], "channels": list(self._pending[1])}
        return {
            "device": self.device_box.currentText(),
            "channels": [b.currentText() for b in self.channel_boxes],
        }

    def apply_workspace_config(self, cfg: dict[str, Any]) -> None:
        """Restore what `config()` saved."""
        if cfg.get("device"):
            self.select(cfg["device"], *cfg.get("channels", []))

    # the panel protocol (widgets/panel_state.py): selection, options, and the STATE_FIELDS
    STATE_FIELDS: ClassVar[dict[str, str]] = {}
    STATE_IGNORED: ClassVar[tuple[str, ...]] = ("device_box",)  # "device" of workspace_config

    def state(self) -> dict[str, Any]:
        """The device and channels chosen, and the panel's options."""
        return {**self.workspace_config(), **FormState.state(self)}  # type: ignore[arg-type]

    def restore(self, state: dict[str, Any]) -> None:
        """Show a saved selection and options."""
        FormState.restore(self, state)  # type: ignore[arg-type]
        self.apply_workspace_config(state)

    # -- updates ---------------------------------------------------------------------------
    def _tick(self) -> None:
        self._sync_devices()
        self._sync_channels()
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
