"""The example plugin's own tests: it is found through the entry point and streams."""

import asyncio

import numpy as np
from twinbench_sysmon.driver import SysMonDriver

from twinbench.registry import driver_names, load_driver


class ListSink:
    def __init__(self):
        self.devices, self.chunks, self.states = [], [], []

    def declare(self, device):
        self.devices.append(device)

    def push(self, chunk):
        self.chunks.append(chunk)

    def push_bytes(self, device_id, data, t_ns):
        raise AssertionError("sysmon is not a byte transport")

    def status(self, device_id, state, message=""):
        self.states.append(state)


def test_registered_through_the_entry_point():
    assert "sysmon" in driver_names()
    assert load_driver("sysmon") is SysMonDriver


def test_streams_cpu_and_memory():
    sink = ListSink()
    drv = SysMonDriver({"rate": "50", "per_core": "true"}, sink)

    async def go():
        await drv.open()
        await asyncio.sleep(0.3)
        await drv.close()

    asyncio.run(go())
    assert sink.states == ["connected", "disconnected"]
    assert len(sink.chunks) >= 3
    c = sink.chunks[-1]
    assert c.channels[:2] == ("cpu", "memory") and "cpu0" in c.channels
    assert 0 <= c.values[0, 1] <= 100 and np.isfinite(c.values[0, :2]).all()
