"""The BLE scanner in the real main window on a machine without Bluetooth, both themes, two sizes.

Screenshots go to build/gui-tour/ (look at them: the whole sentence must be readable).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
TOUR = Path(__file__).resolve().parents[3] / "build" / "gui-tour"


def test_scanner_without_bluetooth_in_the_main_window(make_bench, qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no_bus_socket")
    bench = make_bench(wait_data=False)
    win = bench.window
    dock = win.open_panel("ble-scanner")
    panel = dock.widget()
    panel.scan_button.click()
    qtbot.waitUntil(lambda: panel.scan_button.text() == "Scan", timeout=10_000)
    assert panel.status.text().startswith("Bluetooth is not available: cannot reach BlueZ")
    TOUR.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        win.actions.set_theme(theme)
        for w, h in ((1920, 1080), (1366, 768)):
            win.resize(w, h)
            qtbot.wait(150)
            assert (
                panel.status.isVisible()
                and panel.status.height() >= panel.status.heightForWidth(panel.status.width())
            )
            win.grab().save(str(TOUR / f"ble-no-bluetooth-{theme}-{w}x{h}.png"))
