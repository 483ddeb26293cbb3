"""Light and dark themes: follow the system (Qt 6.5+ colour scheme) or force one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
_palette_set = False  # whether apply_theme replaced the platform's palette
PLOT_COLORS = {"light": ("w", "#333333"), "dark": ("#1e1e1e", "#d0d0d0")}  # background, fg
LIGHT_HIGHLIGHT = "#2a74b8"  # Fusion's #308cc6 gives white selected text only 3.7:1
# status text (on a light background, on a dark one): each >= 4.5:1 on Window and Base
TEXT_COLORS = {
    "ok": ("#1b5e20", "#81c784"),
    "muted": ("#455a64", "#b0bec5"),
    "warn": ("#a84300", "#ffb74d"),
    "error": ("#b71c1c", "#ef9a9a"),
}


def system_is_dark() -> bool:
    """Whether the desktop asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def resolve(theme: str) -> str:
    """'light' or 'dark' for a theme name ('system' asks the desktop)."""
    if theme not in THEMES:
        raise ValueError(f"theme {theme!r} is not one of {', '.join(THEMES)}")
    if theme == "system":
        return "dark" if system_is_dark() else "light"
    return theme


def is_dark() -> bool:
    """Whether the application palette has a dark base (text areas) colour."""
    app = QApplication.instance()
    return isinstance(app, QApplication) and app.palette().base().color().lightness() < 128


def text_color(kind: str) -> str:
    """The colour of status text of `kind` (ok, muted, warn, error) in the current theme."""
    light, dark = TEXT_COLORS[kind]
    return dark if is_dark() else light


def text_shade(color: str) -> QColor:
    """`color` in a shade of its hue that reads (4.5:1) on the theme's Base and Window."""
    from twinbench.widgets.contrast import legible

    pal = QApplication.palette()
    out = color
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        out = legible(out, pal.color(role).name(), 4.5)
    return QColor(out)


def light_palette() -> QPalette:
    """The style's light palette, with a selection colour that white text is legible on."""
    app = QApplication.instance()
    p = app.style().standardPalette() if isinstance(app, QApplication) else QPalette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Highlight, QColor(LIGHT_HIGHLIGHT))
    return p


def dark_palette() -> QPalette:
    """A dark Fusion palette."""
    p = QPalette()
    base, window, text = QColor("#232323"), QColor("#2d2d2d"), QColor("#e0e0e0")
    role = QPalette.ColorRole
    for r, c in (
        (role.Window, window),
        (role.WindowText, text),
        (role.Base, base),
        (role.AlternateBase, window),
        (role.ToolTipBase, window),
        (role.ToolTipText, text),
        (role.Text, text),
        (role.Button, window),
        (role.ButtonText, text),
        (role.BrightText, QColor("#ff5555")),
        (role.Highlight, QColor("#2a82da")),
        (role.HighlightedText, QColor("#000000")),
        (role.PlaceholderText, QColor("#8a8a8a")),
    ):
        p.setColor(r, c)
    return p


def apply_theme(theme: str, plot: Any = None) -> str:
    """Apply a theme to the application (and the time plot's colours); returns light/dark."""
    import pyqtgraph as pg

    global _palette_set
    mode = resolve(theme)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "setColorScheme"):  # Qt 6.8+: ask the platform theme as well
            if theme == "system":
                hints.unsetColorScheme()
            else:
                hints.setColorScheme(
                    Qt.ColorScheme.Dark if mode == "dark" else Qt.ColorScheme.Light
                )
        if mode == "dark":
            app.setPalette(dark_palette())
            _palette_set = True
        elif _palette_set or theme == "light":
            app.setPalette(light_palette())
            _palette_set = False
    bg, fg = PLOT_COLORS[mode]
    pg.setConfigOption("background", bg)
    pg.setConfigOption("foreground", fg)
    if plot is not None:
        plot.apply_colors(bg, fg)
    return mode


def restyle_plots(window: Any, mode: str) -> int:
    """Give the pyqtgraph plots (FFT, XY, SQL, twin...) in `window`'s panels the colours of
    `mode`; returns how many. pyqtgraph reads its colours when a plot is made, so panels that
    were open when the theme changed kept the old one."""
    import pyqtgraph as pg

    bg, fg = PLOT_COLORS[mode]
    n = 0
    for w in window.findChildren(pg.PlotWidget):
        w.setBackground(bg)
        item = w.getPlotItem()
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setPen(fg)
            axis.setTextPen(fg)
        fit_pens(w)
        n += 1
    return n


def fit_all_pens(root: Any) -> None:
    """`fit_pens` on every pyqtgraph PlotWidget under `root` (a panel just made)."""
    import pyqtgraph as pg

    for w in root.findChildren(pg.PlotWidget):
        fit_pens(w)


def fit_pens(plot: Any) -> None:
    """Make the curve pens of a pyqtgraph PlotWidget legible (3:1, hue kept) on its background;
    each curve keeps the colour it was made with and is refitted from it on every call."""
    import pyqtgraph as pg

    from twinbench.widgets.contrast import legible

    bg = plot.backgroundBrush().color().name()
    for item in plot.getPlotItem().listDataItems():
        pen = pg.mkPen(item.opts["pen"]) if item.opts.get("pen") is not None else None
        if pen is None or pen.style() == Qt.PenStyle.NoPen:
            continue
        base = getattr(item, "base_color", None) or pen.color().name()
        item.base_color = base
        fitted = legible(base, bg)
        if fitted != pen.color().name():
            pen.setColor(QColor(fitted))
            item.setPen(pen)
