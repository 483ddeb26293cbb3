"""Replay controls: open a session as `replay:<device>` sources, play/pause, speed and seek.

Replayed devices never take a live device's id, and the controls act on the chosen replay only.
"""

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
    """Drives one replay driver of the runtime (the one chosen in `source`, else the newest)."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {"speed": "speed"}
    STATE_IGNORED: ClassVar[tuple[str, ...]] = ("source",)  # replays are not restored

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
        self.source = QComboBox()  # which replay the controls act on
        self.source.setToolTip("The replay these controls act on (its devices are replay:<id>)")
        self.source.setMinimumContentsLength(14)
        row = QHBoxLayout()
        for w in (self.open_btn, self.source, self.play_btn, self.speed):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.slider)
        lay.addWidget(self.pos)
        ctx.on_tick(self.tick)

    def replays(self) -> list[Any]:
        """Every replay driver of the runtime, oldest first."""
        from twinbench.drivers.replay import ReplayDriver

        return [d for d in self.ctx.runtime.drivers if isinstance(d, ReplayDriver)]

    def driver(self) -> Any:
        """The replay driver the controls act on (the one chosen, else the newest), if any."""
        replays = self.replays()
        i = self.source.currentIndex()
        if 0 <= i < len(replays):
            return replays[i]
        return replays[-1] if replays else None

    def _sync_sources(self) -> None:
        replays = self.replays()
        names = [", ".join(dev.id for dev in d.devices) or d.session_path for d in replays]
        if names != [self.source.itemText(i) for i in range(self.source.count())]:
            keep = self.source.currentIndex()
            self.source.blockSignals(True)
            self.source.clear()
            self.source.addItems(names)
            self.source.setCurrentIndex(keep if 0 <= keep < len(names) else len(names) - 1)
            self.source.blockSignals(False)

    def open_session(self, path: str) -> None:
        """Add a replay of `path` to the runtime (it starts playing when the runtime runs)."""
        try:
            self.ctx.runtime.add_driver("replay", {"session": path})
        except Exception as exc:
            self.pos.setText(str(exc))
            return
        self._sync_sources()
        self.source.setCurrentIndex(self.source.count() - 1)

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
        self._sync_sources()
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
