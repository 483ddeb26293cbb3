"""Window layout that fits: the window on the screen, panels as tabs beside a plot that keeps
at least half the window, Reset layout, layout presets and the grouped View menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

from twinbench.widgets.panels import GROUPS, PanelSpec, group_of

if TYPE_CHECKING:
    from twinbench.widgets.main_window import MainWindow

AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
}
# the share of the window each dock area may take: the plot keeps at least half each way
SHARE = {"left": 0.2, "right": 0.28, "top": 0.25, "bottom": 0.3}
DEFAULT_SIZE = QSize(1280, 800)
SCREEN_FILL = 0.92  # a first start takes at most this much of the available screen

# preset -> the panels it shows (every other panel is closed); the device tree stays
PRESETS: dict[str, tuple[str, ...]] = {
    "Live plots": ("table", "alarms"),
    "Twin": ("twin", "twin-view", "alarms"),
    "Analysis": ("spectrum", "histogram", "xy", "sql"),
    "Bench": ("diagnostics", "ports", "console", "rules-editor", "alarms"),
}


# -- the window on the screen ----------------------------------------------------------------
def available(widget: QWidget) -> QRect:
    """The available geometry of the screen the widget is on (or the primary screen)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def on_some_screen(rect: QRect, min_visible: int = 120) -> bool:
    """Whether at least a `min_visible`-pixel square of `rect` shows on a screen."""
    for screen in QGuiApplication.screens():
        inter = rect.intersected(screen.availableGeometry())
        if inter.width() >= min_visible and inter.height() >= min_visible:
            return True
    return False


def fit_window(win: QMainWindow, first_start: bool = False) -> None:
    """Shrink the window to the available screen and bring it back on screen if it is off."""
    if win.isMaximized() or win.isFullScreen():
        return
    avail = available(win)
    extra_w = max(0, win.frameGeometry().width() - win.width())
    extra_h = max(0, win.frameGeometry().height() - win.height())
    max_w, max_h = avail.width() - extra_w, avail.height() - extra_h
    if first_start:
        want = QSize(
            min(DEFAULT_SIZE.width(), int(avail.width() * SCREEN_FILL)),
            min(DEFAULT_SIZE.height(), int(avail.height() * SCREEN_FILL)),
        )
    else:
        want = QSize(min(win.width(), max_w), min(win.height(), max_h))
    if win.minimumWidth() > want.width() or win.minimumHeight() > want.height():
        win.setMinimumSize(
            min(win.minimumWidth(), want.width()), min(win.minimumHeight(), want.height())
        )
    if want != win.size():
        win.resize(want)
    frame = win.frameGeometry()
    if first_start or not on_some_screen(frame) or not avail.contains(frame):
        x = min(max(frame.x(), avail.x()), avail.right() + 1 - frame.width())
        y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - frame.height())
        if first_start or not on_some_screen(frame):
            x = avail.x() + (avail.width() - frame.width()) // 2
            y = avail.y() + (avail.height() - frame.height()) // 2
        win.move(max(avail.x(), x), max(avail.y(), y))


def central_share(win: QMainWindow) -> tuple[float, float]:
    """The central widget's width and height as fractions of the window's."""
    c = win.centralWidget()
    if c is None or win.width() <= 0 or win.height() <= 0:
        return 0.0, 0.0
    return c.width() / win.width(), c.height() / win.height()


