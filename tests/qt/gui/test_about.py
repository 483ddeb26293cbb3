"""Help > About names the versions of Qt, vispy, bleak and paho, and where the user's files live."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_about_from_the_help_menu(make_bench, config_dir):
    from PySide6.QtCore import qVersion

    from twinbench.widgets.about_dialog import AboutDialog

    bench = make_bench(wait_data=False)
    menu = next(a for a in bench.window.menuBar().actions() if a.text() == "&Help").menu()
    next(a for a in menu.actions() if "About" in a.text()).trigger()
    dialogs = bench.window.findChildren(AboutDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    text = re.sub(r"<[^>]+>", " ", dialogs[0].label.text())
    for dist in ("vispy", "bleak", "paho-mqtt", "PySide6-Essentials"):
        assert version(dist) in text, dist
    assert qVersion() in text
    data = config_dir.parent / "data"
    assert str(data / "logs") in text and str(data / "plugins") in text


def test_app_icon_loads():
    from twinbench.widgets.about_dialog import app_icon

    icon = app_icon()
    assert not icon.isNull() and not icon.pixmap(64, 64).isNull()


def test_a_missing_add_on_says_where_it_goes(monkeypatch):
    from importlib.metadata import PackageNotFoundError

    from twinbench import about

    def only_core(dist):
        if dist == "duckdb":
            raise PackageNotFoundError(dist)
        return version(dist)

    monkeypatch.setattr(about, "version", only_core)
    rows = dict(about.part_versions())
    duck = rows["DuckDB"]
    assert duck.startswith("not installed: SQL add-on") and "plugin folder" in duck
    assert rows["numpy"] == version("numpy")
