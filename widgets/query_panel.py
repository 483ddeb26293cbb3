"""SQL query panel: DuckDB over recorded sessions, results as a table and a plot."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinbench.timelike import epoch_seconds, timelike_columns
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec
from twinbench.widgets.plot_lane import color_for
from twinbench.widgets.plot_options import TimeAxis
from twinbench.widgets.theme import fit_pens

MAX_ROWS_SHOWN = 1000
DEFAULT_SQL = (
    "SELECT time_bucket(INTERVAL 1 second, time) AS t, channel, avg(value) AS mean\n"
    "FROM samples GROUP BY ALL ORDER BY t"
)


class QueryPanel(FormState, QWidget):
    """Sessions (paths separated by ';'), a query box, a result table and a plot of it."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"sessions": "sessions", "sql": "sql"}

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.sessions = QLineEdit()
        self.sessions.setPlaceholderText("session folder(s), separated by ;")
        self.sql = QPlainTextEdit(DEFAULT_SQL)
        run = QPushButton("Run")
        run.clicked.connect(self.run_query)
        self.status = QLabel()
        self.table = QTableWidget(0, 0)
        self.time_axis = TimeAxis()  # wall clock for time columns, plain numbers otherwise
        self.plot = pg.PlotWidget(axisItems={"bottom": self.time_axis})
        self.plot.addLegend()
        self.plot.getAxis("bottom").setLabel("first column")
        top = QHBoxLayout()
        top.addWidget(self.sessions, 1)
        top.addWidget(run)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.plot)
        split.setSizes([500, 500])
        self.splitter = QSplitter(Qt.Orientation.Vertical)  # the results get the room
        self.splitter.addWidget(self.sql)
        self.splitter.addWidget(split)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([90, 360])
        self.sql.setMinimumHeight(48)
        self.table.setMinimumHeight(120)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.status)
        self.result: Any = None

    def run_query(self) -> None:
        """Run the SQL over the sessions and show the result."""
        from twinbench.recording.sql import query

        paths = [p.strip() for p in self.sessions.text().split(";") if p.strip()]
        try:
            if not paths:
                raise ValueError("give at least one session folder")
            self.result = query(paths, self.sql.toPlainText())
        except Exception as exc:  # shown in the panel, never raised into Qt
            self.status.setText(str(exc))
            return
        self.show_table(self.result)
        self.plot_result(self.result)
        self.status.setText(f"{self.result.num_rows} row(s)")

    def show_table(self, t: Any) -> None:
        """Fill the table with the first rows of an Arrow table."""
        n = min(t.num_rows, MAX_ROWS_SHOWN)
        self.table.setRowCount(n)
        self.table.setColumnCount(t.num_columns)
        self.table.setHorizontalHeaderLabels(t.column_names)
        cols = [t.column(i).slice(0, n).to_pylist() for i in range(t.num_columns)]
        for c, values in enumerate(cols):
            for r, v in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))

    def plot_result(self, t: Any) -> None:
        """Plot numeric columns against the first column; a text column splits the series."""
        import pyarrow as pa
        import pyarrow.compute as pc

        self.plot.clear()
        if t.num_rows == 0 or t.num_columns < 2:
            return
        x_col = t.column(0)
        wall = False
        if pa.types.is_timestamp(x_col.type):
            ns = pc.cast(x_col, pa.timestamp("ns", x_col.type.tz))
            x = ns.cast(pa.int64()).to_numpy(zero_copy_only=False) / 1e9
            wall = True
        elif pa.types.is_integer(x_col.type) or pa.types.is_floating(x_col.type):
            x = x_col.to_numpy(zero_copy_only=False).astype(float)
            wall = bool(timelike_columns(x.reshape(-1, 1), min_rows=2)[0]) and x.min() > 1e8
            x = epoch_seconds(x) if wall else x
        else:
            x = np.arange(t.num_rows, dtype=float)
        self.time_axis.set_mode("wall" if wall else "start", 0.0)
        self.plot.getAxis("bottom").setLabel(t.column_names[0] + (" (local time)" if wall else ""))
        group = next(
            (i for i in range(1, t.num_columns) if pa.types.is_string(t.column(i).type)), None
        )
        ys = [
            i
            for i in range(1, t.num_columns)
            if pa.types.is_integer(t.column(i).type) or pa.types.is_floating(t.column(i).type)
        ]
        colours = [color_for(i) for i in range(7)]
        k = 0
        for i in ys:
            y = t.column(i).to_numpy(zero_copy_only=False).astype(float)
            if group is None:
                self.plot.plot(x, y, pen=colours[k % 7], name=t.column_names[i])
                k += 1
                continue
            g = t.column(group)
            for key in pc.unique(g).to_pylist():
                mask = pc.equal(g, key).to_numpy(zero_copy_only=False)
                self.plot.plot(
                    x[mask], y[mask], pen=colours[k % 7], name=f"{key} {t.column_names[i]}"
                )
                k += 1
        fit_pens(self.plot)  # shades of the palette that reach 3:1 on this theme's background


def make_panel(ctx: AppContext) -> QWidget:
    """Factory for the panel registry."""
    return QueryPanel(ctx)


PANELS = [PanelSpec("sql", "SQL query", make_panel, area="bottom")]
