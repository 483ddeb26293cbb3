"""`twinbench station`: a bench config as a technician's station (GUI)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `station` and its options."""
    p = subs.add_parser(
        "station",
        help="open a bench config as a test station (one Start button, live pass/fail)",
        description="Open the station view of a bench config (see docs/bench-config.md): one "
        "button starts the run, each assertion shows a large PASS/FAIL, and the result is "
        "saved with the recording.",
    )
    p.add_argument("config", metavar="BENCH.toml")
    p.add_argument("--record", metavar="DIR", help="record each run into DIR (overrides [record])")


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench station`."""
    from twinbench.bench.config import load_config

    load_config(args.config)  # configuration errors exit 2 before any window opens
    from twinbench.gui.station import launch_station

    return launch_station(args.config, args.record)
