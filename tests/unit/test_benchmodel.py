"""The bench model: commands, ids, what a restart keeps, and the workspace round trip."""

from __future__ import annotations

import pytest

from twinbench.benchmodel import BenchModel, free_id
from twinbench.workspace import from_model_dict, load_workspace, save_workspace, to_model_dict


def _bench() -> BenchModel:
    m = BenchModel()
    m.add_device("sim", "sim", {})
    m.add_device("board", "serial", {"port": "/dev/ttyACM0", "device_id": "board"})
    m.open_panel("gauge", "panel:gauge", {"device": "board", "channels": ["t"], "hi": 5.0})
    m.set_plot(hidden=[("board", "t")], window_s=30.0, cursors=[1, 2])
    split = {"split": "horizontal", "sizes": [0.5, 0.5]}
    chosen = {"plot": {"channels": [["board", "t"], ["sim", "t"]]}}
    tree = {**split, "children": [{"plot": {"main": True}}, chosen]}
    m.set_plot(areas={"tabs": [{"name": "Plot 1", "tree": tree}], "current": 0})
    m.set_rules(files=["r.toml"], text='[[rule]]\nname = "hot"\ncondition = "t > 1"\n')
    m.set_derived([{"name": "p", "expr": "a * b", "unit": "W"}])
    m.set_bindings({"board": {"orientation": ["qw", "qx", "qy", "qz"]}})
    m.set_theme("dark")
    return m


def test_free_id_bumps_a_trailing_number():
    assert free_id("sim", set()) == "sim"
    assert free_id("sim", {"sim"}) == "sim-2"
    assert free_id("sim-2", {"sim", "sim-2", "sim-3"}) == "sim-4"


def test_duplicate_id_is_refused_and_names_a_free_one():
    m = _bench()
    with pytest.raises(ValueError, match="'sim' is already in use; 'sim-2' is free"):
        m.add_device("sim", "sim", {"rate": 10})
    assert list(m.devices) == ["sim", "board"]


def test_rename_moves_settings_hidden_channels_and_panel_choices():
    m = _bench()
    m.rename_device("board", "rig")
    assert list(m.devices) == ["sim", "rig"]
    assert m.devices["rig"].settings["device_id"] == "rig"
    assert m.plot.hidden == [["rig", "t"]]
    assert m.panels["panel:gauge"].state["device"] == "rig"
    assert m.plot.areas["tabs"][0]["tree"]["children"][1]["plot"]["channels"] == [
        ["rig", "t"],
        ["sim", "t"],
    ]
    with pytest.raises(ValueError, match="already in use"):
        m.rename_device("rig", "sim")


def test_restart_keeps_only_the_users_own_devices():
    m = _bench()
    m.add_device("replay:sim", "replay", {"session": "rec/1"})
    m.add_device("bad", "serial", {"port": "/nope"})
    m.set_device_state("bad", "failed", "no such port")
    m.set_device_connect("sim", False)
    ids = [d["id"] for d in m.user_part()["devices"]]
    assert ids == ["sim", "board"]
    assert m.user_part()["devices"][0]["connect"] is False
    assert "replay:sim" not in [d["id"] for d in m.to_dict()["devices"]]


def test_unsaved_changes_follow_user_commands_only():
    m = BenchModel()
    m.add_device("sim", "sim")
    assert m.unsaved
    m.mark_saved()
    m.set_device_state("sim", "connected")  # the driver's report is not a change of the bench
    m.add_device("replay:x", "replay")  # nor is a replay
    assert not m.unsaved
    m.set_theme("light")
    assert m.unsaved


def test_model_round_trips_through_a_workspace_file(tmp_path):
    m = _bench()
    m.set_device_connect("board", False)
    path = tmp_path / "w.toml"
    save_workspace(from_model_dict(m.to_dict()), path)
    ws = load_workspace(path)
    assert ws.warnings == []
    back = BenchModel.from_dict(to_model_dict(ws))
    assert back.to_dict() == m.to_dict()


def test_misplaced_keys_say_where_they_belong(tmp_path):
    p = tmp_path / "w.toml"
    p.write_text(
        '[workspace]\nversion = 1\nrules = ["r.toml"]\n\n'
        '[[device]]\ndriver = "sim"\nrate = 50\n\n'
        '[[panel]]\ntype = "gauge"\nchannels = ["rpm"]\n'
    )
    ws = load_workspace(p)
    text = "\n".join(ws.warnings)
    assert "[workspace] key 'rules' is misplaced: it belongs at the top level" in text
    assert "[[device]] #1: key 'rate' is misplaced: it belongs in settings" in text
    assert "[[panel]] #1: key 'channels' is misplaced: it belongs in the panel's config" in text
    assert ws.rules == ["r.toml"]  # used anyway
