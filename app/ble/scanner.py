"""The BLE scanner: every advertising device, named or not, kept up to date live, with filters."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from twinbench.ble import watch
from twinbench.ble.sig import normalize_uuid, uuid_label

STOP_TIMEOUT_S = 2.0  # bleak's stop waits forever on a bus that bluetoothd's exit left dead


@dataclass
class ScanEntry:
    """What one device advertised, last seen at `last_seen` (monotonic seconds)."""

    address: str
    name: str = ""
    rssi: int = -127
    tx_power: int | None = None
    service_uuids: tuple[str, ...] = ()
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    service_data: dict[str, bytes] = field(default_factory=dict)
    first_seen: float = 0.0
    last_seen: float = 0.0
    adverts: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (bytes as hex)."""
        return {
            "address": self.address,
            "name": self.name,
            "rssi": self.rssi,
            "tx_power": self.tx_power,
            "service_uuids": list(self.service_uuids),
            "manufacturer_data": {f"0x{k:04X}": v.hex() for k, v in self.manufacturer_data.items()},
            "service_data": {k: v.hex() for k, v in self.service_data.items()},
            "adverts": self.adverts,
        }

    def describe(self) -> str:
        """One line for the terminal."""
        bits = [f"{self.address}  {self.rssi:>4} dBm  {self.name or '(no name)'}"]
        if self.service_uuids:
            bits.append("services: " + ", ".join(uuid_label(u) for u in self.service_uuids))
        if self.manufacturer_data:
            bits.append(
                "mfr: "
                + ", ".join(f"0x{k:04X}={v.hex()}" for k, v in self.manufacturer_data.items())
            )
        if self.service_data:
            bits.append(
                "svc data: "
                + ", ".join(f"{uuid_label(k)}={v.hex()}" for k, v in self.service_data.items())
            )
        return "  |  ".join(bits)


@dataclass(frozen=True)
class ScanFilter:
    """Which devices to show: a name pattern (glob or substring), a service UUID, a minimum RSSI."""

    name: str = ""
    service: str = ""
    rssi_min: int | None = None

    def __post_init__(self) -> None:
        if self.service:
            object.__setattr__(self, "service", normalize_uuid(self.service))

    def matches(self, e: ScanEntry) -> bool:
        """Whether an entry passes every filter that is set."""
        if self.rssi_min is not None and e.rssi < self.rssi_min:
            return False
        if (
            self.service
            and self.service not in e.service_uuids
            and self.service not in e.service_data
        ):
            return False
        if self.name:
            pat = self.name.lower()
            name = e.name.lower()
            if not (fnmatch.fnmatchcase(name, pat) or (not _is_glob(pat) and pat in name)):
                return False
        return True


def _is_glob(pat: str) -> bool:
    return any(c in pat for c in "*?[")


