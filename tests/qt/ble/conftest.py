"""The BLE emulator fixtures, shared with the integration tests."""

from tests.integration.ble.conftest import bench, bluez

__all__ = ["bench", "bluez"]
