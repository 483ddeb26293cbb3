"""OS and Bluetooth errors become one sentence with what to do; bleak's errors are classified."""

from __future__ import annotations

import errno

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
)

from twinbench.ble import errors
from twinbench.oserrors import BLUEZ_UNREACHABLE, explain


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), errors.NO_BUS),
        (PermissionError(errno.EACCES, "Permission denied"), errors.DENIED),
        (
            BleakDBusError("org.freedesktop.DBus.Error.ServiceUnknown", ["no org.bluez"]),
            "bluez-down",
        ),
        (BleakDBusError("org.freedesktop.DBus.Error.UnknownObject", []), errors.DEVICE_GONE),
        (BleakDBusError("org.bluez.Error.NotReady", ["Resource Not Ready"]), errors.ADAPTER_OFF),
        (BleakDBusError("org.bluez.Error.Failed", ["Connection refused (111)"]), errors.OTHER),
        (BleakError("device 'dev_C0_FF_EE_00_48_52' not found"), errors.DEVICE_GONE),  # bleak 3
        (
            BleakDeviceNotFoundError("AA:BB", "Device with address AA:BB was not found."),
            "device-gone",
        ),
        (BleakError("adapter 'hci0' not found"), errors.NO_ADAPTER),
        (
            BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
            errors.ADAPTER_OFF,
        ),
        (
            BleakBluetoothNotAvailableError("none", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
            errors.NO_ADAPTER,
        ),
        (TimeoutError(), errors.TIMEOUT),
        (BleakError("Not connected"), errors.OTHER),
    ],
)
def test_bluetooth_errors_are_classified(exc: BaseException, kind: str) -> None:
    assert errors.kind_of(exc) == kind


def test_bluetooth_sentences_say_what_to_do(monkeypatch) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nope")
    no_bus = explain(FileNotFoundError(2, "No such file or directory"), transport="bluetooth")
    assert no_bus == (
        f"{BLUEZ_UNREACHABLE} (no D-Bus at unix:path=/nope); install BlueZ and start it "
        "(sudo systemctl start bluetooth)"
    )
    down = BleakDBusError("org.freedesktop.DBus.Error.ServiceUnknown", [])
    assert explain(down, transport="bluetooth").startswith(BLUEZ_UNREACHABLE)
    denied = explain(PermissionError(13, "Permission denied"), transport="bluetooth")
    assert "bluetooth group" in denied
    off = BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.POWERED_OFF)
    assert explain(off, transport="bluetooth").startswith("Bluetooth is off: turn it on")
    gone = BleakError("Device with address AA was not found.")
    assert (
        explain(gone, transport="bluetooth") == "BleakError: Device with address AA was not found."
    )


def test_serial_sentences_from_pyserial_text_and_errno() -> None:
    import serial

    busy = serial.SerialException(errno.EBUSY, "could not open port /dev/ttyACM0: busy")
    assert explain(busy, "/dev/ttyACM0", "serial").startswith("/dev/ttyACM0 is busy: another")
    lock = OSError("Could not exclusively lock port /dev/ttyUSB0: [Errno 11] Resource busy")
    assert "is busy" in explain(lock, "/dev/ttyUSB0", "serial")
    gone = OSError("[Errno 5] Input/output error")
    assert explain(gone, "COM3", "serial").startswith("COM3 went away")
    assert explain(ValueError("bad baud rate 7"), "COM3", "serial") == "bad baud rate 7"
