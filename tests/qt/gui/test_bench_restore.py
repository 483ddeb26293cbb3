"""The next start restores the user's own bench; --fresh and File > Start fresh do not;
a workspace saved and reopened in a new window gives the same bench model, field by field;
opening a workspace replaces the bench (asking about unsaved changes)."""

from __future__ import annotations

import time

import pytest

from twinbench.visuals.bindings import Binding

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

EDITOR_RULES = '[[rule]]\nname = "hot"\ncondition = "temperature > 1000"\nseverity = "warning"\n'


def _record_a_session(bench, qtbot):
    acts = bench.window.actions
    assert acts.toggle_record()
    folder = bench.ctx.services["recorder"].folder
    qtbot.wait(300)
    assert not acts.toggle_record()
    return folder


def test_restart_restores_the_users_bench_without_replays_or_failures(make_bench, qtbot, tmp_path):
    bench = make_bench()
    ctl = bench.control
    ctl.connect("sim", {"rate": 200}, device_id="rig")
    session = _record_a_session(bench, qtbot)
    ctl.connect("replay", {"session": str(session), "speed": 100.0}, device_id="replay")
    ctl.connect("replay", {"session": str(tmp_path / "gone")}, device_id="broken")
    gauge = bench.window.open_panel("gauge").widget()
    qtbot.waitUntil(lambda: "rig" in bench.runtime.hub.devices, timeout=5000)
    gauge.select("rig", "rpm")
    gauge.boxes["hi"].setValue(4321.0)
    bench.window.plot.set_channel_visible("rig", "current", False)
    qtbot.waitUntil(lambda: ctl.model.devices["broken"].state == "failed", timeout=5000)
    assert bench.model.devices["replay"].transient
    bench.window.close()

    again = make_bench()
    assert sorted(again.model.devices) == ["rig", "sim"]  # no replay, no failed device
    assert sorted(d.config.get("device_id", "sim") for d in again.runtime.drivers) == [
        "rig",
        "sim",
    ]
    g = again.window.docks["panel:gauge"].widget()
    assert g.state()["device"] == "rig" and g.state()["channels"] == ["rpm"]
    assert g.state()["hi"] == 4321.0
    assert ("rig", "current") in again.window.plot.hidden


def test_fresh_start_and_the_menu_give_the_default_sim_only(make_bench, qtbot):
    bench = make_bench()
    bench.control.connect("sim", {"rate": 100}, device_id="rig")
    bench.window.open_panel("histogram")
    bench.window.close()

    fresh = make_bench(fresh=True)
    assert list(fresh.model.devices) == ["sim"]
    assert "panel:histogram" not in fresh.window.docks
    fresh.window.close()

    again = make_bench()  # closing the fresh start saved the fresh bench
    assert "rig" not in again.model.devices
    again.control.connect("sim", {"rate": 100}, device_id="rig")
    again.window.open_panel("histogram")
    again.window.actions.set_theme("dark")  # a preference: Start fresh keeps it
    io = again.workspace_io
    asked = []
    io.ask_unsaved = lambda: asked.append(1) or "discard"
    io.menu_actions["fresh"].trigger()
    assert asked == [1]
    assert list(again.model.devices) == ["sim"]
    assert "panel:histogram" not in again.window.docks
    assert again.window.actions.theme == "dark"
    qtbot.waitUntil(lambda: set(again.runtime.hub.devices) == {"sim"}, timeout=5000)


def test_cli_fresh_flag_reaches_the_launcher(monkeypatch):
    import twinbench.gui.launch as launch_mod
    from twinbench.cli import main

    seen = {}

    def fake(workspace=None, fresh=False):
        seen["f"] = fresh
        return 0

    monkeypatch.setattr(launch_mod, "launch", fake)
    assert main(["--fresh"]) == 0 and seen == {"f": True}
    assert main([]) == 0 and seen == {"f": False}


def _dressed_bench(bench, qtbot):
    """A bench with something of everything the model holds."""
    win, ctl = bench.window, bench.control
    ctl.connect("sim", {"rate": 300, "seed": 4}, device_id="rig")
    qtbot.waitUntil(lambda: "rig" in bench.runtime.hub.devices, timeout=5000)
    gauge = win.open_panel("gauge").widget()
    gauge.select("rig", "rpm")
    gauge.boxes["lo"].setValue(10.0)
    spec = win.open_panel("spectrum").widget()
    spec.select("rig", "vibration")
    spec.size_box.setCurrentText("2048")
    spec.window_box.setCurrentText("hamming")
    editor = win.open_panel("rules-editor").widget()
    editor.editor.setPlainText(EDITOR_RULES)
    editor.apply()
    win.plot.set_channel_visible("sim", "voltage", False)
    win.plot.set_window(25.0)
    win.plot.set_cursors(True)
    now = time.time_ns()
    win.plot.cursors.set_positions(now - 2_000_000_000, now - 1_000_000_000)
    area = win.plot_area
    right = area.split(win.plot, "horizontal")
    right.put_channels([("rig", "rpm"), ("rig", "temperature")])
    area.split(right, "vertical").put_channels([("sim", "vibration")])
    area.new_tab("Twin").plots()[0].put_channels([("rig", "current")])
    area.tabs.setCurrentIndex(0)
    win.actions.set_theme("dark")
    bench.model.set_derived([{"name": "power", "expr": "current * voltage", "unit": "W"}])
    bench.sync.attach_analysis()
    view = win.docks["panel:twin-view"].widget()
    view.add_binding(Binding("color", "rig", channels=("temperature",), range=(20.0, 80.0)))
    qtbot.waitUntil(lambda: gauge.state()["channels"] == ["rpm"], timeout=5000)


