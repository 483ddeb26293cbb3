"""Replay controls: open a session into the live pipeline, play/pause, speed and seek."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

SPEEDS = ("0.1x", "0.5x", "1x", "2x", "5x", "10x", "100x", "fastest")


class ReplayPanel(FormState, QWidget):
    """Drives the runtime's replay driver (the first one, or one it adds for a chosen session)."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"speed": "speed"}

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.open_btn = QPushButton("Open session…")
        self.open_btn.clicked.connect(self._choose)
        self.play_btn = QPushButton("Pause")
        self.play_btn.clicked.connect(self.toggle)
        self.speed = QComboBox()
        self.speed.addItems(SPEEDS)
        self.speed.setCurrentText("1x")
        self.speed.currentTextChanged.connect(self.set_speed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 1000)
        self.slider.sliderReleased.connect(self._seek_from_slider)
        self.pos = QLabel("no replay")
        row = QHBoxLayout()
        for w in (self.open_btn, self.play_btn, self.speed):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.slider)
        lay.addWidget(self.pos)
        ctx.on_tick(self.tick)

    def driver(self) -> Any:
        """The replay driver being controlled, if any."""
        from twinbench.drivers.replay import ReplayDriver

        return next((d for d in self.ctx.runtime.drivers if isinstance(d, ReplayDriver)), None)

    def open_session(self, path: str) -> None:
        """Add a replay of `path` to the runtime (it starts playing when the runtime runs)."""
        try:
            self.ctx.runtime.add_driver("replay", {"session": path})
        except Exception as exc:
            self.pos.setText(str(exc))

    def _choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Session folder")
        if path:
            self.open_session(path)

    def toggle(self) -> None:
        """Pause or resume."""
        d = self.driver()
        if d is None:
            return
        if d.paused:
            d.resume()
        else:
            d.pause()
        self.tick()

    def set_speed(self, text: str) -> None:
        """Apply a speed from the list."""
        d = self.driver()
        if d is None:
            return
        d.fast = text == "fastest"
        if not d.fast:
            d.speed = float(text.rstrip("x"))

    def seek(self, seconds: float) -> None:
        """Jump to a position in seconds from the session start."""
        d = self.driver()
        if d is not None:
            d.seek(seconds)

    def _seek_from_slider(self) -> None:
        d = self.driver()
        if d is not None and d.duration_s > 0:
            self.seek(self.slider.value() / 1000 * d.duration_s)

    def tick(self) -> None:
        """Refresh the position and the buttons."""
        d = self.driver()
        if d is None:
            return
        self.play_btn.setText("Play" if d.paused or d.finished else "Pause")
        if d.duration_s > 0 and not self.slider.isSliderDown():
            self.slider.setValue(int(1000 * d.position_s / d.duration_s))
        state = "finished" if d.finished else ("paused" if d.paused else "playing")
        self.pos.setText(f"{d.position_s:.1f} / {d.duration_s:.1f} s, {state}")


def make_panel(ctx: AppContext) -> QWidget:
    """Factory for the panel registry."""
    return ReplayPanel(ctx)


PANELS = [PanelSpec("replay", "Replay", make_panel, area="bottom")]
