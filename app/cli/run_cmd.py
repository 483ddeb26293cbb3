"""`twinbench run`: stream devices headless, summarise, record, assert."""

from __future__ import annotations

import argparse
from typing import Any

from twinbench.cli.logopts import add_log_options, configure_from_args


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
    p.add_argument(
        "--until",
        metavar="idle=5s|disconnect",
        help="end when no sample arrived for that long, or when a device disconnects "
        "(with no --duration, runs until then); SIGTERM and Ctrl-C end a run too, exit 0",
    )
    p.add_argument("--summary", metavar="FILE", help="write the JSON summary here")
    p.add_argument(
        "--quiet", action="store_true", help="print only the result line; log errors only"
    )
    p.add_argument(
        "--record",
        metavar="DIR",
        help="record the run into DIR/<session-id>/ (Arrow IPC streams, crash-safe)",
    )
    p.add_argument("--record-name", default="", metavar="NAME", help="display name of the session")
    p.add_argument("--record-devices", default="", metavar="A,B", help="record only these devices")
    p.add_argument(
        "--config",
        metavar="BENCH.toml",
        help="bench config: devices, recording and assertions (see docs/bench-config.md); "
        "exit 0 pass, 1 an assertion failed, 2 configuration error",
    )
    p.add_argument("--junit", metavar="FILE", help="with --config: write a JUnit XML report here")
    p.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="RULES.toml",
        help="evaluate these rule files on the live data (repeatable; see docs/rules.md)",
    )
    p.add_argument(
        "--derived",
        action="append",
        default=[],
        metavar="'NAME = EXPR [UNIT]'",
        help="add a derived channel, e.g. 'power = current * voltage [W]' (repeatable)",
    )
    p.add_argument(
        "--partition",
        metavar="I/N",
        help="mqtt driver: handle only the devices whose id hashes to partition I of N, so N "
        "instances split a fleet by device id (each message handled by exactly one)",
    )
    p.add_argument(
        "--share",
        metavar="GROUP",
        help="mqtt driver: subscribe through the MQTT 5 shared subscription $share/GROUP/... "
        "so several instances split one fleet",
    )
    add_log_options(p, quiet=False)


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

    configure_from_args(args)
    if args.config:
        from twinbench.bench.runner import run_bench

        if args.until:
            from twinbench.errors import UsageError

            raise UsageError("--until applies to a plain run; a bench config sets its duration")
        return run_bench(
            args.config,
            duration=args.duration,
            record=args.record,
            summary=args.summary,
            junit=args.junit,
            quiet=args.quiet,
        )
    settings = parse_settings(args.settings)
    if args.share:
        if (args.driver or "sim") != "mqtt":
            from twinbench.errors import UsageError

            raise UsageError("--share GROUP needs --driver mqtt (shared MQTT 5 subscriptions)")
        settings["share_group"] = args.share
    if args.partition:
        if (args.driver or "sim") != "mqtt":
            from twinbench.errors import UsageError

            raise UsageError("--partition I/N needs --driver mqtt")
        settings["partition"] = args.partition
    opts = HeadlessOptions(
        driver=args.driver,
        settings=settings,
        rules=args.rules,
        derived=args.derived,
        duration=args.duration,
        summary=args.summary,
        quiet=args.quiet,
        record=args.record,
        record_name=args.record_name,
        record_devices=tuple(d.strip() for d in args.record_devices.split(",") if d.strip()),
        until=args.until,
    )
    return run_headless(opts)
