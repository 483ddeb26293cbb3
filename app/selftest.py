"""`twinbench --selftest`: a 2 s headless simulation that checks the pipeline end to end."""

from __future__ import annotations

import sys


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
