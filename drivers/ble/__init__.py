"""The `ble` driver."""
