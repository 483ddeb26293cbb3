"""The `ble` driver: Bluetooth LE peripherals through bleak, on TwinBench's asyncio I/O thread."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, ClassVar

from twinbench.ble import bleakbus
from twinbench.ble.decoders import DecoderError, make_decoder
from twinbench.ble.gatt import tree_to_dict
from twinbench.ble.link import BleLink, LinkOptions
from twinbench.ble.ops import explain
from twinbench.ble.profiles import (
    BUILTIN_PROFILES,
    BleProfile,
    NotifySpec,
    load_profiles,
    parse_notify,
)
from twinbench.ble.scanner import ScanEntry, ScanFilter, Scanner
from twinbench.ble.sig import normalize_uuid
from twinbench.drivers.base import Driver, Setting, SettingError, Sink
from twinbench.errors import TwinBenchError

log = logging.getLogger(__name__)


class BluetoothUnavailable(TwinBenchError):
    """The system has no usable Bluetooth adapter or stack (the message says what failed)."""


OPEN_BUDGET_S = 8.0  # open() returns within about this long (the runtime waits 10 s)
PROFILE_CHOICES = ("auto", "none", *(p.name for p in BUILTIN_PROFILES))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class BleDriver(Driver):
    """Bluetooth LE devices by address, name pattern, advertised service or built-in profile."""

    name = "ble"
    description = "Bluetooth LE peripherals (bleak): notifications decoded to channels"
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("address", "Addresses", "str", "", help="comma separated; empty: match by rules"),
        Setting("name", "Name pattern", "str", "", help="glob or substring of the advertised name"),
        Setting("service", "Advertised service UUID", "str", "", help="e.g. 180d"),
        Setting(
            "profile",
            "Profile",
            "str",
            "auto",
            help="auto: recognise devices by the profiles' advertised services or names; "
            "none; or one profile by name (built in: " + ", ".join(PROFILE_CHOICES[2:]) + ")",
        ),
        Setting("profiles", "Profiles file", "str", "", help="TOML [[profile]] tables, see docs"),
        Setting(
            "notify",
            "Characteristics",
            "str",
            "",
            help="UUID[=decoder];... decoders: hr, battery, temperature, humidity, pressure, raw, "
            "struct:name:type*scale,...; empty: every notifiable one with a standard decoder",
        ),
        Setting(
            "write_uuid",
            "Write characteristic",
            "str",
            "",
            help="where raw bytes written to the device go (e.g. a BLE UART's RX)",
        ),
        Setting("device_id", "Device id", "str", "", help="default: from the advertised name"),
        Setting("max_devices", "Max devices", "int", 8, min=1, max=64),
        Setting(
            "scan_s",
            "Scan time (s)",
            "float",
            3.0,
            min=0.1,
            max=OPEN_BUDGET_S - 1,
            help="how long opening looks for devices; later ones are not picked up",
        ),
        Setting("rssi_min", "Minimum RSSI (dBm)", "int", -127, min=-127, max=20),
        Setting("reconnect", "Reconnect on link loss", "bool", True),
        Setting("backoff_max", "Longest reconnect wait (s)", "float", 1.0, min=0.1, max=300),
        Setting("connect_timeout", "Connect timeout (s)", "float", 10.0, min=0.5, max=120),
        Setting("adapter", "Adapter", "str", "", help="e.g. hci0 (Linux); empty: default"),
    )

    def __init__(self, config: dict[str, Any], sink: Sink) -> None:
        super().__init__(config, sink)
        cfg = self.parse_settings(config)
        self.cfg = cfg
        try:
            self.notify = parse_notify(cfg["notify"])
            for spec in self.notify:
                make_decoder(spec.uuid, spec.decoder)
            self.filter = ScanFilter(cfg["name"], cfg["service"], cfg["rssi_min"])
            self.write_uuid = normalize_uuid(cfg["write_uuid"]) if cfg["write_uuid"] else ""
        except (DecoderError, ValueError) as exc:
            raise SettingError(str(exc)) from None
        self.profiles = BUILTIN_PROFILES
        if cfg["profiles"]:
            self.profiles = load_profiles(cfg["profiles"]) + BUILTIN_PROFILES
        names = {p.name for p in self.profiles}
        if cfg["profile"] not in names | {"auto", "none"}:
            raise SettingError(
                f"setting 'profile': {cfg['profile']!r} is not auto, none or one of "
                + ", ".join(p.name for p in self.profiles)
            )
        self.addresses = [a.strip().upper() for a in cfg["address"].split(",") if a.strip()]
        for a in self.addresses:
            if not re.fullmatch(r"[0-9A-F]{2}(:[0-9A-F]{2}){5}|[0-9A-F-]{36}", a):
                raise SettingError(f"setting 'address': {a!r} is not a Bluetooth address")
        self.scanner = Scanner(cfg["adapter"])
        self.links: dict[str, BleLink] = {}
        self.twin_profiles: dict[str, Any] = {}  # device id -> BleTwinProfile
        self._twins: dict[str, Any] = {}
        self._acquired = False
        self.error = ""  # why open() failed, in one sentence
        self._starting: list[asyncio.Task[None]] = []
        self.options = LinkOptions(
            reconnect=cfg["reconnect"],
            backoff_max=cfg["backoff_max"],
            connect_timeout=cfg["connect_timeout"],
            adapter=cfg["adapter"],
        )

    # -- target selection --------------------------------------------------------------------
    def _profiles(self) -> tuple[BleProfile, ...]:
        p = self.cfg["profile"]
        if p == "none":
            return ()
        if p == "auto":
            return self.profiles
        return tuple(x for x in self.profiles if x.name == p)

    def _by_rules(self) -> bool:
        return bool(self.cfg["name"] or self.cfg["service"])

    def _targets(self) -> list[tuple[ScanEntry, tuple[NotifySpec, ...]]]:
        """Devices to connect to, with what to subscribe on each."""
        entries = self.scanner.entries()
        out: list[tuple[ScanEntry, tuple[NotifySpec, ...]]] = []
        if self.addresses:
            seen = {e.address: e for e in entries}
            for a in self.addresses:
                out.append((seen.get(a) or ScanEntry(a), self.notify))
            return out
        for e in entries:
            if self.cfg["rssi_min"] > e.rssi:
                continue
            if self._by_rules():
                if self.filter.matches(e):
                    out.append((e, self.notify))
            else:
                prof = next((p for p in self._profiles() if p.matches(e)), None)
                if prof is not None:
                    out.append((e, self.notify or prof.notify))
        return out[: self.cfg["max_devices"]]

    def _enough(self) -> bool:
        if self.addresses:
            seen = {e.address for e in self.scanner.entries()}
            return all(a in seen for a in self.addresses)
        return len(self._targets()) >= self.cfg["max_devices"]

    def _device_ids(self, targets: list[ScanEntry]) -> list[str]:
        base = self.cfg["device_id"]
        ids = []
        for e in targets:
            suffix = e.address.replace(":", "").lower()[-4:]
            if base:
                ids.append(base if len(targets) == 1 else f"{base}-{suffix}")
            else:
                ids.append(_slug(e.name) or f"ble-{suffix}")
        return [
            i if ids.count(i) == 1 else f"{i}-{e.address.replace(':', '').lower()[-4:]}"
            for i, e in zip(ids, targets, strict=True)
        ]

    def _report(self, device_id: str, message: str) -> None:
        events = getattr(self.sink, "events", None)
        if events is not None:
            events.emit("error", device_id, message, source="ble")
        else:
            log.warning("%s: %s", device_id, message)

    # -- lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        """Scan for the targets, connect to each (failures retry in the background)."""
        t0 = asyncio.get_running_loop().time()
        bleakbus.acquire()
        self._acquired = True
        try:
            await self.scanner.scan(self.cfg["scan_s"], until=self._enough)
        except Exception as exc:  # no adapter, no BlueZ, no permission: one clear line
            await self.close()
            self.error = explain(exc)  # for the GUI, which does not wait for open()
            self._report(self.cfg["device_id"] or "ble", self.error)
            raise BluetoothUnavailable(self.error) from None
        targets = self._targets()
        if not targets:
            what = self.cfg["name"] or self.cfg["service"] or "a built-in profile"
            self._report(
                self.cfg["device_id"] or "ble",
                f"no BLE device matched {what} within {self.cfg['scan_s']:g} s",
            )
            return
        ids = self._device_ids([e for e, _ in targets])
        for dev_id, (entry, _n) in zip(ids, targets, strict=True):
            prof = self._profile_of(entry)
            if prof is not None and prof.twin is not None:
                self.twin_profiles[dev_id] = prof.twin
        for dev_id, (entry, notify) in zip(ids, targets, strict=True):
            self.links[dev_id] = BleLink(
                dev_id,
                entry.address,
                self.sink,
                notify,
                self.scanner.ble_device(entry.address),
                entry.name,
                self.options,
                self._report,
            )
        # Connects that outlast the open budget go on in the background (the runtime waits
        # for open() only a few seconds); they report their state through the sink.
        loop = asyncio.get_running_loop()
        self._starting = [loop.create_task(link.start()) for link in self.links.values()]
        budget = max(0.5, OPEN_BUDGET_S - (loop.time() - t0))
        await asyncio.wait(self._starting, timeout=budget)

    async def close(self) -> None:
        """Disconnect every device."""
        await self.scanner.stop()
        for task in self._starting:
            task.cancel()
        await asyncio.gather(*self._starting, return_exceptions=True)
        self._starting = []
        await asyncio.gather(*(link.close() for link in self.links.values()))
        if self._acquired:
            self._acquired = False
            await bleakbus.release()

    async def write(self, data: bytes) -> None:
        """Write raw bytes to the `write_uuid` characteristic of every connected device."""
        if not self.write_uuid:
            raise NotImplementedError("set the ble driver's write_uuid to write raw bytes")
        links = [link for link in self.links.values() if link.connected]
        if not links:
            raise ConnectionError("no BLE device is connected")
        await asyncio.gather(*(link.write(self.write_uuid, data) for link in links))

    def _profile_of(self, entry: ScanEntry) -> BleProfile | None:
        """The profile a device was connected with: the named one, else the one it matches."""
        p = self.cfg["profile"]
        if p not in ("auto", "none"):
            return next((x for x in self.profiles if x.name == p), None)
        return next((x for x in self._profiles() if x.matches(entry)), None)

    def twin_transport(self, runtime: Any, device_id: str) -> Any:
        """Characteristic writes for the twin of a device whose profile has a twin table."""
        prof = self.twin_profiles.get(device_id)
        if prof is None:
            return None
        from twinbench.twin.ble_transport import BleTwinTransport

        # setdefault: one transport per device even when two threads ask at once
        return self._twins.setdefault(device_id, BleTwinTransport(runtime, self, prof))

    def counters(self) -> dict[str, dict[str, int]]:
        """Loss counters per device (malformed, missing, missed while reconnecting, links)."""
        return {dev_id: link.loss() for dev_id, link in list(self.links.items())}

    # -- commands ------------------------------------------------------------------------------
    def link(self, device_id: str) -> BleLink:
        """The link of a device id (KeyError naming the known ones)."""
        try:
            return self.links[device_id]
        except KeyError:
            known = ", ".join(self.links) or "none"
            raise KeyError(f"no BLE device {device_id!r}; connected: {known}") from None

    async def command(self, device_id: str, name: str, payload: Any = None) -> Any:
        """read/write/subscribe/unsubscribe a characteristic, or get gatt/stats of a device.

        Payloads: read {"uuid"} (or the UUID as text) -> bytes; write {"uuid", "data": bytes or
        hex text, "response": bool}; subscribe {"uuid", "decoder"} -> channel names.
        """
        link = self.link(device_id)
        p = payload if isinstance(payload, dict) else {"uuid": payload}
        if name == "read":
            return await link.read(str(p["uuid"]))
        if name == "write":
            data = p.get("data", b"")
            if isinstance(data, str):
                try:
                    data = bytes.fromhex(data)
                except ValueError:
                    raise ValueError(f"write data {data!r} is not hex") from None
            await link.write(str(p["uuid"]), bytes(data), p.get("response"))
            return None
        if name == "subscribe":
            return await link.subscribe(str(p["uuid"]), str(p.get("decoder", "")))
        if name == "unsubscribe":
            await link.unsubscribe(str(p["uuid"]))
            return None
        if name == "gatt":
            return tree_to_dict(link.tree)
        if name == "stats":
            return link.stats()
        raise ValueError(
            f"unknown BLE command {name!r}; valid: read, write, subscribe, unsubscribe, gatt, stats"
        )
