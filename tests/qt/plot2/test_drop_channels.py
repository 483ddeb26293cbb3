"""Channels dragged from the latest-values table (or any source of the channels mime type)
drop onto the plot and are drawn."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent

from twinbench.widgets.channel_mime import CHANNELS_MIME, channels_from, channels_mime


def _drop(panel, mime):
    ev = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(ev)
    return ev


def test_mime_round_trip_and_garbage():
    keys = [("sim", "rpm"), ("mqtt/a", "t/x")]
    mime = channels_mime(keys)
    assert channels_from(mime) == keys and "sim/rpm" in mime.text()
    bad = QMimeData()
    bad.setData(CHANNELS_MIME, b"{not json")
    assert channels_from(bad) == [] and channels_from(QMimeData()) == []


def test_dropping_a_hidden_channel_plots_it(qtbot, panel):
    panel.set_channel_visible("dev", "b", False)
    assert ("dev", "b") not in panel.visible_keys()
    with qtbot.waitSignal(panel.channelsDropped) as sig:
        ev = _drop(panel, channels_mime([("dev", "b"), ("dev", "nope")]))
    assert sig.args[0] == [("dev", "b")] and ev.isAccepted()
    assert ("dev", "b") in panel.visible_keys() and panel.curves["dev", "b"].isVisible()


def test_latest_values_table_drags_its_rows_as_channels(qtbot):
    from twinbench.model import Channel, Chunk, Device
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.value_panels import TablePanel

    rt = Runtime()
    rt.hub.declare(Device("rig", "x", (Channel("a", "V"), Channel("b", "A"))))
    rt.hub.publish(Chunk("rig", ("a", "b"), np.array([1, 2], np.int64), np.ones((2, 2))))
    ctx = AppContext(rt)
    p = TablePanel(ctx)
    qtbot.addWidget(p)
    for _ in range(6):
        p.refresh()
    assert p.table.rowCount() == 2
    p.table.selectRow(1)
    items = p.table.selectedItems()
    mime = p.table.mimeData(items)
    assert channels_from(mime) == [("rig", "b")]
    assert CHANNELS_MIME in p.table.mimeTypes() and p.table.dragEnabled()


def test_device_tree_drags_channels_and_whole_devices_onto_the_plot(make_bench, qtbot):
    bench = make_bench()
    tree, plot = bench.window.tree, bench.window.plot
    model = tree.tree_model
    qtbot.waitUntil(lambda: model.rowCount() >= 1 and model.rowCount(model.index(0, 0)) > 3)
    dev_index = model.index(0, 0)
    rpm = next(
        model.index(r, 0, dev_index)
        for r in range(model.rowCount(dev_index))
        if model.key(model.index(r, 0, dev_index))[1] == "rpm"
    )
    assert tree.dragEnabled() and CHANNELS_MIME in model.mimeTypes()
    assert model.flags(rpm) & Qt.ItemFlag.ItemIsDragEnabled
    assert channels_from(model.mimeData([rpm])) == [("sim", "rpm")]
    whole = channels_from(model.mimeData([dev_index]))
    assert ("sim", "rpm") in whole and ("sim", "temperature") in whole
    plot.set_channel_visible("sim", "rpm", False)
    assert ("sim", "rpm") not in plot.visible_keys()
    _drop(plot, model.mimeData([rpm]))
    assert ("sim", "rpm") in plot.visible_keys()
