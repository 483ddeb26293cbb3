"""Twin panel text colours (JSON highlighting, property states) are legible in both themes."""

import pytest

from twinbench.widgets.contrast import contrast_ratio
from twinbench.widgets.theme import dark_palette
from twinbench.widgets.twin_json import _COLORS, token_color
from twinbench.widgets.twin_panel import _STATE_COLORS

LIGHT_BASES = ("#ffffff", "#efefef")  # Fusion's light Base and Window


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("pairs", [_COLORS, _STATE_COLORS], ids=["json", "states"])
def test_text_colours_reach_4_5_to_1_on_both_themes(qapp, pairs):
    role = dark_palette().ColorRole
    dark_bases = [dark_palette().color(r).name() for r in (role.Base, role.Window)]
    for name, (light, dark) in pairs.items():
        for bg in LIGHT_BASES:
            assert contrast_ratio(light, bg) >= 4.5, (name, light, bg)
        for bg in dark_bases:
            assert contrast_ratio(dark, bg) >= 4.5, (name, dark, bg)


def test_highlighter_follows_the_palette(qapp):
    from PySide6.QtGui import QPalette

    old = qapp.palette()
    try:
        qapp.setPalette(dark_palette())
        assert token_color("key").name() == _COLORS["key"][1]
        qapp.setPalette(QPalette("#efefef"))
        assert token_color("key").name() == _COLORS["key"][0]
    finally:
        qapp.setPalette(old)


def test_sparklines_follow_the_theme(qapp, qtbot):
    from PySide6.QtGui import QPalette

    from twinbench.dtdl.model import Content
    from twinbench.widgets.contrast import contrast_ratio
    from twinbench.widgets.twin_plots import TelemetryPlot

    old = qapp.palette()
    try:
        qapp.setPalette(dark_palette())
        plot = TelemetryPlot(Content("Telemetry", "temperature", "dtmi:x:t;1"), ("temperature",))
        qtbot.addWidget(plot)
        bg = plot.plot.backgroundBrush().color().name()
        axis = plot.plot.getAxis("left").textPen().color().name()
        assert bg == dark_palette().base().color().name()
        assert contrast_ratio(axis, bg) >= 4.5
        qapp.setPalette(QPalette("#efefef"))
        qapp.processEvents()
        assert plot.plot.backgroundBrush().color().lightness() > 200
    finally:
        qapp.setPalette(old)
