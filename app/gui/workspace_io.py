"""Workspaces in the GUI: open (at start, from the menu, by drag-and-drop), save, recent list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from twinbench.errors import TwinBenchError
from twinbench.workspace import Workspace, load_workspace, save_workspace

if TYPE_CHECKING:
    from twinbench.gui.launch import BenchApp

RECENT_MAX = 8
FILTER = "TwinBench workspace (*.toml);;All files (*)"


class WorkspaceIO:
    """Opens and saves workspaces for a running BenchApp and keeps the recent list."""

    def __init__(self, bench: BenchApp) -> None:
        self.bench = bench
        # next to the session file, in the folder the app was started with
        self.recent_file = bench.store.folder / "recent.json"
        self.recent_menu: QMenu | None = None
        self.menu_actions: dict[str, QAction] = {}

    # -- recent list -----------------------------------------------------------------------
    def recent(self) -> list[str]:
        """Recently opened or saved workspaces, newest first."""
        try:
            items = json.loads(self.recent_file.read_text())
            return [str(p) for p in items if isinstance(p, str)][:RECENT_MAX]
        except (OSError, ValueError):
            return []

    def _remember(self, path: Path) -> None:
        items = [str(path.resolve()), *[p for p in self.recent() if p != str(path.resolve())]]
        try:
            self.recent_file.parent.mkdir(parents=True, exist_ok=True)
            self.recent_file.write_text(json.dumps(items[:RECENT_MAX], indent=1))
        except OSError:
            pass
        self._fill_recent()

    # -- menus -----------------------------------------------------------------------------
    def install_menu(self) -> None:
        """Add Open, Save and Recent to the window's File menu."""
        win = self.bench.window
        file_menu = win.menuBar().actions()[0].menu()
        first = file_menu.actions()[0] if file_menu.actions() else None
        open_act = QAction("&Open workspace\u2026", win, shortcut="Ctrl+O")
        open_act.triggered.connect(self._ask_open)
        save_act = QAction("&Save workspace as\u2026", win, shortcut="Ctrl+S")
        save_act.triggered.connect(self._ask_save)
        add_act = QAction("&Add devices from workspace\u2026", win)
        add_act.triggered.connect(self._ask_add)
        fresh_act = QAction("Start &fresh\u2026", win)
        fresh_act.setToolTip("Close every device and panel; open the simulated board only")
        fresh_act.triggered.connect(lambda: self.start_fresh())
        self.menu_actions = {"open": open_act, "save": save_act, "add": add_act, "fresh": fresh_act}
        self.recent_menu = QMenu("Open &recent", win)
        for a in (open_act, save_act, add_act, fresh_act):
            file_menu.insertAction(first, a)
        file_menu.insertMenu(first, self.recent_menu)
        file_menu.insertSeparator(first)
        self._fill_recent()

    def _fill_recent(self) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        for p in self.recent():
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _=False, p=p: self.open(p))
        self.recent_menu.setEnabled(bool(self.recent()))

    def _ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.bench.window, "Open workspace", "", FILTER)
        if path:
            self.open(path)

    def _ask_add(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.bench.window, "Add devices from workspace", "", FILTER
        )
        if path:
            self.add_devices(path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.bench.window, "Save workspace", "bench.twb.toml", FILTER
        )
        if path:
            self.save(path)

    # -- open / save -----------------------------------------------------------------------
    def load(self, path: str) -> Workspace | None:
        """Read a workspace, reporting problems in the status bar; None when unreadable."""
        try:
            ws = load_workspace(path)
        except TwinBenchError as exc:
            self.bench.problems.append(str(exc))
            self.tell("Workspace not opened", str(exc))
            return None
        self.bench.problems.extend(ws.warnings)
        missing = ws.missing_files()
        if missing:
            self.bench.problems.append(f"workspace {path}: missing {', '.join(missing)}")
        return ws

    def tell(self, title: str, text: str) -> None:
        """Say a problem in a dialog that does not block: the app keeps running with the rest."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, title, parent=self.bench.window)
        box.setInformativeText(text)
        box.setObjectName("problemDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        # shown once start-up has finished building the window, on top of it
        QTimer.singleShot(0, lambda: self._show_on_top(box))

    @staticmethod
    def _show_on_top(box: QMessageBox) -> None:
        box.open()
        if QGuiApplication.platformName() != "offscreen":  # offscreen cannot raise windows
            box.raise_()
            box.activateWindow()

    # -- replacing the bench ---------------------------------------------------------------
    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel' for unsaved changes (tests replace this)."""
        from PySide6.QtWidgets import QMessageBox

        B = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.bench.window,
            "Unsaved changes",
            "The bench has changes that are not saved in a workspace. Save them first?",
            B.Save | B.Discard | B.Cancel,
        )
        return {B.Save: "save", B.Discard: "discard"}.get(answer, "cancel")

    def settle_unsaved(self) -> bool:
        """Ask about unsaved changes; False when the user cancels (or the save fails)."""
        self.bench.sync.snapshot()
        if not self.bench.model.unsaved:
            return True
        answer = self.ask_unsaved()
        if answer == "cancel":
            return False
        if answer == "save":
            path, _ = QFileDialog.getSaveFileName(
                self.bench.window, "Save workspace", "bench.twb.toml", FILTER
            )
            return bool(path) and self.save(path)
        return True

    def replace_with(self, data: dict[str, Any], base: Path | None = None) -> None:
        """Make the running bench the one `data` (bench model data) describes."""
        bench = self.bench
        bench.control.remove_all()
        bench.sync.close_panels()
        bench.model.load(data)
        bench.sync.attach_analysis(base or Path.cwd())
        for rec in list(bench.model.devices.values()):
            if rec.connect:
                bench.control.start_record(rec)
        bench.sync.open_panels()
        if not bench.model.layout:
            bench.window.reset_layout()
        bench.sync.apply_view()
        bench.sync.snapshot()
        bench.model.mark_saved()

    def open(self, path: str, ask: bool = True) -> bool:
        """Open a workspace: it replaces the running bench (after asking about unsaved changes)."""
        if ask and not self.settle_unsaved():
            return False
        ws = self.load(path)
        if ws is None:
            return False
        from twinbench.workspace import to_model_dict

        self.replace_with(to_model_dict(ws), ws.path.parent if ws.path else None)
        self._remember(Path(path))
        self.bench.window.setWindowTitle(f"TwinBench \u2014 {Path(path).name}")
        return True

    def add_devices(self, path: str) -> list[str]:
        """Add a workspace's devices to the running bench (ids in use get a free one)."""
        from twinbench.benchmodel import free_id

        ws = self.load(path)
        if ws is None:
            return []
        ctl = self.bench.control
        added = []
        for d in ws.devices:
            wanted = d.id or str(d.settings.get("device_id") or "") or None
            from twinbench.bench_control import default_id

            dev_id = free_id(wanted or default_id(d.driver, d.settings), ctl.taken_ids())
            try:
                ctl.connect(d.driver, dict(d.settings), device_id=dev_id, start=d.connect)
            except TwinBenchError as exc:
                self.bench.problems.append(f"workspace device not added: {exc}")
                self.tell("Device not opened", str(exc))
                continue
            added.append(dev_id)
        self.bench.window.statusBar().showMessage(
            f"added {len(added)} device(s) from {Path(path).name}: {', '.join(added)}", 6000
        )
        return added

    def start_fresh(self, ask: bool = True) -> bool:
        """Replace the bench by the default one: the simulated board and the default panels."""
        from twinbench.benchmodel import DEFAULT_BENCH

        if ask and not self.settle_unsaved():
            return False
        self.replace_with({**DEFAULT_BENCH, "theme": self.bench.model.theme})  # theme stays
        self.bench.window.setWindowTitle("TwinBench")
        return True

    def collect(self) -> Workspace:
        """The app's state as a workspace."""
        from twinbench.workspace import from_model_dict

        return from_model_dict(self.bench.sync.snapshot().to_dict())

    def save(self, path: str) -> bool:
        """Write the app's state as a workspace file."""
        try:
            save_workspace(self.collect(), path)
        except TwinBenchError as exc:
            self.bench.problems.append(str(exc))
            return False
        self.bench.model.mark_saved()
        self._remember(Path(path))
        return True
