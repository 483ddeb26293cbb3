import numpy as np

from twinbench.hub import Hub
from twinbench.model import Chunk
from twinbench.tap import ChannelTap


def _chunk(t0, n, dev="d"):
    t = np.arange(t0, t0 + n) * 1_000_000
    v = np.stack([t / 1e6, -t / 1e6], axis=1)
    return Chunk(dev, ("a", "b"), t, v)


def test_tap_keeps_the_latest_samples_in_order_across_wraps():
    hub = Hub()
    tap = ChannelTap(hub, "d", ["b", "a"], capacity=100)
    for i in range(7):
        hub.publish(_chunk(i * 37, 37))
        hub.publish(_chunk(0, 5, dev="other"))
        tap.poll()
    t, v = tap.latest()
    assert tap.size == 100 and tap.total == 259
    np.testing.assert_array_equal(t, np.arange(159, 259) * 1_000_000)
    np.testing.assert_array_equal(v[:, 1], np.arange(159, 259))
    np.testing.assert_array_equal(v[:, 0], -np.arange(159, 259))
    assert tap.sample_rate() == 1000.0
    t2, _ = tap.latest(10)
    assert t2[0] == 249 * 1_000_000
    tap.close()
    assert not hub.subscriptions


def test_chunk_larger_than_capacity_and_missing_channel():
    hub = Hub()
    tap = ChannelTap(hub, "d", ["a", "zz"], capacity=50)
    hub.publish(_chunk(0, 120))
    tap.poll()
    _t, v = tap.latest()
    np.testing.assert_array_equal(v[:, 0], np.arange(70, 120))
    assert tap.total == 120
    assert np.isnan(v[:, 1]).all() and tap.missing == {"zz"}
    tap.close()
