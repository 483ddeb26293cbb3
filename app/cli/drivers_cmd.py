"""`twinbench drivers list`: the installed drivers and their settings."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `drivers`."""
    p = subs.add_parser("drivers", help="list installed drivers and their settings")
    p.add_argument("action", choices=["list"], nargs="?", default="list")


def run(args: argparse.Namespace) -> int:
    """Print every driver with its origin and settings schema, then the plugin folder's wheels."""
    del args
    from twinbench.plugins import activate, plugins_dir
    from twinbench.registry import driver_names, driver_origin, load_driver

    for name in driver_names():
        origin = driver_origin(name)
        try:
            cls = load_driver(name)
        except Exception as exc:
            print(f"{name}: failed to load ({exc}) [{origin}]")
            continue
        print(f"{name}: {cls.description} [{origin}]")
        for s in cls.settings:
            print(f"    {s.describe()}")
    print(f"plugin folder: {plugins_dir()}")
    for wheel in activate():
        state = f"error: {wheel.error}" if wheel.error else "loaded"
        print(f"    {wheel.file.name}: {state}")
    return 0
