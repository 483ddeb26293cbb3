"""Device lifecycle actions: the Devices menu and the device tree's context menu.

Disconnect, reconnect, remove, rename, edit settings (the Connect form, filled in) and show
diagnostics, for the device selected in the tree (or right-clicked). Each carries out one
BenchControl command; questions to the user go through `ask_text` and `confirm`, which tests
replace to answer programmatically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from twinbench.errors import TwinBenchError

if TYPE_CHECKING:
    from twinbench.widgets.main_window import MainWindow

# key, menu text, needs a running device (True), a stopped one (False), or any (None)
ENTRIES: tuple[tuple[str, str, bool | None], ...] = (
    ("disconnect", "&Disconnect", True),
    ("reconnect", "Re&connect", None),
    ("rename", "Re&name\u2026", None),
    ("edit", "&Edit settings\u2026", None),
    ("diagnostics", "Show d&iagnostics", None),
    ("remove", "Re&move", None),
)
TREE_KEYS = {"rename": "F2", "remove": "Delete"}  # in the device tree only


class DeviceActions(QObject):
    """The per-device actions, shared by the Devices menu and the tree's context menu."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.actions: dict[str, QAction] = {}
        # replaced by tests: (title, label, current text) -> new text or None; (question) -> bool
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        self.confirm: Callable[[str], bool] = self._confirm
        menu = window.devices_menu
        menu.addSeparator()
        for key, text, _ in ENTRIES:
            act = QAction(text, self)
            act.triggered.connect(lambda _=False, k=key: self.run(k))
            menu.addAction(act)
            self.actions[key] = act
        for key, shortcut in TREE_KEYS.items():  # keys that act on the tree's current device
            act = QAction(self.actions[key].text(), window.tree)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(lambda _=False, k=key: self.run(k))
            window.tree.addAction(act)
            menu_act = self.actions[key]  # the menu shows the key; the tree's action owns it
            menu_act.setText(f"{menu_act.text()}\t{act.shortcut().toString()}")
        from twinbench.widgets.derived_dialog import install_action

        menu.addSeparator()
        install_action(window)
        menu.aboutToShow.connect(self.update_enabled)
        window.tree.selectionModel().currentChanged.connect(self.update_enabled)
        window.tree.menu_for = self.menu_for
        window.device_actions = self  # type: ignore[attr-defined]
        self._enable(None)

    # -- which device ----------------------------------------------------------------------
    def control(self) -> Any:
        """The bench's device control (None while starting)."""
        return self.win.ctx.services.get("bench_control")

    def record_id(self, device: str | None) -> str | None:
        """The bench device (connection) that a tree row belongs to."""
        ctl = self.control()
        if ctl is None or device is None:
            return None
        return ctl.record_of(device)

    def update_enabled(self, *_: object) -> None:
        """Enable the entries that apply to the tree's current device."""
        self._enable(self.win.tree.current_device())

    def _enable(self, device: str | None) -> None:
        ctl = self.control()
        rid = self.record_id(device)
        rec = ctl.model.devices.get(rid) if ctl is not None and rid else None
        for key, _, running in ENTRIES:
            ok = rec is not None
            if ok and running is True:
                ok = rid in ctl.drivers
            self.actions[key].setEnabled(ok)

    def menu_for(self, device: str) -> QMenu:
        """The context menu of a tree row."""
        self._enable(device)
        menu = QMenu(self.win)
        for key, _, _ in ENTRIES:
            act = self.actions[key]
            item = menu.addAction(act.text())
            item.setEnabled(act.isEnabled())
            item.triggered.connect(lambda _=False, k=key, d=device: self.run(k, d))
        menu.addSeparator()
        menu.addAction(self.win.actions.actions["connect"])
        return menu

    # -- carrying out ----------------------------------------------------------------------
    def run(self, key: str, device: str | None = None) -> Any:
        """Carry out action `key` on `device` (default: the tree's current device); returns
        what it made (a dialog, a panel) or whether it was done."""
        device = device or self.win.tree.current_device()
        rid = self.record_id(device)
        ctl = self.control()
        if rid is None or ctl is None:
            self._say("select a device in the device tree first")
            return False
        try:
            return getattr(self, f"_do_{key}")(ctl, rid, device)
        except TwinBenchError as exc:
            self._say(str(exc), 10_000)
            return False

    def _do_disconnect(self, ctl: Any, rid: str, device: str) -> bool:
        ctl.disconnect(rid)
        self._enable(device)
        self._say(f"{rid} disconnected")
        return True

    def _do_reconnect(self, ctl: Any, rid: str, device: str) -> bool:
        ctl.reconnect(rid)
        self._enable(device)
        self._say(f"{rid} reconnecting\u2026")
        return True

    def _do_remove(self, ctl: Any, rid: str, device: str) -> bool:
        if not self.confirm(f"Remove {rid!r} from the bench? Its channels leave the tree."):
            return False
        ctl.remove(rid)
        self._say(f"{rid} removed")
        return True

    def _do_rename(self, ctl: Any, rid: str, device: str) -> bool:
        new = self.ask_text("Rename device", f"New id for {rid!r}:", rid)
        if not new or new.strip() == rid:
            return False
        sync = self.win.ctx.services.get("bench_sync")
        if sync is not None:  # panels and plot choices follow the device to its new id
            sync.snapshot()
        ctl.rename(rid, new.strip())
        if sync is not None:
            sync.restore_panels()
            sync.apply_view()
        self._say(f"{rid} is now {new.strip()}")
        return True

    def _do_edit(self, ctl: Any, rid: str, device: str) -> Any:
        from twinbench.widgets.connect_dialog import ConnectDialog

        dlg = ConnectDialog(self.win.ctx, self.win, record=ctl.model.devices[rid])
        dlg.show()
        self.last_dialog = dlg
        return dlg

    def _do_diagnostics(self, ctl: Any, rid: str, device: str) -> Any:
        dock = self.win.open_panel("diagnostics")
        panel = dock.widget()
        if hasattr(panel, "show_device"):
            panel.show_device(device)
        return panel

    # -- talking to the user ---------------------------------------------------------------
    def _say(self, text: str, ms: int = 5000) -> None:
        self.win.statusBar().showMessage(text, ms)

    def _ask_text(self, title: str, label: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self.win, title, label, text=text)
        return value if ok else None

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self.win, "TwinBench", question)
        return answer == QMessageBox.StandardButton.Yes