def _bench_dict(bench):
    data = bench.sync.snapshot().to_dict()
    data.pop("layout")  # the dock geometry: compared by the window, not the model
    return data


def test_workspace_round_trip_in_a_new_window(make_bench, qtbot, tmp_path):
    bench = make_bench()
    _dressed_bench(bench, qtbot)
    path = tmp_path / "day.twb.toml"
    assert bench.workspace_io.save(str(path))
    assert not bench.model.unsaved
    before = _bench_dict(bench)

    other = make_bench(workspace=str(path))
    after = _bench_dict(other)
    for key in before:  # field by field, for a readable failure
        assert after[key] == before[key], key
    assert sorted(before["devices"], key=str) and len(before["panels"]) >= 4
    assert before["rules"]["text"] == EDITOR_RULES and before["theme"] == "dark"
    assert before["plot"]["cursors"] and before["bindings"]["bindings"]
    tabs = before["plot"]["areas"]["tabs"]
    assert [t["name"] for t in tabs] == ["Plot 1", "Twin"]
    assert tabs[0]["tree"]["children"][1]["children"][0]["plot"]["channels"] == [
        ["rig", "rpm"],
        ["rig", "temperature"],
    ]
    right = other.window.plot_area.tabs.widget(0).plots()[1]
    assert right.cursors.enabled  # the cursors of the main plot's tab: on every plot of it
    wanted = [("rig", "rpm"), ("rig", "temperature")]
    qtbot.waitUntil(lambda: sorted(right.visible_keys()) == wanted)
    assert "power" in other.runtime.hub.devices["rig"].device.channel_names
    assert other.ctx.services["rules"] is not None
    assert other.window.actions.theme == "dark"


def test_opening_a_workspace_replaces_the_bench_and_asks_first(make_bench, qtbot, tmp_path):
    ws = tmp_path / "other.toml"
    ws.write_text(
        '[workspace]\nversion = 1\n\n[[device]]\ndriver = "sim"\n'
        'settings = { device_id = "bench7", rate = 100 }\n\n'
        '[[panel]]\ntype = "histogram"\nid = "panel:histogram"\n'
        'config = { device = "bench7", channels = ["rpm"] }\n'
    )
    bench = make_bench()
    io = bench.workspace_io
    bench.control.connect("sim", {"rate": 100}, device_id="mine")
    bench.window.open_panel("gauge")
    io.ask_unsaved = lambda: "cancel"
    assert not io.open(str(ws))
    assert sorted(bench.model.devices) == ["mine", "sim"]
    io.ask_unsaved = lambda: "discard"
    assert io.open(str(ws))
    assert list(bench.model.devices) == ["bench7"]
    rt = bench.runtime
    qtbot.waitUntil(lambda: set(rt.hub.devices) == {"bench7"}, timeout=5000)
    hist = bench.window.docks["panel:histogram"].widget()
    qtbot.waitUntil(lambda: hist.state()["device"] == "bench7", timeout=5000)
    assert not bench.model.unsaved
    assert "panel:gauge" not in bench.window.docks
    qtbot.waitUntil(lambda: "mine" not in bench.history.devices(), timeout=5000)
    assert not any(k[0] == "mine" for k in bench.window.plot.curves)
    qtbot.wait(50)  # closed panels are deleted: none of them is still ticking
    import shiboken6
    from PySide6.QtWidgets import QWidget

    for cb in bench.ctx.tick_callbacks:
        owner = getattr(cb, "__self__", None)
        if isinstance(owner, QWidget):
            assert shiboken6.isValid(owner) and owner.window() is bench.window, cb

    added = io.add_devices(str(ws))  # the merging action: a free id, nothing replaced
    assert added == ["bench7-2"]
    qtbot.waitUntil(lambda: set(rt.hub.devices) == {"bench7", "bench7-2"}, timeout=5000)


def test_an_older_session_file_and_a_bad_bench_entry(make_bench, config_dir):
    import json

    config_dir.mkdir(parents=True, exist_ok=True)
    old = {  # the session format before the bench model: devices, hidden, panels, theme
        "devices": [{"driver": "sim", "settings": {"device_id": "old", "rate": 100}}],
        "hidden": [["old", "rpm"]],
        "panels": ["panel:histogram"],
        "theme": "dark",
    }
    (config_dir / "session.json").write_text(json.dumps(old))
    bench = make_bench(wait_data=False)
    assert list(bench.model.devices) == ["old"]
    assert "panel:histogram" in bench.window.docks
    assert ("old", "rpm") in bench.window.plot.hidden and bench.window.actions.theme == "dark"
    bench.window.close()

    (config_dir / "session.json").write_text(json.dumps({"bench": {"devices": [{"id": "x"}]}}))
    again = make_bench(wait_data=False)  # a device entry without a driver: said, then defaults
    assert list(again.model.devices) == ["sim"]
    assert any("saved bench ignored" in p for p in again.problems)
