"""Alarm markers on the time plot, jump_to from the Alarms panel, critical alarm notices."""

from __future__ import annotations

import pytest

T0 = 1_700_000_000_000_000_000  # as in conftest.py


def _marker_lines(panel):
    return [line for _, lines in panel.alarms._lines for line in lines]


def test_raised_alarms_become_coloured_lines_at_their_sample_time(panel):
    from twinbench.widgets.plot_alarms import SEVERITY_COLORS

    events = panel.ctx.runtime.events
    ev1 = events.emit(
        "alarm",
        "dev",
        "a high",
        rule="a_hi",
        severity="critical",
        state="raised",
        value=9.0,
        t_event_ns=T0 + 5_000_000_000,
    )
    events.emit("alarm", "dev", "b odd", rule="b", severity="warning", state="raised", value=1.0)
    events.emit("alarm", "dev", "a ok", rule="a_hi", severity="critical", state="cleared")
    events.emit("command", "dev", "not an alarm")
    seen = []
    panel.alarms.raised.connect(seen.append)
    panel.refresh()
    assert [e.data["rule"] for e in seen] == ["a_hi", "b"]
    assert panel.alarms.markers[0][0] == T0 + 5_000_000_000
    assert panel.alarms.markers[1][0] != T0 + 5_000_000_000  # no t_event_ns: the event time
    assert panel.alarms.colors() == [SEVERITY_COLORS["critical"], SEVERITY_COLORS["warning"]]
    lines = _marker_lines(panel)
    assert len(lines) == 2 * len(panel.lanes)
    assert lines[0].value() == pytest.approx((T0 + 5_000_000_000) / 1e9)
    assert lines[0].pen.color().name() == SEVERITY_COLORS["critical"]
    assert "a_hi" in lines[0].toolTip()
    assert ev1 in seen
    panel.set_split_units(False)  # lanes rebuilt: the markers come back
    assert len(_marker_lines(panel)) == 2 * len(panel.lanes) == 2


def test_alarms_before_the_plot_existed_are_marked_too(qtbot, known):
    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    rt = Runtime()
    rt.events.emit("alarm", "dev", "x", rule="r", severity="major", state="raised")
    p = PlotPanel(AppContext(rt, history=DisplayHistory()))
    qtbot.addWidget(p)
    p.refresh()
    assert len(p.alarms.markers) == 1 and p.alarms.markers[0][1] == "major"


def test_jump_to_pauses_and_centres_the_plot(make_bench, qtbot):
    bench = make_bench()
    win = bench.window
    qtbot.waitUntil(lambda: bench.history.span()[1] - bench.history.span()[0] > 300_000_000)
    first, last = bench.history.span()
    t = (first + last) // 2
    assert bench.ctx.window.jump_to is not None
    bench.ctx.window.jump_to("sim", t)
    assert win.plot.paused and win.pause_action.isChecked()
    x0, x1 = win.plot.x_range_ns()
    assert (x0 + x1) // 2 == pytest.approx(t, abs=2)
    assert x1 - x0 == win.plot.window_ns
    qtbot.wait(100)  # ticks go on; the view stays where it was put
    assert win.plot.x_range_ns() == (x0, x1)


def test_critical_alarm_gives_a_notice(make_bench, qtbot):
    from PySide6.QtWidgets import QSystemTrayIcon

    bench = make_bench()
    win = bench.window
    rt = bench.runtime
    rt.events.emit("alarm", "sim", "too hot", rule="hot", severity="warning", state="raised")
    rt.events.emit("alarm", "sim", "way too hot", rule="melt", severity="critical", state="raised")
    qtbot.waitUntil(lambda: len(win.plot.alarms.markers) == 2, timeout=3000)
    assert win.actions.notices == ["Critical alarm on sim: melt: way too hot"]
    if not QSystemTrayIcon.isSystemTrayAvailable():
        assert "melt: way too hot" in win.statusBar().currentMessage()
    else:
        assert win.actions.tray is not None


def test_jump_to_a_moment_no_longer_held_says_so(make_bench):
    bench = make_bench()
    first, _ = bench.history.span()
    bench.window.jump_to("sim", first - 3_600_000_000_000)
    assert bench.window.plot.paused
    assert "no longer in the display history" in bench.window.statusBar().currentMessage()
