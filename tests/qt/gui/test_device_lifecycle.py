"""Device lifecycle in the real main window: connect without merging, the Devices menu and the
tree's context menu, statuses in the tree, and a tree that grows no widget per device."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtWidgets import QTreeWidget, QWidget

from twinbench.model import Channel, Device

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_connect_sim_with_defaults_is_refused_and_a_free_id_proposed(make_bench, qtbot):
    bench = make_bench()
    rt = bench.runtime
    dlg = bench.window.actions.connect_dialog()
    qtbot.addWidget(dlg)
    dlg.driver.setCurrentText("sim")
    dlg.connect_device()  # the defaults: device id "sim", the one already running
    assert dlg.isVisible() and dlg.added is None
    assert "'sim' is already in use" in dlg.problem.text()
    assert dlg.fields["device_id"].raw() == "sim-2"  # proposed in the form
    assert len(rt.drivers) == 1  # nothing merged into the running sim
    dlg.connect_device()  # accept the proposal
    assert not dlg.isVisible()
    qtbot.waitUntil(lambda: "sim-2" in rt.hub.devices, timeout=5000)
    assert rt.owner_of("sim") is not rt.owner_of("sim-2")
    assert sorted(bench.model.devices) == ["sim", "sim-2"]
    tree = bench.window.tree
    qtbot.waitUntil(lambda: tree.device_ids() == ["sim", "sim-2"], timeout=5000)
    qtbot.waitUntil(lambda: tree.status("sim-2").startswith("connected, "), timeout=5000)


def test_menu_disconnect_reconnect_rename_remove(make_bench, qtbot):
    bench = make_bench()
    win, rt = bench.window, bench.runtime
    acts = win.device_actions
    bench.control.connect("sim", {"rate": 200}, device_id="rig")
    tree = win.tree
    qtbot.waitUntil(lambda: "rig" in tree.device_ids(), timeout=5000)
    tree.select_device("rig")
    acts.actions["disconnect"].trigger()
    qtbot.waitUntil(lambda: tree.status("rig") == "disconnected (by you)", timeout=5000)
    assert "rig" not in bench.control.drivers and "sim" in bench.control.drivers
    menu = acts.menu_for("rig")  # the context menu knows it is not running
    enabled = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert enabled["&Disconnect"] is False and enabled["Re&connect"] is True
    acts.actions["reconnect"].trigger()
    qtbot.waitUntil(lambda: tree.status("rig").startswith("connected"), timeout=5000)

    gauge = win.open_panel("gauge").widget()
    gauge.select("rig", "rpm")
    win.plot.set_channel_visible("rig", "current", False)
    win.plot_area.split(win.plot, "vertical").put_channels([("rig", "rpm"), ("sim", "rpm")])
    qtbot.waitUntil(lambda: gauge.state()["device"] == "rig", timeout=5000)
    acts.ask_text = lambda title, label, text: "rig-a"
    assert acts.run("rename", "rig")
    qtbot.waitUntil(lambda: "rig-a" in rt.hub.devices, timeout=5000)
    qtbot.waitUntil(lambda: tree.device_ids() == ["sim", "rig-a"], timeout=5000)
    assert "rig" not in rt.hub.devices
    qtbot.waitUntil(lambda: gauge.state()["device"] == "rig-a", timeout=5000)  # follows
    assert gauge.state()["channels"] == ["rpm"]
    assert ("rig-a", "current") in win.plot.hidden
    below = win.plot_area.shown_plots()[1]  # a plot of chosen channels follows the rename too
    assert below.channels() == [("rig-a", "rpm"), ("sim", "rpm")]

    acts.ask_text = lambda title, label, text: "sim"  # taken: refused, said in the status bar
    assert not acts.run("rename", "rig-a")
    assert "already in use" in win.statusBar().currentMessage()

    acts.confirm = lambda question: False
    assert not acts.run("remove", "rig-a")
    acts.confirm = lambda question: True
    tree.setFocus()
    tree.select_device("rig-a")
    qtbot.keyClick(tree, Qt.Key.Key_Delete)  # the tree's Delete key removes, after asking
    qtbot.waitUntil(lambda: tree.device_ids() == ["sim"], timeout=5000)
    assert set(rt.hub.devices) == {"sim"} and list(bench.model.devices) == ["sim"]
    below = win.plot_area.shown_plots()[1]  # the removed device's curve leaves that plot
    qtbot.waitUntil(lambda: below.visible_keys() == [("sim", "rpm")], timeout=5000)


def test_edit_settings_and_diagnostics_from_the_menu(make_bench, qtbot):
    bench = make_bench()
    acts = bench.window.device_actions
    dlg = acts.run("edit", "sim")
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "Settings of sim" and not dlg.driver.isEnabled()
    dlg.fields["devices"].set_text("2")
    dlg.connect_device()
    assert not dlg.isVisible()
    rt = bench.runtime
    qtbot.waitUntil(lambda: {"sim-1", "sim-2"} <= set(rt.hub.devices), timeout=5000)
    assert "sim" not in rt.hub.devices  # the old device left with the old settings
    assert bench.model.devices["sim"].settings["devices"] == 2
    qtbot.waitUntil(lambda: "sim-2" in bench.window.tree.device_ids(), timeout=5000)
    panel = acts.run("diagnostics", "sim-2")
    assert panel.focus == "sim-2"
    assert panel.tree.currentItem() is not None and panel.tree.currentItem().text(0) == "sim-2"


def test_a_device_that_fails_shows_why_in_the_tree(make_bench, qtbot, tmp_path):
    bench = make_bench()
    bench.control.connect("replay", {"session": str(tmp_path / "no-such-session")})
    tree = bench.window.tree
    qtbot.waitUntil(lambda: tree.status("replay").startswith("failed: "), timeout=5000)
    assert "replay" in tree.device_ids()


def test_thousand_devices_add_rows_not_widgets_or_timers(make_bench, qtbot):
    bench = make_bench(wait_data=False)
    win = bench.window
    tree = win.tree
    assert not isinstance(tree, QTreeWidget)  # a view over a model: rows are data
    assert isinstance(tree.model(), QAbstractItemModel)
    tree.refresh()
    qtbot.wait(100)
    widgets_before = len(win.findChildren(QWidget))
    timers_before = len(win.findChildren(QTimer))
    chans = tuple(Channel(f"c{i}", "V") for i in range(100))
    for i in range(1000):
        bench.runtime.hub.declare(Device(f"bulk-{i:04d}", "test", chans))
    tree.refresh()
    assert tree.tree_model.rows() >= 1000 * 101
    assert tree.has_channel("bulk-0999", "c99")
    assert len(win.findChildren(QWidget)) == widgets_before
    assert len(win.findChildren(QTimer)) == timers_before
    tree.scrollToBottom()
    qtbot.wait(50)
    tree.refresh()  # a second pass with nothing new changes nothing
    assert tree.tree_model.rows() >= 1000 * 101
