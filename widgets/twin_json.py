"""The "Twin JSON" tab: the twin document as IoT Hub shows it, highlighted; desired is editable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from twinbench.twin.diff import merge_diff, strip_meta
from twinbench.widgets.theme import is_dark

_TOKEN = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*")\s*:|(?P<str>"(?:[^"\\]|\\.)*")'
    r"|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<lit>\btrue\b|\bfalse\b|\bnull\b)"
)
# (light background, dark background): each at least 4.5:1 against the theme's base colour
_COLORS = {
    "key": ("#0b57a4", "#82b1ff"),
    "meta": ("#6a1b9a", "#ce93d8"),
    "str": ("#1b5e20", "#a5d6a7"),
    "num": ("#b23c00", "#ffcc80"),
    "lit": ("#ad1457", "#f48fb1"),
}


def token_color(kind: str, dark: bool | None = None) -> QColor:
    """The highlight colour of a JSON token kind for the current (or given) theme."""
    pair = _COLORS[kind]
    return QColor(pair[1] if (is_dark() if dark is None else dark) else pair[0])


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys (`$` keys apart), strings, numbers and literals; follows the theme."""

    def __init__(self, doc: QTextDocument) -> None:
        super().__init__(doc)

    def highlightBlock(self, text: str) -> None:
        """Colour one line."""
        dark = is_dark()
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "str"
            start, end = m.span(kind)
            if kind == "key" and text[start + 1 : start + 3] in ("$m", "$v", "$l", "__"):
                kind = "meta"
            fmt = QTextCharFormat()
            fmt.setForeground(token_color(kind, dark))
            self.setFormat(start, end - start, fmt)


class TwinJsonView(QWidget):
    """Shows a twin document; Save turns an edited desired section into a merge patch."""

    def __init__(self, apply: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self.apply = apply
        self.doc: dict[str, Any] = {}
        lay = QVBoxLayout(self)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("twinJson")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(font)
        self.highlighter = JsonHighlighter(self.editor.document())
        self._dark = is_dark()
        lay.addWidget(self.editor, 1)
        row = QHBoxLayout()
        self.reload_button = QPushButton("Reload")
        self.save_button = QPushButton("Save desired")
        self.save_button.setToolTip("Send the changes made to properties.desired as a merge patch")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        row.addWidget(self.reload_button)
        row.addWidget(self.save_button)
        row.addWidget(self.message, 1)
        lay.addLayout(row)
        self.reload_button.clicked.connect(lambda: self.show_doc(self.doc, force=True))
        self.save_button.clicked.connect(self.save)

    def changeEvent(self, ev: QEvent) -> None:
        """Recolour the JSON when the theme changes (the text itself may not)."""
        if ev.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            dark = is_dark()
            if dark != self._dark:
                self._dark = dark
                self.highlighter.rehighlight()
        super().changeEvent(ev)

    @property
    def edited(self) -> bool:
        """Whether the text holds unsaved edits (then twin changes do not replace it)."""
        return self.editor.document().isModified()

    def show_doc(self, doc: dict[str, Any], force: bool = False) -> None:
        """Show a document unless the user is editing (or `force`)."""
        self.doc = doc
        if self.edited and not force:
            return
        text = json.dumps(doc, indent=2, ensure_ascii=False)
        if text != self.editor.toPlainText():
            bar = self.editor.verticalScrollBar()
            pos = bar.value()
            self.editor.setPlainText(text)
            bar.setValue(pos)
        self.editor.document().setModified(False)

    def patch(self) -> dict[str, Any]:
        """The merge patch for the edited desired section; ValueError names what is wrong."""
        text = self.editor.toPlainText()
        try:
            new = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        if not isinstance(new, dict) or not isinstance(new.get("properties"), dict):
            raise ValueError("the document must be an object with a 'properties' object")
        desired = new["properties"].get("desired")
        if not isinstance(desired, dict):
            raise ValueError("properties.desired must be an object")
        old = strip_meta(self.doc.get("properties", {}).get("desired", {}))
        return merge_diff(old, strip_meta(desired))

    def save(self) -> None:
        """Apply the edited desired section (nothing is sent when the JSON is bad)."""
        try:
            patch = self.patch()
        except ValueError as exc:
            self.message.setText(f"not applied: {exc}")
            return
        if not patch:
            self.message.setText("no change to properties.desired")
            return
        self.message.setText(f"sending {json.dumps(patch)}")
        self.editor.document().setModified(False)
        self.apply(patch)
