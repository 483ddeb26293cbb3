"""Time-like and counter channels are recognised by name and by their values (one chunk)."""

import numpy as np
import pytest

from twinbench.timelike import timelike_channels, timelike_columns, timelike_name


@pytest.mark.parametrize(
    "name", ["ts", "time", "timestamp", "seq", "Time_ms", "t_us", "imu/ts", "frame_seq", "epoch"]
)
def test_time_and_counter_names(name):
    assert timelike_name(name)


@pytest.mark.parametrize("name", ["temperature", "speed", "status", "gyro_x", "systole", "rate"])
def test_ordinary_names(name):
    assert not timelike_name(name)


def test_columns_epoch_counter_and_signals():
    n = 64
    t = np.arange(n, dtype=np.float64)
    cols = np.column_stack(
        [
            1.7e12 + t * 1.0,  # epoch ms
            1.7e9 + t * 0.001,  # epoch s at 1 kHz
            t + 100,  # counter
            np.sin(t),  # signal
            np.full(n, 21.5),  # constant
            np.floor(t / 4),  # steps, not +1 every row
            1.7e12 - t,  # epoch-sized but going back
        ]
    )
    assert timelike_columns(cols).tolist() == [True, True, True, False, False, False, False]


def test_short_chunks_and_nan_say_nothing():
    assert not timelike_columns(np.arange(4.0).reshape(4, 1)).any()
    col = np.arange(20.0)
    col[3] = np.nan
    assert not timelike_columns(col.reshape(-1, 1)).any()


def test_channels_by_name_or_values():
    vals = np.column_stack([np.arange(10.0), np.cos(np.arange(10.0))])
    assert timelike_channels(["n_rx", "x"], vals) == {"n_rx"}
    assert timelike_channels(["ts", "x"], None) == {"ts"}