# -- docks -----------------------------------------------------------------------------------
class DockLayout:
    """Places panel docks as tabs per area and keeps the docks within their share."""

    def __init__(self, win: MainWindow) -> None:
        self.win = win
        self._fit_pending = False

    def area_name(self, dock: QDockWidget) -> str:
        """'left', 'right', 'top' or 'bottom': where the dock is now."""
        area = self.win.dockWidgetArea(dock)
        return next((k for k, v in AREAS.items() if v == area), "right")

    def place(self, dock: QDockWidget, area: str, tree: QDockWidget | None = None) -> None:
        """Add a new dock: as a tab of the docks already in `area`, or as the area's first."""
        area = area if area in AREAS else "right"
        peers = [
            d
            for d in self.win.docks.values()
            if d is not dock
            and d is not tree
            and d.isVisible()
            and not d.isFloating()
            and self.win.dockWidgetArea(d) == AREAS[area]
        ]
        self.win.addDockWidget(AREAS[area], dock)
        if peers:
            self.win.tabifyDockWidget(peers[-1], dock)
        self.fit_later()

    def fit_later(self) -> None:
        """Keep the docks within their share once Qt has laid them out."""
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self.fit_docks)

    def fit_docks(self) -> None:
        """Resize each area's docks to its share when they take more (the plot keeps half)."""
        self._fit_pending = False
        win = self.win
        w, h = max(win.width(), 400), max(win.height(), 300)
        for name, area in AREAS.items():
            docks = [
                d
                for d in win.docks.values()
                if d.isVisible() and not d.isFloating() and win.dockWidgetArea(d) == area
            ]
            if not docks:
                continue
            horizontal = name in ("left", "right")
            limit = int((w if horizontal else h) * SHARE[name])
            size = max(d.width() if horizontal else d.height() for d in docks)
            if size > limit or size < 40:
                orient = Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical
                win.resizeDocks(docks, [limit] * len(docks), orient)

    def reset(self, specs: dict[str, PanelSpec], tree: QDockWidget) -> None:
        """Tree on the left, each open panel tabbed in its kind's area, sizes to their share."""
        win = self.win
        tree.setFloating(False)
        win.addDockWidget(AREAS["left"], tree)
        tree.show()
        by_area: dict[str, list[QDockWidget]] = {}
        for name, dock in win.docks.items():
            if dock is tree or not dock.isVisible():
                continue
            spec = specs.get(name.removeprefix("panel:").split("#", 1)[0])
            area = spec.area if spec is not None and spec.area in AREAS else "right"
            dock.setFloating(False)
            win.addDockWidget(AREAS[area], dock)  # re-adding moves it out of any tab group
            by_area.setdefault(area, []).append(dock)
        if by_area.get("left"):
            by_area["left"].insert(0, tree)
        for docks in by_area.values():
            for other in docks[1:]:
                win.tabifyDockWidget(docks[0], other)
            docks[0].raise_()
        QTimer.singleShot(0, self._reset_sizes)

    def apply_preset(self, preset: str) -> None:
        """Open the panels of `preset`, close every other panel, then Reset layout."""
        win = self.win
        keep = PRESETS[preset]
        for name in [n for n in win.docks if n.startswith("panel:")]:
            if name.removeprefix("panel:").split("#", 1)[0] not in keep:
                win.close_panel(name)
        for spec_id in keep:
            if spec_id in win.specs:
                win.open_panel(spec_id)
        win.reset_layout()

    def _reset_sizes(self) -> None:
        win = self.win
        w, h = max(win.width(), 400), max(win.height(), 300)
        for name, area in AREAS.items():
            docks = [d for d in win.docks.values() if d.isVisible()]
            docks = [d for d in docks if win.dockWidgetArea(d) == area]
            if docks:
                horizontal = name in ("left", "right")
                size = int((w if horizontal else h) * SHARE[name] * (0.9 if horizontal else 0.8))
                orient = Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical
                win.resizeDocks(docks, [size] * len(docks), orient)


# -- the View menu ---------------------------------------------------------------------------
def build_panel_menus(win: MainWindow, menu: QMenu, specs: list[PanelSpec]) -> dict[str, QMenu]:
    """One submenu per panel group, each with an entry per panel kind; returns the submenus."""
    from PySide6.QtGui import QKeySequence

    subs: dict[str, QMenu] = {}
    for group in GROUPS:
        subs[group] = menu.addMenu(group)
    for spec in specs:
        group = group_of(spec)
        if group not in subs:
            subs[group] = menu.addMenu(group)
        action = QAction(spec.title, win)
        action.setObjectName(f"open:{spec.id}")
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
        action.triggered.connect(lambda _=False, s=spec: win.open_panel(s.id, new=s.multiple))
        subs[group].addAction(action)
    for group, sub in list(subs.items()):
        if sub.isEmpty():
            menu.removeAction(sub.menuAction())
            del subs[group]
    return subs


def build_layout_menu(win: MainWindow, menu: QMenu) -> dict[str, QAction]:
    """View > Reset layout and View > Layout preset > (Live plots, Twin, Analysis, Bench)."""
    actions: dict[str, QAction] = {}
    reset = QAction("&Reset layout", win)
    reset.triggered.connect(win.reset_layout)
    menu.addAction(reset)
    actions["reset"] = reset
    presets = menu.addMenu("Layout &preset")
    for name in PRESETS:
        act = QAction(name, win)
        act.triggered.connect(lambda _=False, n=name: win.apply_preset(n))
        presets.addAction(act)
        actions[name] = act
    return actions
