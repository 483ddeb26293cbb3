"""Bluetooth LE: scanner, GATT browser, decoders."""
