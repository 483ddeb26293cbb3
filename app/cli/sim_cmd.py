"""`twinbench sim`: run the simulated rig as a peer that real transports can connect to.

`--serial` puts the board behind a real pseudo-terminal (POSIX only), `--mqtt` publishes a fleet
to a broker, `--ble` serves a virtual heart-rate strap and sensor on a private D-Bus system bus
(POSIX only). Each transport adds its options in its own argument group through a small
function, so that more peers can join without touching the others.
"""

from __future__ import annotations

import argparse
from typing import Any


def _add_serial(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("serial board (--serial; POSIX only: a pseudo-terminal)")
    g.add_argument("--serial", action="store_true", help="serve the board on a pseudo-terminal")
    g.add_argument(
        "--format",
        default=None,
        help="serial: quickplot, csv (default), text ($a,b,..;), jsonl, keyvalue, binary, cobs, "
        "slip, length; mqtt: json (default), iothub, sparkplug",
    )
    g.add_argument("--link", metavar="PATH", help="stable symlink to the pty (kept on replug)")
    g.add_argument("--corrupt", type=float, default=0.0, help="corrupt bytes per frame (0..1)")
    g.add_argument("--noise", type=int, default=0, help="random bytes before each block")
    g.add_argument("--unplug-at", type=float, metavar="S", help="unplug after S seconds")
    g.add_argument("--unplug-for", type=float, default=0.5, metavar="S", help="stay unplugged S s")
    g.add_argument("--start-delay", type=float, default=0.0, metavar="S", help="wait S s first")
    g.add_argument("--print-profile", metavar="FILE", help="write the matching profile and exit")
    g.add_argument(
        "--sign",
        action="store_true",
        help="sign every frame (HMAC-SHA256, text formats) with the board's key: "
        "TWINBENCH_DEVICE_KEY, or derived from TWINBENCH_GROUP_KEY and --device-id",
    )
    g.add_argument("--device-id", default="simboard", help="the board's id (key derivation)")


def _add_mqtt(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("MQTT fleet (--mqtt HOST:PORT)")
    g.add_argument("--mqtt", metavar="HOST:PORT", help="publish a fleet of boards to this broker")
    g.add_argument("--devices", type=int, default=10, help="simulated boards (default 10)")
    g.add_argument("--qos", type=int, choices=(0, 1, 2), default=0, help="publish QoS")
    g.add_argument("--prefix", default="fleet", help="topic prefix for --format json")
    g.add_argument("--client-id", default="", help="MQTT client id (default: generated)")


def _add_ble(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Bluetooth LE devices (--ble; POSIX only: needs dbus-daemon)")
    g.add_argument(
        "--ble",
        action="store_true",
        help="serve a virtual heart-rate strap and sensor through an emulated BlueZ on a "
        "private system bus; prints DBUS_SYSTEM_BUS_ADDRESS=... to use",
    )


def add_parser(subs: Any) -> None:
    """Declare `sim` and its options."""
    p = subs.add_parser(
        "sim",
        help="run the simulated rig as a peer (serial pty, MQTT fleet, BLE devices)",
        description="Run the simulated motor rig behind a real transport so that TwinBench (or "
        "any tool) can connect to it. Prints the address (e.g. the pty path) on the first line.",
    )
    p.add_argument(
        "--rate",
        type=float,
        default=None,
        help="serial: frames per second (default 1000, 0: flat out); mqtt: messages per second "
        "per board (default 1); ble: notifications per second (default 10)",
    )
    p.add_argument("--count", type=int, help="stop after this many frames")
    p.add_argument("--duration", type=float, help="stop after this many seconds")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    _add_serial(p)
    _add_mqtt(p)
    _add_ble(p)


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench sim`."""
    from twinbench.errors import UsageError

    if sum(map(bool, (args.serial, args.mqtt, args.ble))) > 1:
        raise UsageError("choose one peer: --serial, --mqtt or --ble")
    if args.ble:
        from twinbench.cli.sim_ble import run_ble

        return run_ble(args)
    if args.serial:
        from twinbench.cli.sim_serial import run_serial

        args.rate = 1000.0 if args.rate is None else args.rate
        args.format = args.format or "csv"
        return run_serial(args)
    if args.mqtt:
        from twinbench.mqtt.fleet import FLEET_FORMATS, run_fleet

        args.rate = 1.0 if args.rate is None else args.rate
        args.format = args.format or "json"
        if args.format not in FLEET_FORMATS:
            raise UsageError(
                f"--format {args.format!r} is not an MQTT fleet format; valid: "
                + ", ".join(FLEET_FORMATS)
            )
        return run_fleet(args)
    raise UsageError("choose a peer to simulate: --serial, --mqtt HOST:PORT or --ble")
