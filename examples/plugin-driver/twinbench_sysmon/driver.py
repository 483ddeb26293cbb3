"""A driver for a 'sensor' every laptop has: its own CPU load, memory use and temperatures.

It imports nothing from TwinBench but the public plugin API, `twinbench.drivers`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import numpy as np
import psutil

from twinbench.drivers import Channel, Chunk, Device, Driver, Setting, Sink, stop_task


class SysMonDriver(Driver):
    """Samples CPU load (total and per core), memory use and, where exposed, temperatures."""

    name = "sysmon"
    description = "this computer's CPU load, memory and temperatures (example plugin)"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("device_id", "Device id", "str", "host"),
        Setting("rate", "Sample rate (Hz)", "float", 10.0, min=0.5, max=100.0),
        Setting("per_core", "One channel per CPU core", "bool", False),
    )

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        cfg = self.parse_settings(config)
        self.period = 1.0 / cfg["rate"]
        self.per_core = cfg["per_core"]
        chans = [
            Channel("cpu", "%", description="total CPU load"),
            Channel("memory", "%", description="memory in use"),
        ]
        if self.per_core:
            chans += [Channel(f"cpu{i}", "%") for i in range(psutil.cpu_count() or 1)]
        self.sensors = sorted(self._temperatures())
        chans += [Channel(f"temp_{n}", "degC", description="hardware sensor") for n in self.sensors]
        self.device = Device(cfg["device_id"], self.name, tuple(chans), "host computer")
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def _temperatures() -> dict[str, float]:
        read = getattr(psutil, "sensors_temperatures", None)
        if read is None:
            return {}
        out = {}
        for chip, entries in (read() or {}).items():
            for i, e in enumerate(entries):
                out[f"{chip}{i}".replace(" ", "_")] = float(e.current)
        return out

    def sample(self) -> np.ndarray:
        """One row of current readings, in channel order."""
        row = [psutil.cpu_percent(), psutil.virtual_memory().percent]
        if self.per_core:
            row += psutil.cpu_percent(percpu=True)
        temps = self._temperatures()
        row += [temps.get(n, float("nan")) for n in self.sensors]
        return np.asarray(row, dtype=np.float64)

    async def open(self) -> None:
        """Declare the host device and start sampling."""
        psutil.cpu_percent(percpu=self.per_core)  # prime the CPU counters
        self.sink.declare(self.device)
        self.sink.status(self.device.id, "connected")
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Stop sampling."""
        await stop_task(self._task)
        self.sink.status(self.device.id, "disconnected")

    async def _run(self) -> None:
        names = self.device.channel_names
        while True:
            await asyncio.sleep(self.period)
            t = np.array([time.time_ns()], dtype=np.int64)
            self.sink.push(Chunk(self.device.id, names, t, self.sample()[None, :]))
