"""Save the time plot as PNG or SVG, and the visible raw samples as CSV text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from twinbench.widgets.plot_measure import raw_samples

if TYPE_CHECKING:
    from twinbench.history import DisplayHistory
    from twinbench.widgets.plot_panel import PlotPanel

MAX_CSV_ROWS = 100_000  # ~1.6M values, ~1 s and ~20 MB of text


def export_image(panel: PlotPanel, path: str | Path) -> Path:
    """Write every lane of the plot to `path`; the suffix (.png or .svg) picks the format."""
    from pyqtgraph.exporters import ImageExporter, SVGExporter

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{path}: plot export needs a .png or .svg file name")
    if suffix == ".png":
        ImageExporter(panel.plot.ci).export(str(path))
        return path
    try:
        SVGExporter(panel.plot.ci).export(str(path))
    except Exception:  # pyqtgraph 0.14 cannot parse some Qt 6 path data: let Qt write it
        _qt_svg(panel, path)
    return path


def _qt_svg(panel: PlotPanel, path: Path) -> None:
    """Render the plot's scene into an SVG file with Qt's own SVG generator."""
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    view = panel.plot
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(view.width(), view.height()))
    gen.setViewBox(QRectF(0, 0, view.width(), view.height()))
    gen.setTitle("TwinBench plot")
    painter = QPainter(gen)
    try:
        view.render(painter)
    finally:
        painter.end()
    if not path.is_file():
        raise OSError(f"{path}: could not write the SVG file")


def visible_csv(
    history: DisplayHistory,
    keys: list[tuple[str, str]],
    t0_ns: int,
    t1_ns: int,
    max_rows: int = MAX_CSV_ROWS,
) -> tuple[str, int, bool]:
    """CSV of raw samples in [t0, t1]: time_utc, time_ns and one column per (device, channel),
    outer-joined on time; returns (text, rows, truncated) keeping the first `max_rows` rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    by_dev: dict[str, list[str]] = {}
    for dev, ch in keys:
        by_dev.setdefault(dev, []).append(ch)
    multi = len(by_dev) > 1
    series: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for dev, chans in by_dev.items():
        for ch, ty in raw_samples(history, dev, chans, t0_ns, t1_ns).items():
            series[dev, ch] = ty
    times = [t for t, _ in series.values()]
    t_all = np.unique(np.concatenate(times)) if times else np.empty(0, np.int64)
    truncated = t_all.size > max_rows
    t_all = t_all[:max_rows]
    iso = np.datetime_as_string(t_all.astype("datetime64[ns]"), unit="us")
    cols: dict[str, pa.Array] = {
        "time_utc": pa.array(np.char.add(iso, "Z")),
        "time_ns": pa.array(t_all),
    }
    for dev, ch in keys:
        if (dev, ch) not in series:
            continue
        t, y = series[dev, ch]
        col = np.full(t_all.size, np.nan, dtype=y.dtype)
        idx = np.searchsorted(t_all, t)
        keep = idx < t_all.size
        col[idx[keep]] = y[keep]
        cols[f"{dev}/{ch}" if multi else ch] = pa.array(col, from_pandas=True)  # NaN: empty
    sink = pa.BufferOutputStream()
    pacsv.write_csv(pa.table(cols), sink, pacsv.WriteOptions(quoting_style="none"))
    return sink.getvalue().to_pybytes().decode(), int(t_all.size), bool(truncated)
