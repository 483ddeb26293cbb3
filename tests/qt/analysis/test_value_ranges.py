"""Gauge, bar and LED scales come from the model's range or the observed one; the gauge's
text sits below its arc."""

import numpy as np
import pytest

from twinbench.model import Channel, Chunk, Device
from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.value_range import nice_range


def _ticks(ctx, n=2):
    for _ in range(n):
        for cb in list(ctx.tick_callbacks):
            cb()


def _publish(rt, values, name="rpm"):
    n = len(values)
    t = 1_700_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000
    rt.hub.publish(Chunk("rig", (name,), t, np.asarray(values, float).reshape(-1, 1)))


@pytest.fixture
def ctx():
    rt = Runtime()
    rt.hub.declare(Device("rig", "x", (Channel("rpm", "rpm"),)))
    c = AppContext(runtime=rt)
    yield c
    for sub in list(rt.hub.subscriptions):
        rt.hub.unsubscribe(sub)


def test_nice_range():
    assert nice_range(1203.0, 1788.0) == (1200.0, 1800.0)
    lo, hi = nice_range(5.0, 5.0)
    assert lo < 5.0 < hi and hi - lo <= 2.0


@pytest.mark.parametrize("cls", ["ValuePanel", "BarPanel", "LedPanel"])
def test_observed_range_not_0_100(qtbot, ctx, cls):
    from twinbench.widgets import value_panels

    panel = getattr(value_panels, cls)(ctx)
    qtbot.addWidget(panel)
    panel.max_hz = 1e9
    _ticks(ctx)
    _publish(ctx.runtime, np.linspace(1203, 1788, 500))
    _ticks(ctx)
    assert panel.scale_source == "observed"
    assert (panel.dial.lo, panel.dial.hi) == (1200.0, 1800.0)
    assert 1200 < panel.dial.warn < panel.dial.alarm < 1800
    assert 0.9 < panel.dial.fraction() <= 1.0


def test_model_range_wins_and_a_users_scale_is_kept(qtbot, ctx):
    from types import SimpleNamespace

    from twinbench.widgets.value_panels import ValuePanel

    ctx.services["twins"] = SimpleNamespace(
        bindings={"rig": SimpleNamespace(ranges={"rpm": (0.0, 6000.0)})}
    )
    panel = ValuePanel(ctx)
    qtbot.addWidget(panel)
    panel.max_hz = 1e9
    _ticks(ctx)
    _publish(ctx.runtime, np.full(100, 1500.0))
    _ticks(ctx)
    assert panel.scale_source == "model" and (panel.dial.lo, panel.dial.hi) == (0.0, 6000.0)
    panel.boxes["hi"].setValue(3000)  # the user's scale
    _publish(ctx.runtime, np.full(100, 1600.0))
    _ticks(ctx)
    assert panel.dial.hi == 3000 and not panel.auto_scale


def test_gauge_text_does_not_overlap_its_arc(qtbot):
    from twinbench.widgets.value_panels import _Dial

    dial = _Dial("gauge")
    qtbot.addWidget(dial)
    dial.value, dial.lo, dial.hi, dial.text = 1534.0, 0.0, 6000.0, "1534 rpm"
    for w, h in ((300, 200), (160, 90), (600, 160), (200, 400)):
        dial.resize(w, h)
        dial.grab()  # paints
        arc, text = dial.arc_rect, dial.text_rect
        assert arc.width() > 0 and text.top() >= arc.center().y() + 5, (w, h)  # 10 px pen
        assert arc.left() >= 0 and arc.right() <= w and text.bottom() <= h, (w, h)


def test_a_profiles_range_and_thresholds_win_over_the_model(qtbot):
    from types import SimpleNamespace

    from twinbench.model import Band
    from twinbench.widgets.value_panels import BarPanel

    rt = Runtime()
    volts = Channel("v", "V", range=(20.0, 26.0), warn=Band(22.5, 25.0), alarm=Band(21.5, None))
    rt.hub.declare(Device("rig", "x", (volts,)))
    ctx = AppContext(runtime=rt)
    ctx.services["twins"] = SimpleNamespace(
        bindings={"rig": SimpleNamespace(ranges={"v": (0, 50)})}
    )
    panel = BarPanel(ctx)
    qtbot.addWidget(panel)
    panel.max_hz = 1e9
    _ticks(ctx)
    _publish(rt, np.full(50, 23.0), "v")
    _ticks(ctx)
    d = panel.dial
    assert panel.scale_source == "profile" and (d.lo, d.hi) == (20.0, 26.0)
    assert (d.warn_low, d.warn, d.alarm_low) == (22.5, 25.0, 21.5)
    assert d.alarm == np.inf and panel.boxes["alarm"].text() == "off"  # no high alarm
    assert d.colour().name() == "#5cb85c"
    zones = [(round(a, 3), round(b, 3), c.name()) for a, b, c in d.zones()]
    assert zones == [
        (0.0, 0.25, "#d9534f"),  # 20 .. 21.5 alarm low
        (0.25, 0.417, "#f0ad4e"),  # 21.5 .. 22.5 warn low
        (0.833, 1.0, "#f0ad4e"),  # 25 .. 26 warn high, no alarm above
    ]
    panel.boxes["alarm"].setValue(25.5)  # the user sets a high alarm
    assert d.alarm == 25.5 and d.zones()[-1][:2] == (0.9166666666666666, 1.0)
    for rt_sub in list(rt.hub.subscriptions):
        rt.hub.unsubscribe(rt_sub)
    for value, colour in ((24.0, "#5cb85c"), (22.0, "#f0ad4e"), (21.0, "#d9534f")):
        d.value = value
        assert d.colour().name() == colour, value
    d.resize(300, 120)
    d.grab()  # paints the zones
