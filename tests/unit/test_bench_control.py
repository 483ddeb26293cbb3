"""Device lifecycle on a running runtime: connect, refuse a duplicate id, disconnect, reconnect,
rename, edit, remove, and a driver that fails to open."""

from __future__ import annotations

import pytest

from twinbench.bench_control import BenchControl
from twinbench.benchmodel import BenchModel
from twinbench.errors import UsageError
from twinbench.runtime import Runtime


@pytest.fixture
def control():
    rt = Runtime()
    rt.start()
    ctl = BenchControl(BenchModel(), rt)
    yield ctl
    rt.stop()


@pytest.fixture
def streaming(control, wait_until):
    """streaming(dev): whether `dev` is in the hub and its sample count grows."""

    def check(dev):
        hub = control.runtime.hub
        st = hub.devices.get(dev)
        n = st.samples if st else 0
        return wait_until(lambda: dev in hub.devices and hub.devices[dev].samples > n)

    return check


def test_connect_with_an_id_in_use_is_refused_never_merged(control, streaming):
    control.connect("sim", {"rate": 100})
    assert streaming("sim")
    with pytest.raises(UsageError, match="'sim' is already in use; 'sim-2' is free"):
        control.connect("sim", {})  # the defaults: device_id "sim"
    assert len(control.runtime.drivers) == 1
    control.connect("sim", {"rate": 100}, device_id="sim-2")
    assert streaming("sim-2")
    assert control.model.devices["sim-2"].settings["device_id"] == "sim-2"
    assert set(control.runtime.hub.devices) == {"sim", "sim-2"}


def test_disconnect_reconnect_remove(control, streaming):
    control.connect("sim", {"rate": 100, "device_id": "a"})
    control.connect("sim", {"rate": 100, "device_id": "b"})
    assert streaming("a") and streaming("b")
    control.disconnect("a")
    rec = control.model.devices["a"]
    assert rec.state == "stopped" and not rec.connect
    assert control.runtime.hub.devices["a"].state == "disconnected"
    assert streaming("b")  # the other keeps streaming
    control.reconnect("a")
    assert streaming("a")
    control.sync()
    assert control.model.devices["a"].state == "connected"
    control.remove("a")
    assert "a" not in control.model.devices and "a" not in control.runtime.hub.devices
    assert [d.config["device_id"] for d in control.runtime.drivers] == ["b"]


def test_rename_and_edit_restart_under_the_new_id(control, streaming):
    control.connect("sim", {"rate": 100, "device_id": "a"})
    assert streaming("a")
    control.rename("a", "rig")
    assert streaming("rig")
    assert "a" not in control.runtime.hub.devices
    control.edit("rig", {"device_id": "rig", "rate": 50, "devices": 2})
    assert streaming("rig-1") and streaming("rig-2")
    assert control.record_of("rig-2") == "rig"
    with pytest.raises(UsageError, match="unknown setting 'wheels'"):
        control.edit("rig", {"wheels": 4})


def test_a_device_that_fails_to_open_is_marked_failed_and_not_kept(control, tmp_path, wait_until):
    control.connect("replay", {"session": str(tmp_path / "nope")})
    control.connect("sim", {"rate": 100})
    assert wait_until(
        lambda: (control.sync(), control.model.devices["replay"].state)[1] == "failed"
    )
    assert control.model.devices["replay"].reason
    assert [d["id"] for d in control.model.user_part()["devices"]] == ["sim"]


def test_drivers_started_elsewhere_get_a_record(control):
    control.runtime.add_driver("sim", {"device_id": "x", "rate": 100})
    control.sync()
    assert "x" in control.model.devices


def test_status_text_says_how_a_device_is_doing():
    from types import SimpleNamespace

    from twinbench.bench_control import status_text
    from twinbench.benchmodel import DeviceRecord

    rec = DeviceRecord("b", "serial", {})
    st = SimpleNamespace(state="connected", message="", rate_hz=198.4, retry_at=0.0)
    assert status_text(rec, st) == "connected, 198 Hz"
    assert status_text(rec, None) == "connecting\u2026"
    st.state, st.message, st.retry_at = "disconnected", "link lost", 100.0
    assert status_text(rec, st, now=97.5) == "reconnecting in 3 s (link lost)"
    st.retry_at = 0.0
    st.message = "port lost: EIO"
    assert status_text(rec, st) == "disconnected: port lost: EIO; reconnecting"
    rec.state, rec.reason = "failed", "no such session"
    assert status_text(rec, st) == "failed: no such session"
    rec.state = "stopped"
    assert status_text(rec, st) == "disconnected (by you)"


def test_replays_and_auto_connected_boards_are_transient(control, tmp_path):
    drv = control.runtime.add_driver("sim", {"device_id": "found", "rate": 100})
    drv.started_by = "autoconnect"
    control.runtime.add_driver("replay", {"session": str(tmp_path / "s")})
    control.sync()
    recs = control.model.devices
    assert recs["found"].transient
    assert [r.transient for k, r in recs.items() if k.startswith("replay:")] == [True]
    assert control.model.user_part()["devices"] == []


def test_a_drivers_own_link_state_shows_on_its_devices(control):
    from twinbench.bench_control import status_text
    from twinbench.model import Device

    drv = control.runtime.add_driver("sim", {"device_id": "fleet", "rate": 100})
    control.sync()
    sink = drv.sink
    sink.declare(Device("fleet/d1", "mqtt"))
    sink.status("broker:1883", "disconnected", "connection lost; reconnecting", retry_in=4)
    assert sink.link[0] == "disconnected" and "broker:1883" not in control.runtime.hub.devices
    st = control.runtime.hub.devices["fleet/d1"]
    rec = control.model.devices["fleet"]
    now = sink.link[2] - 0.5  # half a second to go
    text = status_text(rec, st, now=now, link=sink.link)
    assert text == "reconnecting in 1 s (connection lost; reconnecting)"
    sink.status("broker:1883", "connected", "")
    assert status_text(rec, st, link=sink.link).startswith("connected")
