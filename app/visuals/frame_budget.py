"""Frame pacing for a renderer that draws on the GUI thread (software OpenGL such as llvmpipe).

Draw time is measured; the next frame is due only once the gap since the last one is long enough
that drawing takes at most `share` of the GUI thread, and never faster than `max_fps`.
"""

from __future__ import annotations

from dataclasses import dataclass

GUI_SHARE = 0.25  # of the GUI thread a software-rendered view may take
SOFTWARE_FPS = 20.0  # frame rate ceiling on software renderers


@dataclass
class FrameBudget:
    """Decides whether a frame is due, from the measured cost of the last ones."""

    share: float = GUI_SHARE
    max_fps: float = SOFTWARE_FPS
    cost_s: float = 0.0  # smoothed draw time
    _start: float | None = None
    _last_end: float = -1e9
    frames: int = 0
    skipped: int = 0

    def draw_started(self, now: float) -> None:
        """Call when a frame starts drawing."""
        self._start = now

    def draw_finished(self, now: float) -> None:
        """Call when a frame has drawn: updates the cost estimate."""
        if self._start is not None:
            cost = max(0.0, now - self._start)
            self._start = None
            self.cost_s = cost if not self.frames else 0.8 * self.cost_s + 0.2 * cost
            self.frames += 1
        self._last_end = now

    def interval(self) -> float:
        """The shortest gap between frames that keeps within the share and the frame rate."""
        return max(1.0 / self.max_fps, self.cost_s / self.share)

    def due(self, now: float) -> bool:
        """True when a new frame may be drawn now (else it is counted as skipped)."""
        if now - self._last_end >= self.interval() - self.cost_s:
            return True
        self.skipped += 1
        return False

    def fps(self) -> float:
        """The frame rate this budget allows."""
        return 1.0 / self.interval()
