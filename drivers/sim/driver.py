"""The `sim` driver: one or more simulated motor rigs streaming in real time."""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import numpy as np

from twinbench.drivers.base import Chunk, Device, Driver, Setting, Sink, stop_task
from twinbench.drivers.sim.faults import FAULT_KINDS, parse_faults
from twinbench.drivers.sim.model import BASE_CHANNELS, RigModel, channels
from twinbench.drivers.sim.twin import RigTwin


class SimDriver(Driver):
    """A motor test rig: temperature, current, rpm, vibration, voltage and IMU orientation."""

    name = "sim"
    description = "simulated motor test rig (no hardware needed)"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("device_id", "Device id", "str", "sim"),
        Setting("rate", "Sample rate (Hz)", "float", 1000.0, min=1, max=10_000),
        Setting("channels", "Channels", "int", len(BASE_CHANNELS), min=len(BASE_CHANNELS), max=64),
        Setting("devices", "Simulated devices", "int", 1, min=1, max=32),
        Setting("seed", "Random seed", "int", 1),
        Setting(
            "faults",
            "Fault schedule",
            "str",
            "",
            help="kind@start[+duration] in seconds, comma separated; kinds: "
            + ", ".join(FAULT_KINDS),
        ),
        Setting("block_ms", "Block period (ms)", "int", 20, min=1, max=1000),
        Setting("realtime", "Pace to the wall clock", "bool", True),
    )

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        cfg = self.parse_settings(config)
        self.rate: float = cfg["rate"]
        self.block_s: float = cfg["block_ms"] / 1000.0
        self.realtime: bool = cfg["realtime"]
        faults = parse_faults(cfg["faults"])
        n = cfg["devices"]
        base = cfg["device_id"]
        chans = channels(cfg["channels"])
        self.devices = [
            Device(base if n == 1 else f"{base}-{i + 1}", self.name, chans, "simulated motor rig")
            for i in range(n)
        ]
        self.models = [
            RigModel(self.rate, cfg["seed"] + 7919 * i, len(chans), faults) for i in range(n)
        ]
        self.names = tuple(c.name for c in chans)
        self.twins = {
            dev.id: RigTwin(dev.id, model, i)
            for i, (dev, model) in enumerate(zip(self.devices, self.models, strict=True))
        }
        self._task: asyncio.Task[None] | None = None
        self.produced = 0

    async def open(self) -> None:
        """Declare the devices and start the streaming task."""
        for dev in self.devices:
            self.sink.declare(dev)
            self.sink.status(dev.id, "connected")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sim")

    async def close(self) -> None:
        """Stop streaming."""
        await stop_task(self._task)
        self._task = None
        for dev in self.devices:
            self.sink.status(dev.id, "disconnected")

    async def command(self, device_id: str, name: str, payload: Any = None) -> Any:
        """Twin traffic and device commands: `twin.desired`, `twin.get`, `reboot`, `selfTest`."""
        rig = self.twins.get(device_id)
        if rig is None:
            raise KeyError(f"sim has no device {device_id!r}")
        if name == "twin.desired":
            return rig.apply_desired(dict(payload or {}))
        if name == "twin.get":
            return dict(rig.reported)
        return await rig.command(name, payload)

    def _emit(self, i0: int, n: int, start_ns: int) -> None:
        period_ns = 1e9 / self.rate
        for dev, model in zip(self.devices, self.models, strict=True):
            idx, values = model.block(i0, n)
            if idx.size:
                t_ns = start_ns + np.round(idx * period_ns).astype(np.int64)
                self.sink.push(Chunk(dev.id, self.names, t_ns, values))

    async def _run(self) -> None:
        start_ns = time.time_ns()
        mono0 = time.monotonic()
        i = 0
        max_block = max(1, int(self.rate * 1.0))
        while True:
            if self.realtime:
                due = int((time.monotonic() - mono0) * self.rate) + 1
                n = min(due - i, max_block)
                if n > 0:
                    self._emit(i, n, start_ns)
                    i += n
                    self.produced = i
                await asyncio.sleep(self.block_s)
            else:
                n = max(1, int(self.rate * self.block_s))
                self._emit(i, n, start_ns)
                i += n
                self.produced = i
                await asyncio.sleep(0)
