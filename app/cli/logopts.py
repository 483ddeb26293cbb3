"""The log options shared by long-running commands: --log-format, -v, --quiet, --progress."""

from __future__ import annotations

import argparse
import os
from typing import Any

LOG_FORMAT_ENV = "TWINBENCH_LOG_FORMAT"


def add_log_options(p: Any, quiet: bool = True) -> None:
    """Declare -v/--verbose, --log-format, --progress (and --quiet unless the command has one)."""
    p.add_argument(
        "--log-format",
        choices=("human", "json"),
        default=os.environ.get(LOG_FORMAT_ENV, "human"),
        help="events on stderr as human lines or one JSON object per line (time, level, event, "
        f"device, message, fields); default ${LOG_FORMAT_ENV} or human",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log more: human lines show warnings by default, -v adds info events "
        "(connections, alarms cleared, actions), -vv debug; JSON starts at info",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="a progress line every 10 s on stderr (line-based: fits a CI log)",
    )
    if quiet:
        p.add_argument("--quiet", action="store_true", help="log errors only")


def configure_from_args(args: argparse.Namespace) -> None:
    """Set up the run log from the parsed options."""
    from twinbench import runlog

    fmt = args.log_format
    if fmt not in runlog.FORMATS:  # a bad $TWINBENCH_LOG_FORMAT
        from twinbench.errors import UsageError

        raise UsageError(f"${LOG_FORMAT_ENV}={fmt!r}: expected one of {', '.join(runlog.FORMATS)}")
    runlog.configure(fmt, args.verbose, args.quiet, args.progress)
