"""File > Open data in the main window: CSV (time column asked when ambiguous), a recorded
session, bad files; the data shows in the plot and tree as file:<name> beside the live sim."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def _answer_time_dialog(column: str, seen: list[str]) -> None:
    """Pick `column` in the time-column dialog once it is up (as a user would)."""

    def pick() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, QInputDialog):
            QTimer.singleShot(50, pick)
            return
        seen.extend(dlg.comboBoxItems())
        dlg.setTextValue(column)
        dlg.accept()

    QTimer.singleShot(50, pick)


def test_a_csv_with_two_time_columns_asks_then_plots_as_a_file_device(make_bench, qtbot, tmp_path):
    bench = make_bench()
    path = tmp_path / "run42.csv"
    rows = "\n".join(f"{i * 0.01:.2f},{1000 + i},{i % 7}" for i in range(500))
    path.write_text("t,timestamp,x\n" + rows + "\n")
    opener = bench.window.actions.opener
    seen: list[str] = []
    _answer_time_dialog("t", seen)
    with qtbot.waitSignal(opener.opened, timeout=10_000) as got:
        opener.open_path(str(path))
    assert got.args == [["file:run42"]]
    assert seen[:2] == ["timestamp", "t"]
    hub = bench.runtime.hub
    st = hub.devices["file:run42"]
    assert st.state == "opened" and st.samples == 500
    assert st.device.channel_names == ("timestamp", "x")
    assert bench.history.span("file:run42") == (0, 4_990_000_000)
    plot = bench.window.plot
    assert plot.paused and plot.x_range_ns() == (0, 4_990_000_000)
    qtbot.waitUntil(lambda: ("file:run42", "x") in plot.curves, timeout=5000)
    assert plot.curves["file:run42", "x"].xData is not None
    assert "sim" in hub.devices and hub.devices["sim"].state == "connected"  # live untouched
    qtbot.waitUntil(lambda: bench.window.tree.has_channel("file:run42", "x"), timeout=5000)


def test_a_recorded_session_opens_and_a_bad_file_is_one_message(make_bench, qtbot, tmp_path):
    bench = make_bench()
    acts = bench.window.actions
    acts.toggle_record()
    n = bench.runtime.hub.devices["sim"].samples
    qtbot.waitUntil(lambda: bench.runtime.hub.devices["sim"].samples > n + 500, timeout=5000)
    folder = bench.ctx.services["recorder"].folder
    acts.toggle_record()
    opener = acts.opener
    with qtbot.waitSignal(opener.opened, timeout=10_000) as got:
        opener.open_path(str(folder))
    (dev,) = got.args[0]
    assert dev == f"file:{folder.name}"
    assert bench.runtime.hub.devices[dev].device.channel("temperature").unit == "degC"
    bad = tmp_path / "junk.parquet"
    bad.write_bytes(b"PAR1 but not really")
    with qtbot.waitSignal(opener.failed, timeout=5000) as failed:
        opener.open_path(str(bad))
    assert "junk.parquet" in failed.args[0]
    assert "open data: " in bench.window.statusBar().currentMessage()
    assert "file:junk" not in bench.runtime.hub.devices


def test_dropping_a_parquet_file_on_the_window_opens_it(make_bench, qtbot, tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    bench = make_bench(wait_data=False)
    path = tmp_path / "bench.parquet"
    t = pa.array(np.arange(100, dtype=np.int64) * 10_000_000, pa.timestamp("ns", tz="UTC"))
    pq.write_table(pa.table({"time": t, "rpm": np.arange(100.0)}), path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    ev = QDropEvent(
        QPointF(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(bench.window.actions.opener.opened, timeout=10_000) as got:
        bench.window.dropEvent(ev)
    assert got.args == [["file:bench"]]
    assert bench.runtime.hub.devices["file:bench"].samples == 100


def test_rows_without_a_time_are_skipped_and_the_status_bar_says_how_many(
    make_bench, qtbot, tmp_path
):
    bench = make_bench(wait_data=False)
    path = tmp_path / "bench.csv"
    path.write_text("time_s,temp\n0.0,20\n,21\n0.1,22\nNaN,23\n0.2,24\n")
    opener = bench.window.actions.opener
    with qtbot.waitSignal(opener.opened, timeout=10_000):
        opener.open_path(str(path))
    assert bench.runtime.hub.devices["file:bench"].samples == 3
    assert bench.history.span("file:bench") == (0, 200_000_000)
    text = bench.window.statusBar().currentMessage()
    assert "3 rows as file:bench; 2 rows without a time skipped" in text


def test_a_parquet_file_with_a_damaged_row_group_opens_the_rest_and_says_which(
    make_bench, qtbot, tmp_path
):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    bench = make_bench(wait_data=False)
    path = tmp_path / "field.parquet"
    table = pa.table({"time_s": np.arange(3000.0), "v": np.arange(3000.0)})
    pq.write_table(table, path, row_group_size=1000)
    offset = pq.ParquetFile(path).metadata.row_group(2).column(1).data_page_offset
    raw = bytearray(path.read_bytes())
    raw[offset : offset + 64] = b"\x13" * 64
    path.write_bytes(bytes(raw))
    opener = bench.window.actions.opener
    with qtbot.waitSignal(opener.opened, timeout=10_000):
        opener.open_path(str(path))
    assert bench.runtime.hub.devices["file:field"].samples == 2000
    text = bench.window.statusBar().currentMessage()
    assert "2,000 rows as file:field; row group 3 of 3 unreadable (" in text
