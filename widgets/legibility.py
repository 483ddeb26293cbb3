"""A legibility audit of a widget tree: every text/background pair it paints, with its WCAG
contrast ratio (palette roles, style sheets, rich text, item colours, pyqtgraph text and pens,
and the pairs that custom-painted widgets declare through ``legible_pairs()``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsTextItem,
    QGraphicsView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from twinbench.widgets.contrast import contrast_ratio

TEXT, LARGE, GRAPHIC = 4.5, 3.0, 3.0  # WCAG 1.4.3 text, placeholder/large text, 1.4.11 lines
_R = QPalette.ColorRole
_ACTIVE = QPalette.ColorGroup.Active  # disabled controls are exempt (WCAG 1.4.3)
ROLE_PAIRS: tuple[tuple[QPalette.ColorRole, QPalette.ColorRole, float], ...] = (
    (_R.WindowText, _R.Window, TEXT),
    (_R.Text, _R.Base, TEXT),
    (_R.Text, _R.AlternateBase, TEXT),
    (_R.ButtonText, _R.Button, TEXT),
    (_R.HighlightedText, _R.Highlight, TEXT),
    (_R.ToolTipText, _R.ToolTipBase, TEXT),
    (_R.PlaceholderText, _R.Base, LARGE),
)
_CSS_COLOR = re.compile(r"(?<![-\w])color\s*[:=]\s*['\"]?\s*(#[0-9a-fA-F]{3,8}|[a-zA-Z]+)")
_CSS_BG = re.compile(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,8}|[a-zA-Z]+)")
_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QAbstractItemView, QComboBox)
MAX_ROWS = 200  # item-view rows looked at per view


@dataclass(frozen=True)
class Pair:
    """One foreground/background pair found, where, and the ratio it needs."""

    where: str
    what: str
    fg: str
    bg: str
    need: float

    @property
    def ratio(self) -> float:
        """WCAG contrast ratio of the pair."""
        return contrast_ratio(self.fg, self.bg)

    @property
    def ok(self) -> bool:
        """Whether the pair reaches the ratio it needs."""
        return self.ratio >= self.need

    def __str__(self) -> str:
        return f"{self.where}: {self.what} {self.fg} on {self.bg} = {self.ratio:.2f} < {self.need}"


def _solid(color: Any, bg: QColor | None = None) -> QColor | None:
    """An opaque QColor for a colour spec (translucent ones blended over `bg`)."""
    c = QColor(color)
    if not c.isValid() or (c.alpha() == 0 and bg is None):
        return None
    if c.alpha() < 255 and bg is not None:
        a = c.alphaF()
        return QColor.fromRgbF(
            *(a * x + (1 - a) * y for x, y in zip(c.getRgbF()[:3], bg.getRgbF()[:3], strict=True))
        )
    return c


def _brush_color(value: Any) -> QColor | None:
    """The colour of an item-data brush or colour (None when unset)."""
    if value is None:
        return None
    return QColor(value.color()) if isinstance(value, QBrush) else QColor(value)


def _name(w: Any) -> str:
    parts = []
    while w is not None and len(parts) < 4:
        parts.append(w.objectName() or type(w).__name__)
        w = w.parentWidget() if isinstance(w, QWidget) else None
    return "/".join(reversed(parts))


def _role_pairs(w: QWidget) -> list[tuple[QPalette.ColorRole, QPalette.ColorRole | None, float]]:
    """The palette roles a widget writes text with (None: on whatever is behind it)."""
    pairs: list[tuple[QPalette.ColorRole, QPalette.ColorRole | None, float]] = [
        (w.foregroundRole(), None, TEXT)
    ]
    if isinstance(w, _INPUTS):
        pairs += [
            (_R.Text, _R.Base, TEXT),
            (_R.HighlightedText, _R.Highlight, TEXT),
            (_R.PlaceholderText, _R.Base, LARGE),
        ]
    if isinstance(w, QAbstractItemView) and w.alternatingRowColors():
        pairs.append((_R.Text, _R.AlternateBase, TEXT))
    if isinstance(w, QAbstractButton | QComboBox | QTabBar | QHeaderView):
        pairs.append((_R.ButtonText, _R.Button, TEXT))
    return pairs


def background_of(w: QWidget) -> QColor:
    """The colour behind a widget's text: its own or the first painted ancestor's."""
    cur: QWidget | None = w
    while cur is not None:
        m = _CSS_BG.search(cur.styleSheet())
        if m and m.group(1).lower() != "transparent" and QColor(m.group(1)).isValid():
            return QColor(m.group(1))
        if (
            isinstance(cur, QGraphicsView)
            and cur.backgroundBrush().style() != Qt.BrushStyle.NoBrush
        ):
            return cur.backgroundBrush().color()
        if cur.autoFillBackground() or cur.parentWidget() is None:
            return cur.palette().color(_ACTIVE, cur.backgroundRole())
        cur = cur.parentWidget()
    return w.palette().color(_R.Window)


class Auditor:
    """Collects the pairs of a widget tree (call `widget_tree`, then read `pairs`)."""

    def __init__(self) -> None:
        self.pairs: list[Pair] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, where: str, what: str, fg: Any, bg: Any, need: float = TEXT) -> None:
        """Record a pair (colours as QColor or names; translucent fg blended over bg)."""
        b = _solid(bg)
        f = _solid(fg, b)
        if f is not None and b is not None and (what, f.name(), b.name()) not in self._seen:
            self._seen.add((what, f.name(), b.name()))
            self.pairs.append(Pair(where, what, f.name(), b.name(), need))

    def widget_tree(self, root: QWidget) -> list[Pair]:
        """Audit `root` and its children; returns the pairs found so far."""
        for w in [root, *root.findChildren(QWidget)]:
            self.widget(w)
        return self.pairs

    def palette(self, where: str, pal: QPalette) -> None:
        """Every role pair of a palette (the application's: what any widget may use)."""
        for fg, bg, need in ROLE_PAIRS:
            self.add(where, f"{fg.name}/{bg.name}", pal.color(fg), pal.color(bg), need)

    def widget(self, w: QWidget) -> None:
        """Audit one widget (its palette, style sheet, rich text, items, scene, painting)."""
        where = _name(w)
        pal = w.palette()
        for fg, bg, need in _role_pairs(w) if w.isEnabled() else []:  # disabled: exempt
            back = background_of(w) if bg is None else pal.color(bg)
            self.add(
                where, f"{fg.name}/{(bg or w.backgroundRole()).name}", pal.color(fg), back, need
            )
        bg = background_of(w)
        m = _CSS_COLOR.search(w.styleSheet())
        if m:
            self.add(where, "style sheet color", m.group(1), bg)
        if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.PlainText:
            for c in _CSS_COLOR.findall(w.text()):
                self.add(where, "rich text color", c, bg)
        if isinstance(w, QTextEdit | QPlainTextEdit):
            self.document(where, w)
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            self.items(where, w)
        if isinstance(w, QGraphicsView) and w.scene() is not None:
            self.scene(where, w)
        declared = getattr(w, "legible_pairs", None)
        if callable(declared):
            for what, fg, pbg, need in declared():
                self.add(where, what, fg, pbg, need)

    def document(self, where: str, w: QTextEdit | QPlainTextEdit) -> None:
        """Highlighter and character colours of a text editor against its base."""
        base = w.palette().color(_R.Base)
        block = w.document().firstBlock()
        n = 0
        while block.isValid() and n < MAX_ROWS:
            layout = block.layout()
            for fr in layout.formats() if layout is not None else []:
                if fr.format.hasProperty(fr.format.Property.ForegroundBrush):
                    self.add(where, "highlighted text", fr.format.foreground().color(), base)
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.hasProperty(fmt.Property.ForegroundBrush):
                    self.add(where, "text colour", fmt.foreground().color(), base)
                it += 1
            block, n = block.next(), n + 1

    def items(self, where: str, view: QAbstractItemView) -> None:
        """Item foreground colours against the item or view background (tree rows too)."""
        model = view.model()
        base = view.palette().color(_R.Base)
        todo = [QModelIndex()]
        seen = 0
        while todo and seen < MAX_ROWS:
            parent = todo.pop()
            for r in range(min(model.rowCount(parent), MAX_ROWS - seen)):
                seen += 1
                for c in range(model.columnCount(parent)):
                    idx = model.index(r, c, parent)
                    fg = _brush_color(model.data(idx, Qt.ItemDataRole.ForegroundRole))
                    if fg is not None:
                        bg = _brush_color(model.data(idx, Qt.ItemDataRole.BackgroundRole))
                        self.add(where, f"item colour ({idx.data()})", fg, bg or base)
                    if c == 0 and model.rowCount(idx) > 0:
                        todo.append(idx)

    def scene(self, where: str, view: QGraphicsView) -> None:
        """pyqtgraph text, axes and pens against the plot background."""
        import pyqtgraph as pg

        bg = (
            view.backgroundBrush().color()
            if view.backgroundBrush().style() != Qt.BrushStyle.NoBrush
            else background_of(view)
        )
        for item in view.scene().items():
            if not item.isVisible():
                continue
            if isinstance(item, QGraphicsTextItem):
                html = item.toHtml()
                colours = _CSS_COLOR.findall(html) or [item.defaultTextColor()]
                for c in colours:
                    self.add(where, f"plot text {item.toPlainText()[:20]!r}", c, bg)
            elif isinstance(item, pg.AxisItem) and item.style.get("showValues", True):
                self.add(where, f"axis {item.orientation} text", item.textPen().color(), bg)
            elif isinstance(item, pg.PlotCurveItem | pg.InfiniteLine):
                pen = item.opts["pen"] if isinstance(item, pg.PlotCurveItem) else item.pen
                pen = pg.mkPen(pen)
                if pen.style() != Qt.PenStyle.NoPen and (
                    not isinstance(item, pg.PlotCurveItem) or item.xData is not None
                ):
                    self.add(where, f"{type(item).__name__} pen", pen.color(), bg, GRAPHIC)


def audit(root: QWidget) -> list[Pair]:
    """Every colour pair `root`'s widgets paint text or lines with (see `Pair.ok`)."""
    return Auditor().widget_tree(root)


def audit_app() -> list[Pair]:
    """Every role pair of the application's palette and of tool tips."""
    from PySide6.QtWidgets import QApplication, QToolTip

    a = Auditor()
    a.palette("application", QApplication.palette())
    tip = QToolTip.palette()
    a.add(
        "tool tips", "ToolTipText/ToolTipBase", tip.color(_R.ToolTipText), tip.color(_R.ToolTipBase)
    )
    return a.pairs