class Scanner:
    """Runs bleak's scanner on the I/O loop and keeps a thread-safe table of what advertised.

    Like a phone's scanner, it keeps scanning across Bluetooth going away: when bluetoothd
    stops or the adapter is powered off or pulled out, `error` says so, and the scan starts
    again by itself once BlueZ and an adapter are back (events from :mod:`twinbench.ble.watch`).
    """

    def __init__(self, adapter: str = "") -> None:
        self.adapter = adapter
        self._entries: dict[str, ScanEntry] = {}
        self._devices: dict[str, Any] = {}  # address -> bleak BLEDevice, for connecting
        self._lock = threading.Lock()
        self._scanner: Any = None
        self._switch_lock: asyncio.Lock | None = None
        self.listeners: list[Callable[[ScanEntry], None]] = []
        self.error = ""  # why scanning is interrupted ("" while it runs)
        self._resume: asyncio.Task[None] | None = None
        self._bluez_lost = False

    def _on_advert(self, device: Any, adv: Any) -> None:
        now = time.monotonic()
        addr = device.address.upper()
        with self._lock:
            e = self._entries.get(addr)
            if e is None:
                e = self._entries[addr] = ScanEntry(addr, first_seen=now)
            e.name = adv.local_name or device.name or e.name
            e.rssi = int(adv.rssi)
            e.tx_power = adv.tx_power
            e.service_uuids = tuple(u.lower() for u in adv.service_uuids)
            e.manufacturer_data = {int(k): bytes(v) for k, v in adv.manufacturer_data.items()}
            e.service_data = {k.lower(): bytes(v) for k, v in adv.service_data.items()}
            e.last_seen = now
            e.adverts += 1
            self._devices[addr] = device
        for cb in self.listeners:
            cb(e)

    async def start(self) -> None:
        """Start scanning (on the running loop)."""
        from twinbench.ble import bleakbus

        async with self._switch():  # a stop asked for while starting waits for the start
            if self._scanner is not None:
                return
            scanner = self._bleak_scanner()
            await watch.subscribe(self._on_bluez)  # listening before the first advert
            bleakbus.acquire()
            try:
                await scanner.start()
            except BaseException:
                await watch.unsubscribe(self._on_bluez)
                await bleakbus.release()
                raise
            self._scanner = scanner
            self.error = ""

    def _bleak_scanner(self) -> Any:
        from bleak import BleakScanner

        kw: dict[str, Any] = {"bluez": {"adapter": self.adapter}} if self.adapter else {}
        return BleakScanner(self._on_advert, **kw)

    def _on_bluez(self, event: str, path: str) -> None:
        """Bluetooth went away (say so) or came back (scan again)."""
        if event in ("bluez-lost", "adapter-removed", "adapter-off"):
            self.error = "Bluetooth went away; scanning resumes when it is back"
            self._bluez_lost = self._bluez_lost or event == "bluez-lost"
        elif (
            event in ("bluez-back", "adapter-added", "adapter-on")
            and self._scanner is not None
            and (self._resume is None or self._resume.done())
        ):
            self._resume = asyncio.get_running_loop().create_task(self._restart())

    async def _restart(self) -> None:
        """Replace bleak's scanner with a new one on whatever BlueZ and adapter are there now."""
        from twinbench.ble.ops import explain

        async with self._switch():
            if self._scanner is None:  # stopped meanwhile
                return
            # bleak's stop drops its callbacks at once, then asks BlueZ; after bluetoothd died
            # that question goes to a dead bus and is never answered
            wait = 0.05 if self._bluez_lost else STOP_TIMEOUT_S
            self._bluez_lost = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._scanner.stop(), wait)
            scanner = self._bleak_scanner()
            try:
                await scanner.start()
            except Exception as exc:  # not back yet: the next event tries again
                self.error = f"{explain(exc)}; scanning resumes when it is back"
                return
            self._scanner = scanner
            self.error = ""

    async def stop(self) -> None:
        """Stop scanning."""
        if self._resume is not None:
            self._resume.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._resume
            self._resume = None
        async with self._switch():
            if self._scanner is not None:
                from twinbench.ble import bleakbus

                scanner, self._scanner = self._scanner, None
                await watch.unsubscribe(self._on_bluez)
                try:
                    await asyncio.wait_for(
                        scanner.stop(), 0.05 if self._bluez_lost else STOP_TIMEOUT_S
                    )
                except Exception:
                    if not self.error:  # a scan Bluetooth took away cannot be stopped cleanly
                        raise
                finally:
                    self.error, self._bluez_lost = "", False
                    await bleakbus.release()

    def _switch(self) -> asyncio.Lock:
        if self._switch_lock is None:
            self._switch_lock = asyncio.Lock()
        return self._switch_lock

    @property
    def running(self) -> bool:
        """Whether a scan is in progress."""
        return self._scanner is not None

    async def scan(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Scan for `seconds`, or until `until()` is true (checked every 50 ms)."""
        await self.start()
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not (until and until()):
                await asyncio.sleep(0.05)
        finally:
            await self.stop()

    def entries(
        self, flt: ScanFilter | None = None, max_age: float | None = None
    ) -> list[ScanEntry]:
        """A snapshot of the devices seen, strongest first, filtered."""
        now = time.monotonic()
        with self._lock:
            items = [ScanEntry(**vars(e)) for e in self._entries.values()]
        out = [
            e
            for e in items
            if (flt is None or flt.matches(e)) and (max_age is None or now - e.last_seen <= max_age)
        ]
        return sorted(out, key=lambda e: (-e.rssi, e.address))

    def ble_device(self, address: str) -> Any:
        """The bleak BLEDevice seen for an address (None if it never advertised)."""
        with self._lock:
            return self._devices.get(address.upper())

    def clear(self) -> None:
        """Forget every device seen."""
        with self._lock:
            self._entries.clear()
            self._devices.clear()
