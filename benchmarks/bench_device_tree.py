"""The device tree with many rows: 1,000 devices x 100 channels (101,000 rows).

The model/view tree (widgets/device_tree.py) against the previous design, one QTreeWidgetItem per
row whose value text was set on every refresh, measured in the same run (offscreen Qt). Figures:
the first refresh (rows appear), a steady refresh (4 a second in the app) and one paint of the
visible rows. Rates are rows per second; the ratio is against the item-per-row steady refresh.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parser, table


def main() -> None:
    """Print the table."""
    args = parser(__doc__.splitlines()[0]).parse_args()
    n_dev, n_ch = (20, 10) if args.smoke else (1000, 100)
    import numpy as np
    from PySide6.QtWidgets import QApplication, QTreeWidget, QTreeWidgetItem

    from twinbench.model import Channel, Chunk, Device
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.device_tree import DeviceTree

    app = QApplication.instance() or QApplication([])
    rt = Runtime()
    chans = tuple(Channel(f"c{i}", "V") for i in range(n_ch))
    names = tuple(c.name for c in chans)
    for i in range(n_dev):
        rt.hub.declare(Device(f"dev-{i:04d}", "bench", chans))
        rt.hub.publish(Chunk(f"dev-{i:04d}", names, np.arange(2), np.ones((2, n_ch))))
    rows = n_dev * (n_ch + 1)

    tree = DeviceTree(AppContext(rt))
    tree.resize(400, 800)
    tree.show()
    first = best_of(tree.refresh, repeat=1)
    steady = best_of(tree.refresh, repeat=5)
    paint = best_of(lambda: (tree.viewport().repaint(), app.processEvents()), repeat=5)

    old = QTreeWidget()
    old.setColumnCount(3)
    old.setUniformRowHeights(True)
    items: dict[tuple[str, str], QTreeWidgetItem] = {}

    def old_build() -> None:
        for dev, st in rt.hub.devices.items():
            top = QTreeWidgetItem(old, [dev, "", ""])
            for ch in st.device.channels:
                items[(dev, ch.name)] = QTreeWidgetItem(top, [ch.name, ch.unit, ""])

    def old_refresh() -> None:  # what the item-per-row tree did 4 times a second
        for dev, st in rt.hub.devices.items():
            stats = st.channel_stats()
            for ch in st.device.channels:
                items[(dev, ch.name)].setText(2, f"{stats[ch.name].last:.5g}")

    old_first = best_of(old_build, repeat=1)
    old_steady = best_of(old_refresh, repeat=3)
    table(
        [
            ("item per row: build (baseline design)", rows, old_first, "row"),
            ("item per row: refresh (baseline)", rows, old_steady, "row"),
            ("model/view: first refresh", rows, first, "row"),
            ("model/view: steady refresh", rows, steady, "row"),
            ("model/view: paint visible rows", rows, paint, "row"),
        ],
        baseline="item per row: refresh (baseline)",
    )
    print(
        f"rows {rows:,}; model/view steady refresh {steady * 1000:.1f} ms, "
        f"item-per-row refresh {old_steady * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
