"""The Dashboard panel on the simulated rig: planned from its DTDL model (gauge for the
temperature on the model's range, attitude for the orientation quaternion), values updating,
one tick and no timer, state round trip; without a model the channel names decide."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from twinbench.model import Channel, Chunk, Device
from twinbench.widgets import dash_layout, panel_life

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_dashboard_of_the_sim_from_its_model_updates(make_bench, qtbot):
    bench = make_bench()
    win, ctx = bench.window, bench.ctx
    ticks = len(ctx.tick_callbacks)
    dock = win.open_panel("dashboard")
    dash = dock.widget()
    assert len(ctx.tick_callbacks) == ticks + 1  # one tick for the whole dashboard
    qtbot.waitUntil(lambda: dash.device == "sim" and bool(dash.frames), timeout=5000)
    assert dash.source.text() == "from model dtmi:twinbench:sim:MotorRig;1"
    temp = dash.frame("gauge", "temperature")
    assert temp is not None and temp.tile.unit == "°C" and temp.tile.semantic == "Temperature"
    qtbot.waitUntil(lambda: dash.scales.get("temperature") is not None, timeout=5000)
    assert dash.scales["temperature"] == ("model", 0.0, 120.0)
    assert (temp.view.lo, temp.view.hi) == (0.0, 120.0) and temp.scale.text() == "model range"
    vib = dash.frame("gauge", "vibration")  # the model gives no range: the observed one
    qtbot.waitUntil(lambda: dash.scales.get("vibration", ("",))[0] == "observed", timeout=5000)
    assert vib.view.hi > vib.view.lo
    att = dash.frame("attitude", "qw")
    assert att is not None and att.tile.channels == ("qw", "qx", "qy", "qz")
    gauges = {f.tile.channels[0] for f in dash.frames if f.tile.kind == "gauge"}
    assert gauges == {"temperature", "current", "rpm", "vibration", "voltage"}

    first = temp.view.value
    qtbot.waitUntil(
        lambda: math.isfinite(temp.view.value) and temp.view.value != first, timeout=5000
    )
    rpy = att.view.rpy
    qtbot.waitUntil(
        lambda: all(map(math.isfinite, att.view.rpy)) and att.view.rpy != rpy, timeout=5000
    )
    _, qw = bench.history.latest("sim", "qw")
    assert -180 <= att.view.rpy[2] <= 180 and abs(qw) <= 1.0
    assert temp.view.text.endswith("°C")
    assert not panel_life.active_timers(dash)  # no timer per tile (nor one for the panel)
    assert not [t for t in dash.findChildren(QTimer) if t.isActive()]

    assert dash.state() == {"device": "sim"}
    bench.control.connect("sim", {"rate": 100}, device_id="rig")
    dash.restore({"device": "rig"})
    qtbot.waitUntil(
        lambda: dash.device == "rig" and dash.frame("attitude", "qw") is not None, timeout=5000
    )
    assert dash.state() == {"device": "rig"}
    win.close_panel("panel:dashboard")
    assert len(ctx.tick_callbacks) == ticks  # released with the panel


def test_without_a_model_the_channels_decide(qtbot):
    from twinbench.history import DisplayHistory
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.dashboard import DashboardPanel

    names = ("ts", "lat", "lon", "qw", "qx", "qy", "qz", "pressure", "fault", "level", "battery")
    units = {"pressure": "kPa", "battery": "%"}
    rt = Runtime()
    rt.hub.declare(Device("gps", "x", tuple(Channel(n, units.get(n, "")) for n in names)))
    n = 200
    v = np.zeros((n, len(names)))
    v[:, 0] = 1.7e9 + np.arange(n)
    v[:, 1] = 52.0 + np.arange(n) * 1e-5
    v[:, 2] = 4.0 + np.arange(n) * 2e-5
    v[:, 3] = 1.0  # level
    v[:, 7] = np.linspace(99.0, 103.0, n)
    v[-1, 8] = 1.0  # the fault comes on
    v[:, 9] = np.sin(np.arange(n) / 10)
    v[:, 10] = np.linspace(80, 76, n)
    hist = DisplayHistory(seconds=600)
    hist.append([Chunk("gps", names, (1.7e18 + np.arange(n) * 1e7).astype(np.int64), v)])
    ctx = AppContext(rt, history=hist)
    dash = DashboardPanel(ctx)
    qtbot.addWidget(dash)
    dash.resize(900, 700)
    dash.show()
    dash.tick()
    kinds = {(f.tile.kind, f.tile.channels) for f in dash.frames}
    assert kinds == {
        ("track", ("lat", "lon")),
        ("attitude", ("qw", "qx", "qy", "qz")),
        ("gauge", ("pressure",)),
        ("led", ("fault",)),
        ("plot", ("level",)),
        ("bar", ("battery",)),
    }  # ts (time-like) left out
    assert dash.source.text() == "from its channels"
    track = dash.frame("track", "lat").view
    assert len(track.lat) == n and track.lat[-1] == pytest.approx(52.00199)
    assert dash.frame("led", "fault").view.value == 1.0
    assert dash.frame("attitude", "qw").view.rpy == (0.0, 0.0, 0.0)
    assert dash.scales["pressure"] == ("observed", 99.0, 103.0)
    bar = dash.frame("bar", "battery")
    assert bar.view.style == "bar" and bar.view.value == pytest.approx(76.0)
    assert dash.scales["battery"][0] == "observed" and bar.view.text == "76 %"
    assert dash.frame("plot", "level").view.text.startswith(f"{v[-1, 9]:.4g}"[:4])
    dash.grab()  # paints every tile without error


def test_plan_from_names_groups_them():
    groups = dash_layout.plan(None, ["latitude", "longitude", "alarm_hi", "x"], {"x": ""})
    assert [g.title for g in groups] == ["Position and orientation", "Indicators", "Trends"]
