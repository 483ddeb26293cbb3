"""What every panel gets: the runtime, the display history and the GUI tick."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the GUI shows its window before the runtime (and numpy) are imported
    from twinbench.runtime import Runtime


@dataclass
class AppContext:
    """Shared state handed to panel factories; panels pull data on `tick`, never per sample."""

    runtime: Runtime
    history: Any = None  # twinbench.history.DisplayHistory once the GUI has one
    window: Any = None  # the main window, for status messages and docking
    tick_callbacks: list[Callable[[], None]] = field(default_factory=list)
    services: dict[str, Any] = field(default_factory=dict)  # recorder, rules engine, twins...

    def on_tick(self, callback: Callable[[], None]) -> None:
        """Call `callback()` on every GUI frame (<= 60 Hz)."""
        self.tick_callbacks.append(callback)

    def off_tick(self, callback: Callable[[], None]) -> None:
        """Stop calling `callback` on GUI frames."""
        if callback in self.tick_callbacks:
            self.tick_callbacks.remove(callback)
