"""Help > About: TwinBench's version, the versions of its parts, and where its files live."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def app_icon() -> QIcon:
    """TwinBench's icon (window, task bar, About)."""
    from importlib.resources import files

    return QIcon(str(files("twinbench.resources") / "icons" / "twinbench.svg"))


def about_html() -> str:
    """The About text as rich text: versions, folders, plugin wheels."""
    from twinbench.about import folders, frozen, part_versions
    from twinbench.plugins import activate

    rows = [("Qt", qVersion()), *part_versions()]
    table = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    where = "".join(
        f"<tr><td>{escape(k)}</td><td><code>{escape(str(p))}</code></td></tr>" for k, p in folders()
    )
    wheels = activate()
    plug = (
        "".join(f"<li>{escape(w.file.name)}: {escape(w.error or 'loaded')}</li>" for w in wheels)
        or "<li>none (drop a driver plugin's wheel into the Plugins folder)</li>"
    )
    kind = "bundled app" if frozen() else "Python package"
    return (
        f"<h3>TwinBench</h3><p>Digital-twin visualizer and device lab bench ({kind}).</p>"
        f"<table>{table}</table><h4>Files</h4><table>{where}</table>"
        f"<h4>Plugin wheels</h4><ul>{plug}</ul>"
    )


class AboutDialog(QDialog):
    """A dialog with `about_html()` (selectable text) and a Close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About TwinBench")
        self.setWindowIcon(app_icon())
        self.label = QLabel(about_html())
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
