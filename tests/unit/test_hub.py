import threading

import numpy as np

from twinbench.hub import Hub
from twinbench.model import Channel, Chunk, Device


def _chunk(n=10, dev="d", t0=0):
    return Chunk(dev, ("a", "b"), np.arange(t0, t0 + n), np.arange(2 * n).reshape(n, 2))


def test_publish_fans_out_the_same_chunk_to_every_subscriber():
    hub = Hub()
    subs = [hub.subscribe(f"s{i}") for i in range(3)]
    c = _chunk()
    hub.publish(c)
    got = [s.get(0) for s in subs]
    assert all(g is c for g in got)


def test_stats_count_last_value_per_channel():
    hub = Hub()
    hub.declare(Device("d", "sim", (Channel("a", "V"), Channel("b"))))
    hub.publish(_chunk(10))
    hub.publish(_chunk(5, t0=10))
    st = hub.devices["d"]
    assert st.samples == 15 and st.chunks == 2
    cs = st.channel_stats()
    assert cs["a"].count == 15 and cs["b"].last == 9.0 and cs["b"].last_t_ns == 14


def test_unknown_device_is_declared_from_its_first_chunk():
    hub = Hub()
    hub.publish(_chunk(dev="new"))
    assert hub.devices["new"].device.channel_names == ("a", "b")


def test_drop_policy_counts_what_it_drops():
    hub = Hub()
    sub = hub.subscribe("slow", maxsize=2)
    for i in range(5):
        hub.publish(_chunk(10, t0=10 * i))
    assert len(sub) == 2
    assert sub.dropped_chunks == 3 and sub.dropped_samples == 30
    assert hub.dropped() == 30


def test_block_policy_never_drops():
    hub = Hub()
    sub = hub.subscribe("recorder", maxsize=2, policy="block")
    got = []

    def consume():
        while len(got) < 50:
            c = sub.get(1.0)
            if c is not None:
                got.append(c)

    th = threading.Thread(target=consume)
    th.start()
    for i in range(50):
        hub.publish(_chunk(3, t0=3 * i))
    th.join(5)
    assert len(got) == 50 and sub.dropped_chunks == 0
    assert [int(c.t_ns[0]) for c in got] == [3 * i for i in range(50)]


def test_device_filter_on_subscription():
    hub = Hub()
    sub = hub.subscribe("only-x", devices=frozenset({"x"}))
    hub.publish(_chunk(dev="y"))
    hub.publish(_chunk(dev="x"))
    assert [c.device for c in sub.drain()] == ["x"]


def test_unsubscribe_stops_delivery():
    hub = Hub()
    sub = hub.subscribe("s")
    hub.unsubscribe(sub)
    hub.publish(_chunk())
    assert len(sub) == 0


def test_drops_are_counted_per_device():
    hub = Hub()
    sub = hub.subscribe("slow", maxsize=1)
    hub.publish(_chunk(10, dev="a"))
    hub.publish(_chunk(4, dev="a"))
    hub.publish(_chunk(6, dev="b"))
    assert sub.dropped_by_device == {"a": 4, "b": 6}
    assert hub.dropped("a") == 4 and hub.dropped("b") == 6 and hub.dropped() == 10
    assert hub.drops_by_subscriber("b") == {"slow": 6} and hub.drops_by_subscriber("c") == {}


def test_settle_heap_freezes_what_is_alive_and_collects_garbage() -> None:
    import gc
    import sys
    import weakref

    from numpy._core import multiarray

    from twinbench.runtime import settle_heap

    class Cycle:
        pass

    a = Cycle()
    a.me = a  # garbage in a cycle: only the collector frees it
    ref = weakref.ref(a)
    del a
    switch = sys.getswitchinterval()
    try:
        settle_heap()
        assert sys.getswitchinterval() <= 0.001  # a waking thread waits <= 1 ms for the GIL
        assert ref() is None  # collected before freezing, not frozen forever
        assert gc.get_freeze_count() > 0
        assert "numpy.ma" in sys.modules  # loaded now, not by np.unique in a chunk
        # numpy asks no more for huge pages (this returns the setting it replaces)
        assert multiarray._set_madvise_hugepage(True) is False
    finally:
        gc.unfreeze()
        sys.setswitchinterval(switch)
