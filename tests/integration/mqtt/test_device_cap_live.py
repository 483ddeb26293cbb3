"""The device cap on a real broker: refusals counted once, in driver stats, events, diagnostics."""

from __future__ import annotations

from twinbench.diagnostics import Diagnostics


def test_cap_refuses_devices_and_diagnostics_show_it(broker, mq):
    from tests.integration.mqtt.conftest import publish_many

    rt, col = mq.start({"port": broker.port, "pattern": "lab/{device}/t", "max_devices": 2,
                        "qos": 1})  # fmt: skip
    try:
        publish_many(broker.port, [(f"lab/d{i}/t", b"1") for i in range(5)] * 2)
        drv = rt.drivers[0]
        assert mq.wait_for(lambda: drv.received == 10)
        snap = Diagnostics(rt).snapshot()
    finally:
        rt.stop()
    assert len(col.devices()) == 2 and len(rt.hub.devices) == 2
    st = drv.stats()
    assert (st["devices"], st["refused_devices"], st["refused_samples"]) == (2, 3, 6)
    assert snap["refused"] == {drv.device_id: {"cap": 2, "devices": 3, "samples": 6}}
    capped = [e for e in rt.events.recent if "device cap 2 reached" in e.message]
    assert len(capped) == 1
