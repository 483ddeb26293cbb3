"""The recorder attached to a live runtime: raw bytes, events, failures, start/stop service."""

from __future__ import annotations

import json
import shutil
import time

import numpy as np

from twinbench.model import Channel, Chunk, Device
from twinbench.recording import Recorder, open_session
from twinbench.runtime import Runtime


def test_live_sim_run_records_everything_the_hub_saw(tmp_path):
    rt = Runtime()
    rt.add_driver("sim", {"rate": 2000, "devices": 2})
    rec = Recorder(rt, tmp_path, flush_interval=0.2)
    rt.services["recorder"] = rec
    folder = rec.start("live")
    rt.start()
    try:
        time.sleep(0.5)
        rt.hub.publish_bytes("port", b"\x01\x02garbage", 123)
        rt.events.emit("command", "sim-1", "reset sent", name="reset", state="sent")
        time.sleep(0.3)
    finally:
        rt.stop()
        meta = rec.stop()
    assert meta["state"] == "closed" and not rec.recording
    s = open_session(folder)
    for dev in ("sim-1", "sim-2"):
        assert s.device_table(dev).num_rows == rt.hub.devices[dev].samples > 0
    assert s.meta["devices"]["sim-1"]["channels"][0]["unit"]
    raw = s.raw("port").to_pylist()
    assert raw[0]["data"] == b"\x01\x02garbage"
    kinds = [e["kind"] for e in s.events().to_pylist()]
    assert "command" in kinds and "connection" in kinds and "recording" in kinds
    assert meta["stats"]["lost_samples"] == 0 and meta["stats"]["flushes"] >= 2


def test_write_failure_is_counted_and_reported_not_raised(tmp_path):
    rt = Runtime()
    rt.hub.declare(Device("a", "sim", (Channel("x"),)))
    errors = []
    rt.events.listen(lambda e: errors.append(e) if e.kind == "error" else None)
    rec = Recorder(rt, tmp_path)
    folder = rec.start()
    rec.handle([Chunk("a", ("x",), np.arange(10), np.ones(10))])
    rec.flush()
    shutil.rmtree(folder / "data")
    (folder / "data").write_text("the disk went away")
    rec.handle([Chunk("b", ("y",), np.arange(5), np.ones(5))])  # needs a new stream: fails
    rec.handle([Chunk("a", ("x",), np.arange(10, 20), np.ones(10))])
    meta = rec.stop()
    assert "opening stream for 'b'" in meta["stats"]["error"]
    assert meta["stats"]["lost_samples"] == 15
    assert errors and errors[0].message.startswith("recorder: ")
    assert json.loads((folder / "session.json").read_text())["state"] == "closed"


def test_recorder_restarts_into_a_new_session(tmp_path):
    rt = Runtime()
    rt.hub.declare(Device("a", "sim", (Channel("x"),)))
    rec = Recorder(rt, tmp_path)
    first = rec.start()
    rec.handle([Chunk("a", ("x",), np.arange(3), np.ones(3))])
    rec.stop()
    second = rec.start()
    rec.handle([Chunk("a", ("x",), np.arange(4), np.ones(4))])
    rec.stop()
    assert first != second
    assert open_session(first).device_table("a").num_rows == 3
    assert open_session(second).device_table("a").num_rows == 4
    assert rt.workers == []


