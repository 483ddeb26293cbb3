"""`twinbench drivers list`: the installed drivers and their settings."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `drivers`."""
    p = subs.add_parser("drivers", help="list installed drivers and their settings")
    p.add_argument("action", choices=["list"], nargs="?", default="list")


def run(args: argparse.Namespace) -> int:
    """Print every driver with its settings schema."""
    del args
    from twinbench.registry import driver_names, load_driver

    for name in driver_names():
        try:
            cls = load_driver(name)
        except Exception as exc:
            print(f"{name}: failed to load ({exc})")
            continue
        print(f"{name}: {cls.description}")
        for s in cls.settings:
            print(f"    {s.describe()}")
    return 0
