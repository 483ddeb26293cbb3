"""Analysis panels compute from what the hub publishes (values checked, not pixels)."""

import numpy as np
import pandas as pd

from twinbench.model import Channel, Chunk, Device
from twinbench.widgets.panels import all_panels


def tick(ctx, n=1):
    for _ in range(n):
        for cb in list(ctx.tick_callbacks):
            cb()


def publish_csv(hub, path, device="pj"):
    df = pd.read_csv(path)
    t = (df["time"].to_numpy() * 1e9).astype(np.int64) + 1_700_000_000_000_000_000
    hub.declare(Device(device, "csv", (Channel("data", "V"),)))
    for i in range(0, len(df), 250):  # arrives in several chunks
        hub.publish(Chunk(device, ("data",), t[i : i + 250], df["data"].to_numpy()[i : i + 250]))


def test_fft_panel_finds_the_plotjuggler_peaks(qtbot, ctx, fixtures_dir):
    from twinbench.widgets.spectrum_panels import SpectrumPanel

    panel = SpectrumPanel(ctx)
    qtbot.addWidget(panel)
    ctx.runtime.hub.declare(Device("pj", "csv", (Channel("data", "V"),)))
    panel.select("pj", "data")
    # 2000 samples: the largest power-of-two size is 1024, off-bin for these tones, so the flat-top
    # window (amplitude-true within ~0.1 dB between bins) reads the amplitudes
    panel.apply_workspace_config(
        {"device": "pj", "channels": ["data"], "size": 1024, "window": "flattop"}
    )
    publish_csv(ctx.runtime.hub, fixtures_dir / "plotjuggler" / "simple_fft.csv")
    panel.max_hz = 1e9
    qtbot.waitUntil(lambda: tick(ctx) or panel.spectrum is not None)  # FFT on the worker thread
    spec = panel.spectrum
    assert spec is not None
    peaks = sorted(spec.peaks(3))
    assert [round(f) for f, _ in peaks] == [40, 90, 120]
    np.testing.assert_allclose([a for _, a in peaks], [10, 5, 2.5], rtol=0.03)
    assert "peaks" in panel.readout.text() and " V" in panel.readout.text()
    assert panel.workspace_config()["size"] == 1024


def test_every_panel_opens_and_updates_on_the_simulator(qtbot, ctx):
    rt = ctx.runtime
    rt.add_driver("sim", {"rate": 1000, "block_ms": 5})
    specs = {s.id: s for s in all_panels()}
    ids = [
        "spectrum",
        "spectrogram",
        "xy",
        "histogram",
        "gauge",
        "bar",
        "led",
        "table",
        "diagnostics",
    ]
    assert set(ids) <= set(specs)
    widgets = {}
    for pid in ids:
        w = specs[pid].factory(ctx)
        qtbot.addWidget(w)
        w.resize(400, 300)
        w.show()
        widgets[pid] = w
    rt.start()
    try:
        widgets["spectrum"].size_box.setCurrentText("256")
        widgets["spectrogram"].size_box.setCurrentText("256")
        for _ in range(40):
            qtbot.wait(25)
            tick(ctx)
    finally:
        rt.stop()
    assert widgets["spectrum"].spectrum is not None
    assert widgets["histogram"].counts.sum() > 100
    assert np.isfinite(widgets["gauge"].dial.value)
    assert widgets["gauge"].dial.text.endswith("degC")  # first channel: temperature
    assert widgets["table"].table.rowCount() == 9
    assert "sim" in widgets["diagnostics"].last["devices"]
    xy = widgets["xy"]
    assert xy.workspace_config()["channels"] == ["temperature", "current"]
    for w in widgets.values():
        w.close()
    assert not any(s.name.startswith("tap:") for s in rt.hub.subscriptions)


def test_led_colour_follows_thresholds(qtbot, ctx):
    from twinbench.widgets.value_panels import LedPanel

    p = LedPanel(ctx)
    qtbot.addWidget(p)
    p.apply_workspace_config({"warn": 10, "alarm": 20})
    for value, colour in ((5, "#5cb85c"), (15, "#f0ad4e"), (25, "#d9534f"), (np.nan, "#888888")):
        p.dial.value = value
        assert p.dial.colour().name() == colour


def test_xy_panel_takes_dropped_channels(qtbot, ctx):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDropEvent

    from twinbench.model import Channel, Device
    from twinbench.widgets.channel_mime import channels_mime
    from twinbench.widgets.xy_hist_panels import XYPanel

    rt = ctx.runtime
    for dev in ("rig", "arm"):
        rt.hub.declare(Device(dev, "x", tuple(Channel(c) for c in ("a", "b", "c", "d"))))
    xy = XYPanel(ctx)
    qtbot.addWidget(xy)
    xy.resize(500, 400)
    xy.show()
    xy.select("rig", "a", "b")
    qtbot.waitUntil(lambda: xy.workspace_config()["channels"] == ["a", "b"])

    def drop(keys, where):
        mime = channels_mime(keys)  # kept alive: the event only points to it
        ev = QDropEvent(
            QPointF(where),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        xy.dropEvent(ev)
        return ev

    item = xy.plot.getPlotItem()

    def over(axis):  # the panel point at the middle of an axis
        view = xy.plot
        c = item.getAxis(axis).sceneBoundingRect().center()
        return xy.mapFromGlobal(view.viewport().mapToGlobal(view.mapFromScene(c)))

    middle = xy.mapFromGlobal(xy.plot.mapToGlobal(xy.plot.rect().center()))
    assert xy.axis_at(over("left")) == "y" and xy.axis_at(over("bottom")) == "x"
    assert xy.axis_at(middle) is None
    assert drop([("rig", "c")], middle).isAccepted()  # first drop in the middle: X
    assert xy.workspace_config()["channels"] == ["c", "b"]
    drop([("rig", "d")], middle)  # second: Y
    assert xy.workspace_config()["channels"] == ["c", "d"]
    drop([("rig", "a")], over("left"))  # onto the left axis: Y, whatever came before
    assert xy.workspace_config()["channels"] == ["c", "a"]
    assert xy.plot.getPlotItem().getAxis("left").labelText == "a"
    drop([("arm", "b"), ("arm", "d")], middle)  # two at once, of another device: X and Y
    cfg = xy.workspace_config()
    assert cfg["device"] == "arm" and cfg["channels"] == ["b", "d"]
    assert not drop([("arm", "nope")], middle).isAccepted()  # unknown: nothing changes
    assert xy.workspace_config()["channels"] == ["b", "d"]
    xy.close()
