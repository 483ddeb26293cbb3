"""A label for status and error text, coloured by kind in the current theme's legible shade."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from twinbench.widgets.theme import TEXT_COLORS, text_color


class StatusLabel(QLabel):
    """Word-wrapped text in the colour of its kind (ok, muted, warn, error; "" for plain),
    recoloured when the theme changes."""

    def __init__(self, text: str = "", kind: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.kind = ""
        self.say(text, kind)

    def say(self, text: str, kind: str = "") -> None:
        """Show `text` in the colour of `kind`."""
        if kind and kind not in TEXT_COLORS:
            raise ValueError(f"status kind {kind!r} is not one of {', '.join(TEXT_COLORS)}")
        self.kind = kind
        self.setText(text)
        self._restyle()

    def _restyle(self) -> None:
        # a palette role, not a style sheet: a style sheet's palette stops following the
        # application's, so the label would miss the next theme switch
        role = QPalette.ColorRole.WindowText
        if not self.kind:
            if self.palette().isBrushSet(QPalette.ColorGroup.Active, role):
                self.setPalette(QPalette())
            return
        want = QColor(text_color(self.kind))
        pal = self.palette()
        if pal.color(role) != want or not pal.isBrushSet(QPalette.ColorGroup.Active, role):
            pal = QPalette()
            pal.setColor(role, want)
            self.setPalette(pal)

    def changeEvent(self, ev: QEvent) -> None:
        """Follow a theme switch."""
        if ev.type() == QEvent.Type.PaletteChange:
            self._restyle()  # a no-op unless the theme's colour for the kind changed
        super().changeEvent(ev)
