"""`twinbench ports`: serial ports with USB ids, and the profile that recognises each."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `ports`."""
    p = subs.add_parser("ports", help="list serial ports (description, VID:PID, serial number)")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Print every serial port pyserial sees."""
    import json

    from twinbench.drivers.serial.ports import list_ports
    from twinbench.profiles.loader import all_profiles, match_port

    profiles = all_profiles()
    ports = list_ports()
    for p in ports:
        prof = match_port(p, profiles)
        p["profile"] = prof.name if prof else None
    if args.json:
        print(json.dumps(ports, indent=2))
        return 0
    if not ports:
        print("no serial ports found")
    for p in ports:
        ids = f"{p['vid']:04X}:{p['pid']:04X}" if p.get("vid") is not None else "-"
        print(
            f"{p['device']:<20} {ids:<10} {p.get('serial_number') or '-':<16} "
            f"{p.get('manufacturer') or '-':<16} {p.get('description') or '-'}"
            + (f"  -> profile {p['profile']}" if p["profile"] else "")
        )
    return 0
