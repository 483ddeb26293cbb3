"""`twinbench run`: stream devices headless, summarise, record, assert."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `run` and its options."""
    p = subs.add_parser(
        "run",
        help="run devices without the GUI",
        description="Run devices headless (no Qt is imported) for a duration, printing and "
        "optionally writing a summary. Driver settings come as --set key=value, validated "
        "against the driver's schema (see `twinbench drivers list`).",
    )
    p.add_argument("--headless", action="store_true", help="no GUI (the only mode of `run`)")
    p.add_argument("--driver", default=None, help="driver name (default: sim)")
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="driver setting, repeatable",
    )
    p.add_argument("--duration", type=float, default=None, help="seconds to run (default 5)")
    p.add_argument("--summary", metavar="FILE", help="write the JSON summary here")
    p.add_argument("--quiet", action="store_true", help="print only the result line")


def parse_settings(items: list[str]) -> dict[str, str]:
    """Turn repeated KEY=VALUE options into a dict; a malformed item is a usage error."""
    from twinbench.errors import UsageError

    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--set {item!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench run`."""
    from twinbench.headless import HeadlessOptions, run_headless

    opts = HeadlessOptions(
        driver=args.driver,
        settings=parse_settings(args.settings),
        duration=args.duration,
        summary=args.summary,
        quiet=args.quiet,
    )
    return run_headless(opts)
