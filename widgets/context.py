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
    # recorder, rules engine, twins, mqtt_publish...: the runtime's own services dict, shared
    services: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shared = getattr(self.runtime, "services", None)
        if isinstance(shared, dict):
            shared.update(self.services)
            self.services = shared

    def on_tick(self, callback: Callable[[], None]) -> None:
        """Call `callback()` on every GUI frame (<= 60 Hz)."""
        self.tick_callbacks.append(callback)

    def off_tick(self, callback: Callable[[], None]) -> None:
        """Stop calling `callback` on GUI frames."""
        if callback in self.tick_callbacks:
            self.tick_callbacks.remove(callback)
