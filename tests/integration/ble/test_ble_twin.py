"""The twin over BLE: desired properties and commands become characteristic writes on the
BlueZ emulator (bleak's real BlueZ backend on a private bus)."""

from __future__ import annotations

import struct

import pytest

from tests.integration.ble.conftest import SENSOR_ADDR, wait_for
from twinbench.ble.privatebus import SENSOR_CMD, EmulatedBluez
from twinbench.errors import UsageError
from twinbench.runtime import Runtime
from twinbench.twin import TwinService
from twinbench.twin.ble_transport import BleTwinTransport

PROFILES = f"""
[[profile]]
name = "cmd-sensor"
match_service = "181a"
notify = ["2a6e"]
[profile.twin]
properties = {{ targetSpeed = "{SENSOR_CMD}", alarmTemperature = "2a6e" }}
commands = {{ reboot = "{SENSOR_CMD}" }}
responses = {{ reboot = "{SENSOR_CMD}" }}
encoding = "<H"
read_back = true
"""


def test_desired_and_command_write_characteristics(
    bench: EmulatedBluez, runtime: Runtime, tmp_path
) -> None:
    prof = tmp_path / "ble.toml"
    prof.write_text(PROFILES)
    runtime.add_driver(
        "ble",
        {"address": SENSOR_ADDR, "device_id": "s", "profiles": str(prof), "profile": "cmd-sensor"},
    )
    svc = TwinService(runtime, timeout=5.0)
    runtime.start()
    wait_for(
        lambda: (
            runtime.hub.devices.get("s") is not None
            and runtime.hub.devices["s"].state == "connected"
        ),
        what="the sensor's link",
    )
    assert isinstance(svc.transport.for_device("s"), BleTwinTransport)
    reply = svc.set_desired("s", {"targetSpeed": 1200})
    assert reply["targetSpeed"] == {
        "value": 1200,
        "ac": 200,
        "av": svc.twin("s").desired.version,
        "ad": "written",
    }
    assert svc.twin("s").property_status("targetSpeed").state == "accepted"
    drv = runtime.drivers[0]
    got = runtime.call(drv.command("s", "read", {"uuid": SENSOR_CMD})).result(5)
    assert got == struct.pack("<H", 1200)  # what the board now holds
    # the temperature characteristic is not writable: the board refuses, the twin says so
    svc.set_desired("s", {"alarmTemperature": 80})
    st = svc.twin("s").property_status("alarmTemperature")
    assert st.state in ("rejected", "failed") and "write failed" in st.ack_description
    # a value the encoding cannot hold is refused before it is written
    svc.set_desired("s", {"targetSpeed": 70000})
    assert svc.twin("s").property_status("targetSpeed").reported == 1200
    res = svc.invoke("s", "reboot", 7)
    assert res == {"status": 200, "payload": 7}
    assert svc.invoke("s", "selfTest")["status"] == 404


def test_bad_twin_table_names_the_key(tmp_path, runtime: Runtime) -> None:
    prof = tmp_path / "ble.toml"
    prof.write_text(PROFILES.replace('encoding = "<H"', 'encoding = "<Q!"'))
    with pytest.raises(UsageError, match=r"profile\[1\]\.twin\.encoding"):
        runtime.add_driver("ble", {"address": SENSOR_ADDR, "profiles": str(prof)})
