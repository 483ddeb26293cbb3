"""Dragging channels between views: the mime type and its JSON payload [[device, channel], ...]."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

CHANNELS_MIME = "application/x-twinbench-channels"


def channels_mime(keys: list[tuple[str, str]]) -> QMimeData:
    """Mime data carrying (device, channel) pairs (plain text too, one device/channel a line)."""
    data = QMimeData()
    data.setData(CHANNELS_MIME, json.dumps([[d, c] for d, c in keys]).encode())
    data.setText("\n".join(f"{d}/{c}" for d, c in keys))
    return data


def channels_from(data: QMimeData | None) -> list[tuple[str, str]]:
    """The (device, channel) pairs of dragged mime data; [] when it carries none or garbage."""
    if data is None or not data.hasFormat(CHANNELS_MIME):
        return []
    try:
        items = json.loads(bytes(data.data(CHANNELS_MIME).data()).decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    if not isinstance(items, list):
        return []
    return [
        (d, c)
        for d, c in (x for x in items if isinstance(x, list) and len(x) == 2)
        if isinstance(d, str) and isinstance(c, str)
    ]


def accept_channels(ev: Any) -> None:
    """Accept a drag-enter or drag-move event that carries channels (a drop target's helper)."""
    if channels_from(ev.mimeData()):
        ev.acceptProposedAction()


class ChannelDragTable(QTableWidget):
    """A table whose rows (device in column 0, channel in column 1) drag as channels."""

    def __init__(self, rows: int, cols: int) -> None:
        super().__init__(rows, cols)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

    def selected_channels(
        self, items: list[QTableWidgetItem] | None = None
    ) -> list[tuple[str, str]]:
        """(device, channel) of the rows of `items` (default: the selection), in row order."""
        rows = sorted({it.row() for it in (items if items is not None else self.selectedItems())})
        out = []
        for r in rows:
            dev, ch = self.item(r, 0), self.item(r, 1)
            if dev is not None and ch is not None:
                out.append((dev.text(), ch.text()))
        return out

    def mimeTypes(self) -> list[str]:
        """Channels, as the plots accept them."""
        return [CHANNELS_MIME, "text/plain"]

    def mimeData(self, items: list[QTableWidgetItem]) -> QMimeData:
        """The dragged rows' channels."""
        return channels_mime(self.selected_channels(list(items)))
