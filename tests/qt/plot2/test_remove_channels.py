"""Channels leave the live plot by the Delete key (the one nearest the mouse) or the plot's
context menu ("Remove <channel>", nearest first)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from tests.qt.plot2.conftest import RATE, N
from twinbench.widgets import plot_remove


def _panel_point(panel, t_ns, y):
    """The panel point (widget coordinates) over time `t_ns`, value `y` of the only lane."""
    (lane,) = panel.lanes.values()
    scene = lane.vb.mapViewToScene(QPointF(t_ns / 1e9, y))
    view = panel.plot
    return panel.mapFromGlobal(view.viewport().mapToGlobal(view.mapFromScene(scene)))


def test_context_menu_lists_the_lane_nearest_first_and_removes(qtbot, panel, known):
    t, a, b = known
    i = N - 5 * RATE  # 5 s before the end, in the window
    near_a = _panel_point(panel, int(t[i]), a[i])
    menu = panel_menu = plot_remove.context_menu(panel, near_a)
    texts = [act.text() for act in menu.actions()]
    assert texts == ["Remove a", "Remove b"]
    near_b = _panel_point(panel, int(t[i]), b[i])
    assert plot_remove.context_menu(panel, near_b).actions()[0].text() == "Remove b"
    with qtbot.waitSignal(panel.channelsRemoved) as sig:
        panel_menu.actions()[0].trigger()
    assert sig.args[0] == [("dev", "a")]
    assert ("dev", "a") not in panel.visible_keys() and ("dev", "b") in panel.visible_keys()
    panel.refresh()
    assert not panel.curves["dev", "a"].isVisible()
    assert [x.text() for x in plot_remove.context_menu(panel, near_a).actions()] == ["Remove b"]


def test_delete_key_removes_the_channel_under_the_mouse(qtbot, panel, known):
    t, _, b = known
    i = N - 3 * RATE
    pos = _panel_point(panel, int(t[i]), b[i])
    vp = panel.plot.viewport()
    qtbot.mouseMove(vp, vp.mapFromGlobal(panel.mapToGlobal(pos)))
    assert panel.mouse_scene is not None
    panel.setFocus()
    with qtbot.waitSignal(panel.channelsRemoved) as sig:
        qtbot.keyClick(panel, Qt.Key.Key_Delete)
    assert sig.args[0] == [("dev", "b")]
    assert panel.visible_keys() == [("dev", "a")]
    outside = panel.plot.mapToScene(-50, -50)  # off every lane: Delete does nothing
    panel.mouse_scene = outside
    assert plot_remove.remove_under_mouse(panel) == []
    assert panel.visible_keys() == [("dev", "a")]


def test_a_channel_removed_from_the_plot_is_unticked_in_the_tree(make_bench, qtbot):
    bench = make_bench()
    plot, tree = bench.window.plot, bench.window.tree
    qtbot.waitUntil(lambda: ("sim", "rpm") in plot.visible_keys(), timeout=5000)
    plot_remove.remove(plot, [("sim", "rpm")])
    assert ("sim", "rpm") in tree.hidden and ("sim", "rpm") not in plot.visible_keys()
    plot.add_channels([("sim", "rpm")])  # dropped back: ticked again
    assert ("sim", "rpm") not in tree.hidden
