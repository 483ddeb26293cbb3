"""The panel protocol: every registered panel kind saves and restores its own state."""

from __future__ import annotations

import pytest

from twinbench.widgets.panel_state import check_panel

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_every_panel_kind_has_state_and_restore_that_round_trip(make_bench, qtbot):
    bench = make_bench(wait_data=False)
    win = bench.window
    problems = []
    for kind, spec in win.specs.items():
        widget = win.open_panel(kind, new=spec.multiple).widget()
        problems += check_panel(widget)
        if check_panel(widget):
            continue
        state = widget.state()
        assert isinstance(state, dict), kind
        widget.restore(state)
        assert widget.state() == state, kind
        stop = getattr(widget, "close_watcher", None)  # the ports panel's watcher thread
        if stop is not None:
            stop()
    assert problems == []


def test_a_changed_choice_is_in_the_state_and_comes_back(make_bench, qtbot):
    bench = make_bench()
    win = bench.window
    alarms = win.open_panel("alarms").widget()
    alarms.filter.setText("rig")
    assert alarms.state()["filter"] == "rig"
    sql = win.open_panel("sql").widget()
    sql.sql.setPlainText("SELECT 1")
    saved = sql.state()
    sql.sql.setPlainText("")
    sql.restore(saved)
    assert sql.sql.toPlainText() == "SELECT 1"
    hist = win.open_panel("histogram").widget()
    hist.bins_box.setValue(77)
    hist.select("sim", "rpm")
    qtbot.waitUntil(lambda: hist.state()["channels"] == ["rpm"], timeout=5000)
    assert hist.state()["bins"] == 77
