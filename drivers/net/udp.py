"""The `udp` driver: a UDP listener (unicast or multicast); each datagram is decoded."""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any, ClassVar

from twinbench.decode.framing import EndFramer
from twinbench.drivers.base import Setting
from twinbench.drivers.net.common import StreamDriver
from twinbench.drivers.serial.driver import pipeline_settings


class UdpDriver(StreamDriver):
    """Frames arriving as UDP datagrams; a datagram without an end delimiter is one frame."""

    name = "udp"
    description = "UDP listener (unicast or multicast), same framing/decoders as serial"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("device_id", "Device id", "str", "udp"),
        Setting("host", "Listen address", "str", "0.0.0.0"),
        Setting("port", "Port", "int", 9000, min=0, max=65535),
        Setting("group", "Multicast group", "str", "", help="e.g. 239.1.2.3; empty: unicast"),
        Setting("remote_host", "Send to host", "str", "", help="for write(); default: last peer"),
        Setting("remote_port", "Send to port", "int", 0, min=0, max=65535),
        *pipeline_settings(),
    )

    def __init__(self, config: dict[str, Any], sink: Any) -> None:
        super().__init__(config, sink)
        self.sock: socket.socket | None = None
        self.peer: tuple[str, int] | None = None
        framer = self.decoder.framer
        self._end = (
            framer.end if isinstance(framer, EndFramer) and type(framer) is EndFramer else b""
        )

    @property
    def bound_port(self) -> int:
        """The local port actually bound (useful with port 0)."""
        return self.sock.getsockname()[1] if self.sock else 0

    def _connect(self) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        group = self.cfg["group"]
        s.bind(("" if group else self.cfg["host"], self.cfg["port"]))
        if group:
            iface = self.cfg["host"] if self.cfg["host"] != "0.0.0.0" else "0.0.0.0"
            mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(iface))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.settimeout(0.05)
        self.sock = s

    def _read(self) -> bytes:
        s = self.sock
        if s is None:
            raise OSError("not bound")
        try:
            data, self.peer = s.recvfrom(1 << 16)
        except TimeoutError:
            return b""
        if self._end and data and not data.endswith(self._end):
            data += self._end  # one datagram, one frame
        return data

    def _disconnect(self) -> None:
        s, self.sock = self.sock, None
        if s is not None:
            s.close()

    def address(self) -> str:
        """Listen address (and group)."""
        g = self.cfg["group"]
        return f"udp {g + ' ' if g else ''}{self.cfg['host']}:{self.cfg['port']}"

    async def write(self, data: bytes) -> None:
        """Send a datagram to the configured remote, or to the last peer heard."""
        s = self.sock
        dest = (
            (self.cfg["remote_host"], self.cfg["remote_port"])
            if self.cfg["remote_host"]
            else self.peer
        )
        if s is None or dest is None:
            raise ConnectionError("no UDP peer to send to")
        await asyncio.get_running_loop().run_in_executor(None, s.sendto, data, dest)
