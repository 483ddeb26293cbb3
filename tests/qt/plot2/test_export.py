"""Plot export to PNG/SVG and the visible raw samples as CSV."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

T0 = 1_700_000_000_000_000_000  # as in conftest.py


def test_png_and_svg_export(panel, tmp_path):
    from PySide6.QtGui import QImage

    from twinbench.widgets.plot_export import export_image

    png = export_image(panel, tmp_path / "plot.png")
    img = QImage(str(png))
    assert not img.isNull() and img.width() >= 400 and img.height() >= 200
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    px = np.frombuffer(img.constBits(), np.uint32, img.width() * img.height())
    assert np.unique(px).size > 2  # axes and curves are drawn, not a blank page
    svg = export_image(panel, tmp_path / "plot.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert (
        len(list(root.iter("{http://www.w3.org/2000/svg}path")))
        + len(list(root.iter("{http://www.w3.org/2000/svg}polyline")))
        > 0
    )
    with pytest.raises(ValueError, match=r"plot\.jpg.*\.png or \.svg"):
        export_image(panel, tmp_path / "plot.jpg")


def test_visible_csv_holds_every_raw_sample_in_range(panel, known):
    from twinbench.widgets.plot_export import visible_csv

    t, a, b = known
    x0, x1 = T0 + 3_000_000_000, T0 + 9_000_000_500
    text, rows, truncated = visible_csv(panel.history, [("dev", "a"), ("dev", "b")], x0, x1)
    sel = (t >= x0) & (t <= x1)
    assert rows == int(sel.sum()) == 6001 and not truncated
    df = pd.read_csv(io.StringIO(text))
    assert list(df.columns) == ["time_utc", "time_ns", "a", "b"]
    assert (df["time_ns"].to_numpy() == t[sel]).all()
    parsed = pd.to_datetime(df["time_utc"], utc=True)
    assert (parsed.dt.as_unit("ns").astype("int64").to_numpy() // 1000 == t[sel] // 1000).all()
    assert df["time_utc"][0].endswith("Z") and "T" in df["time_utc"][0]
    np.testing.assert_allclose(df["a"], a[sel], rtol=1e-6)
    np.testing.assert_allclose(df["b"], b[sel], rtol=1e-5, atol=1e-6)


def test_visible_csv_is_capped_and_joins_devices_on_time(panel):
    from twinbench.model import Chunk
    from twinbench.widgets.plot_export import visible_csv

    t2 = T0 + 500_000 + np.arange(100, dtype=np.int64) * 10_000_000  # 100 Hz, offset
    panel.history.append([Chunk("other", ("c",), t2, np.arange(100.0).reshape(-1, 1))])
    keys = [("dev", "a"), ("other", "c")]
    x0, x1 = T0, T0 + 999_999_999
    text, rows, truncated = visible_csv(panel.history, keys, x0, x1)
    df = pd.read_csv(io.StringIO(text))
    assert list(df.columns) == ["time_utc", "time_ns", "dev/a", "other/c"]
    assert rows == 1000 + 100 and not truncated
    assert df["other/c"].notna().sum() == 100 and df["dev/a"].notna().sum() == 1000
    assert df.loc[df["time_ns"] == t2[5], "other/c"].item() == 5.0
    text, rows, truncated = visible_csv(panel.history, keys, x0, x1, max_rows=50)
    assert rows == 50 and truncated
    assert len(pd.read_csv(io.StringIO(text))) == 50


def test_copy_visible_data_puts_csv_on_the_clipboard(make_bench, qtbot):
    from PySide6.QtGui import QGuiApplication

    bench = make_bench()
    win = bench.window
    h = bench.history
    qtbot.waitUntil(lambda: h.span()[1] - h.span()[0] > 300_000_000, timeout=10_000)
    win.plot.refresh()
    win.plot.set_paused(True)
    assert len(win.plot.visible_keys()) > 3
    win.plot.set_channel_visible("sim", win.plot.visible_keys()[0][1], False)
    win.actions.actions["copy_csv"].trigger()
    df = pd.read_csv(io.StringIO(QGuiApplication.clipboard().text()))
    assert list(df.columns)[2:] == [ch for _, ch in win.plot.visible_keys()]
    x0, x1 = win.plot.x_range_ns()
    assert len(df) > 10 and df["time_ns"].between(x0, x1).all()
    assert "copied" in win.statusBar().currentMessage()
