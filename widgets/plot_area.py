"""Plot areas: tabs of plots split side by side or one above another, like PlotJuggler's.

The first tab's first plot is the main plot (every channel unless hidden); the others show the
channels put on them (dropped from the device tree or the latest-values table). The plots of a
tab share their measurement cursors, the crosshair, pause and the time range chosen in any one
of them. Only the tab on show is drawn. `state()` / `restore()` carry the whole arrangement:
`{"tabs": [{"name", "tree"}], "current"}` where a tree node is `{"plot": {...}}` or
`{"split": "horizontal"|"vertical", "sizes": [...], "children": [...]}`, the sizes being each
child's share of the split (they sum to 1, whatever the window's size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QMenu,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.plot_panel import PlotPanel

if TYPE_CHECKING:
    from twinbench.widgets.context import AppContext

ORIENTATIONS = {"horizontal": Qt.Orientation.Horizontal, "vertical": Qt.Orientation.Vertical}
MAX_DEPTH = 8  # nesting a restored tree may have (deeper nodes are dropped)
SHARES = "tbShares"  # the splitter property holding its children's shares


def shares(box: QSplitter) -> list[float]:
    """Each child's share of a splitter, as last set or dragged (equal when unknown)."""
    got = box.property(SHARES)
    n = box.count()
    if isinstance(got, list) and len(got) == n:
        return [float(x) for x in got]
    return [round(1 / n, 4)] * n if n else []


def set_shares(box: QSplitter, values: list[float]) -> None:
    """Give a splitter's children these shares (normalised) and lay them out so."""
    total = sum(values) or 1.0
    norm = [round(v / total, 4) for v in values]
    box.setProperty(SHARES, norm)
    box.setSizes([max(1, int(v * 10_000)) for v in norm])


def new_splitter(orientation: Qt.Orientation) -> QSplitter:
    """A splitter whose shares follow the user's dragging of its handles."""
    box = QSplitter(orientation)
    box.setChildrenCollapsible(False)
    box.splitterMoved.connect(
        lambda *_: box.setProperty(
            SHARES, [round(v / (sum(box.sizes()) or 1), 4) for v in box.sizes()]
        )
    )
    return box


