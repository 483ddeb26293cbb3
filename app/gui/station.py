"""`twinbench station`: the bench config's station view in its own window."""

from __future__ import annotations


def launch_station(config: str, record: str | None = None) -> int:
    """Open the station view for a bench config and run the Qt event loop."""
    from PySide6.QtWidgets import QApplication

    from twinbench.bench.config import load_config
    from twinbench.widgets.station_view import StationView

    cfg = load_config(config)
    app = QApplication.instance() or QApplication([])
    view = StationView(cfg, record=record)
    view.resize(900, 120 + 60 * len(cfg.assertions))
    view.show()
    return int(app.exec())
