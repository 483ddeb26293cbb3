"""What every panel gets: the runtime, the display history and the GUI tick."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the GUI shows its window before the runtime (and numpy) are imported
    from twinbench.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """Shared state handed to panel factories; panels pull data on `tick`, never per sample.

    Tick callbacks registered while a panel is being built (`building(name)`) belong to that
    panel: they are skipped while the panel is idle (hidden) and dropped when it is released.
    """

    runtime: Runtime
    history: Any = None  # twinbench.history.DisplayHistory once the GUI has one
    window: Any = None  # the main window, for status messages and docking
    tick_callbacks: list[Callable[[], None]] = field(default_factory=list)
    # recorder, rules engine, twins, mqtt_publish...: the runtime's own services dict, shared
    services: dict[str, Any] = field(default_factory=dict)
    owners: dict[Callable[[], None], str] = field(default_factory=dict)  # callback -> panel
    idle: set[str] = field(default_factory=set)  # panels hidden now: their callbacks wait
    _building: str | None = None

    def __post_init__(self) -> None:
        shared = getattr(self.runtime, "services", None)
        if isinstance(shared, dict):
            shared.update(self.services)
            self.services = shared

    def on_tick(self, callback: Callable[[], None], owner: str | None = None) -> None:
        """Call `callback()` on every GUI frame (<= 60 Hz), on behalf of panel `owner`."""
        self.tick_callbacks.append(callback)
        owner = owner or self._building
        if owner:
            self.owners[callback] = owner

    def off_tick(self, callback: Callable[[], None]) -> None:
        """Stop calling `callback` on GUI frames."""
        if callback in self.tick_callbacks:
            self.tick_callbacks.remove(callback)
        self.owners.pop(callback, None)

    @contextmanager
    def building(self, owner: str) -> Iterator[None]:
        """Attribute the tick callbacks registered inside the block to panel `owner`."""
        before, self._building = self._building, owner
        try:
            yield
        finally:
            self._building = before

    @property
    def building_panel(self) -> str | None:
        """The panel being built for a dock of the window now (None outside `building`)."""
        return self._building

    def release(self, owner: str) -> int:
        """Drop every tick callback of panel `owner`; returns how many were dropped."""
        mine = [cb for cb, o in self.owners.items() if o == owner]
        for cb in mine:
            self.off_tick(cb)
        self.idle.discard(owner)
        return len(mine)

    def run_tick(self) -> None:
        """Call every tick callback whose panel is not idle; a callback that raises is dropped."""
        idle, owners = self.idle, self.owners
        for cb in list(self.tick_callbacks):
            if idle and owners.get(cb) in idle:
                continue
            try:
                cb()
            except Exception:  # a broken panel must not stop the pump
                log.exception("tick callback %r failed", cb)
                self.off_tick(cb)
