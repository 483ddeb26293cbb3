"""The Dashboard of a serial board opened with a profile that declares groups, ranges and
thresholds (the shipped simboard-dashboard example, the simulated board on a real pty): the
declared widget kinds, in the declared groups, on the declared ranges and thresholds; the
Gauge and Bar panels take the same metadata."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twinbench.model import ChannelGroup
from twinbench.widgets import dash_layout

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

GREEN, AMBER, RED = "#5cb85c", "#f0ad4e", "#d9534f"


def test_dashboard_from_a_serial_profile_with_groups(make_bench, qtbot, pty_board):
    board = pty_board("csv", 200.0)
    bench = make_bench()
    win = bench.window
    bench.control.connect(
        "serial", {"port": board.path, "profile": "simboard-dashboard"}, device_id="board"
    )
    dash = win.open_panel("dashboard").widget()
    dash.restore({"device": "board"})
    qtbot.waitUntil(lambda: dash.device == "board" and bool(dash.frames), timeout=5000)
    assert dash.source.text() == "from its profile's groups"
    assert [g.title for g in dash.groups] == [
        "Motor",
        "Supply",
        "Status",
        "Readings",
        "Orientation",
        "Bearing",
    ]
    tiles = [(f.tile.kind, f.tile.channels) for f in dash.frames]
    assert tiles == [
        ("gauge", ("temperature",)),
        ("gauge", ("current",)),
        ("gauge", ("rpm",)),
        ("bar", ("voltage",)),
        ("led", ("temperature",)),
        ("led", ("voltage",)),
        ("table", ("temperature", "current", "rpm", "vibration", "voltage")),
        ("attitude", ("qw", "qx", "qy", "qz")),
        ("plot", ("vibration",)),
    ]  # seq (a counter) shows nowhere
    qtbot.waitUntil(lambda: len(dash.scales) == 4, timeout=5000)
    assert dash.scales == {
        "temperature": ("profile", 0.0, 80.0),
        "current": ("profile", 0.0, 12.0),
        "rpm": ("profile", 0.0, 4000.0),
        "voltage": ("profile", 20.0, 26.0),
    }
    temp = dash.frame("gauge", "temperature")
    v = temp.view
    assert (v.lo, v.hi, v.warn, v.alarm) == (0.0, 80.0, 45.0, 60.0)
    assert v.warn_low == v.alarm_low == -math.inf and temp.scale.text() == "profile range"
    rpm = dash.frame("gauge", "rpm").view
    assert rpm.warn == math.inf and rpm.alarm == 3500.0  # no warning declared: none drawn
    volts = dash.frame("bar", "voltage").view
    assert (volts.warn_low, volts.warn, volts.alarm_low, volts.alarm) == (22.5, 25.0, 21.5, 25.5)
    led = dash.frame("led", "voltage").view  # an LED with thresholds: they decide its colour
    assert (led.lo, led.hi, led.warn_low) == (20.0, 26.0, 22.5)
    qtbot.waitUntil(lambda: math.isfinite(led.value), timeout=5000)
    assert 22.5 < led.value < 25.0 and led.colour().name() == GREEN
    led.value = 22.0
    assert led.colour().name() == AMBER
    led.value = 21.0
    assert led.colour().name() == RED
    assert v.text.endswith("degC") and 0 < v.fraction() < 1

    gauge = win.open_panel("gauge").widget()  # the Gauge panel: the same range and thresholds
    gauge.max_hz = 1e9
    gauge.select("board", "temperature")
    qtbot.waitUntil(lambda: gauge.scale_source == "profile", timeout=5000)
    assert {k: b.value() for k, b in gauge.boxes.items()} == {
        "lo": 0.0,
        "hi": 80.0,
        "warn": 45.0,
        "alarm": 60.0,
    }
    assert not gauge.auto_scale  # a declared range does not move
    gauge.select("board", "rpm")
    qtbot.waitUntil(lambda: gauge.boxes["hi"].value() == 4000.0, timeout=5000)
    assert gauge.boxes["warn"].text() == "off" and gauge.dial.warn == math.inf
    bar = win.open_panel("bar").widget()
    bar.max_hz = 1e9
    bar.select("board", "voltage")
    qtbot.waitUntil(lambda: bar.scale_source == "profile", timeout=5000)
    assert (bar.dial.lo, bar.dial.hi, bar.dial.warn_low, bar.dial.alarm_low) == (
        20.0,
        26.0,
        22.5,
        21.5,
    )
    table = dash.frame("table", "rpm").view
    assert [n for n, _ in table.rows()] == ["temperature", "current", "rpm", "vibration", "voltage"]
    assert table.rows()[2][1].endswith(" rpm") and table.values[2] > 0
    dash.grab()  # paints every tile


def test_plan_puts_declared_groups_first_and_the_rest_after():
    groups = (
        ChannelGroup("Engine", ("oil", "rpm"), "bar"),
        ChannelGroup("Auto", ("fault", "speed"), ""),  # kinds by name and unit
        ChannelGroup("Where", ("gps_lat", "gps_lon"), "track"),
    )
    channels = ["time", "oil", "rpm", "fault", "speed", "gps_lat", "gps_lon", "extra", "press"]
    units = {"speed": "km/h", "press": "kPa"}
    plan = dash_layout.plan(None, channels, units, groups)
    assert [(g.title, [(t.kind, t.channels) for t in g.tiles]) for g in plan] == [
        ("Engine", [("bar", ("oil",)), ("bar", ("rpm",))]),
        ("Auto", [("led", ("fault",)), ("gauge", ("speed",))]),
        ("Where", [("track", ("gps_lat", "gps_lon"))]),
        ("Other channels: gauges", [("gauge", ("press",))]),
        ("Other channels: trends", [("plot", ("extra",))]),
    ]


def test_compass_and_table_tiles_from_declared_groups(qtbot):
    from twinbench.history import DisplayHistory
    from twinbench.model import Channel, Chunk, Device
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.dash_widgets import compass_point
    from twinbench.widgets.dashboard import DashboardPanel
    from twinbench.widgets.legibility import audit
    from twinbench.widgets.theme import apply_theme

    names = ("heading", "depth", "salinity")
    groups = (
        ChannelGroup("Heading", ("heading",), "compass"),
        ChannelGroup("Water", ("depth", "salinity"), "table"),
    )
    rt = Runtime()
    chans = (Channel("heading", "deg"), Channel("depth", "m"), Channel("salinity", "PSU"))
    rt.hub.declare(Device("boat", "x", chans, groups=groups))
    hist = DisplayHistory(seconds=600)
    v = np.column_stack([np.linspace(300, 412.5, 50), np.full(50, 12.25), np.full(50, 35.0)])
    hist.append([Chunk("boat", names, (1.7e18 + np.arange(50) * 1e7).astype(np.int64), v)])
    dash = DashboardPanel(AppContext(rt, history=hist))
    qtbot.addWidget(dash)
    dash.resize(900, 600)
    dash.show()
    dash.tick()
    assert [(f.tile.kind, f.tile.channels) for f in dash.frames] == [
        ("compass", ("heading",)),
        ("table", ("depth", "salinity")),
    ]
    assert dash.frame("compass", "heading").view.heading == 412.5
    assert dash.frame("table", "depth").view.rows() == [
        ("depth", "12.25 m"),
        ("salinity", "35 PSU"),
    ]
    assert [compass_point(d) for d in (0, 44, 46, 180, 412.5, -90)] == [
        "N",
        "NE",
        "NE",
        "S",
        "NE",
        "W",
    ]
    dash.grab()  # paints the rose, its needle and the rows
    for theme in ("dark", "light"):  # legible in both themes
        apply_theme(theme)
        pairs = [p for p in audit(dash) if p.what.startswith(("compass", "table", "shaded"))]
        assert len(pairs) == 3 and all(p.ok for p in pairs), [str(p) for p in pairs]
