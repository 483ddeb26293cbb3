"""The Bluetooth half of `twinbench sim`: a virtual heart-rate strap and sensor, no radio needed.

It starts a private D-Bus system bus with the BlueZ emulator on it (POSIX only; needs the
`dbus-daemon` program) and prints `DBUS_SYSTEM_BUS_ADDRESS=...` on its first line: run TwinBench
(or any BlueZ client such as bleak) with that variable set to scan and connect to the devices.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

HR_ADDRESS = "AA:BB:CC:00:00:01"
SENSOR_ADDRESS = "AA:BB:CC:00:00:02"


def run_ble(args: argparse.Namespace) -> int:
    """Serve the virtual devices until stopped; print the bus address, then a JSON summary."""
    from twinbench.ble.privatebus import EmulatedBluez, custom_sensor, heart_rate_strap
    from twinbench.errors import UsageError

    if args.rate is not None and not 0 < args.rate <= 1000:
        raise UsageError(
            f"--rate must be within (0, 1000] notifications per second, got {args.rate}"
        )
    rate = 10.0 if args.rate is None else args.rate
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with EmulatedBluez() as bz:
        bz.add_device(heart_rate_strap(HR_ADDRESS, rate_hz=rate))
        bz.add_device(custom_sensor(SENSOR_ADDRESS, rate_hz=rate))
        print(f"DBUS_SYSTEM_BUS_ADDRESS={bz.address}", flush=True)
        print(
            f"# heart-rate strap TwinHR at {HR_ADDRESS}, sensor at {SENSOR_ADDRESS}, "
            f"{rate:g} notifications/s; stop with Ctrl-C",
            flush=True,
        )
        stop.wait(args.duration)
        stats = bz.stats()
    print(json.dumps({"sim": "ble", "rate_hz": rate, "devices": stats}), flush=True)
    sys.stdout.flush()
    return 0
