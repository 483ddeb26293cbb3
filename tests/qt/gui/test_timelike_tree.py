"""Channels the plot leaves out as time-like start unticked in the device tree."""

import pytest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_timelike_channels_are_unticked_in_the_tree(make_bench, qtbot):
    bench = make_bench()
    tree, plot = bench.window.tree, bench.window.plot
    qtbot.waitUntil(lambda: ("sim", "rpm") in plot.curves, timeout=5000)
    plot.timelikeHidden.emit([("sim", "rpm")])
    assert ("sim", "rpm") in tree.hidden
    assert ("sim", "temperature") not in tree.hidden
