"""Every registered panel, opened in the real main window, is legible in the light and the dark
theme: each text/background pair it paints (palette roles, style sheets, rich text, item colours,
plot text and pens, painted gauges and sparklines) reaches WCAG 4.5:1 (text) or 3:1 (placeholder
text, lines). The panels are opened in one theme, audited, then audited again after a switch to
the other theme (panels open at a switch must follow it). A screenshot per panel per theme goes
to build/gui-tour/themes/."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from twinbench.widgets.legibility import audit, audit_app
from twinbench.widgets.panels import all_panels
from twinbench.widgets.theme import apply_theme

SHOTS = Path(__file__).resolve().parents[3] / "build" / "gui-tour" / "themes"
pytestmark = pytest.mark.qt_log_ignore(
    "propagateSizeHints|This plugin does not support (raise|grabbing the keyboard)"
)


def _settle(n: int = 3) -> None:
    for _ in range(n):
        QApplication.processEvents()


def _inner(dock):
    w = dock.widget()
    return w.widget() if isinstance(w, QScrollArea) else w


def _audit_all(win, theme: str, opened: str) -> tuple[list, dict[str, int]]:
    """Raise each panel, audit it and save its screenshot; returns the failures and how many
    pairs of each kind were checked."""
    bad, kinds = [], {}
    for name, dock in list(win.docks.items()):
        dock.show()
        dock.raise_()
        _settle()
        pairs = audit(dock)
        for p in pairs:
            kind = p.what.split(" (")[0].split(" '")[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        bad += [f"{name}: {p}" for p in pairs if not p.ok]
        if not name.startswith("panel:"):
            continue
        inner = _inner(dock)
        tag = name.removeprefix("panel:")
        assert inner.grab().save(str(SHOTS / f"{tag}-{theme}{opened}.png"))
    central = audit(win.centralWidget()) + audit_app()
    bad += [f"plot: {p}" for p in central if not p.ok]
    for p in central:
        kind = p.what.split(" (")[0].split(" '")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return bad, kinds


@pytest.mark.parametrize("first", ["light", "dark"])
def test_every_panel_is_legible_in_both_themes(make_bench, qtbot, tmp_path, first):
    SHOTS.mkdir(parents=True, exist_ok=True)
    bench = make_bench()
    win = bench.window
    win.resize(1920, 1080)
    win.actions.set_theme(first)
    ids = [spec.id for spec in all_panels()]
    for spec_id in ids:
        win.open_panel(spec_id)
    port = str(tmp_path / "ttyGONE0")  # a device row in the tree's warning colour
    bench.ctx.services["bench_control"].connect("serial", {"port": port}, device_id="gone")
    qtbot.waitUntil(lambda: win.tree.status("gone").startswith("disconnected"), timeout=10_000)
    rules = _inner(win.docks["panel:rules-editor"])
    rules.editor.setPlainText("[[rule]]\nname = 'x'\nwhen = 'nope >'\n")
    assert not rules.validate() and rules.status.kind == "error"  # an error in its colour
    second = win.plot_area.split(win.plot)  # a plot made in this theme, with a dropped channel
    second.add_channels([("sim", "rpm")])
    _settle(10)
    assert {f"panel:{i}" for i in ids} <= set(win.docks)
    other = "dark" if first == "light" else "light"
    try:
        bad, kinds = _audit_all(win, first, "")
        win.actions.set_theme(other)
        _settle(5)
        bad2, kinds2 = _audit_all(win, other, "-switched")
    finally:
        apply_theme("light")
    (SHOTS / f"findings-{first}.txt").write_text("\n".join(bad + bad2))
    assert not bad + bad2, "\n".join(bad + bad2)
    for found in (kinds, kinds2):  # what was looked at, so that an empty audit cannot pass
        assert set(found) >= COVERED, COVERED - set(found)


COVERED = {
    "WindowText/Window",
    "Text/Base",
    "ButtonText/Button",
    "HighlightedText/Highlight",
    "PlaceholderText/Base",
    "ToolTipText/ToolTipBase",
    "style sheet color",  # twin property states
    "highlighted text",  # the twin JSON
    "plot text",  # legends and plot labels
    "axis left text",
    "Curve pen",  # the main plot's curves
    "PlotCurveItem pen",  # twin sparklines, FFT, XY
    "gauge text",
    "bar text",
    "led text",
    "item colour",  # the tree's row of a disconnected device
}


def test_audit_flags_low_contrast_text_items_and_pens(qtbot):
    import pyqtgraph as pg
    from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

    from twinbench.widgets.dash_widgets import Spark
    from twinbench.widgets.theme import dark_palette

    apply_theme("dark")
    try:
        root = QWidget()
        qtbot.addWidget(root)
        lay = QVBoxLayout(root)
        grey = QLabel("grey")
        grey.setStyleSheet("color: #666")
        rich = QLabel("<span style='color:#d9342b'>bad</span>")
        model = QStandardItemModel(1, 1)
        item = QStandardItem("row")
        item.setForeground(QColor("#444444"))
        model.setItem(0, 0, item)
        table = QTableView()
        table.setModel(model)
        plot = pg.PlotWidget(background="#1e1e1e")
        plot.plot([0, 1], [0, 1], pen="#333333")
        spark = Spark()
        for w in (grey, rich, table, plot, spark):
            lay.addWidget(w)
        bad = {p.what.split(" (")[0] for p in audit(root) if not p.ok}
        assert {"style sheet color", "rich text color", "item colour", "PlotCurveItem pen"} <= bad
        assert spark.palette().color(spark.backgroundRole()) == dark_palette().window().color()
        assert all(p.ok for p in audit(spark))  # the amber line is legible on dark...
        apply_theme("light")
        assert [str(p) for p in audit(spark) if not p.ok] == []  # ...and a darker one on light
    finally:
        apply_theme("light")


def test_alarm_and_status_colours_read_on_both_themes(qapp):
    from twinbench.widgets.contrast import contrast_ratio
    from twinbench.widgets.device_tree import STATUS_COLORS
    from twinbench.widgets.rules_panels import COLOURS
    from twinbench.widgets.theme import text_shade

    colours = [*COLOURS.values(), *(c for _, c in STATUS_COLORS)]
    try:
        for mode in ("light", "dark"):
            apply_theme(mode)
            pal = QApplication.palette()
            for c in colours:
                shade = text_shade(c).name()
                for bg in (pal.base().color().name(), pal.window().color().name()):
                    assert contrast_ratio(shade, bg) >= 4.5, (mode, c, shade, bg)
    finally:
        apply_theme("light")


def test_legible_keeps_the_hue_and_reaches_the_ratio():
    from PySide6.QtGui import QColor

    from twinbench.widgets.contrast import contrast_ratio, legible

    for color in ("#ffb74d", "#bcbd22", "#8c564b", "#c7c7c7"):
        for bg in ("#ffffff", "#1e1e1e"):
            out = legible(color, bg)
            assert contrast_ratio(out, bg) >= 3.0
            if contrast_ratio(color, bg) >= 3.0:
                assert out == color  # colours that are legible already are left alone
            elif QColor(color).hslSaturation() > 20:
                assert abs(QColor(out).hslHue() - QColor(color).hslHue()) <= 3
