"""Two cursors on the time plot: delta time, per-channel delta, min/max/mean on raw samples."""

from __future__ import annotations

import numpy as np
import pytest

T0 = 1_700_000_000_000_000_000  # as in conftest.py


def _expect(t, y, a_ns, b_ns):
    sel = (t >= a_ns) & (t <= b_ns)
    seg = y[sel]
    return seg[-1] - seg[0], seg.min(), seg.max(), seg.mean(), int(sel.sum())


def test_measure_uses_raw_samples_not_the_downsampled_view(panel, known):
    from twinbench.widgets.plot_measure import measure, raw_samples

    t, a, b = known
    x0, x1 = panel.x_range_ns()
    view_t, _ = panel.history.view("dev", "b", x0, x1, 200)
    assert view_t.size < 1000  # the view is min/max pairs ...
    a_ns, b_ns = T0 + 1_234_000_000, T0 + 15_678_000_000
    got = raw_samples(panel.history, "dev", ["a", "b"], a_ns, b_ns)
    assert got["a"][0].size == 14_445  # ... the measurement reads every sample
    rows = measure(panel.history, [("dev", "a"), ("dev", "b")], b_ns, a_ns)  # either order
    for row, y in zip(rows, (a, b), strict=True):
        delta, lo, hi, mean, n = _expect(t, y, a_ns, b_ns)
        assert row.count == n
        assert row.delta == pytest.approx(delta, rel=1e-5)
        assert row.minimum == pytest.approx(lo, abs=1e-5)
        assert row.maximum == pytest.approx(hi, abs=1e-5)
        assert row.mean == pytest.approx(mean, rel=1e-5, abs=1e-5)


def test_cursor_button_shows_table_with_visible_channels(panel, known):
    t, a, _b = known
    assert not panel.measure_table.isVisibleTo(panel)
    panel.cursor_button.click()
    assert panel.cursors.enabled and panel.measure_table.isVisibleTo(panel)
    lane = next(iter(panel.lanes.values()))
    assert sum(1 for i in lane.item.items if i in panel.cursors._lines[0]) == 2
    a_ns, b_ns = T0 + 2_000_000_000, T0 + 5_000_000_000
    panel.cursors.set_positions(a_ns, b_ns)
    panel.refresh()
    table = panel.measure_table
    assert table.dt_s == pytest.approx(3.0)
    assert "3 s" in table.header.text()
    assert [r.channel for r in table.rows] == ["a", "b"]
    delta, lo, hi, mean, n = _expect(t, a, a_ns, b_ns)
    assert table.table.item(0, 0).text() == "a"
    assert float(table.table.item(0, 2).text()) == pytest.approx(delta, rel=1e-5)
    assert float(table.table.item(0, 3).text()) == pytest.approx(lo, rel=1e-5)
    assert float(table.table.item(0, 4).text()) == pytest.approx(hi, rel=1e-5)
    assert float(table.table.item(0, 5).text()) == pytest.approx(mean, rel=1e-5)
    assert int(table.table.item(0, 6).text()) == n

    panel.set_channel_visible("dev", "a", False)
    panel.refresh()
    panel.update_measurements()
    assert [r.channel for r in table.rows] == ["b"]
    panel.set_cursors(False)
    assert not panel.measure_table.isVisibleTo(panel)


def test_dragging_a_cursor_moves_it_in_every_lane_and_updates_the_table(panel):
    panel.set_split_units(False)
    panel.set_cursors(True)
    panel.cursors.set_positions(T0 + 1_000_000_000, T0 + 2_000_000_000)
    panel.refresh()
    line_b = panel.cursors._lines[0][1]
    line_b.setValue((T0 + 4_000_000_000) / 1e9)  # what a drag does
    assert panel.cursors.span()[1] == pytest.approx(T0 + 4_000_000_000, abs=1e3)
    panel.refresh()
    assert panel.measure_table.dt_s == pytest.approx(3.0, abs=1e-6)
    assert panel.measure_table.rows[0].count == 3001
    assert np.isfinite(panel.measure_table.rows[0].mean)


def test_cursors_switched_on_before_any_data_land_in_view_once_it_comes(qtbot, known):
    from twinbench.history import DisplayHistory
    from twinbench.model import Chunk
    from twinbench.runtime import Runtime
    from twinbench.widgets.context import AppContext
    from twinbench.widgets.plot_panel import PlotPanel

    t, a, b = known
    p = PlotPanel(AppContext(Runtime(), history=DisplayHistory()), window_s=30.0)
    qtbot.addWidget(p)
    p.set_cursors(True)
    assert p.cursors.span() == (0, 0)
    p.history.append([Chunk("dev", ("a", "b"), t, np.column_stack([a, b]))])
    p.refresh()
    x0, x1 = p.x_range_ns()
    c0, c1 = p.cursors.span()
    assert x0 < c0 < c1 < x1
    assert p.measure_table.rows and p.measure_table.rows[0].count > 1000
