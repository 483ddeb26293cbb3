import numpy as np
import pytest

from twinbench.analysis.spectrum import amplitude_spectrum
from twinbench.derived.ops import (
    Derivative,
    HighPass,
    Integral,
    LowPass,
    MovingAverage,
    first_order_scan,
    magnitude,
)


def chunked(op, x, t, sizes):
    out, i = [], 0
    for s in sizes:
        out.append(op(x[i : i + s], t[i : i + s]))
        i += s
    return np.concatenate(out)


def reference_scan(x, a, b, y0):
    y, out = y0, []
    for v in x:
        y = a * y + b * v
        out.append(y)
    return np.array(out)


@pytest.mark.parametrize("a", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_first_order_scan_matches_the_recurrence(a):
    x = np.random.default_rng(1).standard_normal(3000)
    np.testing.assert_allclose(
        first_order_scan(x, a, 1 - a, 2.0), reference_scan(x, a, 1 - a, 2.0), rtol=1e-9, atol=1e-9
    )


T = np.arange(1000, dtype=np.int64) * 1_000_000  # 1 kHz
X = np.sin(2 * np.pi * 5 * T / 1e9) + 0.1 * np.random.default_rng(0).standard_normal(1000)


@pytest.mark.parametrize(
    "make",
    [lambda: MovingAverage(25), Derivative, Integral, lambda: LowPass(10), lambda: HighPass(10)],
)
def test_chunked_equals_whole(make):
    whole = make()(X, T)
    parts = chunked(make(), X, T, [1, 7, 300, 2, 690])
    np.testing.assert_allclose(parts, whole, rtol=1e-9, atol=1e-9, equal_nan=True)


def test_values():
    ma = MovingAverage(3)(np.array([3.0, 6, 9, 12]), np.arange(4))
    np.testing.assert_allclose(ma, [3, 4.5, 6, 9])
    t = np.arange(5, dtype=np.int64) * 500_000_000  # 2 Hz
    d = Derivative()(np.array([0.0, 1, 2, 3, 4]), t)
    assert np.isnan(d[0]) and np.allclose(d[1:], 2.0)
    i = Integral()(np.full(5, 2.0), t)
    np.testing.assert_allclose(i, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(magnitude(np.array([3.0]), np.array([4.0]), np.array([0.0])), [5])


def test_lowpass_attenuates_high_frequencies_and_highpass_the_low_ones():
    t = np.arange(20000, dtype=np.int64) * 1_000_000
    x = np.sin(2 * np.pi * 1 * t / 1e9) + np.sin(2 * np.pi * 200 * t / 1e9)

    def amp(y, f):  # amplitude at f Hz over the last 10 s (whole periods of both tones)
        s = amplitude_spectrum(y[10000:], 1000.0, window_name="rectangular", remove_mean=False)
        return s.amplitude[np.argmin(np.abs(s.freqs - f))]

    lp, hp = LowPass(5)(x, t), HighPass(50)(x, t)
    assert amp(lp, 1) > 0.95 and amp(lp, 200) < 0.03  # first order: 5/200 = 0.025
    assert amp(hp, 200) > 0.8 and amp(hp, 1) < 0.03  # discrete first order at fs/fc = 20


def test_lowpass_holds_through_nan():
    t = np.arange(6, dtype=np.int64) * 1_000_000
    out = LowPass(1)(np.array([1.0, 1, np.nan, np.nan, 1, 1]), t)
    assert np.isfinite(out).all() and np.allclose(out, 1.0)


def test_bad_parameters():
    with pytest.raises(ValueError, match="at least 1"):
        MovingAverage(0)
    with pytest.raises(ValueError, match="positive"):
        LowPass(0)
