"""Threads, timers and widgets stay flat while 1,000 topics and 1,000 devices arrive over MQTT."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from tests.integration.mqtt.conftest import broker as broker  # the real mosquitto fixture
from tests.integration.mqtt.conftest import publish_many


def counts(bench):
    """(threads, QTimers, GUI tick callbacks, widgets) now."""
    app = QApplication.instance()
    timers = len(bench.findChildren(QTimer))
    timers += sum(len(w.findChildren(QTimer)) for w in app.topLevelWidgets())
    return (threading.active_count(), timers, len(bench.ctx.tick_callbacks),
            len(bench.window.findChildren(QWidget)))  # fmt: skip


def settled(bench, qtbot):
    """Counts once the window has stopped building itself (two equal looks 300 ms apart)."""
    last = None
    for _ in range(30):
        qtbot.wait(300)
        now = counts(bench)
        if now == last:
            return now
        last = now
    return last


def test_threads_timers_widgets_do_not_grow_with_topics_and_devices(
    broker,
    make_bench,
    qtbot,
):
    from twinbench.widgets.plot_panel import AUTO_CURVES

    bench = make_bench()
    win = bench.window
    panel = win.open_panel("mqtt").widget()
    drv = bench.runtime.add_driver("mqtt", {"port": broker.port, "topics": "lab/#", "qos": 1,
                                            "pattern": "lab/dev/{device}/t",
                                            "max_devices": 5000})  # fmt: skip
    drv.open_future.result(10)
    before = settled(bench, qtbot)
    publish_many(broker.port, [(f"lab/topic/{i}/v", b"1") for i in range(1000)]  # no device
                 + [(f"lab/dev/d{i:04d}/t", b'{"x": 1, "y": 2}') for i in range(1000)])  # fmt: skip
    qtbot.waitUntil(lambda: len(drv.tree.topics) == 2000, timeout=20_000)  # the GUI keeps running
    hub = bench.runtime.hub
    qtbot.waitUntil(lambda: sum(d.startswith("d") for d in hub.devices) == 1000, timeout=20_000)
    qtbot.waitUntil(lambda: panel.model.rows >= 2000 + 2 + 2, timeout=20_000)
    after = settled(bench, qtbot)  # plot, trees and panels have seen everything
    assert after == before, f"threads, timers, tick callbacks, widgets: {before} -> {after}"
    assert len(win.plot.curves) <= AUTO_CURVES
    assert len(win.plot.capped) >= 2000 - AUTO_CURVES
