"""A profile's channel ranges, thresholds and dashboard groups are recorded with the session
and come back on the replayed device; metadata edited into nonsense is dropped, not fatal."""

from __future__ import annotations

import json

import numpy as np

from twinbench.drivers.replay import ReplayDriver
from twinbench.model import Band, Channel, ChannelGroup, Chunk, Device
from twinbench.recording import Recorder
from twinbench.runtime import Runtime

TEMP = Channel("t", "degC", range=(0.0, 80.0), warn=Band(None, 45.0), alarm=Band(-5.0, 60.0))
GROUPS = (ChannelGroup("Motor", ("t",), "gauge"), ChannelGroup("All", ("t", "v")))


def recorded(tmp_path):
    rt = Runtime()
    rt.hub.declare(Device("board", "serial", (TEMP, Channel("v", "V")), groups=GROUPS))
    rec = Recorder(rt, tmp_path / "rec")
    rec.start("test")
    t = 1_767_225_540 * 10**9 + np.arange(10, dtype=np.int64) * 10**6
    rt.hub.publish(Chunk("board", ("t", "v"), t, np.ones((10, 2))))
    rec.handle(rec._worker.sub.drain())
    return tmp_path / "rec" / rec.stop()["id"]


def replayed(folder) -> Device:
    drv = ReplayDriver({"session": str(folder)}, sink=None)
    drv.load()
    (dev,) = drv.devices
    return dev


def test_ranges_thresholds_and_groups_survive_record_and_replay(tmp_path):
    folder = recorded(tmp_path)
    meta = json.loads((folder / "session.json").read_text())["devices"]["board"]
    assert meta["channels"][0]["range"] == [0.0, 80.0]
    assert meta["channels"][0]["alarm"] == {"low": -5.0, "high": 60.0}
    assert "range" not in meta["channels"][1]
    dev = replayed(folder)
    assert dev.id == "replay:board"
    assert dev.channel("t") == TEMP and dev.channel("v") == Channel("v", "V")
    assert dev.groups == GROUPS


def test_edited_nonsense_is_dropped(tmp_path):
    folder = recorded(tmp_path)
    path = folder / "session.json"
    meta = json.loads(path.read_text())
    board = meta["devices"]["board"]
    board["channels"][0]["range"] = [80, "x"]
    board["channels"][1]["warn"] = 3
    board["groups"][0]["widget"] = "dial"
    path.write_text(json.dumps(meta))
    dev = replayed(folder)
    assert dev.channel("t") == Channel("t", "degC")  # unit kept, the bad metadata dropped
    assert dev.channel("v") == Channel("v", "V") and dev.groups == ()
