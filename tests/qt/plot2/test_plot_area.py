"""Plot areas: plots split right or down and in tabs, each with its own channels; the plots of a
tab share cursors, crosshair, pause and time range; only the tab on show is drawn; the whole
arrangement round-trips through state() / restore(), and a malformed one is reported."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.qt.plot2.test_drop_channels import _drop
from twinbench.widgets.channel_mime import channels_mime


@pytest.fixture
def area(qtbot, panel):
    from twinbench.widgets.plot_area import PlotArea

    a = PlotArea(panel.ctx, panel)
    qtbot.addWidget(a)
    a.resize(1200, 700)
    a.show()
    a.refresh()
    return a


def _shape(node):
    """A state tree without the splitter sizes (they depend on the window)."""
    if "plot" in node:
        return node["plot"]
    return (node["split"], [_shape(c) for c in node["children"]])


def test_split_right_and_down_each_plot_its_own_channels(area, panel, qtbot):
    right = area.split(panel, "horizontal")
    below = area.split(right, "vertical")
    assert area.current is below and area.shown_plots() == [panel, right, below]
    assert right.channels() == [] and right.hint.isVisibleTo(right)
    with qtbot.waitSignal(right.channelsDropped):
        _drop(right, channels_mime([("dev", "b")]))
    area.refresh()
    assert right.visible_keys() == [("dev", "b")] and not right.hint.isVisibleTo(right)
    assert below.visible_keys() == []  # the new plot beside it stays empty
    assert panel.visible_keys() == [("dev", "a"), ("dev", "b")]  # the main plot: everything
    tree = area.state()["tabs"][0]["tree"]
    assert _shape(tree) == (
        "horizontal",
        [{"main": True}, ("vertical", [right.state(), below.state()])],
    )
    assert right.state()["channels"] == [["dev", "b"]]
    # the same channel, the same colour as in the main plot (and the device tree)
    assert right.color_of("dev", "b") == panel.color_of("dev", "b") != panel.color_of("dev", "a")


def test_state_round_trips_into_a_new_area(area, panel, qtbot):
    from twinbench.widgets.plot_area import PlotArea
    from twinbench.widgets.plot_panel import PlotPanel

    right = area.split(panel, "horizontal")
    right.put_channels([("dev", "a"), ("later", "x")])  # "later" has not sent data yet
    right.set_legends(False)
    tab = area.new_tab("Vibration")
    (lone,) = tab.plots()
    lone.put_channels([("dev", "b")])
    area.rename_tab(1, "Vib")
    state = area.state()
    assert [t["name"] for t in state["tabs"]] == ["Plot 1", "Vib"] and state["current"] == 1

    primary = PlotPanel(panel.ctx)
    other = PlotArea(panel.ctx, primary)
    qtbot.addWidget(other)
    other.restore(state)
    assert other.problems == []
    again = other.state()
    assert [_shape(t["tree"]) for t in again["tabs"]] == [_shape(t["tree"]) for t in state["tabs"]]
    assert again["current"] == 1 and other.tab_of(primary) is other.tabs.widget(0)
    restored_right = other.tabs.widget(0).plots()[1]
    assert restored_right.channels() == [("dev", "a"), ("later", "x")]
    assert not restored_right.legends


def test_a_chosen_channel_is_drawn_once_it_sends_data(area, panel):
    from twinbench.model import Chunk

    right = area.split(panel, "horizontal")
    right.put_channels([("late", "x")])
    area.refresh()
    assert right.visible_keys() == []
    t = np.arange(100, dtype=np.int64) * 1_000_000 + panel.history.span()[1]
    panel.history.append([Chunk("late", ("x", "y"), t, np.ones((100, 2)))])
    area.refresh()
    assert right.visible_keys() == [("late", "x")]  # y was not asked for
    assert ("late", "y") in panel.visible_keys()  # the main plot takes every channel


def test_cursors_pause_and_range_are_shared_within_a_tab(area, panel, qtbot):
    right = area.split(panel, "horizontal")
    elsewhere = area.new_tab().plots()[0]
    area.tabs.setCurrentIndex(0)
    panel.set_cursors(True)
    assert right.cursors.enabled and right.cursors.pos_ns == panel.cursors.pos_ns
    assert not elsewhere.cursors.enabled  # another tab: its own cursors
    a, b = panel.cursors.pos_ns
    right.cursors.set_positions(a + 1_000_000, b - 1_000_000)
    assert panel.cursors.pos_ns == [a + 1_000_000, b - 1_000_000]

    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Left)  # scroll back: a time range the user chose
    assert right.paused and right.x_range_ns() == panel.x_range_ns()
    assert not elsewhere.paused
    panel.set_paused(False)
    assert not right.paused


def test_the_crosshair_follows_the_mouse_in_every_plot_of_the_tab(area, panel, qtbot):
    right = area.split(panel, "horizontal")
    _drop(right, channels_mime([("dev", "a")]))
    area.refresh()
    qtbot.wait(50)
    lane = next(iter(panel.lanes.values()))
    centre = lane.vb.sceneBoundingRect().center()
    pos = panel.plot.mapFromScene(centre)
    qtbot.mouseMove(panel.plot.viewport(), QPoint(int(pos.x()), int(pos.y())))
    qtbot.waitUntil(lambda: panel.cursor_ns is not None, timeout=2000)
    assert right.cursor_ns == panel.cursor_ns and right.cursor_visible()
    assert "a " in right.readout.text()
    panel._on_mouse_left()
    assert right.cursor_ns is None and not right.cursor_visible()


def test_only_the_tab_on_show_is_drawn(area, panel):
    tab = area.new_tab()
    (other,) = tab.plots()
    other.put_channels([("dev", "a")])
    area.tabs.setCurrentIndex(0)
    before = other.frames, panel.frames
    panel.history.append([])  # nothing new, but a frame is asked for
    for _ in range(3):
        panel._drawn = ()
        area.refresh()
    assert other.frames == before[0] and panel.frames > before[1]
    area.tabs.setCurrentWidget(tab)
    area.refresh()
    assert other.frames == before[0] + 1


def test_closing_plots_collapses_splits_and_keeps_the_main_plot(area, panel):
    right = area.split(panel, "horizontal")
    below = area.split(right, "vertical")
    assert not area.close_plot(panel)  # the main plot stays
    assert area.close_plot(below)
    tree = area.state()["tabs"][0]["tree"]
    assert _shape(tree) == ("horizontal", [{"main": True}, right.state()])  # no 1-plot split
    assert area.close_plot(right)
    assert area.shown_plots() == [panel] and area.current is panel
    tab = area.new_tab()
    assert area.tabs.count() == 2 and not area.close_tab(0)  # the main plot's tab stays
    assert area.close_plot(tab.plots()[0])  # its last plot closed: the tab goes too
    assert area.tabs.count() == 1


@pytest.mark.parametrize(
    "state, said",
    [
        ({"tabs": "many"}, "no list of tabs"),
        ({"tabs": [7]}, "tab 1 is not a table"),
        ({"tabs": [{"name": "x", "tree": {"split": "diagonal", "children": []}}]}, "diagonal"),
        ({"tabs": [{"tree": {"split": "vertical", "children": [3]}}]}, "not a plot or split"),
    ],
)
def test_a_malformed_arrangement_is_reported_and_the_main_plot_stays(area, panel, state, said):
    area.restore(state)
    assert any(said in p for p in area.problems), area.problems
    assert area.all_plots()[0] is panel and area.tabs.count() >= 1
    area.refresh()  # and it still draws


def test_the_plot_menu_splits_and_the_view_menu_acts_on_the_last_clicked_plot(area, panel):
    from PySide6.QtWidgets import QToolButton

    button = panel.findChild(QToolButton, "plot-area-menu")
    texts = [a.text() for a in button.menu().actions() if a.text()]
    assert texts == ["Split right", "Split down", "Close this plot", "New plot tab"]
    close = button.menu().actions()[2]
    assert not close.isEnabled()  # not for the main plot
    button.menu().actions()[0].trigger()
    assert len(area.shown_plots()) == 2 and area.current is area.shown_plots()[1]


def test_the_documented_workspace_areas_restore_cleanly(area, panel, tmp_path):
    from tests.unit.test_doc_workspaces import EXAMPLES
    from twinbench.workspace import load_workspace

    (text,) = [t for n, t in EXAMPLES if n.startswith("gui.md") and "[plot.areas]" in t]
    (tmp_path / "ws.toml").write_text(text)
    areas = load_workspace(tmp_path / "ws.toml").plot["areas"]
    area.restore(areas)
    assert area.problems == []
    assert [area.tabs.tabText(i) for i in range(area.tabs.count())] == ["Plot 1", "Thermal"]
    main, right = area.tabs.widget(0).plots()
    assert main is panel and right.channels() == [("rig", "current"), ("rig", "rpm")]
    assert area.state()["tabs"][0]["tree"]["sizes"] == [0.6, 0.4]


def test_plots_stacked_in_a_tab_end_their_data_at_the_same_x(area, panel, qtbot):
    from twinbench.model import Chunk

    t = np.arange(1000, dtype=np.int64) * 1_000_000 + panel.history.span()[1]
    name = "a_channel_with_a_very_long_name"
    panel.history.append([Chunk("long", (name,), t, np.ones((1000, 1)))])
    top = area.new_tab().plots()[0]
    below = area.split(top, "vertical")
    top.put_channels([("dev", "a")])
    below.put_channels([("long", name)])
    area.refresh()
    qtbot.wait(50)
    (a,), (b,) = top.lanes.values(), below.lanes.values()
    edge_a, edge_b = a.vb.sceneBoundingRect().right(), b.vb.sceneBoundingRect().right()
    assert abs(edge_a - edge_b) <= 1, (edge_a, edge_b)  # the short legend's column widened
    other = area.tabs.widget(0).plots()[0]  # the main plot, in another tab: its own width
    assert other.plot.ci.legend_group != top.plot.ci.legend_group
