"""One device's lifecycle in a running runtime: who feeds it, stop it alone, forget it."""

from __future__ import annotations

import time

import numpy as np

from twinbench.hub import Hub
from twinbench.model import Channel, Chunk, Device
from twinbench.runtime import Runtime


def test_a_chunk_with_undeclared_channels_widens_the_device():
    hub = Hub()
    hub.declare(Device("board", "serial", ()))  # a CSV board declares no channels up front
    t = np.arange(3, dtype=np.int64)
    hub.publish(Chunk("board", ("a", "b"), t, np.zeros((3, 2))))
    assert hub.devices["board"].device.channel_names == ("a", "b")
    hub.publish(Chunk("board", ("b", "c"), t + 3, np.ones((3, 2))))
    assert hub.devices["board"].device.channel_names == ("a", "b", "c")
    assert hub.devices["board"].channel_stats()["c"].count == 3


def test_declared_channels_keep_their_units_when_a_chunk_arrives():
    hub = Hub()
    hub.declare(Device("d", "x", (Channel("v", "V"),)))
    hub.publish(Chunk("d", ("v",), np.arange(2), np.zeros((2, 1))))
    assert hub.devices["d"].device.channels == (Channel("v", "V"),)


def test_hub_remove_forgets_the_device_and_state_carries_a_retry_time():
    hub = Hub()
    hub.declare(Device("d", "x"))
    hub.set_state("d", "disconnected", "port lost", retry_in=5)
    assert hub.devices["d"].retry_at > time.monotonic() + 4
    hub.set_state("d", "connected")
    assert hub.devices["d"].retry_at == 0
    assert hub.remove("d") and "d" not in hub.devices
    assert not hub.remove("d")


def test_removing_one_driver_leaves_the_others_streaming(wait_until):
    rt = Runtime()
    a = rt.add_driver("sim", {"device_id": "a", "rate": 200})
    b = rt.add_driver("sim", {"device_id": "b", "rate": 200, "devices": 2})
    rt.start()
    try:
        assert wait_until(lambda: {"a", "b-1", "b-2"} <= set(rt.hub.devices))
        assert rt.owner_of("a") is a and rt.owner_of("b-2") is b
        assert rt.devices_of(b) == {"b-1", "b-2"}
        rt.remove_driver(b).result(5)
        assert rt.drivers == [a]
        assert set(rt.hub.devices) == {"a"}
        n = rt.hub.devices["a"].samples
        assert wait_until(lambda: rt.hub.devices["a"].samples > n + 20)
        assert "b-1" not in rt.hub.devices  # nothing of b comes back
        rt.remove_driver(a, forget=False).result(5)
        assert rt.hub.devices["a"].state == "disconnected"
        assert rt.owner_of("a") is None
    finally:
        rt.stop()


def test_remove_driver_before_start_only_forgets():
    rt = Runtime()
    d = rt.add_driver("sim", {"device_id": "x"})
    assert rt.remove_driver(d) is None
    assert rt.drivers == []
