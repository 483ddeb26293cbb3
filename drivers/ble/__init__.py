"""The `ble` driver: Bluetooth LE peripherals through bleak."""

from twinbench.drivers.ble.driver import BleDriver

__all__ = ["BleDriver"]
