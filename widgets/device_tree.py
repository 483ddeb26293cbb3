"""The device and channel tree: units, latest values, and a check box per channel to show it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from twinbench.widgets.context import AppContext

ROLE_KEY = Qt.ItemDataRole.UserRole


class DeviceTree(QTreeWidget):
    """Devices with their channels; unchecking a channel hides it from the plots."""

    visibilityChanged = Signal(str, str, bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setColumnCount(3)
        self.setHeaderLabels(["Device / channel", "Unit", "Value"])
        self.setUniformRowHeights(True)
        self.setRootIsDecorated(True)
        self.hidden: set[tuple[str, str]] = set()
        self._devices: dict[str, QTreeWidgetItem] = {}
        self._channels: dict[tuple[str, str], QTreeWidgetItem] = {}
        self.color_of: Callable[[str, str], str | None] | None = None
        self._colored: set[tuple[str, str]] = set()
        self.itemChanged.connect(self._on_item_changed)
        self.setColumnWidth(0, 150)
        self.setColumnWidth(1, 44)

    def sizeHint(self) -> QSize:
        """Wide enough for name, unit and value columns."""
        return QSize(330, 400)

    def set_hidden(self, hidden: set[tuple[str, str]]) -> None:
        """Channels to show unchecked (restored from the last session)."""
        self.hidden = set(hidden)
        for key, item in self._channels.items():
            item.setCheckState(
                0, Qt.CheckState.Unchecked if key in self.hidden else Qt.CheckState.Checked
            )

    def channel_item(self, device: str, channel: str) -> QTreeWidgetItem:
        """The tree row of a channel (KeyError if not shown yet)."""
        return self._channels[(device, channel)]

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, ROLE_KEY)
        if column != 0 or not isinstance(key, tuple):
            return
        shown = item.checkState(0) == Qt.CheckState.Checked
        if shown == (key not in self.hidden):
            return
        (self.hidden.discard if shown else self.hidden.add)(key)
        self.visibilityChanged.emit(key[0], key[1], shown)

    def refresh(self) -> None:
        """Add new devices and channels and update states and latest values."""
        self.blockSignals(True)
        try:
            for dev_id, st in list(self.ctx.runtime.hub.devices.items()):
                dev_item = self._devices.get(dev_id)
                if dev_item is None:
                    dev_item = QTreeWidgetItem(self, [dev_id, "", ""])
                    dev_item.setToolTip(0, f"{st.device.driver}: {st.device.description}")
                    dev_item.setExpanded(True)
                    self._devices[dev_id] = dev_item
                dev_item.setText(2, f"{st.state}, {st.rate_hz:,.0f} Hz")
                stats = st.channel_stats()
                for ch in st.device.channels:
                    key = (dev_id, ch.name)
                    item = self._channels.get(key)
                    if item is None:
                        item = QTreeWidgetItem(dev_item, [ch.name, ch.unit, ""])
                        item.setData(0, ROLE_KEY, key)
                        unit = f" [{ch.unit}]" if ch.unit else " (no unit)"
                        tip = f"{dev_id}/{ch.name}{unit}"
                        item.setToolTip(0, f"{tip}: {ch.description}" if ch.description else tip)
                        item.setToolTip(1, ch.unit or "no unit")
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        shown = key not in self.hidden
                        item.setCheckState(
                            0, Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
                        )
                        self._channels[key] = item
                    if key not in self._colored and self.color_of is not None:
                        color = self.color_of(dev_id, ch.name)
                        if color:
                            item.setIcon(0, _swatch(color))
                            self._colored.add(key)
                    cs = stats.get(ch.name)
                    if cs is not None and cs.count:
                        item.setText(2, f"{cs.last:.5g}")
        finally:
            self.blockSignals(False)


def _swatch(color: str) -> QIcon:
    """A small square of the curve's colour."""
    pix = QPixmap(10, 10)
    pix.fill(QColor(color))
    return QIcon(pix)
