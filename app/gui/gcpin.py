"""Python's cyclic garbage collection on the GUI thread only, while a window runs.

CPython collects in whichever thread crosses the allocation threshold. In the app that is often a
worker (the MQTT decoder, the I/O loop, a rules worker), and a collection there destroys any Qt
or vispy object caught in a reference cycle off the GUI thread: Qt's destructor then waits for a
lock the GUI thread holds while the GUI thread waits for the GIL (a deadlock found in CI), or
vispy queues GL deletes into a list the GUI thread is drawing from. So, while a window runs,
automatic collection is off and the GUI's pump collects, with Python's own thresholds.
"""

from __future__ import annotations

import gc
import time

FULL_EVERY_S = 10.0  # at most one full collection this often (CPython waits for 25 % new objects)


class GuiCollector:
    """Turns automatic collection off while any window uses it (`start`/`stop`, counted),
    collects on the GUI thread (`tick`), and puts things back as they were."""

    def __init__(self) -> None:
        self._users = 0
        self._was_enabled: bool | None = None
        self._full_at = 0.0
        self.collections = [0, 0, 0]  # per generation, done by `tick`

    @property
    def active(self) -> bool:
        """Whether collection is pinned to the callers of `tick`."""
        return self._was_enabled is not None

    def start(self) -> None:
        """One more window: automatic collection off; call from the GUI thread."""
        if self._users == 0:
            self._was_enabled = gc.isenabled()
            gc.disable()
        self._users += 1

    def stop(self) -> None:
        """One window fewer; the last one collects once more and turns automatic collection
        back on if it was on."""
        if self._users == 0:
            return
        self._users -= 1
        if self._users:
            return
        gc.collect()
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    def tick(self, now: float | None = None) -> int:
        """Collect the oldest generation whose count passed its threshold, as CPython would
        have (a full collection at most every FULL_EVERY_S, standing in for CPython's rule of
        waiting until a quarter of the old objects are new); returns that generation, or -1
        when none is due."""
        if self._was_enabled is None:
            return -1
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if thresholds[0] <= 0 or counts[0] <= thresholds[0]:
            return -1
        gen = next(g for g in (2, 1, 0) if g == 0 or counts[g] > thresholds[g])
        now = time.monotonic() if now is None else now
        if gen == 2:
            if now - self._full_at < FULL_EVERY_S:
                gen = 1
            else:
                self._full_at = now
        gc.collect(gen)
        self.collections[gen] += 1
        return gen


COLLECTOR = GuiCollector()  # one per process: every window's pump shares it
