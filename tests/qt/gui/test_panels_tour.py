"""A screenshot per step of the twin panel, plot options and value panels, light and dark,
under build/gui-tour/ (look at them). Run under Xvfb with QT_QPA_PLATFORM=xcb for the real
look; offscreen renders the same widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from twinbench.widgets.theme import apply_theme

TOUR = Path(__file__).resolve().parents[3] / "build" / "gui-tour"
pytestmark = pytest.mark.qt_log_ignore(
    "propagateSizeHints|This plugin does not support (raise|grabbing the keyboard)"
)


def _inner(dock):
    w = dock.widget()
    return w.widget() if isinstance(w, QScrollArea) else w


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_panels_tour(make_bench, qtbot, theme):
    TOUR.mkdir(parents=True, exist_ok=True)
    bench = make_bench()
    win = bench.window
    win.actions.set_theme(theme)
    win.resize(1920, 1080)

    def shot(name: str, widget=None) -> None:
        for _ in range(5):
            QApplication.processEvents()
        assert (widget or win).grab().save(str(TOUR / f"panels-{name}-{theme}.png"))

    twin = _inner(win.open_panel("twin"))
    qtbot.waitUntil(
        lambda: twin.rows and all(r.shown is not None for r in twin.rows), timeout=10_000
    )
    alarm = {r.prop.name: r for r in twin.rows}["alarmTemperature"]
    assert alarm.editor.value() != 0 and "reported" in alarm.status.text()
    shot("01-twin", twin)
    alarm.editor.widget.setValue(500)
    assert not alarm.button.isEnabled() and "0 … 150" in alarm.hint.text()
    twin.scroll.ensureWidgetVisible(alarm)
    shot("02-twin-refused", twin)
    twin.tabs.setCurrentIndex(1)
    assert '"$metadata"' in twin.json_view.editor.toPlainText()
    shot("03-twin-json", twin)
    plot = win.plot
    qtbot.waitUntil(lambda: len(plot.lanes) > 1, timeout=5000)
    assert not any(lane.legend_column.covers_data() for lane in plot.lanes.values())
    plot.set_time_mode("start")
    shot("04-window-plot")
    gauge = _inner(win.open_panel("gauge"))
    gauge.select("sim", "rpm")
    qtbot.waitUntil(lambda: gauge.scale_source != "default", timeout=5000)
    fft = _inner(win.open_panel("spectrum"))
    qtbot.waitUntil(lambda: not fft.auto_pick, timeout=8000)
    assert fft.channel_boxes[0].currentText() not in ("temperature", "voltage")
    shot("05-gauge", gauge)
    win.resize(1366, 768)
    shot("06-window-1366")
    plot.set_time_mode("wall")
    apply_theme("light")