class PlotTab(QWidget):
    """One tab: a tree of splitters whose leaves are plots."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.root = new_splitter(Qt.Orientation.Vertical)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.root)

    def plots(self) -> list[PlotPanel]:
        """The plots of this tab, in reading order (left to right, top to bottom)."""
        out: list[PlotPanel] = []

        def walk(w: QWidget) -> None:
            if isinstance(w, PlotPanel):
                out.append(w)
            elif isinstance(w, QSplitter):
                for i in range(w.count()):
                    walk(w.widget(i))

        walk(self.root)
        return out


def _cursors(target: PlotPanel, source: PlotPanel) -> None:
    """`target`'s cursors as `source`'s: shown or not, at the same times."""
    target.set_cursors(source.cursors.enabled)
    if source.cursors.enabled:
        target.cursors.set_positions(*source.cursors.pos_ns)


class _Focus(QObject):
    """Tells the area which plot the user last clicked in (menus act on that one)."""

    def __init__(self, area: PlotArea, plot: PlotPanel) -> None:
        super().__init__(plot)
        self.area, self.panel = area, plot
        plot.plot.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        """Note the plot on a mouse press or a drop."""
        if ev.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            self.area.current = self.panel
        return False


class PlotArea(QWidget):
    """Tabs of split plots around the main plot; the window's central widget."""

    def __init__(self, ctx: AppContext, primary: PlotPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.primary = primary
        self.current: PlotPanel = primary
        self.problems: list[str] = []
        self._busy = False
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(lambda i: self.close_tab(i))
        self.tabs.tabBarDoubleClicked.connect(self._rename_asked)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        plus = QToolButton(text="+")
        plus.setToolTip("New plot tab (Ctrl+Alt+T)")
        plus.clicked.connect(lambda: self.new_tab())
        self.tabs.setCornerWidget(plus, Qt.Corner.TopRightCorner)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        first = self._add_tab("Plot 1")
        self._adopt(primary)
        first.root.addWidget(self._place(first, primary))
        self._sync_closable()

    # -- building --------------------------------------------------------------------------
    def _add_tab(self, name: str) -> PlotTab:
        tab = PlotTab(name)
        self.tabs.addTab(tab, name)
        return tab

    def _adopt(self, plot: PlotPanel) -> None:
        """Give a new plot its menu and make it move in step with the plots of its tab."""
        plot.pausedChanged.connect(lambda on, s=plot: self._each(s, lambda o: o.set_paused(on)))
        plot.rangeChosen.connect(lambda a, b, s=plot: self._each(s, lambda o: o.follow_range(a, b)))
        plot.hovered.connect(lambda t, s=plot: self._each(s, lambda o: o.set_cursor(t)))
        plot.cursorsChanged.connect(lambda on, s=plot: self._each(s, lambda o: _cursors(o, s)))
        plot.cursors.moved.connect(lambda s=plot: self._each(s, lambda o: _cursors(o, s)))
        _Focus(self, plot)
        menu_button = QToolButton(text="Plot \u25be")
        menu_button.setObjectName("plot-area-menu")
        menu_button.setToolTip("Split this plot, close it, or open a new plot tab")
        menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu_button.setMenu(self.plot_menu(plot, menu_button))
        plot.toolbar.insertWidget(0, menu_button)

    def plot_menu(self, plot: PlotPanel, parent: QWidget) -> QMenu:
        """The menu of one plot: split right or down, close, new tab."""
        menu = QMenu(parent)
        menu.addAction("Split right", lambda: self.split(plot, "horizontal"))
        menu.addAction("Split down", lambda: self.split(plot, "vertical"))
        close = menu.addAction("Close this plot", lambda: self.close_plot(plot))
        close.setEnabled(plot is not self.primary)
        menu.addSeparator()
        menu.addAction("New plot tab", lambda: self.new_tab())
        return menu

    def _each(self, source: PlotPanel, do: Callable[[PlotPanel], Any]) -> None:
        """Do the same to the other plots of `source`'s tab."""
        if self._busy:  # a change made here echoes back: once is enough
            return
        tab = self.tab_of(source)
        if tab is None:
            return
        self._busy = True
        try:
            for other in tab.plots():
                if other is not source:
                    do(other)
        finally:
            self._busy = False

    def _new_plot(self, state: dict[str, Any] | None = None) -> PlotPanel:
        p = self.primary
        plot = PlotPanel(self.ctx, window_s=p.window_ns / 1e9, auto=False)
        plot.base_of = p.base_color_of
        plot.apply_colors(*p.colors)
        plot.set_time_mode(p.time_mode)
        if state:
            plot.restore(state)
        self._adopt(plot)
        return plot

    def _place(self, tab: PlotTab, plot: PlotPanel) -> PlotPanel:
        """Note `plot` as one of `tab`'s: the legend columns of a tab's plots share one width,
        so one time lines up in plots stacked in it."""
        plot.plot.ci.legend_group = id(tab)
        for lane in plot.lanes.values():
            lane.legend_column.regroup()
        return plot

    def tab_of(self, plot: PlotPanel) -> PlotTab | None:
        """The tab holding `plot`."""
        w = plot.parentWidget()
        while w is not None and not isinstance(w, PlotTab):
            w = w.parentWidget()
        return w

    def split(self, plot: PlotPanel, how: str = "horizontal") -> PlotPanel:
        """A new, empty plot beside (`horizontal`) or below (`vertical`) `plot`; returns it."""
        tab = self.tab_of(plot)
        if tab is None or how not in ORIENTATIONS:
            raise ValueError(f"cannot split: {how!r} is not one of {', '.join(ORIENTATIONS)}")
        orientation = ORIENTATIONS[how]
        parent = plot.parentWidget()
        assert isinstance(parent, QSplitter)
        i = parent.indexOf(plot)
        new = self._place(tab, self._new_plot())
        if parent.orientation() == orientation or parent.count() == 1:
            parent.setOrientation(orientation)
            old = shares(parent)
            parent.insertWidget(i + 1, new)
            set_shares(parent, [*old[:i], old[i] / 2, old[i] / 2, *old[i + 1 :]])
        else:
            old = shares(parent)
            box = new_splitter(orientation)
            parent.insertWidget(i, box)  # (replaceWidget would leave `box` owned by Python)
            box.addWidget(plot)
            box.addWidget(new)
            set_shares(parent, old)
            set_shares(box, [1.0, 1.0])
        plot.show()
        new.show()
        self._each(plot, lambda o: _cursors(o, plot) if o is new else None)
        if plot.paused:
            new.follow_range(*plot.x_range_ns())
        self.current = new
        return new

    def close_plot(self, plot: PlotPanel) -> bool:
        """Close a plot (never the main one); an emptied tab closes too. True if closed."""
        if plot is self.primary:
            return False
        tab = self.tab_of(plot)
        parent = plot.parentWidget()
        if isinstance(parent, QSplitter):
            left = shares(parent)
            del left[parent.indexOf(plot)]
        plot.hide()
        plot.setParent(None)
        plot.deleteLater()
        if isinstance(parent, QSplitter):
            set_shares(parent, left)
        while isinstance(parent, QSplitter) and tab is not None and parent is not tab.root:
            if parent.count() > 1:
                break
            up = parent.parentWidget()
            assert isinstance(up, QSplitter)
            kept = shares(up)
            if parent.count() == 1:  # a splitter holding one child is replaced by the child
                up.insertWidget(up.indexOf(parent), parent.widget(0))
            else:
                del kept[up.indexOf(parent)]
            parent.setParent(None)
            set_shares(up, kept)
            parent.deleteLater()
            parent = up
        if self.current is plot:
            self.current = self.primary
        if tab is not None and not tab.plots():
            self.close_tab(self.tabs.indexOf(tab))
        return True

    def new_tab(self, name: str = "", state: dict[str, Any] | None = None) -> PlotTab:
        """A new tab holding one empty plot (or the plots a `state()` tree describes)."""
        taken = {self.tabs.widget(i).name for i in range(self.tabs.count())}
        n = self.tabs.count() + 1
        while not name and f"Plot {n}" in taken:
            n += 1
        tab = self._add_tab(name or f"Plot {n}")
        if state is None:
            plot = self._place(tab, self._new_plot())
            tab.root.addWidget(plot)
            self.current = plot
        self.tabs.setCurrentWidget(tab)
        self._sync_closable()
        return tab

    def close_tab(self, index: int) -> bool:
        """Close a tab and its plots (never the main plot's tab)."""
        tab = self.tabs.widget(index)
        if not isinstance(tab, PlotTab) or self.primary in tab.plots():
            return False
        self.tabs.removeTab(index)
        if self.current in tab.plots():
            self.current = self.primary
        tab.setParent(None)
        tab.deleteLater()
        self._sync_closable()
        return True

    def rename_tab(self, index: int, name: str) -> None:
        """Give a tab a new name."""
        tab = self.tabs.widget(index)
        if isinstance(tab, PlotTab) and name.strip():
            tab.name = name.strip()
            self.tabs.setTabText(index, tab.name)

    def _rename_asked(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if not isinstance(tab, PlotTab):
            return
        name, ok = QInputDialog.getText(self, "Rename plot tab", "Name:", text=tab.name)
        if ok:
            self.rename_tab(index, name)

    def _sync_closable(self) -> None:
        bar = self.tabs.tabBar()
        self.tabs.setTabsClosable(self.tabs.count() > 1)
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if isinstance(tab, PlotTab) and self.primary in tab.plots() and self.tabs.count() > 1:
                for side in (bar.ButtonPosition.RightSide, bar.ButtonPosition.LeftSide):
                    button = bar.tabButton(i, side)
                    if button is not None:
                        button.hide()

    def _on_tab_changed(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if isinstance(tab, PlotTab) and self.current not in tab.plots():
            plots = tab.plots()
            if plots:
                self.current = plots[0]

    # -- every frame -----------------------------------------------------------------------
    def all_plots(self) -> list[PlotPanel]:
        """Every plot of every tab."""
        out: list[PlotPanel] = []
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if isinstance(tab, PlotTab):
                out.extend(tab.plots())
        return out

    def shown_plots(self) -> list[PlotPanel]:
        """The plots of the tab on show."""
        tab = self.tabs.currentWidget()
        return tab.plots() if isinstance(tab, PlotTab) else []

    def refresh(self) -> None:
        """Redraw the plots on show; the main plot's alarms are read even when tabbed away."""
        shown = self.shown_plots()
        for plot in shown:
            plot.refresh()
        if self.primary not in shown:
            self.primary.alarms.poll()

    def apply_colors(self, background: str, foreground: str) -> None:
        """Theme colours for every plot."""
        for plot in self.all_plots():
            plot.apply_colors(background, foreground)

    # -- saving ----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The arrangement: tabs, their split trees and each plot's own channels and choices."""
        tabs = []
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if isinstance(tab, PlotTab):
                tabs.append({"name": tab.name, "tree": self._node(tab.root)})
        return {"tabs": tabs, "current": self.tabs.currentIndex()}

    def _node(self, w: QWidget) -> dict[str, Any]:
        if isinstance(w, PlotPanel):
            return {"plot": {"main": True} if w is self.primary else w.state()}
        assert isinstance(w, QSplitter)
        how = "horizontal" if w.orientation() == Qt.Orientation.Horizontal else "vertical"
        children = [self._node(w.widget(i)) for i in range(w.count())]
        return {"split": how, "sizes": shares(w), "children": children}

    def restore(self, state: Any) -> None:
        """Rebuild the arrangement `state()` returned; what is malformed is skipped and said in
        `problems` (the main plot always stays, in the first tab if none holds it)."""
        self.problems = []
        if not isinstance(state, dict) or not isinstance(state.get("tabs"), list):
            if state:
                self.problems.append("plot areas: no list of tabs; one plot instead")
            state = {"tabs": [{"name": "Plot 1", "tree": {"plot": {"main": True}}}]}
        self.primary.setParent(None)
        while self.tabs.count():
            old = self.tabs.widget(0)
            self.tabs.removeTab(0)
            old.setParent(None)
            old.deleteLater()
        placed = False
        for n, entry in enumerate(state["tabs"]):
            if not isinstance(entry, dict):
                self.problems.append(f"plot areas: tab {n + 1} is not a table; skipped")
                continue
            tab = self.new_tab(str(entry.get("name") or ""), state={})
            placed |= self._build(tab, tab.root, entry.get("tree"), f"tab {tab.name!r}", 0)
            if not tab.plots():
                self.close_tab(self.tabs.indexOf(tab))
        if not placed:
            first = self.tabs.widget(0) if self.tabs.count() else self.new_tab(state={})
            assert isinstance(first, PlotTab)
            first.root.insertWidget(0, self._place(first, self.primary))
        self.primary.show()
        current = state.get("current")
        if isinstance(current, int) and 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)
        self.current = self.primary
        self._sync_closable()

    def _build(self, tab: PlotTab, into: QSplitter, node: Any, where: str, depth: int) -> bool:
        """Add a tree node's plots to `into`; True if it placed the main plot."""
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            self.problems.append(f"plot areas: {where}: not a plot or split; skipped")
            return False
        if "plot" in node:
            plot_state = node["plot"] if isinstance(node["plot"], dict) else {}
            if plot_state.get("main") and self.primary.parentWidget() is None:
                into.addWidget(self._place(tab, self.primary))
                return True
            into.addWidget(self._place(tab, self._new_plot(plot_state)))
            return False
        how = node.get("split")
        children = node.get("children")
        if how not in ORIENTATIONS or not isinstance(children, list):
            self.problems.append(
                f"plot areas: {where}: split {how!r} is not one of {', '.join(ORIENTATIONS)}"
                " with a list of children; skipped"
            )
            return False
        box = into if into is tab.root and into.count() == 0 else new_splitter(ORIENTATIONS[how])
        box.setOrientation(ORIENTATIONS[how])
        if box is not into:
            into.addWidget(box)
        placed = False
        for child in children:
            placed |= self._build(tab, box, child, where, depth + 1)
        sizes = node.get("sizes")
        if (
            isinstance(sizes, list)
            and len(sizes) == box.count()
            and all(isinstance(s, int | float) and 0 <= s < float("inf") for s in sizes)
        ):
            set_shares(box, [float(s) for s in sizes])
        return placed


def install_menu(window: Any, area: PlotArea) -> None:
    """View menu entries: split the current plot right or down, close it, new plot tab."""
    menu = window.view_menu.addMenu("Plot &areas")
    entries = (
        ("Split plot &right", "Ctrl+Alt+Right", lambda: area.split(area.current, "horizontal")),
        ("Split plot &down", "Ctrl+Alt+Down", lambda: area.split(area.current, "vertical")),
        ("&Close plot", "", lambda: area.close_plot(area.current)),
        ("New plot &tab", "Ctrl+Alt+T", lambda: area.new_tab()),
    )
    for text, keys, slot in entries:
        act = QAction(text, window)
        if keys:
            act.setShortcut(QKeySequence(keys))
        act.triggered.connect(lambda _=False, f=slot: f())
        menu.addAction(act)
