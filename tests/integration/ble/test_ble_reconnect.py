"""Reconnect survives every way a device can disappear, on bleak's BlueZ backend and the emulator.

Each case prints the time from the device's return (the emulator's clock: CLOCK_MONOTONIC, shared
with this process) to the first value the link reported; `benchmarks/bench_ble_reconnect.py`
repeats them for figures. Timings are printed, never asserted.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.ble.conftest import HR_ADDR, wait_for
from twinbench.ble.privatebus import EmulatedBluez
from twinbench.runtime import Runtime

HRM = "0x2A37 Heart Rate Measurement"


def _run_through(
    bench: EmulatedBluez,
    runtime: Runtime,
    vanish: Callable[[], None],
    back: Callable[[], None],
    waiting: str,
) -> tuple[object, list[str]]:
    """Stream, make the device vanish, check the status says `waiting`, bring it back."""
    messages: list[str] = []
    runtime.events.listen(lambda e: messages.append(e.message) if e.device == "hr" else None)
    drv = runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr", "backoff_max": "0.5"})
    runtime.start()
    link = drv.links["hr"]
    hr = lambda: runtime.hub.devices["hr"].channel_stats()["hr_bpm"].count  # noqa: E731
    wait_for(lambda: "hr" in runtime.hub.devices and hr() > 20, what="0.4 s of 50 Hz values")
    vanish()
    wait_for(lambda: any(m.startswith(waiting) for m in messages), what=f"status {waiting!r}")
    back()
    wait_for(lambda: link.connects == 2 and link.first_value_at > 0, what="first value back")
    returned = bench.stats()[HR_ADDR]["returned_at"]
    print(f"\n{waiting[:30]!r}: first value {link.first_value_at - returned:.3f} s after return")
    before = runtime.hub.devices["hr"].samples
    wait_for(lambda: runtime.hub.devices["hr"].samples > before + 10, what="streaming again")
    return drv, messages


def test_device_forgotten_by_bluez_is_found_again_when_it_advertises(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    drv, msgs = _run_through(
        bench,
        runtime,
        lambda: bench.drop(HR_ADDR, away_s=0.6, forget=True),
        lambda: None,  # it comes back by itself after 0.6 s
        f"{HR_ADDR} is not in range; searching, connects when it advertises",
    )
    assert bench.stats()[HR_ADDR]["known"]  # BlueZ made a new object when it advertised
    loss = drv.counters()["hr"]
    assert (loss["reconnects"], loss["link_losses"]) == (1, 1)
    # 50 notifications/s, away >= 0.6 s: about 30 or more missed, estimated from the rate
    assert 20 <= loss[f"missed_while_reconnecting: {HRM}"] <= 200
    assert loss["missed_while_reconnecting"] >= loss[f"missed_while_reconnecting: {HRM}"]
    assert not any("Errno" in m for m in msgs)


def test_adapter_powered_off_and_on(bench: EmulatedBluez, runtime: Runtime) -> None:
    _run_through(
        bench,
        runtime,
        lambda: bench.power(False),
        lambda: bench.power(True),
        "Bluetooth is off: turn it on",
    )


def test_adapter_unplugged_and_back_as_hci1(bench: EmulatedBluez, runtime: Runtime) -> None:
    _run_through(
        bench,
        runtime,
        bench.unplug,  # the objects vanish without a Connected=false: only the watch sees it
        lambda: bench.plug("hci1"),
        "Bluetooth is not available: no Bluetooth adapter found",
    )
    assert bench.stats()[HR_ADDR]["path"].startswith("/org/bluez/hci1/")


def test_bluetoothd_restarted(bench: EmulatedBluez, runtime: Runtime) -> None:
    _, msgs = _run_through(
        bench,
        runtime,
        lambda: bench.restart_bluez(down_s=0.5),
        lambda: None,
        "Bluetooth is not available: cannot reach BlueZ (bluetoothd is not running)",
    )
    assert "bluetoothd stopped; reconnecting" in msgs
