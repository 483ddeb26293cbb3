"""Devices > Add derived channel in the real main window: checked as you type, previewed on
the device's newest samples, added to the bench model and streamed by the running bench."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _open(bench, qtbot):
    win = bench.window
    win.tree.select_device("sim")
    win.derived_action.trigger()
    dlg = win.derived_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    return dlg


def test_invalid_expression_is_refused_with_the_message(make_bench, qtbot):
    bench = make_bench()
    dlg = _open(bench, qtbot)
    assert dlg.device.currentText() == "sim"
    qtbot.keyClicks(dlg.name, "power")
    qtbot.keyClicks(dlg.expr, "curent * voltage")
    assert not dlg.ok_button().isEnabled()
    assert "unknown channel 'curent'" in dlg.problem.text()
    assert "did you mean current" in dlg.problem.text()
    dlg.expr.setText("current * (voltage")  # a parse error shows the caret
    assert not dlg.ok_button().isEnabled() and "^" in dlg.problem.text()
    dlg.expr.setText("current * voltage")
    dlg.name.setText("current")  # clashes with a device channel
    assert "clashes" in dlg.problem.text() and not dlg.ok_button().isEnabled()
    dlg.add()  # refused: nothing added
    assert dlg.isVisible() and bench.model.derived == []


def test_valid_expression_previews_adds_and_streams(make_bench, qtbot):
    bench = make_bench()
    rt, hist = bench.runtime, bench.history
    dlg = _open(bench, qtbot)
    qtbot.keyClicks(dlg.name, "power")
    qtbot.keyClicks(dlg.expr, "current * voltage")
    qtbot.keyClicks(dlg.unit, "W")
    assert dlg.ok_button().isEnabled() and not dlg.problem.isVisible()
    assert dlg.preview.rowCount() > 0  # computed on the newest samples
    newest = float(dlg.preview.item(0, 1).text())
    t, cur = hist.latest("sim", "current")
    assert newest == pytest.approx(cur * hist.value_at("sim", "voltage", t)[1], rel=1e-5)
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
    assert bench.model.derived == [
        {"name": "power", "expr": "current * voltage", "unit": "W", "device": "sim"}
    ]
    qtbot.waitUntil(lambda: "power" in rt.hub.devices["sim"].device.channel_names, timeout=5000)
    qtbot.waitUntil(lambda: "power" in hist.channels("sim"), timeout=5000)
    qtbot.waitUntil(lambda: hist.count("sim", "power") > 10, timeout=5000)
    t, p = hist.latest("sim", "power")
    assert p == pytest.approx(
        hist.value_at("sim", "current", t)[1] * hist.value_at("sim", "voltage", t)[1]
    )

    dlg = _open(bench, qtbot)  # a second one, over the first: the first keeps streaming
    dlg.name.setText("power")
    dlg.expr.setText("current")
    assert "already exists" in dlg.problem.text()
    dlg.name.setText("power_mw")
    dlg.expr.setText("power * 1000")
    assert "unknown channel 'power'" in dlg.problem.text()  # derived from raw channels only
    dlg.expr.setText("current * voltage * 1000")
    dlg.unit.setText("mW")
    dlg.add()
    qtbot.waitUntil(lambda: "power_mw" in hist.channels("sim"), timeout=5000)
    qtbot.waitUntil(lambda: hist.count("sim", "power_mw") > 10, timeout=5000)
    n = hist.count("sim", "power")
    qtbot.waitUntil(lambda: hist.count("sim", "power") > n, timeout=5000)
    assert bench.sync.snapshot().to_dict()["derived"][1]["name"] == "power_mw"  # saved
    assert not bench.problems or all("power" not in p for p in bench.problems)
