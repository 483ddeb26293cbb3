"""`twinbench ports`: serial ports with USB ids, and the profile that recognises each."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `ports`."""
    p = subs.add_parser("ports", help="list serial ports (description, VID:PID, serial number)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--all", action="store_true", help="include pseudo-terminals (/dev/pts/N)")
    p.add_argument("--sniff", metavar="PORT", help="listen to PORT and suggest a profile")
    p.add_argument("--save", metavar="NAME", help="with --sniff: save the suggestion as NAME")
    p.add_argument("--seconds", type=float, default=0.3, help="with --sniff: time per baud rate")


def run(args: argparse.Namespace) -> int:
    """Print every serial port pyserial sees."""
    import json

    from twinbench.drivers.serial.ports import list_ports
    from twinbench.profiles.loader import all_profiles, match_port

    if args.sniff:
        return _sniff(args)
    profiles = all_profiles()
    ports = list_ports(include_ptys=args.all)
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
            + "".join(f"  [{name}]" for name in p.get("by_id", []))
        )
    return 0


def _sniff(args: argparse.Namespace) -> int:
    import tomli_w

    from twinbench.errors import UsageError
    from twinbench.profiles.loader import parse_profile, profiles_dir
    from twinbench.profiles.sniff import sniff_port

    if not args.seconds > 0:
        raise UsageError(f"--seconds must be positive, got {args.seconds}")
    guess = sniff_port(args.sniff, seconds=args.seconds)
    score = guess.pop("score", 0.0)
    errors = guess.pop("errors", [])
    if "decoder" not in guess:
        detail = f" ({errors[0]})" if errors else ""
        raise UsageError(f"{args.sniff}: no quick-plot, CSV or JSON lines recognised{detail}")
    name = args.save or "sniffed"
    profile = {"name": name, "description": f"sniffed on {args.sniff}", **guess}
    text = tomli_w.dumps(profile)
    print(
        f"# {args.sniff}: {guess['decoder']['type']} at {guess['transport']['baudrate']} baud, "
        f"{score:.0%} of lines decoded"
    )
    print(text)
    if args.save:
        out = profiles_dir() / f"{args.save}.toml"
        parse_profile(text, str(out))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"# wrote {out}")
    return 0
