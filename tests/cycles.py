"""Garbage for the collector tests: objects in reference cycles that note who finalized them."""

from __future__ import annotations

import threading


class Cycle:
    """An object in a reference cycle; its finalizer notes the thread it ran on."""

    finalized_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.finalized_on.append(threading.current_thread().name)
