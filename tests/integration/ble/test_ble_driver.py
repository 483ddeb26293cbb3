"""The `ble` driver end to end: bleak's BlueZ backend, the emulator, the runtime and the hub."""

from __future__ import annotations

import struct

import pytest

from tests.integration.ble.conftest import HR_ADDR, SENSOR_ADDR, wait_for
from twinbench.ble.privatebus import SENSOR_CHAR, SENSOR_CMD, SENSOR_STRUCT, EmulatedBluez
from twinbench.errors import UsageError
from twinbench.runtime import Runtime

SENSOR_NOTIFY = f"{SENSOR_CHAR}=struct:{SENSOR_STRUCT};2a6e"


def _samples(rt: Runtime, dev: str) -> int:
    st = rt.hub.devices.get(dev)
    return st.samples if st else 0


def _last(rt: Runtime, dev: str, ch: str) -> float:
    return rt.hub.devices[dev].channel_stats()[ch].last


def test_zero_touch_profile_and_struct_decoder_stream(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    hr = runtime.add_driver("ble", {"profile": "heart-rate", "scan_s": "2"})
    sensor = runtime.add_driver(
        "ble", {"address": SENSOR_ADDR, "notify": SENSOR_NOTIFY, "device_id": "sensor"}
    )
    runtime.start()
    assert list(hr.links) == ["twinhr"]  # recognised by its advertised Heart Rate service
    wait_for(lambda: _samples(runtime, "twinhr") > 20 and _samples(runtime, "sensor") > 20)
    dev = runtime.hub.devices["twinhr"].device
    assert set(dev.channel_names) == {
        "hr_bpm",
        "hr_contact",
        "hr_energy_kj",
        "hr_rr_ms",
        "battery_pct",
    }
    assert dev.meta["address"] == HR_ADDR
    assert 60 <= _last(runtime, "twinhr", "hr_bpm") <= 100
    assert _last(runtime, "twinhr", "hr_contact") == 1.0
    assert 500 < _last(runtime, "twinhr", "hr_rr_ms") < 1100
    assert 0 <= _last(runtime, "twinhr", "battery_pct") <= 100
    assert 20.0 <= _last(runtime, "sensor", "temp") <= 23.0
    assert 19.0 <= _last(runtime, "sensor", "temperature_c") <= 21.0
    assert runtime.hub.devices["sensor"].state == "connected"
    del sensor


def test_read_write_and_gatt_through_driver_commands(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    drv = runtime.add_driver("ble", {"address": SENSOR_ADDR, "notify": "2a6e", "device_id": "s"})
    runtime.start()
    wait_for(
        lambda: (
            runtime.hub.devices.get("s") is not None
            and runtime.hub.devices["s"].state == "connected"
        )
    )
    assert runtime.call(drv.command("s", "read", "2a6e")).result(5) == struct.pack("<h", 2000)
    runtime.call(drv.command("s", "write", {"uuid": SENSOR_CMD, "data": "01ff"})).result(5)
    assert runtime.call(drv.command("s", "read", {"uuid": SENSOR_CMD})).result(5) == b"\x01\xff"
    tree = runtime.call(drv.command("s", "gatt")).result(5)
    chars = {c["uuid"]: c for s in tree for c in s["characteristics"]}
    assert chars["00002a6e-0000-1000-8000-00805f9b34fb"]["name"] == "Temperature"
    assert chars[SENSOR_CMD]["properties"] == ["read", "write", "write-without-response"]
    # a second subscription added at run time, with its own decoder
    chans = runtime.call(
        drv.command("s", "subscribe", {"uuid": SENSOR_CHAR, "decoder": f"struct:{SENSOR_STRUCT}"})
    ).result(5)
    assert chans == ("t_send", "seq", "temp", "humidity")
    wait_for(
        lambda: runtime.hub.devices["s"].channel_stats()["seq"].count > 5, what="struct samples"
    )
    with pytest.raises(KeyError, match="not found"):
        runtime.call(drv.command("s", "read", "2a99")).result(5)
    with pytest.raises(ValueError, match="unknown BLE command"):
        runtime.call(drv.command("s", "frobnicate")).result(5)


def test_link_drop_shows_disconnected_then_reconnects_and_resubscribes(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    states: list[tuple[str, str]] = []
    runtime.events.listen(
        lambda e: states.append((e.data.get("state", ""), e.message)) if e.device == "hr" else None
    )
    drv = runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr", "backoff_max": "0.2"})
    runtime.start()
    wait_for(lambda: _samples(runtime, "hr") > 10)
    bench.drop(HR_ADDR, away_s=0.5)
    wait_for(lambda: ("disconnected", "link lost; reconnecting") in states, what="disconnected")
    wait_for(lambda: runtime.hub.devices["hr"].state == "connected", what="reconnect")
    assert states[-1] == ("connected", "reconnected (2)")
    before = _samples(runtime, "hr")
    wait_for(lambda: _samples(runtime, "hr") > before + 10, what="notifications after reconnect")
    stats = runtime.call(drv.command("hr", "stats")).result(5)
    assert stats["link_losses"] == 1 and stats["connects"] == 2
    assert all(c["active"] for c in stats["characteristics"].values())
    assert bench.stats()[HR_ADDR]["connects"] == 2


def test_bad_notifications_are_counted_and_reported_others_keep_streaming(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    bench.command("rate", address=HR_ADDR, hz=0)  # only injected values from the strap
    hr = runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr", "notify": "2a37"})
    runtime.add_driver(
        "ble", {"address": SENSOR_ADDR, "notify": SENSOR_NOTIFY, "device_id": "sensor"}
    )
    runtime.start()
    wait_for(lambda: runtime.hub.devices["hr"].state == "connected")
    bench.command("inject", address=HR_ADDR, uuid="2a37", hex="01")  # flags say uint16, no value
    bench.command("inject", address=HR_ADDR, uuid="2a37", hex="e048")  # reserved flag bits
    bench.command("inject", address=HR_ADDR, uuid="2a37", hex="0048")  # good: 72 bpm
    bench.command("inject", address=SENSOR_ADDR, uuid=SENSOR_CHAR, hex="0102")  # too short
    st = lambda: runtime.call(hr.command("hr", "stats")).result(5)["characteristics"]  # noqa: E731
    wait_for(lambda: st()["00002a37-0000-1000-8000-00805f9b34fb"]["notifications"] >= 3)
    c = st()["00002a37-0000-1000-8000-00805f9b34fb"]
    assert (c["bad_length"], c["unknown_flags"], c["samples"]) == (1, 1, 2)
    assert _last(runtime, "hr", "hr_bpm") == 72
    msgs = [e.message for e in runtime.events.recent if e.kind == "error"]
    assert any("Heart Rate Measurement" in m and "wrong length" in m for m in msgs)
    wait_for(lambda: any("expected 16 byte(s)" in e.message for e in runtime.events.recent))
    before = _samples(runtime, "sensor")
    wait_for(lambda: _samples(runtime, "sensor") > before + 10, what="sensor still streaming")


def test_refused_connection_is_shown_and_retried_while_others_stream(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    bench.command("refuse", address=HR_ADDR, on=True)
    runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr", "backoff_max": "0.2"})
    runtime.add_driver("ble", {"address": SENSOR_ADDR, "notify": "2a6e", "device_id": "sensor"})
    runtime.start()
    wait_for(lambda: _samples(runtime, "sensor") > 10)
    hr_events = [e for e in runtime.events.recent if e.device == "hr"]
    assert hr_events and hr_events[0].data["state"] == "error"
    assert "Connection refused" in hr_events[0].message
    bench.command("refuse", address=HR_ADDR, on=False)
    wait_for(lambda: _samples(runtime, "hr") > 5, what="hr after refusal ends")


def test_vanished_characteristic_is_reported_and_the_rest_streams(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    drv = runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr", "backoff_max": "0.2"})
    runtime.start()
    wait_for(lambda: runtime.hub.devices["hr"].channel_stats()["battery_pct"].count > 3)
    bench.command("vanish", address=HR_ADDR, uuid="2a19")
    with pytest.raises(Exception, match="no object|not found"):
        runtime.call(drv.command("hr", "read", "2a19")).result(5)
    bench.drop(HR_ADDR)  # the device comes back without its battery characteristic
    stats = lambda: runtime.call(drv.command("hr", "stats")).result(5)  # noqa: E731
    wait_for(lambda: (stats()["connects"], stats()["state"]) == (2, "connected"))
    bat = runtime.call(drv.command("hr", "stats")).result(5)["characteristics"][
        "00002a19-0000-1000-8000-00805f9b34fb"
    ]
    assert bat["missing"] == 1 and not bat["active"]
    assert "not found on the device" in bat["message"]
    assert any("Battery Level not found" in e.message for e in runtime.events.recent)
    before = runtime.hub.devices["hr"].channel_stats()["hr_bpm"].count
    wait_for(lambda: runtime.hub.devices["hr"].channel_stats()["hr_bpm"].count > before + 5)


def test_bad_settings_are_usage_errors(runtime: Runtime) -> None:
    with pytest.raises(UsageError, match="no standard decoder"):
        runtime.add_driver("ble", {"notify": "12345678-1234-5678-1234-56789abcdef0"})
    with pytest.raises(UsageError, match="not a Bluetooth address"):
        runtime.add_driver("ble", {"address": "nope"})
    with pytest.raises(UsageError, match="unknown type"):
        runtime.add_driver("ble", {"notify": "2a37=struct:a:u99"})


def test_profiles_file_recognises_an_unnamed_device_by_service(
    bench: EmulatedBluez, runtime: Runtime, tmp_path
) -> None:
    path = tmp_path / "ble.toml"
    path.write_text(
        f'[[profile]]\nname = "custom"\nmatch_service = "{SENSOR_CHAR[:4]}0001{SENSOR_CHAR[8:]}"\n'
        f'notify = ["{SENSOR_CHAR}=struct:{SENSOR_STRUCT}"]\n'
    )
    drv = runtime.add_driver("ble", {"profiles": str(path), "profile": "custom", "scan_s": "1"})
    runtime.start()
    (dev_id,) = drv.links
    assert dev_id == "ble-0002"  # no advertised name: the id comes from the address
    wait_for(lambda: _samples(runtime, dev_id) > 10)
    assert runtime.hub.devices[dev_id].device.channel_names == ("t_send", "seq", "temp", "humidity")
    with pytest.raises(UsageError, match="'nope' is not auto, none or one of custom"):
        runtime.add_driver("ble", {"profiles": str(path), "profile": "nope"})


def test_unresponsive_device_times_out_without_holding_up_the_others(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    bench.command("stall", address=HR_ADDR, seconds=30)
    runtime.add_driver(
        "ble", {"address": HR_ADDR, "device_id": "hr", "connect_timeout": "1", "reconnect": "0"}
    )
    runtime.add_driver("ble", {"address": SENSOR_ADDR, "notify": "2a6e", "device_id": "sensor"})
    runtime.start()
    wait_for(lambda: _samples(runtime, "sensor") > 10)
    hr = runtime.hub.devices.get("hr")
    msgs = [e.message for e in runtime.events.recent if e.device == "hr"]
    assert hr is None or hr.samples == 0
    assert msgs == [f"connect to {HR_ADDR} failed: timed out"]


def test_raw_decoder_feeds_byte_listeners_and_write_sends_raw_bytes(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    got: list[tuple[str, bytes]] = []
    runtime.hub.on_bytes(lambda dev, data, t_ns: got.append((dev, data)))
    drv = runtime.add_driver(
        "ble",
        {
            "address": SENSOR_ADDR,
            "device_id": "uart",
            "notify": f"{SENSOR_CHAR}=raw",
            "write_uuid": SENSOR_CMD,
        },
    )
    runtime.start()
    wait_for(lambda: sum(len(d) for _, d in got) >= 16 * 5, what="raw bytes")
    assert {dev for dev, _ in got} == {"uart"}
    assert sum(len(d) for _, d in got) % 16 == 0  # whole notifications, nothing decoded
    runtime.call(drv.write(b"ping")).result(5)
    assert runtime.call(drv.command("uart", "read", SENSOR_CMD)).result(5) == b"ping"
    stats = runtime.call(drv.command("uart", "stats")).result(5)["characteristics"]
    assert stats[SENSOR_CHAR]["decoder"] == "raw" and stats[SENSOR_CHAR]["notifications"] >= 5


def test_every_loss_counter_reaches_the_summary_and_diagnostics(
    bench: EmulatedBluez, runtime: Runtime
) -> None:
    from twinbench.diagnostics import Diagnostics
    from twinbench.headless import build_summary
    from twinbench.summary import SummaryStats

    bench.command("rate", address=HR_ADDR, hz=0)  # only injected values from the strap
    drv = runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr"})
    runtime.start()
    wait_for(lambda: runtime.hub.devices["hr"].state == "connected")
    bench.command("inject", address=HR_ADDR, uuid="2a37", hex="01")  # truncated
    bench.command("inject", address=HR_ADDR, uuid="2a19", hex="6464")  # two-byte battery level
    bench.command("inject", address=HR_ADDR, uuid="2a37", hex="1148")  # truncated energy field
    wait_for(lambda: drv.counters()["hr"]["malformed"] == 3, what="three malformed")
    diag = Diagnostics(runtime).snapshot()["devices"]["hr"]
    runtime.stop()
    loss = build_summary(runtime, SummaryStats(), 1.0)["devices"]["hr"]["loss"]
    assert loss == {**diag["losses"], "reconnects": diag["reconnects"]}
    assert loss["malformed: 0x2A37 Heart Rate Measurement"] == 2
    assert loss["malformed: 0x2A19 Battery Level"] == 1
    assert (loss["link_losses"], loss["reconnects"], loss["missed_while_reconnecting"]) == (0, 0, 0)
