"""A BlueZ D-Bus emulator: an adapter and GATT peripherals on a (private) system bus.

There is no radio in CI, so tests and benchmarks run bleak's unmodified BlueZ backend against this
process, which owns ``org.bluez`` on a private ``dbus-daemon`` and answers the calls bleak makes
(GetManagedObjects, discovery, Connect, ReadValue, WriteValue, StartNotify...). Peripherals
notify from a timer at a set rate; a controller drives it with JSON lines on stdin (add a
device, drop its link, forget it as BlueZ does some time after a disconnect, refuse connections,
remove a characteristic, inject raw bytes, power the adapter off and on, unplug the adapter and
plug it back, maybe as another hciN), each answered by one JSON line on stdout. A forgotten
device gets a new object when it next advertises during discovery, as with BlueZ. Restarting
bluetoothd is the controller killing this process and starting another. POSIX only (it needs
``dbus-daemon``).

Run as ``python -m twinbench.ble.emulator`` with ``DBUS_SYSTEM_BUS_ADDRESS`` set; see
:mod:`twinbench.ble.privatebus` for the controller side.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from twinbench.ble.emu_model import GENERATORS, Char, Peripheral, build_peripheral, full_uuid

BLUEZ = "org.bluez"
OM = "org.freedesktop.DBus.ObjectManager"
PROPS = "org.freedesktop.DBus.Properties"
ADAPTER_IF = "org.bluez.Adapter1"
DEV_IF = "org.bluez.Device1"
SVC_IF = "org.bluez.GattService1"
CHR_IF = "org.bluez.GattCharacteristic1"
DSC_IF = "org.bluez.GattDescriptor1"
ADAPTER = "/org/bluez/hci0"
ERR_FAILED = "org.bluez.Error.Failed"
ERR_NOT_CONNECTED = "org.bluez.Error.NotConnected"
ERR_UNKNOWN = "org.freedesktop.DBus.Error.UnknownObject"
ERR_NOT_READY = "org.bluez.Error.NotReady"
ADVERTISE_S = 0.1


def _v(sig: str, value: Any) -> Variant:
    return Variant(sig, value)


class Emulator:
    """Owns org.bluez on the bus and serves the adapter, devices and their GATT objects."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.devices: dict[str, Peripheral] = {}  # address -> peripheral
        self.by_path: dict[str, Peripheral] = {}
        self.discovering = False
        self.adapter: str | None = ADAPTER  # None while unplugged
        self.up_since = time.monotonic()  # last start, power on or plug
        self.adapter_props = {
            "Address": _v("s", "00:1A:7D:DA:71:13"),
            "AddressType": _v("s", "public"),
            "Name": _v("s", "twinbench-emu"),
            "Alias": _v("s", "twinbench-emu"),
            "Class": _v("u", 0),
            "Powered": _v("b", True),
            "Discoverable": _v("b", False),
            "Pairable": _v("b", True),
            "Discovering": _v("b", False),
            "UUIDs": _v("as", []),
            "Roles": _v("as", ["central", "peripheral"]),
        }

    # -- object tree -------------------------------------------------------------------------
    def device_props(self, p: Peripheral) -> dict[str, Variant]:
        """Device1 properties with BlueZ's real types."""
        s = p.spec
        props = {
            "Address": _v("s", s["address"]),
            "AddressType": _v("s", s.get("address_type", "public")),
            "Alias": _v("s", s.get("name") or s["address"].replace(":", "-")),
            "Adapter": _v("o", self.adapter or ADAPTER),
            "Paired": _v("b", False),
            "Bonded": _v("b", False),
            "Trusted": _v("b", False),
            "Blocked": _v("b", False),
            "LegacyPairing": _v("b", False),
            "Connected": _v("b", p.connected),
            "ServicesResolved": _v("b", p.connected),
            "RSSI": _v("n", int(s.get("rssi", -60))),
            "UUIDs": _v("as", [full_uuid(u) for u in s.get("uuids", [])]),
            "ManufacturerData": _v(
                "a{qv}",
                {int(k): _v("ay", bytes.fromhex(h)) for k, h in s.get("manufacturer", {}).items()},
            ),
            "ServiceData": _v(
                "a{sv}",
                {
                    full_uuid(k): _v("ay", bytes.fromhex(h))
                    for k, h in s.get("service_data", {}).items()
                },
            ),
        }
        if s.get("name"):
            props["Name"] = _v("s", s["name"])
        if "tx_power" in s:
            props["TxPower"] = _v("n", int(s["tx_power"]))
        return props

    def gatt_objects(self, p: Peripheral) -> dict[str, dict[str, dict[str, Variant]]]:
        """The GATT service, characteristic and descriptor objects of a connected device."""
        out: dict[str, dict[str, dict[str, Variant]]] = {}
        for spath, suuid in p.services:
            out[spath] = {
                SVC_IF: {
                    "UUID": _v("s", suuid),
                    "Primary": _v("b", True),
                    "Device": _v("o", p.path),
                    "Includes": _v("ao", []),
                    "Handle": _v("q", int(spath[-4:], 16)),
                }
            }
        for c in p.chars.values():
            out[c.path] = {
                CHR_IF: {
                    "UUID": _v("s", c.uuid),
                    "Service": _v("o", c.service),
                    "Value": _v("ay", c.value),
                    "Flags": _v("as", c.flags),
                    "Notifying": _v("b", c.notifying),
                    "Handle": _v("q", int(c.path[-4:], 16)),
                    "MTU": _v("q", 247),
                }
            }
            for dpath, duuid, dval in c.descriptors:
                out[dpath] = {
                    DSC_IF: {
                        "UUID": _v("s", duuid),
                        "Characteristic": _v("o", c.path),
                        "Value": _v("ay", dval),
                        "Handle": _v("q", int(dpath[-4:], 16)),
                    }
                }
        return out

    def managed_objects(self) -> dict[str, dict[str, dict[str, Variant]]]:
        """Everything under /org/bluez, as GetManagedObjects returns it."""
        if self.adapter is None:
            return {}
        out: dict[str, dict[str, dict[str, Variant]]] = {
            self.adapter: {ADAPTER_IF: self.adapter_props}
        }
        for p in self.devices.values():
            if not p.known:
                continue
            out[p.path] = {DEV_IF: self.device_props(p)}
            if p.connected:
                out.update(self.gatt_objects(p))
        return out

    # -- signals -----------------------------------------------------------------------------
    def changed(self, path: str, iface: str, props: dict[str, Variant]) -> None:
        """Emit PropertiesChanged."""
        self.bus.send(
            Message.new_signal(path, PROPS, "PropertiesChanged", "sa{sv}as", [iface, props, []])
        )

    def added(self, objs: dict[str, dict[str, dict[str, Variant]]]) -> None:
        """Emit InterfacesAdded for each object, parents first."""
        for path in sorted(objs):
            self.bus.send(
                Message.new_signal("/", OM, "InterfacesAdded", "oa{sa{sv}}", [path, objs[path]])
            )

    def removed(self, objs: dict[str, dict[str, dict[str, Variant]]]) -> None:
        """Emit InterfacesRemoved for each object, children first."""
        for path in sorted(objs, reverse=True):
            self.bus.send(
                Message.new_signal("/", OM, "InterfacesRemoved", "oas", [path, list(objs[path])])
            )

    # -- control commands --------------------------------------------------------------------
    def add_device(self, spec: dict[str, Any], announce: bool = True) -> Peripheral:
        """Create a peripheral from a spec; announced now, or when it first advertises."""
        p = build_peripheral(spec, self.adapter or ADAPTER)
        old = self.devices.get(p.spec["address"])
        if old is not None:
            self.forget(old)
            self.by_path.pop(old.path, None)
        self.devices[p.spec["address"]] = p
        self.by_path[p.path] = p
        p.known = False
        if announce:
            self.announce(p)
        return p

    def announce(self, p: Peripheral) -> None:
        """BlueZ creates the device object (it was seen advertising)."""
        if self.adapter is not None and not p.known:
            p.known = True
            self.added({p.path: {DEV_IF: self.device_props(p)}})

    def forget(self, p: Peripheral) -> None:
        """BlueZ removes the device object (after a disconnect, or with its adapter)."""
        self.link_down(p)
        if p.known:
            p.known = False
            self.removed({p.path: {DEV_IF: {}}})

    @property
    def powered(self) -> bool:
        """Whether the adapter is present and powered."""
        return self.adapter is not None and bool(self.adapter_props["Powered"].value)

    def power(self, on: bool) -> None:
        """Power the adapter on or off; powering off drops every link and stops discovery."""
        if self.adapter is None or on == self.powered:
            return
        if not on:
            for p in self.devices.values():
                self.link_down(p)
            self.set_discovering(False)
        else:
            self.up_since = time.monotonic()
        self.adapter_props["Powered"] = _v("b", on)
        self.changed(self.adapter, ADAPTER_IF, {"Powered": _v("b", on)})

    def unplug(self) -> None:
        """The adapter disappears with every object under it; links die without a word."""
        if self.adapter is None:
            return
        for p in self.devices.values():
            if p.connected:  # a yanked dongle: no Connected=false, the objects just go
                self.removed(self.gatt_objects(p))
                self.stop_link(p)
            if p.known:
                p.known = False
                self.removed({p.path: {DEV_IF: {}}})
        self.discovering = False
        self.adapter_props["Discovering"] = _v("b", False)
        self.removed({self.adapter: {ADAPTER_IF: {}}})
        self.adapter = None

    def plug(self, name: str = "hci0") -> None:
        """An adapter appears (maybe under another name); devices are unknown until seen."""
        if self.adapter is not None:
            return
        self.adapter = f"/org/bluez/{name}"
        self.up_since = time.monotonic()
        self.adapter_props["Powered"] = _v("b", True)
        old, self.devices, self.by_path = self.devices, {}, {}
        for q in old.values():
            p = self.add_device(q.spec, announce=False)
            p.rate_hz, p.refuse, p.away_until = q.rate_hz, q.refuse, q.away_until
        self.added({self.adapter: {ADAPTER_IF: self.adapter_props}})

    def stop_link(self, p: Peripheral) -> None:
        """Mark a peripheral disconnected and stop its notifications (no signals)."""
        p.connected = False
        for c in p.chars.values():
            c.notifying = False
        if p.task is not None:
            p.task.cancel()
            p.task = None

    def link_down(self, p: Peripheral) -> None:
        """The link is gone: GATT objects disappear and Connected turns false."""
        if not p.connected:
            return
        self.stop_link(p)
        self.changed(p.path, DEV_IF, {"ServicesResolved": _v("b", False)})
        self.removed(self.gatt_objects(p))
        self.changed(p.path, DEV_IF, {"Connected": _v("b", False)})

    def find_char(self, p: Peripheral, uuid: str) -> Char:
        """The characteristic of `p` with this UUID."""
        u = full_uuid(uuid)
        for c in p.chars.values():
            if c.uuid == u:
                return c
        raise KeyError(f"no characteristic {uuid} on {p.spec['address']}")

    def control(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Apply one controller command and return its answer."""
        op = cmd.get("op")
        if op == "add":
            p = self.add_device(cmd["device"], bool(cmd.get("announce", True)))
            return {"path": p.path}
        if op == "stats":
            return {
                a: {
                    "sent": p.sent,
                    "connects": p.connects,
                    "connected": p.connected,
                    "known": p.known,
                    "path": p.path,
                    "returned_at": max(p.away_until, self.up_since),
                }
                for a, p in self.devices.items()
            }
        if op == "power":
            self.power(bool(cmd["on"]))
            return {}
        if op == "unplug":
            self.unplug()
            return {}
        if op == "plug":
            self.plug(str(cmd.get("name", "hci0")))
            return {"adapter": self.adapter}
        p = self.devices[cmd["address"].upper()]
        if op == "drop":
            p.away_until = time.monotonic() + float(cmd.get("away_s", 0.0))
            self.link_down(p)
            if cmd.get("forget"):  # BlueZ removed the object while the device was away
                self.forget(p)
        elif op == "forget":
            self.forget(p)
        elif op == "refuse":
            p.refuse = bool(cmd.get("on", True))
        elif op == "stall":
            p.stall_s = float(cmd.get("seconds", 0.0))
        elif op == "rate":
            p.rate_hz = float(cmd["hz"])
        elif op == "vanish":
            c = self.find_char(p, cmd["uuid"])
            if p.connected:
                self.removed(
                    {k: v for k, v in self.gatt_objects(p).items() if k.startswith(c.path)}
                )
            del p.chars[c.path]
        elif op == "inject":
            c = self.find_char(p, cmd["uuid"])
            c.value = bytes.fromhex(cmd["hex"])
            self.changed(c.path, CHR_IF, {"Value": _v("ay", c.value)})
        else:
            raise KeyError(f"unknown op {op!r}")
        return {}

    # -- notifications ---------------------------------------------------------------------
    async def notifier(self, p: Peripheral) -> None:
        """Push generated values of every notifying characteristic at the device's rate."""
        next_t = time.monotonic()
        while p.connected:
            if p.rate_hz <= 0:
                await asyncio.sleep(0.05)
                next_t = time.monotonic()
                continue
            for c in list(p.chars.values()):
                if c.notifying and c.gen:
                    c.value = GENERATORS[c.gen](p.seq, time.monotonic_ns())
                    self.changed(c.path, CHR_IF, {"Value": _v("ay", c.value)})
                    p.sent += 1
            p.seq += 1
            next_t += 1.0 / p.rate_hz
            delay = next_t - time.monotonic()
            if delay < -0.5:  # fell far behind: do not burst to catch up
                next_t = time.monotonic()
            await asyncio.sleep(max(0.0, delay))

    async def advertiser(self) -> None:
        """While discovering, every present, unconnected device advertises (RSSI updates)."""
        tick = 0
        while True:
            await asyncio.sleep(ADVERTISE_S)
            if not self.discovering or not self.powered:
                continue
            tick += 1
            for p in list(self.devices.values()):
                if p.present and not p.connected:
                    if not p.known:  # seen again: BlueZ creates a new object
                        self.announce(p)
                        continue
                    rssi = int(p.spec.get("rssi", -60)) - (tick % 3)
                    self.changed(p.path, DEV_IF, {"RSSI": _v("n", rssi)})

    # -- method calls ----------------------------------------------------------------------
    def handle(self, msg: Message) -> Message | bool | None:
        """Answer a method call addressed to org.bluez."""
        if msg.message_type != MessageType.METHOD_CALL:
            return None
        path, iface, member = msg.path, msg.interface, msg.member
        if iface == OM and member == "GetManagedObjects":
            return Message.new_method_return(msg, "a{oa{sa{sv}}}", [self.managed_objects()])
        if iface == PROPS:
            return self.handle_props(msg)
        if path == self.adapter and iface == ADAPTER_IF:
            if member == "StartDiscovery" and not self.powered:
                return Message.new_error(msg, ERR_NOT_READY, "Resource Not Ready")
            if member == "StartDiscovery":
                self.set_discovering(True)
            elif member == "StopDiscovery":
                self.set_discovering(False)
            elif member not in ("SetDiscoveryFilter", "RemoveDevice"):
                return Message.new_error(msg, ERR_FAILED, f"{member} not emulated")
            return Message.new_method_return(msg)
        p = self.by_path.get(path)
        if p is not None and p.known and iface == DEV_IF:
            return self.handle_device(msg, p)
        dev_path = "/".join(path.split("/")[:5])
        p = self.by_path.get(dev_path)
        if p is not None and p.connected:
            c = p.chars.get(path)
            if c is not None and iface == CHR_IF:
                return self.handle_char(msg, p, c)
            for c in p.chars.values():
                for dpath, _u, dval in c.descriptors:
                    if dpath == path and member == "ReadValue":
                        return Message.new_method_return(msg, "ay", [dval])
                    if dpath == path and member == "WriteValue":
                        return Message.new_method_return(msg)
        return Message.new_error(msg, ERR_UNKNOWN, f"no object {path}")

    def set_discovering(self, on: bool) -> None:
        """Start or stop discovery; on start every present device advertises at once."""
        if self.adapter is None or on == self.discovering:
            return
        self.discovering = on
        self.adapter_props["Discovering"] = _v("b", on)
        self.changed(self.adapter, ADAPTER_IF, {"Discovering": _v("b", on)})
        if on:
            for p in self.devices.values():
                if p.present and not p.connected and p.known:
                    self.changed(p.path, DEV_IF, {"RSSI": _v("n", int(p.spec.get("rssi", -60)))})

    def handle_props(self, msg: Message) -> Message:
        """org.freedesktop.DBus.Properties Get/GetAll/Set."""
        if msg.path == self.adapter:
            props = self.adapter_props
        elif msg.path in self.by_path and self.by_path[msg.path].known:
            props = self.device_props(self.by_path[msg.path])
        else:
            return Message.new_error(msg, ERR_UNKNOWN, f"no object {msg.path}")
        if msg.member == "GetAll":
            return Message.new_method_return(msg, "a{sv}", [props])
        if msg.member == "Get":
            return Message.new_method_return(msg, "v", [props[msg.body[1]]])
        return Message.new_method_return(msg)

    def handle_device(self, msg: Message, p: Peripheral) -> Message | bool:
        """Device1 Connect/Disconnect/Pair."""
        if msg.member == "Connect" and p.stall_s > 0:
            loop = asyncio.get_running_loop()
            loop.call_later(
                p.stall_s, lambda: self.bus.send(Message.new_error(msg, ERR_FAILED, "Timeout"))
            )
            return True
        if msg.member == "Connect":
            if not self.powered:
                return Message.new_error(msg, ERR_NOT_READY, "Resource Not Ready")
            if p.refuse:
                return Message.new_error(msg, ERR_FAILED, "Connection refused (111)")
            if not p.present:
                return Message.new_error(msg, ERR_FAILED, "Host is down (112)")
            if not p.connected:
                p.connected = True
                p.connects += 1
                self.changed(p.path, DEV_IF, {"Connected": _v("b", True)})
                self.added(self.gatt_objects(p))
                self.changed(p.path, DEV_IF, {"ServicesResolved": _v("b", True)})
                p.task = asyncio.get_running_loop().create_task(self.notifier(p))
            return Message.new_method_return(msg)
        if msg.member == "Disconnect":
            self.link_down(p)
            return Message.new_method_return(msg)
        return Message.new_method_return(msg)

    def handle_char(self, msg: Message, p: Peripheral, c: Char) -> Message:
        """GattCharacteristic1 ReadValue/WriteValue/StartNotify/StopNotify."""
        m = msg.member
        if m == "ReadValue":
            if "read" not in c.flags:
                return Message.new_error(msg, "org.bluez.Error.NotPermitted", "Read not permitted")
            return Message.new_method_return(msg, "ay", [c.value])
        if m == "WriteValue":
            if not {"write", "write-without-response"} & set(c.flags):
                return Message.new_error(msg, "org.bluez.Error.NotPermitted", "Write not permitted")
            c.value = bytes(msg.body[0])
            self.changed(c.path, CHR_IF, {"Value": _v("ay", c.value)})
            return Message.new_method_return(msg)
        if m in ("StartNotify", "StopNotify"):
            c.notifying = m == "StartNotify"
            self.changed(c.path, CHR_IF, {"Notifying": _v("b", c.notifying)})
            return Message.new_method_return(msg)
        return Message.new_error(msg, ERR_FAILED, f"{m} not emulated")


async def _control_loop(emu: Emulator) -> None:
    """Read JSON commands from stdin, answer each with one JSON line on stdout."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        try:
            cmd = json.loads(line)
            if cmd.get("op") == "quit":
                print(json.dumps({"ok": True}), flush=True)
                return
            answer: dict[str, Any] = {"ok": True, **emu.control(cmd)}
        except Exception as exc:  # answer the controller, keep serving
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)


async def main() -> None:
    """Serve org.bluez until stdin closes or a quit command arrives."""
    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    emu = Emulator(bus)
    bus.add_message_handler(emu.handle)
    await bus.request_name(BLUEZ)
    adv = asyncio.get_running_loop().create_task(emu.advertiser())
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    try:
        await _control_loop(emu)
    finally:
        adv.cancel()
        for p in emu.devices.values():
            if p.task is not None:
                p.task.cancel()
        bus.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
