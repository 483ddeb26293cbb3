"""Default channel of a tap panel: the most dynamic one, until the user chooses."""

from __future__ import annotations

import time
from typing import Any

from twinbench.timelike import most_dynamic

PICK_EVERY_S = 1.0
PICK_ROWS = 1024  # samples looked at per pick


class DynamicDefault:
    """Mixin for TapPanel: the first channel box follows the most dynamic channel of the
    device until the user (or a workspace) chooses one."""

    auto_pick = True
    _next_pick = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        box = self.channel_boxes[0]  # type: ignore[attr-defined]
        box.activated.connect(self._user_picked)  # activated: only the user's choices

    def _tick(self) -> None:
        super()._tick()  # type: ignore[misc]
        if self.auto_pick and time.monotonic() >= self._next_pick:
            self._next_pick = time.monotonic() + PICK_EVERY_S
            self.pick_default()

    def pick_default(self) -> str | None:
        """Select the most dynamic channel from the recent history; returns it (None: unknown)."""
        self_: Any = self
        box = self_.channel_boxes[0]
        history = self_.ctx.history
        device = self_.device_box.currentText()
        names = list(self_._known_channels)
        if history is None or not device or not names:
            return None
        try:
            values = history.tail(device, names, PICK_ROWS)
        except KeyError:
            return None
        if values.shape[0] < PICK_ROWS // 4:
            return None  # too little yet: look again later
        best = most_dynamic(names, values)
        if best is not None:
            self.auto_pick = False  # picked once from enough data: stays put
            if box.currentText() != best:
                box.setCurrentText(best)
        return best

    def _user_picked(self, *_: Any) -> None:
        self.auto_pick = False

    def select(self, device: str, *channels: str) -> None:
        """A selection asked for (a workspace, an action) is kept: no automatic pick."""
        self.auto_pick = False
        super().select(device, *channels)  # type: ignore[misc]
