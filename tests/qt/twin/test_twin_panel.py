"""The model-driven twin panel on the running simulated rig."""

import pytest
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QGroupBox, QTableWidget

from twinbench.runtime import Runtime
from twinbench.twin import TwinService
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels
from twinbench.widgets.twin_panel import TwinPanel


@pytest.fixture
def panel(qtbot):
    rt = Runtime()
    rt.add_driver("sim", {"rate": 200, "block_ms": 10})
    ctx = AppContext(runtime=rt)
    ctx.services["twins"] = TwinService(rt, timeout=2.0)
    rt.start()
    p = TwinPanel(ctx)
    qtbot.addWidget(p)
    timer_ticks = ctx.tick_callbacks
    try:
        yield p, timer_ticks
    finally:
        p.pool.shutdown(wait=True, cancel_futures=True)
        rt.stop()


def _tick(qtbot, ticks, until, timeout=5000):
    def check():
        for cb in ticks:
            cb()
        assert until()

    qtbot.waitUntil(check, timeout=timeout)


def test_panel_is_registered():
    assert any(spec.id == "twin" for spec in all_panels())


def test_model_generates_plots_tables_editors_and_buttons(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.device == "sim" and p.grids)
    assert "dtmi:twinbench:sim:MotorRig;1" in p.model_label.text()
    titles = [pl.title for g in p.grids for pl in g.plots]
    assert "Winding temperature (°C)" in titles and "Shaft speed (rpm)" in titles
    assert any(pl.channels == ("qw", "qx", "qy", "qz") for g in p.grids for pl in g.plots)
    _tick(qtbot, ticks, lambda: any(pl.count > 2 for g in p.grids for pl in g.plots))
    p.service.refresh("sim")
    table = p.findChild(QTableWidget)
    _tick(qtbot, ticks, lambda: table.item(0, 1).text() == "SIM-0001")
    rows = {r.prop.name: r for r in p.rows}
    speed = rows["targetSpeed"].editor.widget
    assert isinstance(speed, QDoubleSpinBox) and rows["targetSpeed"].editor.range == (0, 6000)
    mode = rows["mode"].editor.widget
    assert isinstance(mode, QComboBox) and [mode.itemText(i) for i in range(3)] == [
        "run",
        "idle",
        "maintenance",
    ]
    assert set(p.commands) == {"reboot", "selfTest"}
    assert p.findChild(QGroupBox) is not None


def test_desired_edit_is_acknowledged_or_rejected(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.rows)
    rows = {r.prop.name: r for r in p.rows}
    row = rows["targetSpeed"]
    row.editor.widget.setValue(2500)
    row.button.click()
    _tick(qtbot, ticks, lambda: getattr(row, "state", "") == "accepted")
    assert "desired 2500" in row.status.text()
    row.editor.widget.setValue(5500)  # inside the panel's range, above the rig's rated speed
    row.button.click()
    _tick(qtbot, ticks, lambda: getattr(row, "state", "") == "rejected")
    assert "400" in row.status.text() and "rated" in row.status.text()


def test_command_button_shows_response(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.commands)
    cmd = p.commands["selfTest"]
    cmd.editor.widget.setValue(0.05)
    cmd.button.click()
    _tick(qtbot, ticks, lambda: cmd.response.text().startswith("200"))
    assert "passed" in cmd.response.text()


def test_pending_desired_shows_waiting_time(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.rows)
    twin = p.service.twin("sim")
    twin.patch_desired({"alarmTemperature": 75.0})  # written, not yet sent to the board
    row = {r.prop.name: r for r in p.rows}["alarmTemperature"]
    _tick(qtbot, ticks, lambda: getattr(row, "state", "") == "pending")
    assert "desired 75" in row.status.text() and "pending" in row.status.text()
    assert " s" in row.status.text()


def test_components_become_sections(qtbot, panel, dtdl_fixtures):
    from twinbench.dtdl import load_models
    from twinbench.twin.binding import binding_from

    p, _ticks = panel
    repo = dtdl_fixtures / "models"
    models = load_models(
        [repo / "dtmi" / "com" / "example" / "temperaturecontroller-1.json"], repository=repo
    )
    b = binding_from(models, {"model": "dtmi:com:example:TemperatureController;1"})
    p.service.bind("sim", b)
    p.show_device("sim")
    sections = {box.objectName() for box in p.findChildren(QGroupBox)}
    assert {"section:thermostat1.", "section:thermostat2."} <= sections
    paths = {r.path for r in p.rows}
    assert "thermostat1.targetTemperature" in paths
    assert "reboot" in p.commands and "thermostat1.getMaxMinReport" in p.commands
    assert p.commands["thermostat1.getMaxMinReport"].address == "thermostat1*getMaxMinReport"
    assert p.commands["reboot"].address == "reboot"


def _rows(p):
    return {r.prop.name: r for r in p.rows}


def test_opening_loads_reported_and_editors_start_from_it(qtbot, panel):
    p, ticks = panel
    # no explicit refresh: the panel asks the device when it shows it
    _tick(qtbot, ticks, lambda: p.rows and _rows(p)["alarmTemperature"].shown is not None)
    row = _rows(p)["alarmTemperature"]
    reported = p.service.twin("sim").property_status("alarmTemperature").reported
    assert reported not in (None, 0)
    assert row.editor.value() == reported and row.button.isEnabled()
    assert "reported None" not in row.status.text()
    assert "reported $version" in p.versions.text()


