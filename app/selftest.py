"""`twinbench --selftest`: a 2 s headless simulation that checks the pipeline end to end."""

from __future__ import annotations

import sys

# imported lazily (inside functions) by the drivers and panels: a frozen bundle that lacks one only
# fails when that feature is used, so the self test imports them up front
LAZY_MODULES = (
    "bleak",
    "orjson",
    "imufusion",
    "trimesh",
    "keyring",
    "pyarrow.parquet",
    "pyarrow.csv",
)
LINUX_MODULES = ("dbus_fast", "bleak.backends.bluezdbus.manager")


def missing_modules(names: tuple[str, ...] | None = None) -> list[str]:
    """The lazily imported modules (and every registered driver) that fail to import."""
    import importlib

    from twinbench.errors import UsageError
    from twinbench.registry import driver_names, load_driver

    if names is None:
        names = LAZY_MODULES + (LINUX_MODULES if sys.platform.startswith("linux") else ())
    bad = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # ImportError, or a broken native library
            bad.append(f"{name} ({exc})")
    for name in driver_names():
        try:
            load_driver(name)
        except UsageError as exc:
            bad.append(str(exc))
    return bad


def selftest(duration: float = 2.0) -> int:
    """Run the simulator headless and check every channel received samples; 0 on success."""
    import time

    from twinbench.registry import driver_names
    from twinbench.runtime import Runtime
    from twinbench.summary import SummaryStats

    names = driver_names()
    if "sim" not in names:
        print(f"selftest: FAIL: driver 'sim' not registered (found: {names})", file=sys.stderr)
        return 1
    bad_imports = missing_modules()
    if bad_imports:
        print(f"selftest: FAIL: cannot import {'; '.join(bad_imports)}", file=sys.stderr)
        return 1
    rt = Runtime()
    rt.add_driver("sim", {"rate": 500})
    stats = SummaryStats()
    rt.add_consumer("selftest", stats.add, policy="block")
    rt.start()
    time.sleep(duration)
    rt.stop()
    devices = stats.to_dict(rt.hub)
    chans = devices.get("sim", {}).get("channels", {})
    bad = [n for n, c in chans.items() if c["count"] == 0]
    if not chans or bad:
        print(f"selftest: FAIL: no samples on {bad or 'any channel'}", file=sys.stderr)
        return 1
    n = devices["sim"]["samples"]
    print(f"selftest: ok: {len(chans)} channels, {n} samples in {duration:.0f} s, drivers: {names}")
    return 0
