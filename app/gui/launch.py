"""Starts the GUI: the window first (light imports), then the plot, panels and devices."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from twinbench.errors import ConfigError
from twinbench.gui.gcpin import COLLECTOR
from twinbench.gui.session import SessionState, SessionStore
from twinbench.widgets.context import AppContext
from twinbench.widgets.main_window import MainWindow

if TYPE_CHECKING:
    from twinbench.history import DisplayHistory
    from twinbench.hub import Subscription
    from twinbench.runtime import Runtime

log = logging.getLogger(__name__)

TICK_MS = 17  # the single GUI pump: <= 60 Hz (58.8)
PROBE_ENV = "TWINBENCH_STARTUP_PROBE"  # print startup milestones and quit after the first frame


class BenchApp(QObject):
    """The running GUI: runtime, display history, window and the one timer that feeds them.

    The window is built and shown first with Qt alone; the runtime, the history (numpy) and the
    plot (pyqtgraph) follow in `finish_startup`, once the window has painted.
    """

    runtime: Runtime
    history: DisplayHistory
    display: Subscription

    def __init__(
        self,
        store: SessionStore | None = None,
        workspace: str | None = None,
        history_s: float = 600.0,
        t0: float | None = None,
        fresh: bool = False,
    ) -> None:
        super().__init__()
        self.fresh = fresh  # start with the default sim only, whatever the last session held
        self._last_sync = 0.0  # device states are folded into the bench model 4 times a second
        self.t0 = time.perf_counter() if t0 is None else t0
        self.store = store or SessionStore()
        self.state: SessionState = self.store.load()  # --fresh keeps geometry and theme only
        self.history_s = history_s
        self.ctx = AppContext(None)  # type: ignore[arg-type]  # runtime: see finish_startup
        self.ctx.services["workspace_path"] = workspace
        self.window = MainWindow(self.ctx)
        self.window.restore(self.state, geometry_only=True)
        self.window.closing.connect(self.shutdown)
        self.window.firstPainted.connect(self._on_first_paint)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        COLLECTOR.start()  # garbage with Qt or vispy objects in it is collected on this thread
        self.ready = False
        self.stopped = False
        self.save_enabled = True
        self.settle = False  # freeze start-up objects before streaming (launch() sets it)
        self.problems: list[str] = [self.store.problem] if self.store.problem else []
        self._problems_shown = 0
        self.milestones: dict[str, float] = {}
        self.on_milestone: Callable[[str, float], None] | None = None

    # -- start -----------------------------------------------------------------------------
    def _mark(self, name: str) -> None:
        if name not in self.milestones:
            self.milestones[name] = time.perf_counter() - self.t0
            if self.on_milestone is not None:
                self.on_milestone(name, self.milestones[name])

    def show(self) -> None:
        """Show the window now; the heavy parts follow once it has painted."""
        self.window.show()
        QTimer.singleShot(300, self.finish_startup)  # in case no paint event comes

    def _on_first_paint(self) -> None:
        self._mark("visible")
        QTimer.singleShot(0, self.finish_startup)

    def finish_startup(self) -> None:
        """Build the plot and panels, restore the layout, start the devices and the pump.

        A failure half way never leaves a half-built window behind: it is said in one line on
        stderr and the app closes (exit code 1).
        """
        if self.ready or self.stopped:
            return
        self.ready = True
        try:
            self._finish_startup()
        except Exception as exc:
            print(
                f"twinbench: error: start-up failed: {type(exc).__name__}: {exc}", file=sys.stderr
            )
            self.failed = True
            QTimer.singleShot(0, self.window.close)

    def _finish_startup(self) -> None:
        from twinbench.history import DisplayHistory
        from twinbench.runtime import Runtime
        from twinbench.widgets.plot_panel import PlotPanel  # pyqtgraph: after the window shows

        self.runtime = Runtime()
        self.history = DisplayHistory(seconds=self.history_s)
        self.ctx.runtime, self.ctx.history = self.runtime, self.history
        self.runtime.services.update(self.ctx.services)  # one services dict for all
        self.ctx.services = self.runtime.services
        from twinbench.gui.workspace_io import WorkspaceIO
        from twinbench.twin.service import TwinService

        self.ctx.services["twins"] = TwinService(self.runtime)
        from twinbench.bench_control import BenchControl
        from twinbench.widgets.bench_sync import BenchSync
        from twinbench.widgets.device_actions import DeviceActions

        self.workspace_io = WorkspaceIO(self)
        self.ctx.services["workspace_io"] = self.workspace_io
        self.workspace_io.install_menu()
        path = self.ctx.services.get("workspace_path")
        ws = self.workspace_io.load(path) if path else None
        self.model = self._initial_model(ws)
        self.control = BenchControl(self.model, self.runtime, self.problems)
        self.sync = BenchSync(self, self.model)
        self.ctx.services.update(
            bench_model=self.model, bench_control=self.control, bench_sync=self.sync
        )
        self.device_actions = DeviceActions(self.window)
        base = ws.path.parent if ws is not None and ws.path else None
        self.sync.attach_analysis(base)  # before the devices declare themselves
        self.display = self.runtime.hub.subscribe("display", maxsize=4096, policy="drop")
        self.window.status.display = self.display

        plot = PlotPanel(self.ctx, window_s=self.model.plot.window_s)
        self.window.install_plot(plot)
        self.sync.open_panels()
        if self.fresh:
            self.window.reset_layout()
        elif not self.model.layout:
            self.window.restore(self.state)  # the session's dock layout, or the default one
        self.sync.apply_view()
        self.ctx.tick_callbacks.insert(0, self.window.on_tick)
        self.ctx.on_tick(self._sync_devices)
        self._start_devices()
        if ws is not None:
            self.workspace_io._remember(Path(path))
            self.window.setWindowTitle(f"TwinBench \u2014 {Path(path).name}")
        self.sync.snapshot()
        self.model.mark_saved()
        self.timer.start()

    def _initial_model(self, ws: Any) -> Any:
        """The bench to open: the workspace's, the last session's, or the default sim."""
        from twinbench.benchmodel import DEFAULT_BENCH, BenchModel
        from twinbench.workspace import to_model_dict

        data: dict[str, Any] = {**DEFAULT_BENCH, "theme": self.state.theme}
        if ws is not None:
            data = to_model_dict(ws)
        elif not self.fresh:
            data = self.state.bench_data()
        try:
            model = BenchModel.from_dict(data)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            self.problems.append(f"{self.store.path}: saved bench ignored ({exc!r})")
            model = BenchModel.from_dict(DEFAULT_BENCH)
        if not model.devices:
            model.load({**model.to_dict(), "devices": DEFAULT_BENCH["devices"]})
        return model

    def _sync_devices(self) -> None:
        now = time.monotonic()
        if now - self._last_sync >= 0.25:
            self._last_sync = now
            self.control.sync()
            bad = self.control.take_config_failures()
            if bad:  # a bad profile or setting: a dialog naming it (the app runs on without it)
                self.workspace_io.tell("Device not opened", "\n".join(bad))
        if self.control.forgotten:  # removed, renamed or replaced devices leave the plot
            gone, self.control.forgotten = self.control.forgotten, []
            for dev in gone:
                self.history.clear(dev)
            area = self.window.plot_area
            for plot in area.all_plots() if area is not None else []:
                plot.rebuild()

    def _start_devices(self) -> None:
        for rec in list(self.model.devices.values()):
            if rec.connect:
                self.control.start_record(rec)  # created now, opened once the runtime runs
        drivers = list(self.runtime.drivers)
        self.runtime.drivers.clear()
        if self.settle:
            from twinbench.runtime import settle_heap

            settle_heap()
        self.runtime.start()
        owner = {id(d): rid for rid, d in self.control.drivers.items()}
        for d in drivers:
            self.runtime.drivers.append(d)
            fut = self.runtime.open_driver(d)
            self.control.watch_open(owner.get(id(d), ""), fut)
            fut.add_done_callback(lambda f, d=d: self._opened(d, f))

    def _opened(self, driver: Any, fut: Any) -> None:
        # runs on the I/O thread: record only; the GUI shows events on its tick
        exc = fut.exception() if not fut.cancelled() else None
        if exc is not None:
            self.runtime.events.emit("error", "", f"driver {driver.name!r} failed to open: {exc}")
            self.problems.append(f"driver {driver.name!r} failed to open: {exc}")

    # -- the pump --------------------------------------------------------------------------
    def tick(self) -> None:
        """One frame: move queued chunks into the history, then let every panel redraw."""
        chunks = self.display.drain()
        if chunks:
            self.history.append(chunks)
            self._mark("first-data")
        self.ctx.run_tick()  # hidden panels' callbacks wait; a broken one is dropped
        if chunks:
            self._mark("first-frame")
        if len(self.problems) > self._problems_shown:  # appended by any thread
            self._problems_shown = len(self.problems)
            self.window.statusBar().showMessage(self.problems[-1], 10_000)
        COLLECTOR.tick()

    # -- stop ------------------------------------------------------------------------------
    def save_session(self) -> None:
        """Write layout, devices and hidden channels for the next start."""
        if not self.ready or not self.save_enabled:
            return
        self.window.save_into(self.state)
        self.control.sync()  # a device that failed to open is not kept
        self.sync.snapshot()
        self.state.bench = self.model.user_part()
        self.state.devices = [
            {"driver": d["driver"], "settings": d["settings"]} for d in self.state.bench["devices"]
        ]
        self.store.save(self.state)

    def shutdown(self) -> None:
        """Save the session, stop the pump and the runtime (idempotent)."""
        if self.stopped:
            return
        if not getattr(self, "failed", False):  # a half-built window is not the user's session
            self.save_session()
        self.stopped = True
        self.timer.stop()
        if self.ready and hasattr(self, "runtime"):
            self._stop_recording()
            self.runtime.stop()
            if hasattr(self, "display"):
                self.runtime.hub.unsubscribe(self.display)
        COLLECTOR.stop()  # the workers have stopped: collection may run anywhere again

    def _stop_recording(self) -> None:
        rec = self.ctx.services.get("recorder")
        if rec is not None and getattr(rec, "recording", False):
            try:
                rec.stop()  # close the session files: nothing recorded is lost on quit
            except Exception:
                log.exception("stopping the recorder at shutdown failed")


def _install_signal_handlers(bench: BenchApp) -> None:
    def on_signal(signum: int, frame: object) -> None:
        QTimer.singleShot(0, bench.window.close)

    # Python runs signal handlers only when it gets control: a light timer gives it control even
    # when nothing else runs (e.g. start-up stopped half way), so SIGTERM always closes the app
    wake = QTimer(bench)
    wake.timeout.connect(lambda: None)
    wake.start(250)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, on_signal)
        except (ValueError, OSError):  # not the main thread, or not supported here
            pass


def _log_to_file() -> None:
    """Keep the app's warnings in a small rotating log file (the About dialog says where)."""
    from logging.handlers import RotatingFileHandler

    from twinbench.paths import log_dir

    root = logging.getLogger()
    path = log_dir() / "twinbench.log"
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:  # a read-only home must not keep the window from opening
        return
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def launch(workspace: str | None = None, fresh: bool = False) -> int:
    """Open the main window (sim board, or the devices of the last session); returns exit code.

    `fresh`: start with the default sim only, ignoring the last session.
    """
    t0 = time.perf_counter()
    if workspace is not None and Path(workspace).is_dir():
        raise ConfigError(f"workspace {workspace}: is a folder, expected a workspace file")
    if workspace is not None and not Path(workspace).is_file():
        raise ConfigError(f"workspace {workspace}: no such file")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TwinBench")
    app.setOrganizationName("TwinBench")
    app.setDesktopFileName("twinbench")  # matches the .deb's desktop entry (task bar grouping)
    from twinbench.widgets.about_dialog import app_icon

    app.setWindowIcon(app_icon())
    _log_to_file()
    bench = BenchApp(workspace=workspace, t0=t0, fresh=fresh)
    bench.settle = True  # the app's own process: freeze start-up objects before streaming
    if os.environ.get(PROBE_ENV):

        def report(name: str, secs: float) -> None:
            print(f"{name} {secs:.3f}", flush=True)
            if name == "first-frame":
                QTimer.singleShot(0, bench.window.close)

        bench.on_milestone = report
        bench.save_enabled = False
    _install_signal_handlers(bench)
    bench.show()
    rc = app.exec()
    bench.shutdown()
    return 1 if getattr(bench, "failed", False) else int(rc)
