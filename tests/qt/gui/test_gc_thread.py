"""While the window runs, garbage made on worker threads is collected by the GUI's pump, on the
GUI thread (a worker's collection could destroy Qt or vispy objects off their thread)."""

from __future__ import annotations

import gc
import threading

from tests.cycles import Cycle


def test_the_pump_collects_what_workers_leave(make_bench, qtbot):
    from twinbench.gui.gcpin import COLLECTOR

    bench = make_bench()
    assert COLLECTOR.active and not gc.isenabled()
    Cycle.finalized_on.clear()
    before = sum(COLLECTOR.collections)

    def worker() -> None:
        for _ in range(100):
            Cycle()
        keep = [[i] for i in range(5 * gc.get_threshold()[0])]  # a collection is due
        held.append(keep)

    held: list = []
    t = threading.Thread(target=worker, name="decoder-like worker")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(Cycle.finalized_on) == 100, timeout=5000)
    assert set(Cycle.finalized_on) == {threading.main_thread().name}
    assert sum(COLLECTOR.collections) > before
    assert bench.runtime.hub.devices  # the sim streamed on meanwhile
