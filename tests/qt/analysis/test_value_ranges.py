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
