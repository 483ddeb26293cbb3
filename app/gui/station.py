"""`twinbench station`: the bench config's station view in its own window."""

from __future__ import annotations


def launch_station(config: str, record: str | None = None) -> int:
    """Open the station view for a bench config and run the Qt event loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from twinbench.bench.config import load_config
    from twinbench.gui.gcpin import COLLECTOR
    from twinbench.widgets.station_view import StationView

    cfg = load_config(config)
    app = QApplication.instance() or QApplication([])
    COLLECTOR.start()  # garbage with Qt objects in it is collected on this thread only
    gc_timer = QTimer()
    gc_timer.timeout.connect(COLLECTOR.tick)
    gc_timer.start(50)
    view = StationView(cfg, record=record)
    view.resize(900, 120 + 60 * len(cfg.assertions))
    view.show()
    try:
        return int(app.exec())
    finally:
        gc_timer.stop()
        COLLECTOR.stop()
