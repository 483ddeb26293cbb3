"""The main window: composes the plot, the device tree, registered panels and the status bar."""

from __future__ import annotations

import base64
import logging
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QLabel, QMainWindow, QWidget

from twinbench.widgets.context import AppContext
from twinbench.widgets.device_tree import DeviceTree
from twinbench.widgets.panels import PanelSpec, all_panels
from twinbench.widgets.status import StatusSummary
from twinbench.widgets.window_actions import WindowActions

if TYPE_CHECKING:
    from twinbench.gui.session import SessionState
    from twinbench.widgets.plot_panel import PlotPanel

log = logging.getLogger(__name__)

AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
}
TREE_DOCK = "devices"


def _b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _unb64(text: str) -> QByteArray:
    try:
        return QByteArray(base64.b64decode(text.encode("ascii"), validate=True))
    except ValueError:
        return QByteArray()


class MainWindow(QMainWindow):
    """Docks around a central live plot; the window only arranges what the panels provide."""

    firstPainted = Signal()
    closing = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ctx.window = self
        self.setWindowTitle("TwinBench")
        self.setObjectName("twinbench-main")
        self.resize(1280, 800)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        self.plot: PlotPanel | None = None
        self.docks: dict[str, QDockWidget] = {}
        self.specs: dict[str, PanelSpec] = {}
        self._painted = False
        self._last_slow = 0.0
        self.installEventFilter(self)
        self.setAcceptDrops(True)  # drop a workspace file to open it

        placeholder = QLabel("Starting\u2026")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(placeholder)

        self.tree = DeviceTree(ctx)
        self.tree.visibilityChanged.connect(self._on_visibility)
        self.add_dock(TREE_DOCK, "Devices", self.tree, "left")
        self.status = StatusSummary(ctx)
        self.statusBar().addPermanentWidget(self.status, 1)
        self._build_menus()
        self.actions = WindowActions(self, self.file_menu)

    # -- construction ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = file_menu = bar.addMenu("&File")
        self.quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        self.devices_menu = bar.addMenu("&Devices")
        add_sim = QAction("Add &simulated board", self)
        add_sim.triggered.connect(self.add_simulated_board)
        self.devices_menu.addAction(add_sim)

        self.view_menu = bar.addMenu("&View")
        self.view_menu.addAction(self.docks[TREE_DOCK].toggleViewAction())
        self.pause_action = QAction("&Pause plot", self, checkable=True)
        self.pause_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.pause_action.setEnabled(False)
        self.pause_action.toggled.connect(lambda on: self.plot and self.plot.set_paused(on))
        self.view_menu.addAction(self.pause_action)
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu

        help_menu = bar.addMenu("&Help")
        about = QAction("&About TwinBench", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_about(self) -> QDialog:
        """Open Help > About (versions, folders, plugins)."""
        from twinbench.widgets.about_dialog import AboutDialog

        dlg = AboutDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def add_dock(self, name: str, title: str, widget: QWidget, area: str = "right") -> QDockWidget:
        """Put a widget in a named dock (the name keys the saved layout)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(AREAS.get(area, AREAS["right"]), dock)
        self.docks[name] = dock
        return dock

    def install_plot(self, plot: PlotPanel) -> None:
        """Make the live plot the central widget."""
        self.plot = plot
        self.setCentralWidget(plot)
        plot.pausedChanged.connect(self._on_paused)
        self.tree.color_of = plot.color_of
        for dev, ch in self.tree.hidden:
            plot.set_channel_visible(dev, ch, False)
        self.pause_action.setEnabled(True)
        plot.alarms.raised.connect(self.actions.on_alarm)
        plot.cursorsChanged.connect(self.actions.actions["cursors"].setChecked)
        plot.timelikeHidden.connect(  # time/counter channels start unticked in the tree
            lambda keys: self.tree.set_hidden(set(self.tree.hidden) | {tuple(k) for k in keys})
        )
        plot.channelsDropped.connect(  # dropped onto the plot: ticked in the tree
            lambda keys: self.tree.set_hidden(set(self.tree.hidden) - {tuple(k) for k in keys})
        )
        self.actions.set_theme(self.actions.theme)

    def install_panels(self, open_names: list[str]) -> None:
        """Add a View menu entry per registered panel; open the defaults and `open_names`."""
        for spec in all_panels():
            self.specs[spec.id] = spec
            action = QAction(spec.title, self)
            if spec.shortcut:
                action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(lambda _=False, s=spec: self.open_panel(s.id, new=s.multiple))
            self.panels_menu.addAction(action)
        wanted = [n for n in open_names if n.startswith("panel:")]
        if not open_names:
            wanted = [f"panel:{s.id}" for s in self.specs.values() if s.default_open]
        for name in wanted:
            spec_id = name.removeprefix("panel:").split("#", 1)[0]
            if spec_id in self.specs and name not in self.docks:
                try:
                    self.open_panel(spec_id, name=name)
                except Exception as exc:  # a broken panel must not keep the window from opening
                    log.exception("panel %s failed to open", name)
                    self.statusBar().showMessage(f"panel {name!r} failed to open: {exc}", 10_000)

    def open_panel(self, spec_id: str, new: bool = False, name: str | None = None) -> QDockWidget:
        """Show a registered panel (a new instance when `new`), creating it on first use."""
        spec = self.specs[spec_id]
        if name is None:
            name = f"panel:{spec.id}"
            if new and name in self.docks:
                n = 2
                while f"{name}#{n}" in self.docks:
                    n += 1
                name = f"{name}#{n}"
        dock = self.docks.get(name)
        if dock is None:
            widget = spec.factory(self.ctx)
            title = spec.title if "#" not in name else f"{spec.title} {name.split('#')[1]}"
            dock = self.add_dock(name, title, widget, spec.area)
        dock.show()
        dock.raise_()
        return dock

    # -- session ---------------------------------------------------------------------------
    def restore(self, state: SessionState, geometry_only: bool = False) -> None:
        """Apply a saved geometry and (once every dock exists) the dock layout."""
        if geometry_only:
            if state.geometry:
                self.restoreGeometry(_unb64(state.geometry))
            self.tree.set_hidden({(d, c) for d, c in state.hidden})
            self.actions.set_theme(state.theme)
            return
        if state.dock_state:
            self.restoreState(_unb64(state.dock_state))
        else:
            self.default_layout()

    def default_layout(self) -> None:
        """First start: the plot in the middle, side panels tabbed, bottom panels short."""
        by_area: dict[Qt.DockWidgetArea, list[QDockWidget]] = {}
        for dock in self.docks.values():
            if dock.isVisible():
                by_area.setdefault(self.dockWidgetArea(dock), []).append(dock)
        for area, docks in by_area.items():
            if area in (
                Qt.DockWidgetArea.RightDockWidgetArea,
                Qt.DockWidgetArea.BottomDockWidgetArea,
            ):
                for other in docks[1:]:
                    self.tabifyDockWidget(docks[0], other)
                docks[-1].raise_()
        QTimer.singleShot(0, lambda: self._default_sizes(by_area))

    def _default_sizes(self, by_area: dict[Qt.DockWidgetArea, list[QDockWidget]]) -> None:
        width = max(self.width(), 800)
        for area, docks in by_area.items():
            if area == Qt.DockWidgetArea.LeftDockWidgetArea:
                self.resizeDocks(docks, [int(width * 0.18)] * len(docks), Qt.Orientation.Horizontal)
            elif area == Qt.DockWidgetArea.RightDockWidgetArea:
                self.resizeDocks(docks, [int(width * 0.3)] * len(docks), Qt.Orientation.Horizontal)
            elif area == Qt.DockWidgetArea.BottomDockWidgetArea:
                self.resizeDocks(docks, [170] * len(docks), Qt.Orientation.Vertical)

    def save_into(self, state: SessionState) -> None:
        """Record geometry, dock layout, open panels and hidden channels."""
        state.geometry = _b64(self.saveGeometry())
        state.dock_state = _b64(self.saveState())
        state.panels = [
            n for n, d in self.docks.items() if n.startswith("panel:") and d.isVisible()
        ]
        hidden = self.plot.hidden if self.plot is not None else self.tree.hidden
        state.hidden = sorted([d, c] for d, c in hidden)
        if self.plot is not None:
            state.window_s = self.plot.window_ns / 1e9
        state.theme = self.actions.theme

    # -- actions ---------------------------------------------------------------------------
    def add_simulated_board(self) -> None:
        """Start one more simulated motor rig."""
        control = self.ctx.services.get("bench_control")
        if self.ctx.runtime is None or control is None:  # still starting
            return
        from twinbench.benchmodel import free_id

        taken = control.taken_ids()
        device_id = free_id("sim", taken)
        control.connect("sim", {"seed": len(taken) + 1}, device_id=device_id)
        self.statusBar().showMessage(f"added simulated board {device_id}", 3000)

    def jump_to(self, device: str, t_ns: int) -> None:
        """Pause the time plot and centre it on `t_ns` (an alarm of `device`, say)."""
        if self.plot is None:
            return
        self.plot.center_on(int(t_ns))
        self.plot.setFocus()
        h = self.plot.history
        span = h.span() if h is not None else None
        if span is None or not span[0] <= t_ns <= span[1]:
            msg = "that moment is no longer in the display history (open the recording instead)"
        else:
            msg = f"paused at {device or 'the alarm'}'s moment; End goes live again"
        self.statusBar().showMessage(msg, 6000)

    def _on_visibility(self, device: str, channel: str, shown: bool) -> None:
        if self.plot is not None:
            self.plot.set_channel_visible(device, channel, shown)

    def _on_paused(self, paused: bool) -> None:
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)

    # -- ticking ---------------------------------------------------------------------------
    def on_tick(self) -> None:
        """One GUI frame: redraw the plot; tree and status bar a few times a second."""
        if self.plot is not None:
            self.plot.refresh()
        now = time.monotonic()
        if now - self._last_slow >= 0.25:
            self._last_slow = now
            self.tree.refresh()
            self.status.refresh()

    # -- Qt events -------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        """Report the first paint (the window is visible)."""
        if not self._painted and obj is self and ev.type() == QEvent.Type.Paint:
            self._painted = True
            self.firstPainted.emit()
        return False

    def dragEnterEvent(self, ev: Any) -> None:
        """Accept dragged .toml files (workspaces)."""
        urls = ev.mimeData().urls() if ev.mimeData().hasUrls() else []
        if any(u.toLocalFile().endswith(".toml") for u in urls):
            ev.acceptProposedAction()

    def dropEvent(self, ev: Any) -> None:
        """Open each dropped workspace."""
        io = self.ctx.services.get("workspace_io")
        for url in ev.mimeData().urls():
            path = url.toLocalFile()
            if io is not None and path.endswith(".toml"):
                io.open(path)
        ev.acceptProposedAction()

    def closeEvent(self, ev: QCloseEvent) -> None:
        """Let the application save the session and stop the runtime."""
        self.closing.emit()
        super().closeEvent(ev)
