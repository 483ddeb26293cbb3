import time
from types import SimpleNamespace

import numpy as np

from twinbench import diagnostics
from twinbench.diagnostics import Diagnostics
from twinbench.model import Chunk
from twinbench.runtime import Runtime


def _wait(cond, timeout=20.0):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.01)


def test_snapshot_reports_rates_latency_and_process_figures(monkeypatch):
    # the snapshot reads a fake clock, so the figures are exact whatever the machine's load
    clock = SimpleNamespace(t=1000.0, ns=2_000_000_000_000_000_000)
    monkeypatch.setattr(
        diagnostics, "time", SimpleNamespace(monotonic=lambda: clock.t, time_ns=lambda: clock.ns)
    )
    rt = Runtime()
    rt.add_driver("sim", {"rate": 1000})
    diag = Diagnostics(rt)
    rt.start()
    try:
        _wait(lambda: "sim" in rt.hub.devices and rt.hub.devices["sim"].samples > 0)
        first = diag.snapshot()["devices"]["sim"]
        _wait(lambda: rt.hub.devices["sim"].samples > first["samples"])
        rt.hub.publish_bytes("sim", b"x" * 100, time.time_ns())
    finally:
        rt.stop()
    st = rt.hub.devices["sim"]
    clock.t += 0.5
    clock.ns = st.last_t_ns + 250_000_000
    snap = diag.snapshot()
    d = snap["devices"]["sim"]
    assert first["state"] == "connected" and d["channels"] == 9
    assert first["samples_per_s"] == 0.0  # no earlier snapshot to measure from
    assert d["samples_per_s"] == (d["samples"] - first["samples"]) / 0.5 > 0
    assert d["chunks_per_s"] > 0 and d["chunks_per_s"] * 0.5 == int(d["chunks_per_s"] * 0.5)
    assert d["bytes"] == 100 and d["bytes_per_s"] == 200.0
    assert d["latency_ms"] == 250.0
    assert snap["process"]["rss_mb"] > 10 and snap["process"]["threads"] >= 1


def test_reconnects_are_counted_from_connection_events():
    rt = Runtime()
    diag = Diagnostics(rt)
    rt.hub.publish(Chunk("port", ("x",), np.arange(3), np.zeros(3)))
    for state in ("connected", "disconnected", "connected", "disconnected", "connected"):
        rt.sink.status("port", state)
    assert diag.snapshot()["devices"]["port"]["reconnects"] == 2


def test_rates_span_a_window_whatever_the_polling_pace(monkeypatch):
    from twinbench.model import Channel, Device

    clock = SimpleNamespace(t=100.0, ns=2_000_000_000_000_000_000)
    monkeypatch.setattr(
        diagnostics, "time", SimpleNamespace(monotonic=lambda: clock.t, time_ns=lambda: clock.ns)
    )
    rt = Runtime()
    rt.hub.declare(Device("d", "x", (Channel("a", "V"),)))
    diag = Diagnostics(rt)
    first = diag.snapshot()["devices"]["d"]
    assert first["rate_window_s"] == 0.0
    t = np.arange(1000, dtype=np.int64) * 1_000_000
    rt.hub.publish(Chunk("d", ("a",), t, np.zeros((1000, 1))))
    clock.t += 0.9
    diag.snapshot()  # another caller (an attachment, say) polls in between
    clock.t += 0.1
    d = diag.snapshot()["devices"]["d"]  # no new samples in the last 0.1 s, still 1 kHz
    assert d["samples_per_s"] == 1000.0 and d["rate_window_s"] == 1.0
    clock.t += 5.0  # older snapshots fall out of the window: nothing came, 0 is the truth
    diag.snapshot()
    clock.t += 1.0
    assert diag.snapshot()["devices"]["d"]["samples_per_s"] == 0.0
