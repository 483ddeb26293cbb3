"""Cyclic garbage is collected on the thread that ticks the collector, never on a worker."""

from __future__ import annotations

import gc
import threading

from twinbench.gui.gcpin import GuiCollector


class Cycle:
    """An object in a reference cycle that notes which thread finalized it."""

    finalized_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.finalized_on.append(threading.current_thread().name)


def test_start_stop_are_counted_and_restore_the_previous_state():
    was = gc.isenabled()
    gc.enable()
    try:
        c = GuiCollector()
        c.start()
        c.start()
        assert not gc.isenabled() and c.active
        c.stop()
        assert not gc.isenabled()  # one window still runs
        c.stop()
        assert gc.isenabled() and not c.active
        c.stop()  # one stop too many is harmless
        assert gc.isenabled()
        gc.disable()
        c.start()
        c.stop()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        (gc.enable if was else gc.disable)()


def test_garbage_a_worker_makes_is_finalized_by_the_ticking_thread():
    was = gc.isenabled()
    gc.enable()
    c = GuiCollector()
    c.start()
    try:
        Cycle.finalized_on.clear()

        def worker() -> None:
            for _ in range(200):
                Cycle()  # unreachable at once, but only a collection frees it
            junk = [[i] for i in range(50_000)]  # allocations that would trigger a collection
            del junk

        t = threading.Thread(target=worker, name="worker")
        t.start()
        t.join()
        assert Cycle.finalized_on == []  # no collection ran on the worker
        keep = [[i] for i in range(2 * gc.get_threshold()[0])]  # now a collection is due
        assert c.tick() >= 0
        del keep
        assert len(Cycle.finalized_on) == 200
        assert set(Cycle.finalized_on) == {threading.current_thread().name}
        assert sum(c.collections) >= 1
    finally:
        c.stop()
        (gc.enable if was else gc.disable)()
