"""The emulated peripherals' model: GATT tables built from specs, and value generators.

A spec is a dict: ``address``, ``name`` (optional: unnamed devices advertise none), ``rssi``,
``uuids`` (advertised services), ``manufacturer`` ({company id: hex}), ``service_data``
({uuid: hex}), ``rate_hz`` (notifications per second per notifying characteristic) and
``services``: [{``uuid``, ``chars``: [{``uuid``, ``flags``, ``value`` (hex), ``gen`` (one of
GENERATORS), ``descriptors``}]}]. See :mod:`twinbench.ble.privatebus` for ready-made ones.
"""

from __future__ import annotations

import asyncio
import math
import struct
import time
from dataclasses import dataclass, field
from typing import Any

BASE_UUID = "-0000-1000-8000-00805f9b34fb"


def full_uuid(u: str) -> str:
    """Expand a 16-bit SIG short UUID ("2a37") to its 128-bit form; pass 128-bit ones through."""
    u = u.lower()
    return f"0000{u}{BASE_UUID}" if len(u) == 4 else u


def _gen_hr(i: int, t_mono_ns: int) -> bytes:
    """Heart Rate Measurement: uint8 bpm, contact detected, one RR interval."""
    bpm = 60 + int(20 * (1 + math.sin(i / 50.0)))
    return struct.pack("<BBH", 0x16, bpm, int(60 / bpm * 1024))


def _gen_battery(i: int, t_mono_ns: int) -> bytes:
    """Battery Level: a percentage slowly draining."""
    return bytes([max(0, 100 - (i // 100) % 101)])


def _gen_sensor(i: int, t_mono_ns: int) -> bytes:
    """Custom binary sensor: <Q send time (monotonic ns), I sequence, h temp*100, H humidity*100."""
    temp = int(2150 + 100 * math.sin(i / 20.0))
    return struct.pack("<QIhH", t_mono_ns, i & 0xFFFFFFFF, temp, 4500 + (i % 100))


def _gen_temp(i: int, t_mono_ns: int) -> bytes:
    """Temperature 0x2A6E: sint16 in 0.01 degC."""
    return struct.pack("<h", int(2000 + 50 * math.sin(i / 30.0)))


GENERATORS = {
    "hr": _gen_hr,
    "battery": _gen_battery,
    "sensor": _gen_sensor,
    "temp": _gen_temp,
}


@dataclass
class Char:
    """One characteristic of an emulated peripheral."""

    path: str
    uuid: str
    service: str
    flags: list[str]
    value: bytes = b""
    gen: str = ""
    notifying: bool = False
    descriptors: list[tuple[str, str, bytes]] = field(default_factory=list)  # path, uuid, value


@dataclass
class Peripheral:
    """An emulated BLE peripheral: advertising data, GATT table and link state."""

    path: str
    spec: dict[str, Any]
    services: list[tuple[str, str]] = field(default_factory=list)  # path, uuid
    chars: dict[str, Char] = field(default_factory=dict)  # path -> Char
    connected: bool = False
    known: bool = True  # BlueZ has a Device1 object for it (False: forgotten, not seen since)
    away_until: float = 0.0
    refuse: bool = False
    stall_s: float = 0.0  # Connect answers only after this long (an unresponsive device)
    rate_hz: float = 0.0
    seq: int = 0
    sent: int = 0
    connects: int = 0
    task: asyncio.Task[None] | None = None

    @property
    def present(self) -> bool:
        """In range and advertising (not away after a dropped link)."""
        return time.monotonic() >= self.away_until


def build_peripheral(spec: dict[str, Any], adapter: str) -> Peripheral:
    """A peripheral and its GATT table from a spec; handles are numbered in declaration order."""
    addr = spec["address"].upper()
    spec["address"] = addr
    path = f"{adapter}/dev_{addr.replace(':', '_')}"
    p = Peripheral(path, spec, rate_hz=float(spec.get("rate_hz", 0.0)))
    handle = 0x0A
    for svc in spec.get("services", []):
        spath = f"{path}/service{handle:04x}"
        p.services.append((spath, full_uuid(svc["uuid"])))
        handle += 1
        for ch in svc.get("chars", []):
            cpath = f"{spath}/char{handle:04x}"
            handle += 1
            c = Char(cpath, full_uuid(ch["uuid"]), spath, list(ch.get("flags", ["read"])))
            c.value = bytes.fromhex(ch.get("value", ""))
            c.gen = ch.get("gen", "")
            if "notify" in c.flags or "indicate" in c.flags:
                c.descriptors.append((f"{cpath}/desc{handle:04x}", full_uuid("2902"), b"\0\0"))
                handle += 1
            for d in ch.get("descriptors", []):
                dval = bytes.fromhex(d.get("value", ""))
                c.descriptors.append((f"{cpath}/desc{handle:04x}", full_uuid(d["uuid"]), dval))
                handle += 1
            p.chars[cpath] = c
    return p
