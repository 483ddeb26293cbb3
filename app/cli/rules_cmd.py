"""`twinbench rules check|dryrun FILE`: validate rule files, or run them over simulated data."""

from __future__ import annotations

import argparse
from typing import Any

from twinbench.errors import UsageError


def add_parser(subs: Any) -> None:
    """Declare `rules`."""
    p = subs.add_parser("rules", help="check rule files or dry-run them over simulated data")
    p.add_argument("action", choices=["check", "dryrun"])
    p.add_argument("files", nargs="+", metavar="FILE", help="rule file(s), TOML")
    p.add_argument("--channels", help="comma-separated channel names the rules may use")
    p.add_argument("--driver", help="take the channel names from this driver (e.g. sim)")
    p.add_argument("--seconds", type=float, default=60.0, help="dryrun: seconds of sim data")
    p.add_argument("--rate", type=float, default=1000.0, help="dryrun: sim sample rate (Hz)")
    p.add_argument("--faults", default="", help="dryrun: sim fault schedule, e.g. overheat@10")


def known_channels(args: argparse.Namespace) -> list[str] | None:
    """Channel names from --channels or --driver (None when neither is given)."""
    if args.channels:
        return [c.strip() for c in args.channels.split(",") if c.strip()]
    if args.driver:
        from twinbench.registry import load_driver

        cls = load_driver(args.driver)
        try:
            drv = cls({}, None)  # type: ignore[arg-type]
            devices = drv.devices  # type: ignore[attr-defined]
        except Exception as exc:
            raise UsageError(f"cannot list the channels of driver {args.driver!r}: {exc}") from None
        return sorted({c.name for d in devices for c in d.channels})
    return None


def run(args: argparse.Namespace) -> int:
    """Check the files (exit 0 when valid, 2 otherwise) or dry-run them."""
    from twinbench.errors import ConfigError
    from twinbench.rules.loader import load_rules

    if args.action == "dryrun":
        args.driver = args.driver or "sim"
        from twinbench.rules.dryrun import dryrun_sim

        rs = load_rules(args.files, known_channels(args))
        return dryrun_sim(rs, args.seconds, args.rate, args.faults)
    chans = known_channels(args)
    bad = 0
    for f in args.files:
        try:
            rs = load_rules(f, chans)
        except ConfigError as exc:
            print(f"twinbench: error: {exc}")
            caret = getattr(exc, "caret", "")
            if caret:
                for line in caret.splitlines():
                    print(f"    {line}")
            bad += 1
            continue
        windowed = sum(r.windowed for r in rs.rules)
        print(f"{f}: ok, {len(rs.rules)} rule(s), {windowed} windowed")
    return 2 if bad else 0
