"""Save the time plot as PNG or SVG, and the visible raw samples as CSV text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from twinbench.widgets.plot_measure import raw_samples

if TYPE_CHECKING:
    from twinbench.history import DisplayHistory
    from twinbench.widgets.plot_panel import PlotPanel

MAX_CSV_ROWS = 200_000


def export_image(panel: PlotPanel, path: str | Path) -> Path:
    """Write every lane of the plot to `path`; the suffix (.png or .svg) picks the format."""
    from pyqtgraph.exporters import ImageExporter, SVGExporter

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{path}: plot export needs a .png or .svg file name")
    exporter = (ImageExporter if suffix == ".png" else SVGExporter)(panel.plot.ci)
    exporter.export(str(path))
    return path


def visible_csv(
    history: DisplayHistory,
    keys: list[tuple[str, str]],
    t0_ns: int,
    t1_ns: int,
    max_rows: int = MAX_CSV_ROWS,
) -> tuple[str, int, bool]:
    """CSV of raw samples in [t0, t1]: time_utc, time_ns and one column per (device, channel),
    outer-joined on time; returns (text, rows, truncated) keeping the first `max_rows` rows."""
    import pandas as pd

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
    cols: dict[str, np.ndarray] = {
        "time_utc": pd.to_datetime(t_all, unit="ns", utc=True),
        "time_ns": t_all,
    }
    for dev, ch in keys:
        if (dev, ch) not in series:
            continue
        t, y = series[dev, ch]
        col = np.full(t_all.size, np.nan)
        idx = np.searchsorted(t_all, t)
        keep = idx < t_all.size
        col[idx[keep]] = y[keep]
        cols[f"{dev}/{ch}" if multi else ch] = col
    frame = pd.DataFrame(cols)
    text = frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ", float_format="%.9g")
    return text, int(t_all.size), bool(truncated)
