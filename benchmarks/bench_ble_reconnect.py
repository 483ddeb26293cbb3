"""BLE reconnect: time from a device's return to the first value the link reports, per way it went.

One heart-rate strap notifies at 50 Hz through a private dbus-daemon, the BlueZ emulator and
bleak's real BlueZ backend, into a `ble` driver on a Runtime. Each way of disappearing is repeated:
the link dropped with the device still known to BlueZ (the baseline), the device forgotten by
BlueZ while away, the adapter powered off and on, the adapter unplugged and plugged back (as hci1,
then hci0), and bluetoothd restarted. The device's return is the emulator's clock (CLOCK_MONOTONIC,
shared with this process): the end of its absence, the power-on, the plug or the new bluetoothd.
Goal: under 2 s.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser

from twinbench.ble.privatebus import EmulatedBluez, heart_rate_strap
from twinbench.runtime import Runtime

ADDR = "AA:BB:CC:00:00:01"
GOAL_S = 2.0
AWAY_S = 0.5


def cycle(
    bz: EmulatedBluez, link: object, vanish: Callable[[], None], back: Callable[[], None]
) -> float:
    """Make the device vanish, bring it back; seconds from its return to the first value."""
    connects = link.connects  # type: ignore[attr-defined]
    vanish()
    time.sleep(AWAY_S)
    back()
    deadline = time.monotonic() + 15
    while not (link.connects > connects and link.first_value_at > 0):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            return float("inf")
        time.sleep(0.005)
    return link.first_value_at - bz.stats()[ADDR]["returned_at"]  # type: ignore[attr-defined]


def main() -> None:
    """Print, per way of disappearing, the median and worst time to the first value."""
    p = parser(__doc__ or "")
    p.add_argument("--repeat", type=int, default=5, help="cycles per way of disappearing")
    args = p.parse_args()
    n = 1 if args.smoke else args.repeat
    adapters = iter(["hci1", "hci0"] * n)
    with EmulatedBluez() as bz:
        bz.add_device(heart_rate_strap(ADDR, rate_hz=50))
        ways: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
            ("link dropped, device known (baseline)", lambda: bz.drop(ADDR, AWAY_S), lambda: None),
            (
                "device forgotten by BlueZ while away",
                lambda: bz.drop(ADDR, AWAY_S, forget=True),
                lambda: None,
            ),
            ("adapter powered off, then on", lambda: bz.power(False), lambda: bz.power(True)),
            ("adapter unplugged, plugged back", bz.unplug, lambda: bz.plug(next(adapters))),
            ("bluetoothd restarted", lambda: bz.restart_bluez(AWAY_S), lambda: None),
        ]
        rt = Runtime()
        drv = rt.add_driver("ble", {"address": ADDR, "device_id": "hr", "backoff_max": "1"})
        rt.start()
        try:
            link = drv.links["hr"]
            while link.first_value_at == 0:
                time.sleep(0.01)
            results = {what: [cycle(bz, link, v, b) for _ in range(n)] for what, v, b in ways}
            loss = drv.counters()["hr"]
        finally:
            rt.stop()
    base = statistics.median(next(iter(results.values())))
    print(f"{'device back -> first value (s)':<40} {'n':>3} {'median':>8} {'max':>8} {'ratio':>7}")
    for what, times in results.items():
        med = statistics.median(times)
        verdict = "ok" if max(times) < GOAL_S else f"over the {GOAL_S:g} s goal"
        print(
            f"{what:<40} {len(times):>3} {med:>8.3f} {max(times):>8.3f} {med / base:>6.2f}x  "
            + verdict
        )
    print(
        f"counters: reconnects {loss['reconnects']}, link losses {loss['link_losses']}, "
        f"connect failures {loss['connect_failures']}, "
        f"notifications missed while reconnecting (estimated) {loss['missed_while_reconnecting']}"
    )


if __name__ == "__main__":
    main()
