"""Workspaces in the GUI: save what is open, reopen it, report what is missing."""

from __future__ import annotations

import pytest

from twinbench.workspace import load_workspace

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def bench_from(make_bench):
    """A BenchApp started on a workspace file (or the default bench)."""
    return lambda workspace=None: make_bench(workspace=workspace)


def test_open_workspace_brings_devices_derived_rules_and_panels(qtbot, bench_from, tmp_path):
    (tmp_path / "rules.toml").write_text(
        '[[rule]]\nname = "hot"\ncondition = "temperature > 0"\nseverity = "warning"\n'
    )
    ws = tmp_path / "bench.twb.toml"
    ws.write_text(
        """
rules = ["rules.toml", "gone.toml"]

[[device]]
driver = "sim"
settings = { device_id = "rig7", rate = 200 }

[[derived]]
name = "power"
expr = "current * voltage"
unit = "W"

[[derived]]
name = "broken"
expr = "nosuch * 2"

[[panel]]
type = "gauge"
id = "panel:gauge"
config = { device = "rig7", channels = ["power"], hi = 500.0 }

[[panel]]
type = "no-such-panel"

[future]
x = 1
"""
    )
    bench = bench_from(str(ws))
    rt = bench.runtime
    assert set(rt.hub.devices) == {"rig7"}
    assert "power" in rt.hub.devices["rig7"].device.channel_names
    qtbot.waitUntil(lambda: rt.hub.devices["rig7"].channel_stats()["power"].count > 0, timeout=5000)
    gauge = bench.window.docks["panel:gauge"].widget()
    assert (
        gauge.workspace_config()["channels"] == ["power"]
        and gauge.workspace_config()["hi"] == 500.0
    )
    assert bench.ctx.services["rules"] is not None
    qtbot.waitUntil(lambda: any(e.kind == "alarm" for e in rt.events.recent), timeout=5000)
    text = "\n".join(bench.problems)
    assert "gone.toml" in text  # missing files are listed, the rest opens
    assert "no-such-panel" in text
    assert "unknown key 'future'" in text
    assert "nosuch" in text  # the bad derived channel says why it is inert
    assert bench.window.windowTitle().endswith("bench.twb.toml")
    assert bench.workspace_io.recent()[0].endswith("bench.twb.toml")


def test_save_then_reopen_round_trips(qtbot, bench_from, tmp_path):
    bench = bench_from()
    bench.window.open_panel("histogram")
    out = tmp_path / "saved.toml"
    assert bench.workspace_io.save(str(out))
    ws = load_workspace(out)
    assert [d.driver for d in ws.devices] == ["sim"]
    assert any(p.type == "histogram" for p in ws.panels)
    assert ws.layout
    bench.window.close()
    bench.shutdown()
    again = bench_from(str(out))
    assert "panel:histogram" in again.window.docks
    assert again.window.docks["panel:histogram"].isVisible()


def test_unreadable_workspace_is_reported_not_fatal(qtbot, bench_from, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[device]\n")
    bench = bench_from(str(bad))
    assert any("bad.toml" in p for p in bench.problems)
    assert "sim" in bench.runtime.hub.devices  # falls back to the default bench
