"""One worker thread for the panels' heavy sums (FFTs...): the GUI thread only applies results.

A panel submits its latest job under its own key each tick (an older one not yet started is
replaced: only the newest data matters) and takes the finished result on a later tick.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

SERVICE = "offthread"


class LatestJobs:
    """A single worker: at most one pending job per key, newest wins; results kept per key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[Any, tuple[Callable[..., Any], tuple[Any, ...]]] = {}
        self._results: dict[Any, tuple[Any, BaseException | None]] = {}
        self._stopped = False
        self.thread: threading.Thread | None = None
        self.done = 0

    def submit(self, key: Any, fn: Callable[..., Any], *args: Any) -> None:
        """Queue `fn(*args)` under `key` (replacing a job of that key not yet started)."""
        with self._lock:
            self._jobs[key] = (fn, args)
            self._stopped = False
            if self.thread is None:  # the worker ends when it runs out of jobs: no idle thread
                self.thread = threading.Thread(target=self._run, name="twinbench-offthread",
                                               daemon=True)  # fmt: skip
                self.thread.start()

    def take(self, key: Any) -> tuple[bool, Any]:
        """(True, result) when a job of `key` has finished since the last take; re-raises."""
        with self._lock:
            got = self._results.pop(key, None)
        if got is None:
            return False, None
        value, exc = got
        if exc is not None:
            raise exc
        return True, value

    def forget(self, key: Any) -> None:
        """Drop a key's pending job and result (its panel closed)."""
        with self._lock:
            self._jobs.pop(key, None)
            self._results.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._jobs or self._stopped:
                    self.thread = None
                    return
                key = next(iter(self._jobs))
                fn, args = self._jobs.pop(key)
            try:
                out: tuple[Any, BaseException | None] = (fn(*args), None)
            except Exception as exc:  # handed to the panel on its next take
                out = (None, exc)
            with self._lock:
                self._results[key] = out
                self.done += 1

    def is_alive(self) -> bool:
        """Always, to `Runtime.start` (it must not start this); `stop` ends the thread."""
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """End the worker (called by `Runtime.stop`)."""
        with self._lock:
            self._stopped = True
            t = self.thread
        if t is not None:
            t.join(timeout)


def jobs_of(ctx: Any) -> LatestJobs:
    """The app's one LatestJobs (made on first use, stopped with the runtime)."""
    svc = ctx.services.get(SERVICE)
    if svc is None:
        svc = ctx.services[SERVICE] = LatestJobs()
        workers = getattr(ctx.runtime, "workers", None)
        if isinstance(workers, list):
            workers.append(svc)
    return svc
