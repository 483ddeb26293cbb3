"""One sentence, with what to do, for the errors the OS gives transports (CLI and GUI alike).

``explain(exc, resource, transport)`` turns "[Errno 13] could not open port /dev/ttyUSB0: ..." or
bleak's "[Errno 2] No such file or directory" into what happened and how to fix it, so that the
command line, the status bar and the panels all say the same thing.
"""

from __future__ import annotations

import errno
import os
import sys

BLUEZ_UNREACHABLE = "Bluetooth is not available: cannot reach BlueZ"
DEFAULT_SYSTEM_BUS = "unix:path=/var/run/dbus/system_bus_socket"  # dbus_fast's default


def _errno(exc: BaseException) -> int | None:
    """The errno of an OSError, also when pyserial put it in args[0] or in the text only."""
    no = getattr(exc, "errno", None)
    if isinstance(no, int):
        return no
    for a in getattr(exc, "args", ()):
        if isinstance(a, int):
            return a
    text = str(exc)
    for code in (errno.EACCES, errno.EPERM, errno.EBUSY, errno.ENOENT, errno.ENODEV, errno.EIO):
        if f"[Errno {code}]" in text:
            return code
    if "Could not exclusively lock" in text:
        return errno.EBUSY
    return None


def _serial(no: int | None, port: str) -> str | None:
    what = port or "the port"
    if no in (errno.EACCES, errno.EPERM):
        if sys.platform.startswith("linux"):
            return (
                f"Permission denied opening {what}: add yourself to the dialout group "
                "(sudo usermod -aG dialout $USER), then log out and back in"
            )
        return f"Permission denied opening {what}: check who may use it, or run as that user"
    if no in (errno.EBUSY, errno.EAGAIN):
        return (
            f"{what} is busy: another program has it open (a serial monitor, ModemManager, "
            "another TwinBench); close it and try again"
        )
    if no == errno.ENOENT:
        return f"{what} does not exist: is the board plugged in? (`twinbench ports` lists ports)"
    if no in (errno.ENODEV, errno.ENXIO, errno.EIO):
        return f"{what} went away: the board was unplugged or reset; plug it back in"
    return None


def _bluetooth(exc: BaseException) -> str | None:
    from twinbench.ble import errors

    kind = errors.kind_of(exc)
    if kind == errors.NO_BUS:
        where = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") or DEFAULT_SYSTEM_BUS
        return (
            f"{BLUEZ_UNREACHABLE} (no D-Bus at {where}); install BlueZ and start it "
            "(sudo systemctl start bluetooth)"
        )
    if kind == errors.BLUEZ_DOWN:
        return (
            f"{BLUEZ_UNREACHABLE} (bluetoothd is not running); start it "
            "(sudo systemctl start bluetooth)"
        )
    if kind == errors.DENIED:
        return (
            "Bluetooth is not available: permission denied; add yourself to the bluetooth "
            "group (sudo usermod -aG bluetooth $USER), then log out and back in"
        )
    if kind == errors.NO_ADAPTER:
        return (
            "Bluetooth is not available: no Bluetooth adapter found; plug one in or unblock "
            "it (rfkill unblock bluetooth)"
        )
    if kind == errors.ADAPTER_OFF:
        return "Bluetooth is off: turn it on (bluetoothctl power on, or the system settings)"
    return None


def explain(exc: BaseException, resource: str = "", transport: str = "") -> str:
    """One sentence for an error from a transport: what failed and what to do about it.

    `transport` is "serial", "bluetooth" or "" (generic); `resource` names the port or device.
    """
    text: str | None = None
    if transport == "bluetooth":
        text = _bluetooth(exc)
    elif transport == "serial":
        text = _serial(_errno(exc), resource)
    if text:
        return text
    if transport == "bluetooth" and str(exc):
        return f"{type(exc).__name__}: {exc}"
    return str(exc) or type(exc).__name__
