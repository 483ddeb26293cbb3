"""File > Open data: a recorded session, CSV or Parquet file browsed in the same plots and
panels, with no live device. Loads off the GUI thread with progress; the data lives in its own
`file:<name>` devices; the plot shows its whole span."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QProgressDialog

if TYPE_CHECKING:
    from twinbench.widgets.main_window import MainWindow

log = logging.getLogger(__name__)

FILTER = "Data files (*.csv *.tsv *.txt *.parquet);;All files (*)"
ROW_TIME = "(row number, 1 ms apart)"


class LoadJob:
    """One file inspected and read on a worker thread (its imports and reads never hold up the
    GUI): progress 0..1, then blocks, an error, or the question of which column is time."""

    def __init__(self, path: Path, time_column: str | None, on_done: Any = None) -> None:
        self.path = path
        self.info: Any = None  # what the file holds, once inspected
        self.ask_time = False  # several columns could be time and none was chosen
        self.on_done = on_done  # called on the worker thread when done
        self.time_column = time_column  # "": none, rows 1 ms apart
        self.progress = 0.0
        self.cancel = threading.Event()
        self.streams: list[tuple[Any, Any]] = []  # (DataBlock, history stream)
        self.error = ""
        self.done = False
        self.handled = False  # shown (or its error reported) on the GUI thread
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self._run, name="twinbench-open-data", daemon=True)

    def _run(self) -> None:
        from twinbench import datafile
        from twinbench.errors import TwinBenchError
        from twinbench.history import whole_stream

        try:
            self.info = datafile.inspect(self.path)
            if self.time_column is None and self.info.ambiguous:
                self.ask_time = True
                return
            if self.time_column == "":  # rows 1 ms apart
                self.info.time_candidates = []
                self.time_column = None
            blocks = datafile.load(self.info, self.time_column, self._set, self.cancel)
            for b in blocks:  # the min/max levels are built here too, not on the GUI thread
                st = b.stream or whole_stream(b.device, b.names, b.t_ns, b.columns)
                self.streams.append((b, st))
        except datafile.Cancelled:
            self.error = "cancelled"
        except TwinBenchError as exc:  # names the file and what is wrong with it
            self.error = str(exc)
        except Exception as exc:  # reported in the status bar, never a crash
            log.exception("opening %s failed", self.path)
            self.error = str(exc)
        finally:
            self.done = True
            if self.on_done is not None:
                self.on_done()

    def _set(self, fraction: float) -> None:
        self.progress = min(1.0, max(0.0, fraction))


class DataOpener(QObject):
    """Opens data files into `file:` devices; one job at a time."""

    opened = Signal(list)  # device ids shown
    failed = Signal(str)
    _finished = Signal()  # emitted by the worker thread; delivered on the GUI thread

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.job: LoadJob | None = None
        self.dialog: QProgressDialog | None = None
        self.opened_devices: list[str] = []
        self.last_seconds = 0.0  # the last open: start to data shown
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)  # progress
        self._finished.connect(self._poll)  # done: at once, not at the next progress tick

    # -- asking ----------------------------------------------------------------------------
    def choose_file(self) -> None:
        """File > Open data...: a CSV or Parquet file."""
        path, _ = QFileDialog.getOpenFileName(self.win, "Open data", "", FILTER)
        if path:
            self.open_path(path)

    def choose_folder(self) -> None:
        """File > Open data folder...: a recorded session or a folder of Parquet files."""
        path = QFileDialog.getExistingDirectory(self.win, "Open a session or Parquet folder")
        if path:
            self.open_path(path)

    def ask_time_column(self, info: Any) -> str | None:
        """Which column is time (several could be); None when the user cancels."""
        dlg = QInputDialog(self.win)
        dlg.setObjectName("time-column-dialog")
        dlg.setWindowTitle("Time column")
        dlg.setLabelText(f"Which column of {info.path.name} is time?")
        dlg.setComboBoxItems([*info.time_candidates, ROW_TIME])
        dlg.setComboBoxEditable(False)
        if not dlg.exec():
            return None
        choice = dlg.textValue()
        return "" if choice == ROW_TIME else choice

    # -- opening ---------------------------------------------------------------------------
    def open_path(self, path: str | Path, time_column: str | None = None) -> LoadJob | None:
        """Start reading `path` on a worker (which column is time is asked when several could
        be, `time_column` "" for none); returns the job."""
        if self.win.ctx.runtime is None or self.win.ctx.history is None:
            self._say("open data: the window is still starting", 5000)
            return None
        if self.job is not None and not self.job.done:
            self._say("still opening the previous data file", 5000)
            return None
        path = Path(path)
        self.job = LoadJob(path, time_column, self._finished.emit)
        text = f"Opening {path.name}\u2026"
        self.dialog = QProgressDialog(text, "Cancel", 0, 1000, self.win)
        self.dialog.setObjectName("open-data-progress")
        self.dialog.setMinimumDuration(400)  # short loads show no dialog
        self.dialog.canceled.connect(self.job.cancel.set)
        self.job.thread.start()
        self._timer.start()
        return self.job

    def _poll(self) -> None:
        job = self.job
        if job is None or job.handled:  # the timer and the done signal may both come
            self._timer.stop()
            return
        if self.dialog is not None and not job.done:
            self.dialog.setValue(int(job.progress * 1000))
        if not job.done:
            return
        self._timer.stop()
        job.handled = True
        job.thread.join()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None
        if job.error:
            name = job.path.name
            self._fail(job.error if name in job.error else f"{name}: {job.error}")
            return
        if job.ask_time:
            column = self.ask_time_column(job.info)
            if column is not None:
                self.open_path(job.path, column)
            return
        self._show(job)

    def _show(self, job: LoadJob) -> None:
        from twinbench.model import Channel, Device

        ctx = self.win.ctx
        hub = ctx.runtime.hub
        ids = []
        t0, t1 = None, None
        for block, stream in job.streams:
            ctx.history.adopt(stream)
            chans = tuple(Channel(n, block.units.get(n, "")) for n in block.names)
            hub.declare(Device(block.device, "file", chans, f"opened from {job.info.path}"))
            st = hub.devices.get(block.device)
            if st is None:  # the hub refused it (too many devices)
                self._say(f"open data: {block.device} refused (the hub holds too many devices)")
                continue
            n = int(block.t_ns.shape[0])
            st.samples = n
            if n:
                st.first_t_ns, st.last_t_ns = int(block.t_ns[0]), int(block.t_ns[-1])
                last = [float(c[-1]) for c in block.columns]
                st.layouts[block.names] = [n, st.last_t_ns, last]
                t0 = st.first_t_ns if t0 is None else min(t0, st.first_t_ns)
                t1 = st.last_t_ns if t1 is None else max(t1, st.last_t_ns)
            hub.set_state(block.device, "opened", str(job.info.path))
            ids.append(block.device)
        plot = self.win.plot
        if plot is not None and t0 is not None and t1 is not None:
            plot.show_range(t0, t1)  # browsing: paused on the file's whole span
        self.last_seconds = time.perf_counter() - job.started
        self.opened_devices.extend(ids)
        rows = sum(int(b.t_ns.shape[0]) for b, _ in job.streams)
        untimed = sum(b.untimed for b, _ in job.streams)
        plural = "row" if untimed == 1 else "rows"
        skipped = f"; {untimed:,} {plural} without a time skipped" if untimed else ""
        problems = [p for b, _ in job.streams for p in b.problems]
        skipped += "".join(f"; {p}" for p in problems)
        text = f"opened {job.info.path.name}: {rows:,} rows as {', '.join(ids)}{skipped}"
        if problems:
            log.warning("%s", text)
        self._say(text, 20_000 if problems or untimed else 8000)
        self.opened.emit(ids)

    # -- messages --------------------------------------------------------------------------
    def _say(self, text: str, ms: int = 6000) -> None:
        self.win.statusBar().showMessage(text, ms)

    def _fail(self, text: str) -> None:
        self._say(f"open data: {text}", 10_000)
        self.failed.emit(text)

    def shutdown(self) -> None:
        """Cancel a load in progress and wait for its thread (window closing)."""
        if self.win.ctx.runtime is None or self.win.ctx.history is None:
            self._say("open data: the window is still starting", 5000)
            return None
        if self.job is not None and not self.job.done:
            self.job.cancel.set()
            self.job.thread.join(5)
