"""The SQL panel shows recorded times as wall-clock times, and the results get the room."""

import numpy as np
import pytest

from twinbench.runtime import Runtime
from twinbench.widgets.context import AppContext


@pytest.fixture
def panel(qtbot, tmp_path):
    from twinbench.widgets.query_panel import QueryPanel

    from .test_recording_panels import make_session  # noqa: TID252 - the neighbour's helper

    p = QueryPanel(AppContext(Runtime()))
    qtbot.addWidget(p)
    p.resize(1000, 600)
    p.sessions.setText(str(make_session(tmp_path / "rec")))
    return p


def test_timestamp_column_gives_a_wall_clock_axis(panel):
    panel.sql.setPlainText("SELECT time, channel, value FROM samples ORDER BY time")
    panel.run_query()
    assert panel.time_axis.mode == "wall"
    x = panel.plot.getPlotItem().listDataItems()[0].getData()[0]
    assert np.nanmin(x) > 1e9  # epoch seconds, not "1.7966e+06"
    assert "local time" in panel.plot.getAxis("bottom").labelText


def test_epoch_ms_numbers_also_read_as_time_and_plain_numbers_stay(panel):
    panel.sql.setPlainText(
        "SELECT epoch_ns(time) // 1000000 AS ms, value FROM samples WHERE channel = 'a' "
        "ORDER BY time"
    )
    panel.run_query()
    assert panel.time_axis.mode == "wall"
    x = panel.plot.getPlotItem().listDataItems()[0].getData()[0]
    assert 1e9 < np.nanmin(x) < 1e11  # ms turned into seconds
    panel.sql.setPlainText("SELECT value, value * 2 AS twice FROM samples WHERE channel = 'a'")
    panel.run_query()
    assert panel.time_axis.mode == "start" and panel.time_axis.origin == 0.0


def test_results_get_most_of_the_height(panel):
    panel.show()
    sql_h, results_h = panel.splitter.sizes()
    assert results_h > 2 * sql_h and panel.table.height() >= 120
