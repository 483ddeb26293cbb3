"""The device and channel tree: a Qt model/view over the hub and the bench model.

Devices (with their status: connecting, connected at N Hz, disconnected and why, reconnecting
in N s) and their channels (unit, latest value, a check box that shows or hides the curve).
One view and one model whatever the number of devices: rows are data, not widgets, values are
read only for the rows on screen, and 100,000 rows stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView, QWidget

from twinbench.widgets.context import AppContext
from twinbench.widgets.theme import text_shade

TOP = 0  # internalId of device rows; a channel row stores its device's row + 1
COLUMNS = ("Device / channel", "Unit", "Value")
AUTO_EXPAND_ROWS = 5000  # new devices open expanded while the tree is smaller than this
# device rows not streaming stand out (readable on light and dark themes)
STATUS_COLORS = (
    ("failed", "#e53935"),
    ("disconnected", "#ef8c00"),
    ("reconnecting", "#ef8c00"),
)
Index = QModelIndex | QPersistentModelIndex


class DeviceTreeModel(QAbstractItemModel):
    """Two levels: devices, then their channels; refreshed from the hub a few times a second."""

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.hidden: set[tuple[str, str]] = set()
        self.color_of: Callable[[str, str], str | None] | None = None
        self.devices: list[str] = []
        self.channels: list[tuple[Any, ...]] = []  # per device row: its Channel tuple
        self._row: dict[str, int] = {}
        self._chan_row: dict[str, dict[str, int]] = {}
        self._stats: dict[str, Any] = {}  # per refresh: device -> channel stats (lazy)
        self._owner: dict[str, str] = {}  # device row -> the bench record that feeds it
        self._icons: dict[str, QIcon] = {}

    # -- what is shown ---------------------------------------------------------------------
    def _control(self) -> Any:
        return self.ctx.services.get("bench_control")

    def _wanted(self) -> list[tuple[str, tuple[Any, ...]]]:
        hub = self.ctx.runtime.hub.devices
        ctl = self._control()
        out: list[tuple[str, tuple[Any, ...]]] = []
        seen: set[str] = set()
        self._owner = {}
        if ctl is not None:
            for rid in list(ctl.model.devices):
                drv = ctl.drivers.get(rid)
                owned = sorted(ctl.runtime.devices_of(drv) & set(hub)) if drv is not None else []
                if not owned and rid in hub:
                    owned = [rid]
                for dev in owned:
                    out.append((dev, hub[dev].device.channels))
                    seen.add(dev)
                    self._owner[dev] = rid
                if not owned:  # not streaming (yet): a row with its status
                    out.append((rid, ()))
                    seen.add(rid)
                    self._owner[rid] = rid
        for dev, st in list(hub.items()):
            if dev not in seen:
                out.append((dev, st.device.channels))
        return out

    def refresh(self) -> list[int]:
        """Bring rows in step with the devices; returns the rows of devices added."""
        self._stats.clear()
        wanted = self._wanted()
        ids = [d for d, _ in wanted]
        n_old = len(self.devices)
        added: list[int] = []
        if ids[:n_old] != self.devices or any(
            tuple(old) != tuple(new[: len(old)])
            for old, (_, new) in zip(self.channels, wanted, strict=False)
        ):
            self.beginResetModel()
            self._set(wanted)
            self.endResetModel()
            return list(range(len(ids)))
        for row, (_, chans) in enumerate(wanted[:n_old]):
            old = self.channels[row]
            if len(chans) > len(old):
                self.beginInsertRows(self.index(row, 0), len(old), len(chans) - 1)
                self.channels[row] = tuple(chans)
                self._chan_row.pop(self.devices[row], None)
                self.endInsertRows()
        if len(ids) > n_old:
            self.beginInsertRows(QModelIndex(), n_old, len(ids) - 1)
            for dev, chans in wanted[n_old:]:
                self._row[dev] = len(self.devices)
                self.devices.append(dev)
                self.channels.append(tuple(chans))
            self.endInsertRows()
            added = list(range(n_old, len(ids)))
        return added

    def _set(self, wanted: list[tuple[str, tuple[Any, ...]]]) -> None:
        self.devices = [d for d, _ in wanted]
        self.channels = [tuple(c) for _, c in wanted]
        self._row = {d: i for i, d in enumerate(self.devices)}
        self._chan_row.clear()

    def rows(self) -> int:
        """Every row: devices plus channels."""
        return len(self.devices) + sum(len(c) for c in self.channels)

    # -- lookups ---------------------------------------------------------------------------
    def device_index(self, device: str) -> QModelIndex:
        """The row of a device (KeyError when not shown)."""
        return self.index(self._row[device], 0)

    def channel_index(self, device: str, channel: str, column: int = 0) -> QModelIndex:
        """The row of a channel (KeyError when not shown yet)."""
        row = self._row[device]
        names = self._chan_row.get(device)
        if names is None:
            names = {c.name: i for i, c in enumerate(self.channels[row])}
            self._chan_row[device] = names
        return self.index(names[channel], column, self.index(row, 0))

    def key(self, index: Index) -> tuple[str, str | None]:
        """(device, channel) of a row; channel None for a device row."""
        if index.internalId() == TOP:
            return self.devices[index.row()], None
        row = index.internalId() - 1
        return self.devices[row], self.channels[row][index.row()].name

    def status(self, device: str) -> str:
        """The device's status in words."""
        from twinbench.bench_control import status_text

        st = self.ctx.runtime.hub.devices.get(device)
        ctl = self._control()
        rec = link = None
        if ctl is not None:
            rid = self._owner.get(device)
            rec = ctl.model.devices.get(rid) if rid else None
            drv = ctl.drivers.get(rid) if rid else None
            link = getattr(getattr(drv, "sink", None), "link", None)
        return status_text(rec, st, link=link)

    # -- QAbstractItemModel ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Index of a device row (no parent) or of a channel row."""
        if not parent.isValid():
            if 0 <= row < len(self.devices) and 0 <= column < len(COLUMNS):
                return self.createIndex(row, column, TOP)
            return QModelIndex()
        if parent.internalId() != TOP:
            return QModelIndex()
        prow = parent.row()
        if 0 <= row < len(self.channels[prow]) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, prow + 1)
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """A channel row's device row; nothing for device rows."""
        if not index.isValid() or index.internalId() == TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, TOP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Devices at the top, channels under a device."""
        if not parent.isValid():
            return len(self.devices)
        if parent.internalId() == TOP and parent.column() == 0:
            return len(self.channels[parent.row()])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Name, unit, value."""
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Channel names are checkable; channels and devices drag onto plots."""
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid():
            base |= Qt.ItemFlag.ItemIsDragEnabled
        if index.isValid() and index.internalId() != TOP and index.column() == 0:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def mimeTypes(self) -> list[str]:
        """Dragged rows are channels (see widgets/channel_mime.py)."""
        from twinbench.widgets.channel_mime import CHANNELS_MIME

        return [CHANNELS_MIME, "text/plain"]

    def mimeData(self, indexes: list[QModelIndex]) -> Any:  # type: ignore[override]
        """The dragged channels: a channel row itself, a device row all of its channels."""
        from twinbench.widgets.channel_mime import channels_mime

        keys: dict[tuple[str, str], None] = {}
        for index in indexes:
            if not index.isValid():
                continue
            dev, ch = self.key(index)
            if ch is not None:
                keys[(dev, ch)] = None
            else:
                for c in self.channels[index.row()]:
                    keys[(dev, c.name)] = None
        return channels_mime(list(keys))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, check state, colour swatch and tooltips of one cell."""
        if not index.isValid():
            return None
        dev, ch = self.key(index)
        col = index.column()
        R = Qt.ItemDataRole
        if ch is None:  # a device row: its first column spans the row (see DeviceTree)
            if role == R.DisplayRole:
                return f"{dev}  \u2014  {self.status(dev)}" if col == 0 else ""
            if role == R.ForegroundRole and col == 0:
                status = self.status(dev)
                for word, color in STATUS_COLORS:
                    if status.startswith(word):
                        return text_shade(color)  # legible on this theme's base
                return None
            if role == R.ToolTipRole:
                st = self.ctx.runtime.hub.devices.get(dev)
                what = f"{st.device.driver}: {st.device.description}\n" if st else ""
                return f"{what}{self.status(dev)}"
            return None
        chan = self.channels[index.internalId() - 1][index.row()]
        if role == R.DisplayRole:
            if col == 0:
                return chan.name
            if col == 1:
                return chan.unit
            return self._value(dev, chan.name)
        if role == R.CheckStateRole and col == 0:
            shown = (dev, ch) not in self.hidden
            return Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
        if role == R.DecorationRole and col == 0 and self.color_of is not None:
            color = self.color_of(dev, ch)
            return self._icon(color) if color else None
        if role == R.ToolTipRole:
            if col == 1:
                return chan.unit or "no unit"
            unit = f" [{chan.unit}]" if chan.unit else " (no unit)"
            tip = f"{dev}/{ch}{unit}"
            return f"{tip}: {chan.description}" if chan.description else tip
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Check or uncheck a channel: shows or hides it."""
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        dev, ch = self.key(index)
        if ch is None:
            return False
        shown = Qt.CheckState(value) == Qt.CheckState.Checked
        (self.hidden.discard if shown else self.hidden.add)((dev, ch))
        self.dataChanged.emit(index, index, [role])
        tree = self.parent_tree
        if tree is not None:
            tree.visibilityChanged.emit(dev, ch, shown)
        return True

    parent_tree: DeviceTree | None = None

    def _value(self, dev: str, ch: str) -> str:
        stats = self._stats.get(dev)
        if stats is None:
            st = self.ctx.runtime.hub.devices.get(dev)
            stats = self._stats[dev] = st.channel_stats() if st is not None else {}
        cs = stats.get(ch)
        return f"{cs.last:.5g}" if cs is not None and cs.count else ""

    def _icon(self, color: str) -> QIcon:
        icon = self._icons.get(color)
        if icon is None:
            pix = QPixmap(10, 10)
            pix.fill(QColor(color))
            icon = self._icons[color] = QIcon(pix)
        return icon


class DeviceTree(QTreeView):
    """The tree view: unchecking a channel hides it from the plots; right-click for actions."""

    visibilityChanged = Signal(str, str, bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tree_model = DeviceTreeModel(ctx, self)
        self.tree_model.parent_tree = self
        self.setModel(self.tree_model)
        self.setUniformRowHeights(True)
        self.setRootIsDecorated(True)
        self.setColumnWidth(0, 150)
        self.setColumnWidth(1, 44)
        self.setDragEnabled(True)  # channels drag onto plots (application/x-twinbench-channels)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # the Devices menu's actions for a device, supplied by widgets/device_actions.py
        self.menu_for: Callable[[str], QMenu | None] | None = None
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def sizeHint(self) -> QSize:
        """Wide enough for name, unit and value columns."""
        return QSize(330, 400)

    @property
    def hidden(self) -> set[tuple[str, str]]:
        """Channels unchecked (hidden from the plots)."""
        return self.tree_model.hidden

    @property
    def color_of(self) -> Callable[[str, str], str | None] | None:
        """The plot's colour of a curve, for the swatches."""
        return self.tree_model.color_of

    @color_of.setter
    def color_of(self, fn: Callable[[str, str], str | None] | None) -> None:
        self.tree_model.color_of = fn

    def set_hidden(self, hidden: set[tuple[str, str]]) -> None:
        """Channels to show unchecked (restored from the last session)."""
        self.tree_model.hidden = set(hidden)
        self.viewport().update()

    def refresh(self) -> None:
        """New devices and channels get rows; visible values and states are redrawn."""
        model = self.tree_model
        added = model.refresh()
        root = QModelIndex()
        for row in added:  # the device's name and status use the whole row
            self.setFirstColumnSpanned(row, root, True)
        if added and model.rows() < AUTO_EXPAND_ROWS:
            for row in added:
                self.expand(model.index(row, 0))
        self.viewport().update()  # only the rows on screen ask for their values

    # -- lookups (tests, actions) ----------------------------------------------------------
    def device_ids(self) -> list[str]:
        """Device rows, top to bottom."""
        return list(self.tree_model.devices)

    def has_channel(self, device: str, channel: str) -> bool:
        """Whether a channel has a row."""
        try:
            self.tree_model.channel_index(device, channel)
        except (KeyError, IndexError):
            return False
        return True

    def channel_index(self, device: str, channel: str, column: int = 0) -> QModelIndex:
        """The model index of a channel's row (KeyError if not shown yet)."""
        return self.tree_model.channel_index(device, channel, column)

    def cell(self, device: str, channel: str | None, column: int, role: int = 0) -> Any:
        """The data of one cell (DisplayRole by default)."""
        m = self.tree_model
        idx = m.device_index(device) if channel is None else m.channel_index(device, channel)
        return m.data(idx.siblingAtColumn(column), role)

    def set_channel_shown(self, device: str, channel: str, shown: bool) -> None:
        """Check or uncheck a channel as a click on its box would."""
        state = Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
        self.tree_model.setData(
            self.channel_index(device, channel), state, Qt.ItemDataRole.CheckStateRole
        )

    def status(self, device: str) -> str:
        """The status text of a device row."""
        return self.tree_model.status(device)

    def current_device(self) -> str | None:
        """The device of the selected row (a channel row selects its device)."""
        idx = self.currentIndex()
        return self.tree_model.key(idx)[0] if idx.isValid() else None

    def select_device(self, device: str) -> None:
        """Make a device the current row."""
        self.setCurrentIndex(self.tree_model.device_index(device))

    def _context_menu(self, pos: QPoint) -> None:
        idx = self.indexAt(pos)
        if not idx.isValid() or self.menu_for is None:
            return
        self.setCurrentIndex(idx)
        menu = self.menu_for(self.tree_model.key(idx)[0])
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))
