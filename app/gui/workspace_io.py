"""Workspaces in the GUI: open (at start, from the menu, by drag-and-drop), save, recent list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

from twinbench.errors import TwinBenchError
from twinbench.workspace import (
    DerivedEntry,
    DeviceEntry,
    PanelEntry,
    Workspace,
    load_workspace,
    save_workspace,
)

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
        self.derived_engine: Any = None
        self.rules_files: list[str] = []
        self.derived: list[DerivedEntry] = []
        self.bindings: dict[str, Any] = {}
        self.recent_menu: QMenu | None = None

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
        self.recent_menu = QMenu("Open &recent", win)
        for a in (open_act, save_act):
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
            return None
        self.bench.problems.extend(ws.warnings)
        missing = ws.missing_files()
        if missing:
            self.bench.problems.append(f"workspace {path}: missing {', '.join(missing)}")
        return ws

    def devices_of(self, ws: Workspace) -> list[dict[str, Any]]:
        """The device specs the workspace opens."""
        return [{"driver": d.driver, "settings": dict(d.settings)} for d in ws.devices]

    def apply_before_start(self, ws: Workspace) -> None:
        """Derived channels and rules: attached before the devices declare themselves."""
        base = ws.path.parent if ws.path else Path.cwd()
        self.derived = list(ws.derived)
        self.bindings = dict(ws.bindings)
        if ws.bindings:  # the 3D view's bindings, in the profile's [view3d] table format
            from twinbench.visuals.bindings import parse_view_config

            try:
                self.bench.ctx.services["view3d"] = parse_view_config(
                    ws.bindings, f"{ws.path}: [bindings]"
                )
            except TwinBenchError as exc:
                self.bench.problems.append(str(exc))
        if ws.derived:
            self._attach_derived(ws.derived)
        rules = [str(base / r) for r in ws.rules if (base / r).exists()]
        if rules:
            self._attach_rules(rules)

    def _attach_derived(self, entries: list[DerivedEntry]) -> None:
        from twinbench.derived.engine import DerivedChannel, DerivedEngine

        specs = [DerivedChannel(d.name, d.expr, d.unit, d.device) for d in entries]
        rt = self.bench.runtime
        if self.derived_engine is not None:
            self.derived_engine.specs.extend(specs)
            self.derived_engine._per_layout.clear()
        else:
            self.derived_engine = DerivedEngine(rt, specs, on_error=self.bench.problems.append)
        for st in list(rt.hub.devices.values()):  # already live: declare the new channels
            rt.sink.declare(st.device)
        self.bench.ctx.services["derived"] = self.derived_engine

    def _attach_rules(self, files: list[str]) -> None:
        from twinbench.rules import attach

        try:
            handle = attach(self.bench.runtime, files)
        except TwinBenchError as exc:
            self.bench.problems.append(str(exc))
            return
        old = self.bench.ctx.services.get("rules")
        self.bench.ctx.services["rules"] = handle
        self.rules_files = files
        if old is not None and hasattr(old, "close"):
            old.close()

    def apply_after_start(self, ws: Workspace) -> None:
        """Panels (with their contents) and the dock layout."""
        win = self.bench.window
        for p in ws.panels:
            if p.type not in win.specs:
                self.bench.problems.append(f"workspace: unknown panel kind {p.type!r} skipped")
                continue
            dock = win.open_panel(p.type, name=p.id or None)
            widget = dock.widget()
            if p.config and hasattr(widget, "apply_workspace_config"):
                try:
                    widget.apply_workspace_config(p.config)
                except Exception as exc:  # a stale config must not stop the rest
                    self.bench.problems.append(f"panel {p.id or p.type}: {exc}")
        if ws.layout:
            win.restoreState(QByteArray.fromBase64(ws.layout.encode()))

    def open(self, path: str) -> bool:
        """Open a workspace into the running app: add its devices, rules, channels and panels."""
        ws = self.load(path)
        if ws is None:
            return False
        rt = self.bench.runtime
        self.apply_before_start(ws)
        for spec in self.devices_of(ws):
            try:
                rt.add_driver(spec["driver"], spec["settings"])
            except TwinBenchError as exc:
                self.bench.problems.append(f"workspace device not opened: {exc}")
        self.apply_after_start(ws)
        self._remember(Path(path))
        self.bench.window.setWindowTitle(f"TwinBench \u2014 {Path(path).name}")
        return True

    def collect(self) -> Workspace:
        """The app's state as a workspace."""
        from twinbench.gui.launch import saved_settings

        win = self.bench.window
        panels = []
        for name, dock in win.docks.items():
            if not name.startswith("panel:"):  # a closed panel's dock is gone
                continue
            widget = dock.widget()
            cfg = widget.workspace_config() if hasattr(widget, "workspace_config") else {}
            panels.append(PanelEntry(name.removeprefix("panel:").split("#")[0], name, "", cfg))
        return Workspace(
            devices=[
                DeviceEntry(d.name, saved_settings(d))
                for d in self.bench.runtime.drivers
                if not getattr(d, "transient", False)  # a replay is no part of the bench
            ],
            panels=panels,
            derived=self.derived,
            rules=self.rules_files,
            bindings=self.bindings,
            layout=bytes(win.saveState().toBase64().data()).decode(),
        )

    def save(self, path: str) -> bool:
        """Write the app's state as a workspace file."""
        try:
            save_workspace(self.collect(), path)
        except TwinBenchError as exc:
            self.bench.problems.append(str(exc))
            return False
        self._remember(Path(path))
        return True
