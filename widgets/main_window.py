"""The main window: composes the plot, the device tree, registered panels and the status bar."""

from __future__ import annotations

import base64
import logging
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QLabel, QMainWindow, QWidget

from twinbench.widgets import layout, panel_life
from twinbench.widgets.context import AppContext
from twinbench.widgets.device_tree import DeviceTree
from twinbench.widgets.panels import PanelSpec, all_panels
from twinbench.widgets.status import StatusSummary
from twinbench.widgets.theme import fit_all_pens
from twinbench.widgets.window_actions import WindowActions

if TYPE_CHECKING:
    from twinbench.gui.session import SessionState
    from twinbench.widgets.plot_area import PlotArea
    from twinbench.widgets.plot_panel import PlotPanel

log = logging.getLogger(__name__)

AREAS = layout.AREAS
TREE_DOCK = "devices"
DATA_FILES = (".csv", ".tsv", ".parquet")


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
        self.plot: PlotPanel | None = None  # the main plot (first tab of the plot area)
        self.plot_area: PlotArea | None = None
        self.docks: dict[str, QDockWidget] = {}
        self.specs: dict[str, PanelSpec] = {}
        self.dock_layout = layout.DockLayout(self)
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
        # a normal widget: a message (errors, "opened ...") takes its place while it shows; as a
        # permanent one stretched over the bar it hid every message
        self.statusBar().addWidget(self.status, 1)
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
        self.pause_action.toggled.connect(
            lambda on: (p := self.current_plot()) is not None and p.set_paused(on)
        )
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
        """Put a widget in a named dock (the name keys the saved layout); panels open as tabs."""
        if not name.startswith("panel:"):
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setWidget(widget)
            self.addDockWidget(AREAS.get(area, AREAS["right"]), dock)
            self.docks[name] = dock
            return dock
        dock = panel_life.PanelDock(title, self)
        dock.setObjectName(name)
        dock.set_panel(widget)
        dock.closed.connect(self.close_panel)
        dock.visibilityChanged.connect(lambda shown, n=name: self._panel_shown(n, shown))
        self.dock_layout.place(dock, area, self.docks.get(TREE_DOCK))
        self.docks[name] = dock
        return dock

    def close_panel(self, name: str) -> None:
        """Close panel `name` and stop all its work (ticks, taps, subscriptions, timers)."""
        dock = self.docks.pop(name, None)
        if dock is None:
            return
        panel_life.release(self.ctx, name, dock.widget())
        self.removeDockWidget(dock)
        dock.deleteLater()

    def _panel_shown(self, name: str, shown: bool | None = None) -> None:
        dock = self.docks.get(name)
        if isinstance(dock, panel_life.PanelDock):
            if shown is not None:  # a tab behind another is "visible" to Qt but not shown
                dock.shown = shown
            active = dock.shown and dock.isVisible() and not self.isMinimized()
            panel_life.set_active(self.ctx, name, dock.widget(), active)

    def reset_layout(self) -> None:
        """View > Reset layout: tree left, open panels tabbed by kind, the plot keeps half."""
        self.dock_layout.reset(self.specs, self.docks[TREE_DOCK])

    def apply_preset(self, preset: str) -> None:
        """Show the panels of a layout preset (Live plots, Twin, Analysis, Bench), close others."""
        self.dock_layout.apply_preset(preset)

    def install_plot(self, plot: PlotPanel) -> None:
        """Make the plot area, with the live plot first, the central widget."""
        from twinbench.widgets.plot_area import PlotArea, install_menu

        self.plot = plot
        self.plot_area = PlotArea(self.ctx, plot)
        self.setCentralWidget(self.plot_area)
        install_menu(self, self.plot_area)
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
        plot.channelsRemoved.connect(  # removed from the plot: unticked in the tree
            lambda keys: self.tree.set_hidden(set(self.tree.hidden) | {tuple(k) for k in keys})
        )
        self.actions.set_theme(self.actions.theme)

    def install_panels(self, open_names: list[str]) -> None:
        """Add a View menu entry per registered panel; open the defaults and `open_names`."""
        specs = all_panels()
        self.specs.update({spec.id: spec for spec in specs})
        self.panels_menu.addSeparator()
        self.panel_menus = layout.build_panel_menus(self, self.panels_menu, specs)
        self.panels_menu.addSeparator()
        self.layout_actions = layout.build_layout_menu(self, self.panels_menu)
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
            with self.ctx.building(name):
                widget = spec.factory(self.ctx)
            fit_all_pens(widget)  # curve colours legible on the theme's plot background
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
            layout.fit_window(self, first_start=not state.geometry)
            self.tree.set_hidden({(d, c) for d, c in state.hidden})
            self.actions.set_theme(state.theme)
            return
        if state.dock_state:
            self.restoreState(_unb64(state.dock_state))
            self.dock_layout.fit_later()
        else:
            self.reset_layout()
        layout.fit_window(self)

    def save_into(self, state: SessionState) -> None:
        """Record geometry, dock layout, open panels and hidden channels."""
        state.geometry = _b64(self.saveGeometry())
        state.dock_state = _b64(self.saveState())
        state.panels = [n for n in self.docks if n.startswith("panel:")]  # closed ones are gone
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

    def current_plot(self) -> PlotPanel | None:
        """The plot the user last clicked in (the main plot at first)."""
        return self.plot_area.current if self.plot_area is not None else self.plot

    # -- ticking ---------------------------------------------------------------------------
    def on_tick(self) -> None:
        """One GUI frame: redraw the plot; tree and status bar a few times a second."""
        if self.plot_area is not None and not self.isMinimized():
            self.plot_area.refresh()
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

    def changeEvent(self, ev: QEvent) -> None:
        """Minimised: every panel idles; restored: the visible ones run again."""
        if ev.type() == QEvent.Type.WindowStateChange:
            for name in [n for n in self.docks if n.startswith("panel:")]:
                self._panel_shown(name)
        super().changeEvent(ev)

    def dragEnterEvent(self, ev: Any) -> None:
        """Accept dragged .toml files (workspaces) and data files."""
        urls = ev.mimeData().urls() if ev.mimeData().hasUrls() else []
        if any(u.toLocalFile().endswith((".toml", *DATA_FILES)) for u in urls):
            ev.acceptProposedAction()

    def dropEvent(self, ev: Any) -> None:
        """Open each dropped workspace or data file."""
        io = self.ctx.services.get("workspace_io")
        for url in ev.mimeData().urls():
            path = url.toLocalFile()
            if io is not None and path.endswith(".toml"):
                io.open(path)
            elif path.endswith(DATA_FILES):  # a data file opens for browsing (File > Open data)
                self.actions.opener.open_path(path)
        ev.acceptProposedAction()

    def closeEvent(self, ev: QCloseEvent) -> None:
        """Let the application save the session and stop the runtime."""
        self.closing.emit()
        for name in [n for n in self.docks if n.startswith("panel:")]:  # saved: now stop them
            panel_life.release(self.ctx, name, self.docks[name].widget())
        super().closeEvent(ev)
