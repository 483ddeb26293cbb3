"""The main window's common actions and their shortcuts: connect, record, screenshot, plot
export, CSV copy, measurement cursors, theme, and tray notices for critical alarms."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QStyle, QSystemTrayIcon

from twinbench.paths import ENV_DATA_DIR, data_dir  # noqa: F401  (re-exported)
from twinbench.widgets.open_data import DataOpener
from twinbench.widgets.status import RecordIndicator
from twinbench.widgets.theme import PLOT_COLORS, THEMES, apply_theme, restyle_plots

if TYPE_CHECKING:
    from twinbench.widgets.main_window import MainWindow

SHORTCUTS = {
    "connect": "Ctrl+K",
    "record": "Ctrl+R",
    "screenshot": "Ctrl+Shift+S",
    "export": "Ctrl+E",
    "copy_csv": "Ctrl+Shift+C",
    "cursors": "Ctrl+M",
    "open_data": "Ctrl+Shift+O",
    "open_data_folder": "",
}


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


class WindowActions(QObject):
    """Creates the menu entries of the common actions and carries them out."""

    def __init__(self, window: MainWindow, file_menu: Any) -> None:
        super().__init__(window)
        self.win = window
        self.theme = "system"
        self._following = False
        self.tray: QSystemTrayIcon | None = None
        self.notices: list[str] = []  # critical alarm notices shown, newest last
        self.actions: dict[str, QAction] = {}
        self.file_menu = file_menu
        w = window

        self.opener = DataOpener(w)
        w.closing.connect(self.opener.shutdown)
        op = self.opener
        self._add(file_menu, "open_data", "Open &data\u2026", op.choose_file)
        self._add(file_menu, "open_data_folder", "Open data &folder\u2026", op.choose_folder)
        self._sep(file_menu)
        rec = self._add(file_menu, "record", "Start &recording", self.toggle_record)
        self.rec_indicator = RecordIndicator(w.ctx, rec)
        w.statusBar().addPermanentWidget(self.rec_indicator)  # stays while a message shows
        w.ctx.on_tick(self.rec_indicator.refresh)
        self._add(file_menu, "screenshot", "Save a screens&hot", self.screenshot)
        self._sep(file_menu)
        self._add(file_menu, "export", "&Export plot as PNG/SVG\u2026", self._export_dialog)
        self._add(file_menu, "copy_csv", "&Copy visible plot data as CSV", self.copy_csv)
        self._sep(file_menu)
        self._add(w.devices_menu, "connect", "&Connect\u2026", self.connect_dialog, first=True)
        cur = self._add(w.view_menu, "cursors", "Measurement &cursors", None)
        cur.setCheckable(True)
        cur.toggled.connect(lambda on: (p := w.current_plot()) is not None and p.set_cursors(on))
        # (the plot's cursorsChanged keeps this entry checked in step: see install_plot)
        theme_menu = w.view_menu.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        for name in THEMES:
            act = QAction(name.capitalize(), self, checkable=True)
            act.setChecked(name == self.theme)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_group.addAction(act)
            theme_menu.addAction(act)
            self.actions[f"theme:{name}"] = act
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_system_scheme)

    def _add(self, menu: Any, key: str, text: str, slot: Any, first: bool = False) -> QAction:
        act = QAction(text, self.win)
        act.setShortcut(QKeySequence(SHORTCUTS[key]))
        if slot is not None:
            act.triggered.connect(lambda _=False: slot())
        before = menu.actions()[0] if first and menu.actions() else None
        if menu is self.file_menu and not first:
            before = getattr(self.win, "quit_action", None)
        if before is not None:
            menu.insertAction(before, act)
        else:
            menu.addAction(act)
        self.actions[key] = act
        return act

    def _sep(self, menu: Any) -> None:
        before = getattr(self.win, "quit_action", None)
        if before is not None:
            menu.insertSeparator(before)
        else:
            menu.addSeparator()

    def _say(self, text: str, ms: int = 6000) -> None:
        self.win.statusBar().showMessage(text, ms)

    # -- devices ---------------------------------------------------------------------------
    def connect_dialog(self) -> Any:
        """Open the Connect dialog (non-modal); returns it."""
        from twinbench.widgets.connect_dialog import ConnectDialog

        dlg = ConnectDialog(self.win.ctx, self.win)
        dlg.accepted.connect(lambda: self._say(f"connecting {dlg.driver.currentText()}\u2026"))
        dlg.show()
        return dlg

    # -- recording -------------------------------------------------------------------------
    def recorder(self) -> Any:
        """The runtime's recorder service, made on first use under the user data folder."""
        services = self.win.ctx.runtime.services
        rec = services.get("recorder")
        if rec is None:
            from twinbench.recording import Recorder

            rec = Recorder(self.win.ctx.runtime, data_dir() / "recordings")
            services["recorder"] = rec
        return rec

    def toggle_record(self) -> bool:
        """Start or stop recording; returns whether it records now."""
        if self.win.ctx.runtime is None:
            return False
        rec = self.recorder()
        try:
            if rec.recording:
                folder = rec.folder
                rec.stop()
                self._say(f"recording saved in {folder}")
            else:
                folder = rec.start()
                self._say(f"recording into {folder}")
        except Exception as exc:
            self._say(f"recording: {exc}", 10_000)
        on = bool(rec.recording)
        self.actions["record"].setText("Stop &recording" if on else "Start &recording")
        self.rec_indicator.refresh(force=True)
        return on

    # -- images and data -------------------------------------------------------------------
    def screenshot(self, path: str | Path | None = None) -> Path:
        """Save the whole window as PNG (default: the data folder's screenshots/)."""
        if path is None:
            path = data_dir() / "screenshots" / f"twinbench-{_stamp()}.png"
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.win.grab().save(str(path), "PNG"):
            self._say(f"screenshot: cannot write {path}", 10_000)
        else:
            self._say(f"screenshot saved to {path}")
        return path

    def _export_dialog(self) -> None:
        if self.win.plot is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.win,
            "Export plot",
            str(data_dir() / f"plot-{_stamp()}.png"),
            "PNG image (*.png);;SVG drawing (*.svg)",
        )
        if path:
            self.export_plot(path)

    def export_plot(self, path: str | Path) -> Path | None:
        """Write the time plot to a .png or .svg file."""
        from twinbench.widgets.plot_export import export_image

        plot = self.win.current_plot()
        if plot is None:
            return None
        try:
            out = export_image(plot, path)
        except (OSError, ValueError) as exc:
            self._say(f"export: {exc}", 10_000)
            return None
        self._say(f"plot exported to {out}")
        return out

    def copy_csv(self) -> str:
        """Put the raw samples of the visible channels in the visible range on the clipboard."""
        from twinbench.widgets.plot_export import MAX_CSV_ROWS, visible_csv

        plot = self.win.current_plot()
        if plot is None or plot.history is None:
            return ""
        keys = plot.visible_keys()
        text, rows, truncated = visible_csv(plot.history, keys, *plot.x_range_ns())
        QGuiApplication.clipboard().setText(text)
        msg = f"copied {rows:,} rows \u00d7 {len(keys)} channels as CSV"
        if truncated:
            msg = (
                f"copied only the first {MAX_CSV_ROWS:,} rows as CSV "
                "(the visible range holds more; zoom in to copy the rest)"
            )
        self._say(msg, 10_000 if truncated else 6000)
        return msg

    # -- theme -----------------------------------------------------------------------------
    def set_theme(self, name: str) -> str:
        """Use theme `name` (system, light, dark); returns the resolved light/dark."""
        if name not in THEMES:
            name = "system"
        self.theme = name
        act = self.actions.get(f"theme:{name}")
        if act is not None and not act.isChecked():
            act.setChecked(True)
        mode = apply_theme(name, self.win.plot)
        if self.win.plot_area is not None:
            self.win.plot_area.apply_colors(*PLOT_COLORS[mode])
        restyle_plots(self.win, mode)
        return mode

    def _on_system_scheme(self, *_: object) -> None:
        if self.theme == "system" and not self._following:
            self._following = True
            try:
                self.set_theme("system")
            finally:
                self._following = False

    # -- alarms ----------------------------------------------------------------------------
    def on_alarm(self, ev: Any) -> None:
        """Tell the user about a critical alarm (tray message, or the status bar)."""
        if ev.data.get("severity") != "critical":
            return
        title = f"Critical alarm on {ev.device or 'TwinBench'}"
        text = f"{ev.data.get('rule', '')}: {ev.message}".strip(": ")
        self.notices.append(f"{title}: {text}")
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self.tray is None:
                icon = self.win.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                self.tray = QSystemTrayIcon(icon, self)
                self.tray.show()
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Critical, 10_000)
        else:
            self._say(f"{title}: {text}", 15_000)
