"""BLE fixtures: bleak's real BlueZ backend against the BlueZ emulator on a private system bus."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator

import pytest

from twinbench.ble.privatebus import EmulatedBluez, custom_sensor, heart_rate_strap
from twinbench.runtime import Runtime

HR_ADDR = "AA:BB:CC:00:00:01"
SENSOR_ADDR = "AA:BB:CC:00:00:02"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `hardware` run only when asked for (`-m hardware`)."""
    if "hardware" in (config.getoption("-m") or ""):
        return
    here = os.path.dirname(__file__)
    keep, drop = [], []
    for item in items:
        mine = str(item.path).startswith(here)
        (drop if mine and item.get_closest_marker("hardware") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def bluez() -> Iterator[EmulatedBluez]:
    """A private dbus-daemon with the BlueZ emulator: no devices yet."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    with EmulatedBluez() as bz:
        yield bz


@pytest.fixture
def bench(bluez: EmulatedBluez) -> EmulatedBluez:
    """The emulator with a heart-rate strap (with battery) and an unnamed custom sensor, 50 Hz."""
    bluez.add_device(heart_rate_strap(HR_ADDR, rate_hz=50))
    bluez.add_device(custom_sensor(SENSOR_ADDR, rate_hz=50, name=None))
    return bluez


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    """A runtime for the test's drivers, stopped afterwards."""
    rt = Runtime()
    yield rt
    rt.stop()


def wait_for(pred: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll `pred` until true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)
