"""What went wrong with Bluetooth, classified by type, D-Bus error name and text.

bleak reports the same situation differently across versions and code paths (a forgotten device
is a plain ``BleakError`` in bleak 3 but ``BleakDeviceNotFoundError`` elsewhere; a stopped
bluetoothd is a D-Bus ``ServiceUnknown``), so links and messages decide on this one function.
"""

from __future__ import annotations

import asyncio
import re

# kinds, from "nothing to talk to" to "the device itself"
NO_BUS = "no-bus"  # the D-Bus system bus socket is missing or refuses us
DENIED = "denied"  # D-Bus or the OS refused permission
BLUEZ_DOWN = "bluez-down"  # nobody owns org.bluez: bluetoothd is not running
NO_ADAPTER = "no-adapter"  # no (such) Bluetooth adapter
ADAPTER_OFF = "adapter-off"  # the adapter is powered off or blocked
DEVICE_GONE = "device-gone"  # BlueZ does not know the device (never seen, or forgotten)
TIMEOUT = "timeout"
OTHER = "other"

UNAVAILABLE = frozenset({NO_BUS, DENIED, BLUEZ_DOWN, NO_ADAPTER, ADAPTER_OFF})

_DBUS_KINDS = {
    "org.freedesktop.DBus.Error.ServiceUnknown": BLUEZ_DOWN,
    "org.freedesktop.DBus.Error.NameHasNoOwner": BLUEZ_DOWN,
    "org.freedesktop.DBus.Error.NoReply": BLUEZ_DOWN,
    "org.freedesktop.DBus.Error.AccessDenied": DENIED,
    "org.freedesktop.DBus.Error.UnknownObject": DEVICE_GONE,
    "org.freedesktop.DBus.Error.UnknownMethod": DEVICE_GONE,
    "org.bluez.Error.DoesNotExist": DEVICE_GONE,
    "org.bluez.Error.NotReady": ADAPTER_OFF,
}
_TEXT_KINDS = (
    (re.compile(r"adapter .*not found|no bluetooth adapters", re.I), NO_ADAPTER),
    (re.compile(r"powered|rfkill|not ready", re.I), ADAPTER_OFF),
    (re.compile(r"device .*not found|was not found|not found for device", re.I), DEVICE_GONE),
    (re.compile(r"serviceunknown|not provided by any \.service", re.I), BLUEZ_DOWN),
)


def kind_of(exc: BaseException) -> str:
    """The kind of a Bluetooth failure (one of the module's constants)."""
    if isinstance(exc, PermissionError):
        return DENIED
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError):
        return NO_BUS
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return TIMEOUT
    name = type(exc).__name__
    reason = getattr(getattr(exc, "reason", None), "name", "")
    if name == "BleakBluetoothNotAvailableError" and reason:
        if reason == "POWERED_OFF":
            return ADAPTER_OFF
        if reason.startswith("DENIED"):
            return DENIED
        return NO_ADAPTER
    if name == "AuthError":
        return DENIED
    dbus = str(getattr(exc, "dbus_error", "") or getattr(exc, "type", "") or "")
    if dbus in _DBUS_KINDS:
        return _DBUS_KINDS[dbus]
    if name == "BleakDeviceNotFoundError":
        return DEVICE_GONE
    text = " ".join(str(a) for a in exc.args) or str(exc)
    for pattern, kind in _TEXT_KINDS:
        if pattern.search(text):
            return kind
    return OTHER
