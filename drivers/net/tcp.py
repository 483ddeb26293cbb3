"""The `tcp` driver: a TCP client reading a byte stream, reconnecting when the peer goes away."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, ClassVar

from twinbench.drivers.base import Setting
from twinbench.drivers.net.common import StreamDriver
from twinbench.drivers.serial.driver import pipeline_settings


class TcpDriver(StreamDriver):
    """A board or gateway streaming frames over TCP."""

    name = "tcp"
    description = "TCP client: frames over a socket, same framing/decoders as serial"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("device_id", "Device id", "str", "tcp"),
        Setting("host", "Host", "str", "127.0.0.1"),
        Setting("port", "Port", "int", 23, min=1, max=65535),
        Setting("timeout", "Connect timeout (s)", "float", 2.0, min=0.1, max=60),
        *pipeline_settings(),
    )

    def __init__(self, config: dict[str, Any], sink: Any) -> None:
        super().__init__(config, sink)
        self.sock: socket.socket | None = None

    def _connect(self) -> None:
        s = socket.create_connection((self.cfg["host"], self.cfg["port"]), self.cfg["timeout"])
        s.settimeout(0.05)
        self.sock = s

    def _read(self) -> bytes:
        s = self.sock
        if s is None:
            raise OSError("not connected")
        try:
            data = s.recv(1 << 16)
        except TimeoutError:
            return b""
        if not data:
            raise OSError("connection closed by peer")
        return data

    def _disconnect(self) -> None:
        s, self.sock = self.sock, None
        if s is not None:
            s.close()

    async def write(self, data: bytes) -> None:
        """Send bytes to the peer."""
        s = self.sock
        if s is None:
            raise ConnectionError(f"{self.address()} is not connected")
        await asyncio.get_running_loop().run_in_executor(None, s.sendall, data)
