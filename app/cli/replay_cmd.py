"""`twinbench replay`: play a recorded session through the pipeline and summarise it."""

from __future__ import annotations

import argparse
from typing import Any

from twinbench.cli.logopts import add_log_options, configure_from_args


def add_parser(subs: Any) -> None:
    """Declare `replay` and its options."""
    p = subs.add_parser(
        "replay",
        help="play a recorded session back headless",
        description="Play a session back through the same pipeline (original timestamps) at "
        "--speed 0.1-100 or --fast, printing a summary like `run`. Ends when the recording "
        "ends or after --duration seconds.",
    )
    p.add_argument("session", help="session folder")
    p.add_argument("--speed", type=float, default=1.0, help="x real time, 0.1 to 100")
    p.add_argument("--fast", action="store_true", help="as fast as possible")
    p.add_argument("--start", type=float, default=0.0, help="seek: seconds from session start")
    p.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    p.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="run these rules over the recording (event time: what would have fired, when)",
    )
    p.add_argument(
        "--derived",
        action="append",
        default=[],
        metavar="'NAME = EXPR [UNIT]'",
        help="add a derived channel to the replayed devices (repeatable)",
    )
    p.add_argument("--summary", metavar="FILE", help="write the JSON summary here")
    p.add_argument("--record", metavar="DIR", help="record the replay as a new session")
    p.add_argument("--quiet", action="store_true", help="print only the result line")
    add_log_options(p, quiet=False)


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench replay`."""
    from twinbench.errors import UsageError
    from twinbench.headless import HeadlessOptions, run_headless
    from twinbench.recording.session import open_session

    configure_from_args(args)
    if not 0.1 <= args.speed <= 100:
        raise UsageError(f"--speed {args.speed:g}: expected 0.1 to 100 (or --fast)")
    open_session(args.session)  # clear errors (missing, newer version) before starting
    settings = {"session": args.session, "speed": args.speed, "fast": args.fast}
    settings["start"] = args.start
    settings["prefix"] = ""  # headless: no live device to keep apart, the recorded ids stay

    def done(runtime: Any) -> bool:
        return all(getattr(d, "finished", True) for d in runtime.drivers)

    opts = HeadlessOptions(
        driver="replay",
        settings=settings,
        duration=args.duration if args.duration is not None else 1e9,
        summary=args.summary,
        quiet=args.quiet,
        record=args.record,
        stop_when=done,
        label="replayed",
        rules=args.rules,
        derived=args.derived,
    )
    return run_headless(opts)
