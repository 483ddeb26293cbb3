"""A private system bus with the BlueZ emulator on it, driven from tests and benchmarks.

``EmulatedBluez`` starts ``dbus-daemon`` with a system-bus configuration in a temporary folder,
points ``DBUS_SYSTEM_BUS_ADDRESS`` at it (bleak's BlueZ backend reads it when it connects), starts
:mod:`twinbench.ble.emulator` in a child process, and stops both on ``close()``, restoring the
environment. POSIX only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from twinbench.errors import UsageError

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
"""


class EmulatedBluez:
    """A private dbus-daemon plus the BlueZ emulator; a context manager that cleans up."""

    def __init__(self) -> None:
        exe = shutil.which("dbus-daemon")
        if exe is None:
            raise UsageError("dbus-daemon not found: install the dbus-daemon package")
        self._tmp = tempfile.TemporaryDirectory(prefix="twinbench-bus-")
        sock = Path(self._tmp.name) / "system_bus_socket"
        conf = Path(self._tmp.name) / "system.conf"
        conf.write_text(_CONFIG.format(socket=sock))
        self._old_env = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
        self.daemon: subprocess.Popen[bytes] | None = None
        self.emu: subprocess.Popen[str] | None = None
        self.specs: dict[str, dict[str, Any]] = {}  # address -> spec, re-added after a restart
        self._lock = threading.Lock()
        try:
            self.daemon = subprocess.Popen(
                [exe, f"--config-file={conf}", "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # it warns that it cannot raise its fd limit
            )
            assert self.daemon.stdout is not None
            self.address = self.daemon.stdout.readline().decode().strip()
            if not self.address:
                raise UsageError("dbus-daemon did not start (no bus address printed)")
            os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
            self._start_emulator()
        except BaseException:
            self.close()
            raise

    def _start_emulator(self) -> None:
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.emu = subprocess.Popen(
            [sys.executable, "-m", "twinbench.ble.emulator"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        ready = self._read()
        if not ready.get("ready"):
            raise UsageError(f"BlueZ emulator failed to start: {ready}")

    def _read(self) -> dict[str, Any]:
        assert self.emu is not None and self.emu.stdout is not None
        line = self.emu.stdout.readline()
        if not line:
            raise RuntimeError("BlueZ emulator exited")
        return json.loads(line)

    def command(self, op: str, **kw: Any) -> dict[str, Any]:
        """Send one control command to the emulator and return its answer (raises on error)."""
        if self.emu is None or self.emu.stdin is None:
            raise RuntimeError("emulator not running")
        with self._lock:
            self.emu.stdin.write(json.dumps({"op": op, **kw}) + "\n")
            self.emu.stdin.flush()
            answer = self._read()
        if not answer.get("ok"):
            raise RuntimeError(f"emulator {op}: {answer.get('error')}")
        return answer

    def add_device(self, spec: dict[str, Any]) -> str:
        """Add an advertising peripheral (see twinbench.ble.emulator for the spec)."""
        self.specs[spec["address"].upper()] = spec
        return str(self.command("add", device=spec)["path"])

    def drop(self, address: str, away_s: float = 0.0, forget: bool = False) -> None:
        """Drop the link; the device stays out of range for `away_s` seconds.

        With `forget`, BlueZ also removes the device object, as it does some 30 s after a
        device disconnects: it exists again only once the device advertises during a scan.
        """
        self.command("drop", address=address, away_s=away_s, forget=forget)

    def power(self, on: bool) -> None:
        """Power the adapter on or off (off drops every link and stops discovery)."""
        self.command("power", on=on)

    def unplug(self) -> None:
        """Pull the USB adapter out: it and every object under it disappear."""
        self.command("unplug")

    def plug(self, name: str = "hci0") -> None:
        """Plug an adapter in as `name` (a dongle often comes back as hci1)."""
        self.command("plug", name=name)

    def stop_bluez(self) -> None:
        """Kill bluetoothd: org.bluez vanishes from the bus without a signal of its own."""
        if self.emu is not None:
            self.emu.kill()
            self.emu.wait(5)
            for f in (self.emu.stdin, self.emu.stdout):
                if f is not None:
                    f.close()
            self.emu = None

    def restart_bluez(self, down_s: float = 0.0) -> None:
        """Kill bluetoothd (org.bluez vanishes from the bus) and start it `down_s` s later.

        The new one knows no device until it sees it advertise, as after a real restart.
        """
        self.stop_bluez()
        if down_s > 0:
            time.sleep(down_s)
        self._start_emulator()
        for spec in self.specs.values():
            self.command("add", device=spec, announce=False)

    def stats(self) -> dict[str, Any]:
        """Per-device counts from the emulator: notifications sent, connects."""
        out = self.command("stats")
        out.pop("ok", None)
        return out

    def close(self) -> None:
        """Stop the emulator and the bus daemon and restore the environment."""
        if self.emu is not None:
            try:
                if self.emu.stdin is not None:
                    self.emu.stdin.close()
                self.emu.wait(3)
            except (subprocess.TimeoutExpired, OSError):
                self.emu.kill()
                self.emu.wait(3)
            if self.emu.stdout is not None:
                self.emu.stdout.close()
            self.emu = None
        if self.daemon is not None:
            self.daemon.terminate()
            try:
                self.daemon.wait(3)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait(3)
            if self.daemon.stdout is not None:
                self.daemon.stdout.close()
            self.daemon = None
        if self._old_env is None:
            os.environ.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self._old_env
        self._tmp.cleanup()

    def __enter__(self) -> EmulatedBluez:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def heart_rate_strap(address: str, rate_hz: float = 10.0, name: str = "TwinHR") -> dict[str, Any]:
    """Spec of a heart-rate strap with a battery service."""
    return {
        "address": address,
        "name": name,
        "rssi": -52,
        "uuids": ["180d", "180f"],
        "manufacturer": {"89": "0102"},
        "rate_hz": rate_hz,
        "services": [
            {
                "uuid": "180d",
                "chars": [
                    {"uuid": "2a37", "flags": ["notify"], "gen": "hr"},
                    {"uuid": "2a38", "flags": ["read"], "value": "01"},
                ],
            },
            {
                "uuid": "180f",
                "chars": [
                    {"uuid": "2a19", "flags": ["read", "notify"], "value": "64", "gen": "battery"}
                ],
            },
        ],
    }


SENSOR_SERVICE = "7e1a0001-7b1e-4c1b-9c1a-7e1a7e1a7e1a"
SENSOR_CHAR = "7e1a0002-7b1e-4c1b-9c1a-7e1a7e1a7e1a"
SENSOR_CMD = "7e1a0003-7b1e-4c1b-9c1a-7e1a7e1a7e1a"
SENSOR_STRUCT = "t_send:u64,seq:u32,temp:i16*0.01,humidity:u16*0.01"


def custom_sensor(
    address: str, rate_hz: float = 10.0, name: str | None = "TwinSensor"
) -> dict[str, Any]:
    """Spec of a custom sensor: a binary notify characteristic and a writable command one."""
    return {
        "address": address,
        "name": name,
        "rssi": -67,
        "uuids": [SENSOR_SERVICE, "181a"],
        "service_data": {"181a": "0a0b"},
        "rate_hz": rate_hz,
        "services": [
            {
                "uuid": SENSOR_SERVICE,
                "chars": [
                    {
                        "uuid": SENSOR_CHAR,
                        "flags": ["read", "notify"],
                        "gen": "sensor",
                        "value": "00" * 16,
                    },
                    {"uuid": SENSOR_CMD, "flags": ["read", "write", "write-without-response"]},
                ],
            },
            {
                "uuid": "181a",
                "chars": [
                    {"uuid": "2a6e", "flags": ["read", "notify"], "value": "d007", "gen": "temp"}
                ],
            },
        ],
    }
