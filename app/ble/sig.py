"""Bluetooth SIG assigned numbers: human names for the common services, characteristics and
descriptors, and UUID normalisation (16-bit short forms to the 128-bit base UUID)."""

from __future__ import annotations

import re

BASE_SUFFIX = "-0000-1000-8000-00805f9b34fb"
_HEX4 = re.compile(r"^(0x)?[0-9a-f]{4}$")
_HEX8 = re.compile(r"^(0x)?[0-9a-f]{8}$")
_FULL = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

SERVICES: dict[int, str] = {
    0x1800: "Generic Access",
    0x1801: "Generic Attribute",
    0x1802: "Immediate Alert",
    0x1803: "Link Loss",
    0x1804: "Tx Power",
    0x1805: "Current Time",
    0x1809: "Health Thermometer",
    0x180A: "Device Information",
    0x180D: "Heart Rate",
    0x180F: "Battery",
    0x1810: "Blood Pressure",
    0x1812: "Human Interface Device",
    0x1814: "Running Speed and Cadence",
    0x1816: "Cycling Speed and Cadence",
    0x1818: "Cycling Power",
    0x1819: "Location and Navigation",
    0x181A: "Environmental Sensing",
    0x181C: "User Data",
    0x181D: "Weight Scale",
    0x1822: "Pulse Oximeter",
    0x1826: "Fitness Machine",
    0xFE59: "Nordic DFU",
}

CHARACTERISTICS: dict[int, str] = {
    0x2A00: "Device Name",
    0x2A01: "Appearance",
    0x2A04: "Peripheral Preferred Connection Parameters",
    0x2A05: "Service Changed",
    0x2A06: "Alert Level",
    0x2A07: "Tx Power Level",
    0x2A19: "Battery Level",
    0x2A1C: "Temperature Measurement",
    0x2A1D: "Temperature Type",
    0x2A23: "System ID",
    0x2A24: "Model Number String",
    0x2A25: "Serial Number String",
    0x2A26: "Firmware Revision String",
    0x2A27: "Hardware Revision String",
    0x2A28: "Software Revision String",
    0x2A29: "Manufacturer Name String",
    0x2A2B: "Current Time",
    0x2A35: "Blood Pressure Measurement",
    0x2A37: "Heart Rate Measurement",
    0x2A38: "Body Sensor Location",
    0x2A39: "Heart Rate Control Point",
    0x2A50: "PnP ID",
    0x2A53: "RSC Measurement",
    0x2A5B: "CSC Measurement",
    0x2A5F: "PLX Continuous Measurement",
    0x2A63: "Cycling Power Measurement",
    0x2A6C: "Elevation",
    0x2A6D: "Pressure",
    0x2A6E: "Temperature",
    0x2A6F: "Humidity",
    0x2A76: "UV Index",
    0x2A77: "Irradiance",
    0x2A9D: "Weight Measurement",
    0x2AA6: "Central Address Resolution",
    0x2ACD: "Treadmill Data",
    0x2AD2: "Indoor Bike Data",
    0x2B29: "Client Supported Features",
    0x2B2A: "Database Hash",
}

DESCRIPTORS: dict[int, str] = {
    0x2900: "Characteristic Extended Properties",
    0x2901: "Characteristic User Description",
    0x2902: "Client Characteristic Configuration",
    0x2903: "Server Characteristic Configuration",
    0x2904: "Characteristic Presentation Format",
    0x2905: "Characteristic Aggregate Format",
    0x290C: "Environmental Sensing Measurement",
    0x290D: "Environmental Sensing Trigger Setting",
}

_ALL = {**SERVICES, **CHARACTERISTICS, **DESCRIPTORS}


def normalize_uuid(text: str) -> str:
    """The 128-bit lower-case form of a UUID given as "2a37", "0x2A37", 8 hex digits or in full."""
    t = text.strip().lower()
    if _HEX4.match(t):
        return f"0000{t[-4:]}{BASE_SUFFIX}"
    if _HEX8.match(t):
        return f"{t[-8:]}{BASE_SUFFIX}"
    if _FULL.match(t):
        return t
    raise ValueError(f"{text!r} is not a Bluetooth UUID (expected e.g. 2a37 or a 128-bit UUID)")


def short_uuid(uuid: str) -> int | None:
    """The 16-bit assigned number of a SIG-based UUID, or None for a vendor UUID."""
    u = normalize_uuid(uuid)
    if u.endswith(BASE_SUFFIX) and u.startswith("0000"):
        return int(u[4:8], 16)
    return None


def uuid_name(uuid: str) -> str:
    """A human name for a SIG-assigned UUID ("Heart Rate Measurement"), or "" when unknown."""
    try:
        n = short_uuid(uuid)
    except ValueError:
        return ""
    return "" if n is None else _ALL.get(n, "")


def uuid_label(uuid: str) -> str:
    """Short display form: "0x2A37 Heart Rate Measurement", or the full UUID for vendor ones."""
    try:
        n = short_uuid(uuid)
    except ValueError:
        return uuid
    if n is None:
        return normalize_uuid(uuid)
    name = _ALL.get(n, "")
    return f"0x{n:04X} {name}".rstrip()