def test_out_of_range_is_refused_with_the_range_not_clamped(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.rows and _rows(p)["alarmTemperature"].shown is not None)
    row = _rows(p)["alarmTemperature"]
    before = p.service.twin("sim").desired.version
    row.editor.widget.setValue(500)
    assert row.editor.widget.value() == 500  # kept as typed, not clamped to 150
    assert not row.button.isEnabled()
    assert "500" in row.hint.text() and "0 … 150" in row.hint.text()
    row.submit()  # even if forced, nothing is sent
    for cb in ticks:
        cb()
    assert p.service.twin("sim").desired.version == before
    row.editor.widget.setValue(90)
    assert row.button.isEnabled() and row.hint.text() == "0 … 150"


def test_ack_and_versions_shown_after_set(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.rows and _rows(p)["targetSpeed"].shown is not None)
    row = _rows(p)["targetSpeed"]
    row.editor.widget.setValue(1200)
    row.button.click()
    _tick(qtbot, ticks, lambda: row.state == "accepted")
    v = p.service.twin("sim").desired.version
    assert f"desired 1200 (v{v})" in row.status.text()
    assert f"ack 200 v{v}" in row.status.text()


def test_twin_json_tab_shows_document_and_saves_desired_as_merge_patch(qtbot, panel):
    import json

    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.rows and '"$version"' in p.json_view.editor.toPlainText())
    doc = json.loads(p.json_view.editor.toPlainText())
    assert "$metadata" in doc["properties"]["reported"]
    assert doc["properties"]["desired"]["$version"] == p.service.twin("sim").desired.version
    doc["properties"]["desired"]["targetSpeed"] = 1500
    p.json_view.editor.setPlainText(json.dumps(doc, indent=2))
    p.json_view.save_button.click()
    _tick(qtbot, ticks, lambda: _rows(p)["targetSpeed"].state == "accepted")
    assert p.service.twin("sim").desired.values["targetSpeed"] == 1500
    r = _rows(p)["targetSpeed"]
    assert r.editor.value() == 1500  # editors follow the twin


def test_twin_json_bad_json_applies_nothing(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.rows and '"$version"' in p.json_view.editor.toPlainText())
    before = p.service.twin("sim").desired.version
    p.json_view.editor.setPlainText('{"properties": {"desired": {"targetSpeed": }}}')
    p.json_view.save_button.click()
    assert p.json_view.message.text().startswith("not applied: line 1 column")
    for cb in ticks:
        cb()
    assert p.service.twin("sim").desired.version == before
    assert 'targetSpeed": }' not in p.json_view.doc  # the document itself is untouched


def test_component_commands_are_named_as_iot_hub_names_them(qtbot, panel, tmp_path):
    import json

    from twinbench.dtdl import load_models
    from twinbench.twin.binding import binding_from

    p, _ticks = panel
    ctx = "dtmi:dtdl:context;2"
    imu = {
        "@context": ctx,
        "@id": "dtmi:test:Imu;1",
        "@type": "Interface",
        "contents": [{"@type": "Command", "name": "zeroGyro"}],
    }
    rig = {
        "@context": ctx,
        "@id": "dtmi:test:Rig;1",
        "@type": "Interface",
        "contents": [
            {"@type": "Component", "name": "imu", "schema": "dtmi:test:Imu;1"},
            {"@type": "Command", "name": "reboot"},
        ],
    }
    files = []
    for doc in (imu, rig):
        f = tmp_path / (doc["@id"].split(":")[2] + ".json")
        f.write_text(json.dumps(doc))
        files.append(f)
    b = binding_from(load_models(files), {"model": "dtmi:test:Rig;1"})
    p.service.bind("sim", b)
    p.show_device("sim")
    assert set(p.commands) == {"reboot", "imu.zeroGyro"}
    assert p.commands["imu.zeroGyro"].address == "imu*zeroGyro"
    assert p.commands["imu.zeroGyro"].button.toolTip() == "imu*zeroGyro"
    assert p.findChild(QGroupBox, "section:imu.") is not None


def test_a_narrow_dock_gets_one_column_and_no_sideways_scrolling(qtbot, panel):
    p, ticks = panel
    _tick(qtbot, ticks, lambda: p.device == "sim" and p.grids and p.rows)
    grid = p.grids[0]
    p.resize(322, 700)  # the right dock of a 1280 px first-start window (xcb, Xvfb)
    p.show()
    qtbot.waitUntil(lambda: grid.columns == 1)
    qtbot.waitUntil(lambda: p.scroll.horizontalScrollBar().maximum() == 0)
    assert p.body.minimumSizeHint().width() <= p.scroll.viewport().width()
    p.resize(760, 700)  # a wide dock: the sparklines two by two
    qtbot.waitUntil(lambda: grid.columns == 2)
    lay = grid.grid
    assert lay.getItemPosition(lay.indexOf(grid.plots[1]))[:2] == (0, 1)
