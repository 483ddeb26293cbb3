"""What the network byte drivers share: settings, pipeline set-up, the reader thread."""

from __future__ import annotations

import asyncio
from typing import Any

from twinbench.drivers.base import Device, Driver, SettingError, Sink
from twinbench.drivers.serial.driver import profile_device_id, section_with_cap
from twinbench.drivers.serial.reader import ByteStream
from twinbench.profiles.metadata import profile_channels, profile_groups


class StreamDriver(Driver):
    """Base of byte drivers that read on a thread through a ByteStream."""

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        self.cfg = self.parse_settings(config)
        from twinbench.decode.pipeline import PipelineError, make_pipeline

        try:
            self.section = section_with_cap(self.cfg)
            profile_device_id(config, self.cfg, self.section)
            self.decoder = make_pipeline(self.section, self.cfg["device_id"])
        except PipelineError as exc:
            raise SettingError(f"pipeline: {exc}") from None
        self.stream: ByteStream | None = None
        self._reconnects = 0

    def device(self) -> Device:
        """The device, with the profile's channels."""
        chans, groups = profile_channels(self.section), profile_groups(self.section)
        return Device(self.cfg["device_id"], self.name, chans, self.address(), groups=groups)

    def address(self) -> str:
        """Where the bytes come from, for display."""
        return f"{self.cfg['host']}:{self.cfg['port']}"

    def _connect(self) -> None:
        raise NotImplementedError

    def _read(self) -> bytes:
        raise NotImplementedError

    def _disconnect(self) -> None:
        raise NotImplementedError

    async def open(self) -> None:
        """Declare the device and start the reader thread."""
        dev = self.device()
        self.sink.declare(dev)
        self.stream = ByteStream(
            self.name, dev.id, self.sink, self.decoder, self._connect, self._read, self._disconnect
        )
        self.stream.start()

    async def close(self) -> None:
        """Stop the reader thread."""
        if self.stream is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.stream.stop)
            self._reconnects = self.stream.reconnects
            self.stream = None
        self.sink.status(self.cfg["device_id"], "disconnected", "closed")

    def loss(self) -> dict[str, int]:
        """The device's loss counters."""
        return self.decoder.loss()

    def counters(self) -> dict[str, dict[str, int]]:
        """Loss counters and reconnects, by device id (diagnostics, summaries, recordings)."""
        reconnects = self.stream.reconnects if self.stream is not None else self._reconnects
        return {self.cfg["device_id"]: {**self.decoder.loss(), "reconnects": reconnects}}
