import time

from twinbench.diagnostics import Diagnostics
from twinbench.runtime import Runtime


def test_snapshot_reports_rates_latency_and_process_figures():
    rt = Runtime()
    rt.add_driver("sim", {"rate": 1000})
    diag = Diagnostics(rt)
    rt.start()
    try:
        diag.snapshot()
        time.sleep(0.5)
        rt.hub.publish_bytes("sim", b"x" * 100, time.time_ns())
        snap = diag.snapshot()
    finally:
        rt.stop()
    d = snap["devices"]["sim"]
    assert d["state"] == "connected" and d["channels"] == 9
    assert 300 < d["samples_per_s"] < 3000
    assert d["chunks_per_s"] > 5
    assert d["bytes"] == 100 and d["bytes_per_s"] > 0
    assert 0 <= d["latency_ms"] < 1000
    assert snap["process"]["rss_mb"] > 10 and snap["process"]["threads"] >= 1
