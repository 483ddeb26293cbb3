"""Switching theme recolours the plots of panels already open (FFT, XY), not only new ones."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_open_panels_follow_the_theme(make_bench):
    from twinbench.widgets.theme import PLOT_COLORS

    bench = make_bench(wait_data=False)
    win = bench.window
    win.actions.set_theme("light")
    fft = win.open_panel("spectrum").widget()
    xy = win.open_panel("xy").widget()
    plots = [w.findChild(type(w.plot)) or w.plot for w in (fft, xy)]

    import pyqtgraph as pg

    def colour(p):
        return p.backgroundBrush().color().name()

    def want(c):
        return pg.mkColor(c).name()

    assert [colour(p) for p in plots] == [want(PLOT_COLORS["light"][0])] * 2
    win.actions.set_theme("dark")
    assert [colour(p) for p in plots] == [want(PLOT_COLORS["dark"][0])] * 2
    axis = fft.plot.getPlotItem().getAxis("bottom")
    assert axis.textPen().color().name() == want(PLOT_COLORS["dark"][1])