def test_replay_driver_pause_seek_and_fast(tmp_path, make_session):
    from twinbench.drivers.replay import ReplayDriver
    from twinbench.summary import SummaryStats

    folder = make_session(tmp_path / "r", {"rig-a": 2}, rows=1000, step_ns=10_000_000)
    rt = Runtime()
    drv = rt.add_driver("replay", {"session": str(folder), "fast": True, "start": 5.0})
    assert isinstance(drv, ReplayDriver)
    stats = SummaryStats()
    rt.add_consumer("s", stats.add, policy="block")
    rt.start()
    try:
        deadline = time.monotonic() + 20
        while not drv.finished and time.monotonic() < deadline:
            time.sleep(0.01)
        assert drv.finished and drv.replayed == 500  # seeked to 5 s of 10 s
        drv.pause()
        drv.seek(0.0)
        time.sleep(0.1)
        assert drv.replayed == 500 and drv.position_s == 0.0
        drv.resume()
        while drv.replayed < 1500 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        rt.stop()
    assert drv.replayed == 1500 and drv.duration_s == 9.99
    assert "rig-a" not in stats.to_dict()  # replayed data never takes a live device's id
    d = stats.to_dict()["replay:rig-a"]
    assert d["samples"] == 1500 and d["channels"]["c0"]["max"] == 999.0


def test_falling_behind_holds_producers_back_and_reports_an_error(tmp_path):
    import threading

    rt = Runtime()
    rt.hub.declare(Device("a", "sim", (Channel("x"),)))
    errors = []
    rt.events.listen(lambda e: errors.append(e.message) if e.kind == "error" else None)
    rec = Recorder(rt, tmp_path, maxsize=2, flush_interval=0.1)
    folder = rec.start()
    rec._worker.start()

    def produce():
        for i in range(20):
            rt.hub.publish(Chunk("a", ("x",), np.arange(i * 10, i * 10 + 10), np.ones(10)))

    with rec._lock:  # the recorder is stuck (a slow disk): the producer must wait, not drop
        th = threading.Thread(target=produce)
        th.start()
        time.sleep(0.3)
        assert th.is_alive()
    th.join(10)
    deadline = time.monotonic() + 5
    while not errors and time.monotonic() < deadline:
        time.sleep(0.02)
    meta = rec.stop()
    assert meta["stats"]["stalls"] > 0 and meta["stats"]["lost_samples"] == 0
    assert any("falling behind" in m for m in errors)
    assert open_session(folder).device_table("a").num_rows == 200


def test_record_a_chosen_set_of_devices(tmp_path):
    rt = Runtime()
    for dev in ("a", "b"):
        rt.hub.declare(Device(dev, "sim", (Channel("x"),)))
    rec = Recorder(rt, tmp_path, devices=["b"])
    folder = rec.start()
    rec.handle([Chunk(d, ("x",), np.arange(5), np.ones(5)) for d in ("a", "b", "a")])
    rt.hub.publish_bytes("a", b"nope", 1)
    rt.hub.publish_bytes("b", b"yes", 2)
    meta = rec.stop()
    s = open_session(folder)
    assert s.devices == ["b"] and list(meta["devices"]) == ["b"]
    assert s.raw("a").num_rows == 0 and s.raw("b").num_rows == 1
    assert meta["recorded_devices"] == ["b"]


def test_replay_plays_raw_bytes_back_in_time_order(tmp_path):
    rt = Runtime()
    rt.hub.declare(Device("port", "serial", (Channel("x"),)))
    rec = Recorder(rt, tmp_path)
    folder = rec.start()
    rec.handle([Chunk("port", ("x",), np.arange(10) * 1_000_000, np.arange(10.0))])
    for i, blob in enumerate((b"$1,2;", b"$3,4;", b"\xffgarbage")):
        rt.hub.publish_bytes("port", blob, i * 3_000_000)
    rec.stop()

    replay = Runtime()
    got: list[tuple[str, bytes, int]] = []
    replay.hub.on_bytes(lambda dev, data, t: got.append((dev, data, t)))
    drv = replay.add_driver("replay", {"session": str(folder), "fast": True})
    replay.start()
    try:
        deadline = time.monotonic() + 10
        while not drv.finished and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        replay.stop()
    assert got == [
        ("replay:port", b"$1,2;", 0),
        ("replay:port", b"$3,4;", 3_000_000),
        ("replay:port", b"\xffgarbage", 6_000_000),
    ]
    assert drv.replayed_bytes == 18 and drv.replayed == 10
