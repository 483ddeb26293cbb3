"""Paths built from data (device ids, topics, rule names) stay inside their folder."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from twinbench.model import Channel, Chunk, Device
from twinbench.paths import NAME_LIMIT, inside, safe_name
from twinbench.rules.actions import ActionRunner
from twinbench.rules.alarms import AlarmRecord
from twinbench.rules.loader import Action

HOSTILE = [
    "../../ESCAPED-MQTT",
    "../..",
    "..",
    ".",
    "",
    "/etc/passwd",
    "C:\\Windows\\system32",
    "a/../../b",
    "dev\x00ice",
    "x" * 5000,
    "CON",
    "nul.txt",
    "com1",
    "LPT9.log",
    " . ",
    "~/x",
    "sensor/+/#",
    "\u00e9t\u00e9/\u2603",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_name_is_one_plain_file_name(tmp_path, name):
    s = safe_name(name)
    assert s and len(s) <= NAME_LIMIT
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", s)
    assert not s.startswith(".") and s not in ("..", ".")
    assert s.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "com1", "lpt9"}
    p = inside(tmp_path, name, name)
    assert p.resolve().is_relative_to(tmp_path.resolve())
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("ok")  # a real file can be made there
    assert p.read_text() == "ok"


def test_safe_name_keeps_ordinary_ids_readable():
    assert safe_name("rig-1.imu_2") == "rig-1.imu_2"
    assert safe_name("sensors/kitchen") == "sensors_kitchen"


@pytest.mark.parametrize("device", HOSTILE)
def test_rule_log_action_stays_in_its_folder(tmp_path, device, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs").mkdir()
    runner = ActionRunner(lambda: {}, None)
    rec = AlarmRecord(1, 1, "../rule", device, "major", "raised", 1.0, "m")
    done = runner.execute(Action("log", {"path": "logs/{device}-{rule}.jsonl"}), rec)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 1 and written[0].parent == tmp_path / "logs", done
    assert json.loads(written[0].read_text())["device"] == device  # the data itself is kept


def test_recorder_file_names_from_hostile_device_ids(tmp_path):
    from twinbench.recording import Recorder
    from twinbench.recording.session import open_session
    from twinbench.runtime import Runtime

    ids = [d for d in HOSTILE if d][:10]
    rt = Runtime()
    for dev in ids:
        rt.hub.declare(Device(dev, "sim", (Channel("v"),)))
    rec = Recorder(rt, tmp_path / "rec")
    rec.start("hostile")
    for i, dev in enumerate(ids):
        rt.hub.publish(Chunk(dev, ("v",), np.array([i + 1], np.int64), np.ones((1, 1))))
    rec.handle(rec._worker.sub.drain())
    meta = rec.stop()
    files = [Path(r, f) for r, _, fs in os.walk(tmp_path) for f in fs]
    assert len([f for f in files if f.parent.name == "data"]) == len(ids)
    assert all(f.resolve().is_relative_to((tmp_path / "rec").resolve()) for f in files)
    assert sorted(open_session(tmp_path / "rec" / meta["id"]).devices) == sorted(ids)
