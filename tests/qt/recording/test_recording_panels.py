"""The sessions browser and the SQL query panel on real recorded sessions."""

from __future__ import annotations

import numpy as np

from twinbench.model import Channel, Chunk, Device
from twinbench.recording import Recorder
from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext
from twinbench.widgets.panels import all_panels


def make_session(root, rows=2000):
    rt = Runtime()
    rt.hub.declare(Device("rig", "sim", (Channel("a", "V"), Channel("b", "A"))))
    rec = Recorder(rt, root)
    rec.start("panel test")
    t = 1_700_000_000 * 10**9 + np.arange(rows, dtype=np.int64) * 10**7
    rt.hub.publish(Chunk("rig", ("a", "b"), t, np.column_stack([np.arange(rows), -np.ones(rows)])))
    rec.handle(rec._worker.sub.drain())
    return root / rec.stop()["id"]


def test_panels_are_registered():
    ids = {p.id for p in all_panels()}
    assert {"sessions", "sql"} <= ids


def test_sessions_panel_lists_renames_and_exports(qtbot, tmp_path):
    from twinbench.widgets.sessions_panel import SessionsPanel

    folder = make_session(tmp_path / "rec")
    ctx = AppContext(Runtime())
    panel = SessionsPanel(ctx, str(tmp_path / "rec"))
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 0).text() == "panel test"
    assert "1 session(s)" in panel.total.text() and "KiB" in panel.total.text()
    panel.table.selectRow(0)
    assert panel.selected() == folder
    out = tmp_path / "out"
    panel.start_export([folder], out, ("device_id",))
    panel.wait_export()
    assert "exported 2,000 rows" in panel.status.text()
    assert len(list(out.rglob("*.parquet"))) == 1


def test_sessions_panel_records_the_live_runtime(qtbot, tmp_path):
    from twinbench.widgets.sessions_panel import SessionsPanel

    rt = Runtime()
    rt.add_driver("sim", {"rate": 200})
    ctx = AppContext(rt)
    panel = SessionsPanel(ctx, str(tmp_path / "rec"))
    qtbot.addWidget(panel)
    rt.start()
    try:
        panel.toggle_record()
        for cb in ctx.tick_callbacks:
            cb()
        assert panel.record_btn.text() == "Stop recording"
        qtbot.wait(300)
        panel.toggle_record()
    finally:
        rt.stop()
    assert panel.table.rowCount() == 1 and panel.table.item(0, 3).text() == "closed"


def query_panel(qtbot, tmp_path, sql: str):
    """A SQL panel over a recorded session, `sql` run once."""
    from twinbench.widgets.query_panel import QueryPanel

    panel = QueryPanel(AppContext(Runtime()))
    qtbot.addWidget(panel)
    panel.sessions.setText(str(make_session(tmp_path / "rec")))
    panel.sql.setPlainText(sql)
    panel.run_query()
    return panel


def test_query_panel_runs_sql_and_plots(qtbot, tmp_path):
    panel = query_panel(qtbot, tmp_path, "SELECT time, channel, value FROM samples ORDER BY time")
    assert panel.status.text() == "4000 row(s)"
    assert panel.table.rowCount() == 1000 and panel.table.columnCount() == 3
    curves = panel.plot.getPlotItem().listDataItems()
    assert len(curves) == 2
    panel.sql.setPlainText("SELECT nope FROM rig")
    panel.run_query()
    assert panel.status.text().startswith("sql: ")


def test_query_panel_without_duckdb_says_how_to_add_it(qtbot, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)  # as in the bundle: import duckdb fails
    monkeypatch.setenv("TWINBENCH_PLUGIN_DIR", str(tmp_path / "plugins"))
    panel = query_panel(qtbot, tmp_path, "SELECT count(*) FROM samples")
    text = panel.status.text()
    assert text.startswith("sql needs DuckDB") and str(tmp_path / "plugins") in text
    assert panel.table.rowCount() == 0


def test_station_view_runs_the_example_and_saves_the_result(qtbot, tmp_path):
    import json
    from pathlib import Path

    import twinbench.resources
    from twinbench.bench.config import load_config
    from twinbench.widgets.station_view import StationView

    example = Path(twinbench.resources.__file__).parent / "examples" / "bench.toml"
    cfg_path = tmp_path / "bench.toml"
    cfg_path.write_text(example.read_text().replace("duration = 3.0", "duration = 1.0"))
    view = StationView(load_config(cfg_path), record=str(tmp_path / "rec"))
    qtbot.addWidget(view)
    assert [b.text() for b in view.badges] == ["READY"] * 4
    view.start_btn.click()
    assert view.overall.text() == "RUNNING"
    qtbot.waitUntil(lambda: view.overall.text() in ("PASS", "FAIL"), timeout=20_000)
    assert view.overall.text() == "PASS"
    assert [b.text() for b in view.badges] == ["PASS"] * 4
    (sess,) = list((tmp_path / "rec").iterdir())
    assert json.loads((sess / "bench.json").read_text())["passed"] is True
    assert "saved with the recording" in view.info.text()


def test_replay_panel_pauses_seeks_and_changes_speed(qtbot, tmp_path):
    import time

    from twinbench.widgets.replay_panel import ReplayPanel

    folder = make_session(tmp_path / "rec", rows=2000)  # 20 s at 100 Hz
    rt = Runtime()
    ctx = AppContext(rt)
    panel = ReplayPanel(ctx)
    qtbot.addWidget(panel)
    panel.open_session(str(folder))
    d = panel.driver()
    rt.start()
    try:
        panel.speed.setCurrentText("100x")
        assert d.speed == 100.0
        qtbot.waitUntil(lambda: d.position_s > 1.0, timeout=10_000)
        panel.toggle()
        assert d.paused
        panel.seek(15.0)
        time.sleep(0.1)
        panel.tick()
        assert d.position_s == 15.0 and "paused" in panel.pos.text()
        assert panel.slider.value() == int(1000 * 15.0 / d.duration_s)
        panel.speed.setCurrentText("fastest")
        panel.toggle()
        qtbot.waitUntil(lambda: d.finished, timeout=10_000)
        panel.tick()
        assert "finished" in panel.pos.text() and panel.play_btn.text() == "Play"
    finally:
        rt.stop()
