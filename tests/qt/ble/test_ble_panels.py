"""The BLE scanner and GATT browser panels against the BlueZ emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.integration.ble.conftest import HR_ADDR, SENSOR_ADDR
from twinbench.ble.ops import explain
from twinbench.ble.privatebus import SENSOR_CMD, EmulatedBluez
from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels


@pytest.fixture
def ctx(bench: EmulatedBluez) -> Iterator[AppContext]:
    rt = Runtime()
    rt.start()
    yield AppContext(runtime=rt)
    rt.stop()


def _tick(ctx: AppContext) -> None:
    for cb in ctx.tick_callbacks:
        cb()


def _panel(ctx: AppContext, panel_id: str):
    spec = next(p for p in all_panels() if p.id == panel_id)
    return spec.factory(ctx)


def test_scanner_lists_filters_and_connects(qtbot, ctx: AppContext) -> None:
    panel = _panel(ctx, "ble-scanner")
    qtbot.addWidget(panel)
    panel.scan_button.click()

    def rows() -> list[str]:
        _tick(ctx)
        return [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]

    qtbot.waitUntil(lambda: set(rows()) == {HR_ADDR, SENSOR_ADDR}, timeout=10_000)
    names = {panel.table.item(r, 1).text() for r in range(panel.table.rowCount())}
    assert names == {"TwinHR", "(no name)"}
    panel.service_edit.setText("180d")
    assert rows() == [HR_ADDR]
    panel.service_edit.setText("")
    panel.rssi_spin.setValue(-60)  # the sensor advertises at about -67 dBm
    assert rows() == [HR_ADDR]
    panel.table.selectRow(0)
    panel.connect_button.click()
    qtbot.waitUntil(lambda: ctx.runtime.hub.devices.get("twinhr") is not None, timeout=10_000)
    qtbot.waitUntil(lambda: ctx.runtime.hub.devices["twinhr"].samples > 10, timeout=10_000)
    _tick(ctx)
    assert not panel.scanner.running


def test_gatt_browser_reads_writes_and_counts(qtbot, ctx: AppContext) -> None:
    ctx.runtime.add_driver("ble", {"address": SENSOR_ADDR, "notify": "2a6e", "device_id": "sensor"})
    panel = _panel(ctx, "ble-gatt")
    qtbot.addWidget(panel)

    def tree_ready() -> bool:
        _tick(ctx)
        return panel.tree.topLevelItemCount() == 2

    qtbot.waitUntil(tree_ready, timeout=10_000)
    labels = [panel.tree.topLevelItem(i).text(0) for i in range(2)]
    assert "0x181A Environmental Sensing" in labels
    items = {
        panel.tree.topLevelItem(i).child(j).text(0): panel.tree.topLevelItem(i).child(j)
        for i in range(2)
        for j in range(panel.tree.topLevelItem(i).childCount())
    }
    temp = items["0x2A6E Temperature"]
    assert temp.text(1) == "read, notify"
    assert temp.child(0).text(0) == "0x2902 Client Characteristic Configuration"
    qtbot.waitUntil(lambda: (_tick(ctx), int(temp.text(3) or 0) > 3)[1], timeout=10_000)
    panel.tree.setCurrentItem(items[SENSOR_CMD])
    panel.value_edit.setText("c0de")
    panel.write_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), panel.result.text() == "write ok")[1], timeout=5_000)
    panel.read_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), panel.result.text().endswith("= c0de"))[1], timeout=5_000)


def test_scanner_says_so_when_the_runtime_is_not_running(qtbot) -> None:
    ctx = AppContext(runtime=Runtime())
    panel = _panel(ctx, "ble-scanner")
    qtbot.addWidget(panel)
    panel.scan_button.click()
    assert panel.status.text() == "cannot scan: runtime not started"
    panel.connect_button.click()
    assert panel.status.text() == "select a device first"


def test_scanner_without_bluez_says_so_and_returns_to_idle(qtbot, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no_bus_socket")
    rt = Runtime()
    rt.start()
    try:
        ctx = AppContext(runtime=rt)
        panel = _panel(ctx, "ble-scanner")
        qtbot.addWidget(panel)
        panel.scan_button.click()
        assert panel.scan_button.text() == "Stop"  # while the scan starts
        qtbot.waitUntil(lambda: (_tick(ctx), panel.scan_button.text() == "Scan")[1], timeout=10_000)
        text = panel.status.text()
        assert text.startswith(explain(FileNotFoundError(2, "No such file or directory")))
        assert text.startswith("Bluetooth is not available: cannot reach BlueZ")
        assert "systemctl start bluetooth" in text and "Errno" not in text
        assert not panel.scanner.running
        panel.scan_button.click()  # idle again: a second try fails the same way
        qtbot.waitUntil(lambda: (_tick(ctx), panel.scan_button.text() == "Scan")[1], timeout=10_000)
        assert panel.status.text() == text
    finally:
        rt.stop()


def test_diagnostics_panel_shows_ble_loss_counters(qtbot, ctx: AppContext, bench) -> None:
    bench.command("rate", address=HR_ADDR, hz=0)
    drv = ctx.runtime.add_driver("ble", {"address": HR_ADDR, "device_id": "hr", "notify": "2a37"})
    qtbot.waitUntil(lambda: drv.links.get("hr") is not None and drv.links["hr"].connected)
    bench.command("inject", address=HR_ADDR, uuid="2a37", hex="01")  # truncated
    qtbot.waitUntil(lambda: drv.counters()["hr"]["malformed"] == 1, timeout=5_000)
    panel = _panel(ctx, "diagnostics")
    qtbot.addWidget(panel)
    panel.refresh()
    top = next(
        panel.tree.topLevelItem(i)
        for i in range(panel.tree.topLevelItemCount())
        if panel.tree.topLevelItem(i).text(0) == "hr"
    )
    rows = {top.child(j).text(0): top.child(j).text(1) for j in range(top.childCount())}
    assert rows["malformed: 0x2A37 Heart Rate Measurement"] == "1"
    assert rows["malformed"] == "1" and rows["missed_while_reconnecting"] == "0"
    assert rows["reconnects"] == "0" and rows["link_losses"] == "0"


def test_connect_when_bluetoothd_is_gone_says_so(qtbot, ctx: AppContext, bench) -> None:
    panel = _panel(ctx, "ble-scanner")
    qtbot.addWidget(panel)
    panel.scan_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), panel.table.rowCount() == 2)[1], timeout=10_000)
    panel.scan_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), panel.status.text() == "stopped")[1], timeout=5_000)
    bench.stop_bluez()
    panel.table.selectRow(0)
    panel.connect_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), "bluetoothd" in panel.status.text())[1], timeout=10_000)
    assert panel.status.text() == (
        "Bluetooth is not available: cannot reach BlueZ (bluetoothd is not running); "
        "start it (sudo systemctl start bluetooth)"
    )
    assert panel.scan_button.text() == "Scan"


@pytest.mark.parametrize("outage", ["restart", "power"])
def test_scanner_keeps_scanning_across_bluetooth_outages(
    qtbot, ctx: AppContext, bench, outage: str
) -> None:
    panel = _panel(ctx, "ble-scanner")
    qtbot.addWidget(panel)
    panel.scan_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), panel.table.rowCount() == 2)[1], timeout=10_000)
    if outage == "restart":
        bench.stop_bluez()
    else:
        bench.power(False)
    qtbot.waitUntil(lambda: (_tick(ctx), "went away" in panel.status.text())[1], timeout=5_000)
    assert panel.scan_button.text() == "Stop"  # still scanning, as far as the user is concerned
    gone = time.monotonic()
    if outage == "restart":
        bench.restart_bluez()
    else:
        bench.power(True)

    def fresh() -> bool:  # both devices heard again after the outage
        _tick(ctx)
        return sum(e.last_seen > gone for e in panel.scanner.entries()) == 2

    qtbot.waitUntil(fresh, timeout=10_000)
    assert panel.status.text() == "scanning: 2 device(s)"
    panel.scan_button.click()
    qtbot.waitUntil(lambda: (_tick(ctx), panel.status.text() == "stopped")[1], timeout=5_000)
