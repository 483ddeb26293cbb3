import numpy as np
import pytest

from twinbench.model import Channel, Chunk, Device


def test_chunk_is_read_only_and_shaped():
    c = Chunk("d", ("a", "b"), np.arange(3), np.zeros((3, 2)))
    assert len(c) == 3 and c.n_values == 6
    with pytest.raises(ValueError):
        c.values[0, 0] = 1.0
    with pytest.raises(ValueError):
        c.t_ns[0] = 5
    assert c.t_ns.dtype == np.int64 and c.values.dtype == np.float64
    np.testing.assert_array_equal(c.column("b"), [0, 0, 0])


def test_chunk_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="does not match"):
        Chunk("d", ("a", "b"), np.arange(3), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="does not match"):
        Chunk("d", ("a",), np.arange(4), np.zeros((3, 1)))


def test_one_dimensional_values_become_a_column():
    c = Chunk("d", ("a",), np.arange(3), np.array([1.0, 2.0, 3.0]))
    assert c.values.shape == (3, 1)


def test_device_channel_lookup():
    d = Device("x", "sim", (Channel("t", "degC"), Channel("i", "A")))
    assert d.channel("i").unit == "A"
    assert d.channel_names == ("t", "i")
    with pytest.raises(KeyError):
        d.channel("nope")
