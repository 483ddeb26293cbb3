"""Recording shows a red indicator; a replay lives in replay:<device> beside the live devices,
its controls act on it alone, and it is not restored at the next start."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def test_recording_indicator_shows_time_size_and_losses(make_bench, qtbot):
    bench = make_bench()
    acts = bench.window.actions
    ind = acts.rec_indicator
    assert not ind.isVisible()
    assert acts.toggle_record()
    qtbot.waitUntil(lambda: ind.isVisible() and "REC 00:0" in ind.text(), timeout=5000)
    qtbot.waitUntil(lambda: " kB" in ind.text() or " MB" in ind.text(), timeout=5000)
    assert "Stop &recording (00:0" in acts.actions["record"].text()
    assert not acts.actions["record"].icon().isNull()
    assert "lost" not in ind.text()
    rec = bench.ctx.services["recorder"]
    rec.stats.lost_samples = 1234  # what the recorder reports when its writer falls behind
    ind.refresh(force=True)
    assert "lost 1,234 samples" in ind.text()
    assert not acts.toggle_record()
    assert not ind.isVisible() and acts.actions["record"].text() == "Start &recording"
    assert acts.actions["record"].icon().isNull()


def test_replay_uses_its_own_ids_controls_only_it_and_is_not_restored(make_bench, qtbot):
    bench = make_bench()
    acts = bench.window.actions
    acts.toggle_record()
    hub = bench.runtime.hub
    qtbot.waitUntil(lambda: hub.devices["sim"].samples > 2000, timeout=5000)
    folder = bench.ctx.services["recorder"].folder
    acts.toggle_record()

    panel = bench.window.open_panel("replay").widget()
    panel.open_session(str(folder))
    qtbot.waitUntil(lambda: "replay:sim" in hub.devices, timeout=5000)
    qtbot.waitUntil(lambda: hub.devices["replay:sim"].samples > 0, timeout=5000)
    assert panel.source.currentText() == "replay:sim"
    # the live sim keeps streaming under its own id, at its own rate
    live = hub.devices["sim"].samples
    qtbot.waitUntil(lambda: hub.devices["sim"].samples > live + 200, timeout=5000)
    assert hub.devices["sim"].state == "connected"
    sim_driver = next(d for d in bench.runtime.drivers if d.name == "sim")
    panel.toggle()  # pause: the replay only
    replay = panel.driver()
    assert replay.paused and replay.name == "replay"
    assert not getattr(sim_driver, "paused", False)
    qtbot.waitUntil(lambda: ("replay:sim", "temperature") in bench.history._where, timeout=5000)
    bench.window.close()
    bench.shutdown()
    assert [d["driver"] for d in bench.state.devices] == ["sim"]

    again = make_bench()
    assert [d.name for d in again.runtime.drivers] == ["sim"]
    qtbot.wait(300)
    assert "replay:sim" not in again.runtime.hub.devices
