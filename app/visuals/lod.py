"""Level of detail on software renderers: shrink the triangle budget until the view holds 30 fps."""

from __future__ import annotations

from collections import deque

#: triangles a model starts reduced to on a software renderer (llvmpipe)
START_BUDGET = 60_000
FLOOR_BUDGET = 4_000
TARGET_FPS = 30.0


class LodController:
    """Counts drawn frames and display ticks; asks for a smaller budget while fps stays low.

    The achievable rate is capped by the GUI tick, so the target is min(30 fps, 90% of the tick
    rate). A decision needs `window` seconds of frames after the last change.
    """

    def __init__(
        self,
        budget: int = START_BUDGET,
        floor: int = FLOOR_BUDGET,
        target: float = TARGET_FPS,
        window: float = 2.0,
    ) -> None:
        self.budget = budget
        self.floor = floor
        self.target = target
        self.window = window
        self.fps = 0.0
        self._frames: deque[float] = deque()
        self._ticks: deque[float] = deque()
        self._since = -1.0

    def frame(self, now: float) -> None:
        """A frame was drawn at `now` (seconds)."""
        self._frames.append(now)

    def tick(self, now: float) -> None:
        """A display tick happened at `now`."""
        self._ticks.append(now)
        if self._since < 0:
            self._since = now

    def _rate(self, q: deque[float], now: float) -> float:
        while q and q[0] < now - self.window:
            q.popleft()
        return len(q) / self.window

    def check(self, now: float, faces: int) -> int | None:
        """A new, smaller budget when the last window ran below target, else None."""
        self.fps = self._rate(self._frames, now)
        ticks = self._rate(self._ticks, now)
        if self._since < 0 or now - self._since < self.window or faces <= self.floor:
            return None
        new = self.decide(self.fps, faces, min(self.target, 0.9 * ticks))
        if new is not None:
            self._frames.clear()
            self._ticks.clear()
            self._since = now
        return new

    def decide(self, fps: float, faces: int, goal: float | None = None) -> int | None:
        """The smaller budget to use when `fps` (measured with `faces` drawn) misses the goal."""
        goal = self.target if goal is None else goal
        if fps >= goal or faces <= self.floor:
            return None
        # frame time grows roughly with triangles: aim a little under what would just make it
        scale = max(0.25, min(0.8, 0.9 * fps / max(goal, 1e-6)))
        new = max(self.floor, int(min(self.budget, faces) * scale))
        if new >= faces:
            return None
        self.budget = new
        return new

    def note(self, before: int, after: int) -> str:
        """Status text for a reduction."""
        return (
            f"reduced {before:,} to {after:,} triangles to hold {self.target:.0f} fps "
            f"(software renderer; last measured {self.fps:.0f} fps)"
        )
