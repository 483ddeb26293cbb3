"""Cyclic garbage is collected on the thread that ticks the collector, never on a worker."""

from __future__ import annotations

import gc
import itertools
import threading

from tests.cycles import Cycle
from twinbench.gui.gcpin import GuiCollector


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


def test_full_collections_are_spaced_out():
    from twinbench.gui import gcpin

    was = gc.isenabled()
    c = GuiCollector()
    c.start()
    try:
        gens = []
        keep = []
        for i in range(400):  # many gen-0 collections, hence gen-1 and gen-2 ones due
            keep.append([[j] for j in range(2 * gc.get_threshold()[0])])
            gens.append(c.tick(now=i * 0.1))  # 40 s of ticks, 10 per second
        full = [i for i, g in enumerate(gens) if g == 2]
        assert len(full) >= 3  # still done (gen 2 came due every 100 collections)
        spacing = [b - a for a, b in itertools.pairwise(full)]
        assert min(spacing) >= gcpin.FULL_EVERY_S / 0.1
        assert gens.count(1) > 0 and gens.count(0) > 0
    finally:
        c.stop()
        (gc.enable if was else gc.disable)()
