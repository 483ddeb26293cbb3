"""Watches BlueZ on the system bus for the links: bluetoothd, adapters and devices coming and going.

bleak notices neither a device object that BlueZ removed while it was connected (a USB adapter
pulled out) nor bluetoothd going away (its cached objects stay, its clients think they are still
connected). One watcher per event loop listens for ``NameOwnerChanged`` of ``org.bluez`` and for
BlueZ's ``InterfacesAdded``/``InterfacesRemoved`` and adapter ``Powered`` changes, resets bleak's
cached BlueZ state when bluetoothd goes, and tells every subscribed link, which reconnects as
soon as what it waits for is back.

Events passed to listeners as ``(event, object path)``: ``bluez-lost``, ``bluez-back``,
``adapter-added``, ``adapter-removed``, ``adapter-on``, ``adapter-off``, ``device-added``,
``device-removed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Listener = Callable[[str, str], None]

BLUEZ = "org.bluez"
ADAPTER_IF = "org.bluez.Adapter1"
DEVICE_IF = "org.bluez.Device1"
_RULES = (
    "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.bluez'",
    "type='signal',interface='org.freedesktop.DBus.ObjectManager',member='InterfacesAdded',"
    "arg0path='/org/bluez/'",
    "type='signal',interface='org.freedesktop.DBus.ObjectManager',member='InterfacesRemoved',"
    "arg0path='/org/bluez/'",
    "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
    "arg0='org.bluez.Adapter1'",
)
_watches: dict[asyncio.AbstractEventLoop, BluezWatch] = {}


class BluezWatch:
    """One system-bus connection per loop that turns BlueZ's signals into link events."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []
        self.bus: Any = None
        self.ready = asyncio.Event()  # set while its signal matches are in place
        self.settled = asyncio.Event()  # set once the first try to listen is over, either way
        self._task: asyncio.Task[None] | None = None

    def emit(self, event: str, path: str = "") -> None:
        """Tell every listener (a failing one is logged, the others still hear it)."""
        for cb in list(self.listeners):
            try:
                cb(event, path)
            except Exception:
                log.exception("BlueZ watch listener failed on %s %s", event, path)

    def _on_message(self, msg: Any) -> None:
        from dbus_fast import MessageType

        if msg.message_type != MessageType.SIGNAL:
            return
        body = msg.body
        if msg.member == "NameOwnerChanged" and body and body[0] == BLUEZ:
            if body[1]:
                from twinbench.ble import bleakbus

                bleakbus.reset()  # bleak's cached objects died with bluetoothd
                self.emit("bluez-lost")
            if body[2]:
                self.emit("bluez-back")
        elif msg.member in ("InterfacesAdded", "InterfacesRemoved"):
            path, ifaces = body[0], body[1]
            what = "added" if msg.member == "InterfacesAdded" else "removed"
            if DEVICE_IF in ifaces:
                self.emit(f"device-{what}", path)
            if ADAPTER_IF in ifaces:
                self.emit(f"adapter-{what}", path)
        elif msg.member == "PropertiesChanged" and body and body[0] == ADAPTER_IF:
            powered = body[1].get("Powered")
            if powered is not None:
                self.emit("adapter-on" if powered.value else "adapter-off", msg.path or "")

    async def _run(self) -> None:
        from dbus_fast import BusType, Message
        from dbus_fast.aio import MessageBus

        while True:
            try:
                bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
            except Exception as exc:  # no system bus (yet): look again in a moment
                log.debug("BlueZ watch cannot reach the system bus: %s", exc)
                self.settled.set()
                await asyncio.sleep(1.0)
                continue
            self.bus = bus
            bus.add_message_handler(self._on_message)
            try:
                for rule in _RULES:
                    await bus.call(
                        Message(
                            destination="org.freedesktop.DBus",
                            path="/org/freedesktop/DBus",
                            interface="org.freedesktop.DBus",
                            member="AddMatch",
                            signature="s",
                            body=[rule],
                        )
                    )
                self.ready.set()
                self.settled.set()
                await bus.wait_for_disconnect()
            except Exception as exc:
                log.debug("BlueZ watch lost the system bus: %s", exc)
            finally:
                self.ready.clear()
                bus.disconnect()
                self.bus = None
            await asyncio.sleep(0.5)

    def start(self) -> None:
        """Start listening on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="bluez-watch")

    async def stop(self) -> None:
        """Stop listening and close the bus connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.bus is not None:
            self.bus.disconnect()
            self.bus = None


async def subscribe(listener: Listener, wait_s: float = 5.0) -> None:
    """Hear BlueZ events on the running loop (starts the loop's watcher on first use).

    Waits up to `wait_s` for the watcher to listen (not when there is no system bus to listen
    on), so that what happens next is heard.
    """
    loop = asyncio.get_running_loop()
    w = _watches.get(loop)
    if w is None:
        w = _watches[loop] = BluezWatch()
        if sys.platform.startswith("linux"):  # BlueZ is Linux's; other stacks tell bleak
            w.start()
    w.listeners.append(listener)
    if w._task is not None and not w.settled.is_set():
        with contextlib.suppress(TimeoutError):  # no system bus: it keeps trying meanwhile
            await asyncio.wait_for(w.settled.wait(), wait_s)


async def unsubscribe(listener: Listener) -> None:
    """Stop hearing BlueZ events; the last listener on a loop stops its watcher."""
    loop = asyncio.get_running_loop()
    w = _watches.get(loop)
    if w is None:
        return
    with contextlib.suppress(ValueError):
        w.listeners.remove(listener)
    if not w.listeners:
        _watches.pop(loop, None)
        await w.stop()
