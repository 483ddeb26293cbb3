import numpy as np
import pandas as pd
import pytest

from twinbench.analysis.histogram import histogram, span_stats
from twinbench.analysis.spectrum import WINDOWS, amplitude_spectrum


def test_plotjuggler_simple_fft_peaks(fixtures_dir):
    df = pd.read_csv(fixtures_dir / "plotjuggler" / "simple_fft.csv")
    fs = 1.0 / np.median(np.diff(df["time"].to_numpy()))
    assert fs == pytest.approx(1000.0)
    spec = amplitude_spectrum(df["data"].to_numpy(), fs, size=2000, window_name="hann")
    peaks = sorted(spec.peaks(3))
    assert [round(f) for f, _ in peaks] == [40, 90, 120]
    np.testing.assert_allclose([a for _, a in peaks], [10, 5, 2.5], rtol=0.02)
    assert spec.amplitude[0] < 1e-3  # the offset of 1 is removed


def test_offset_kept_when_mean_not_removed():
    t = np.arange(1000) / 1000
    spec = amplitude_spectrum(
        1.0 + 3 * np.sin(2 * np.pi * 50 * t), 1000, window_name="hann", remove_mean=False
    )
    assert spec.amplitude[0] == pytest.approx(1.0, rel=1e-3)
    assert spec.peaks(1)[0] == pytest.approx((50.0, 3.0), rel=1e-3)


@pytest.mark.parametrize("win", WINDOWS)
def test_every_window_measures_an_on_bin_tone(win):
    t = np.arange(4096) / 4096
    spec = amplitude_spectrum(2 * np.sin(2 * np.pi * 256 * t), 4096, window_name=win)
    f, a = spec.peaks(1)[0]
    assert f == 256 and a == pytest.approx(2.0, rel=0.01)


def test_averaging_uses_the_latest_segments_and_reduces_noise():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(8192 * 8)
    one = amplitude_spectrum(x, 1000, size=8192, averages=1)
    eight = amplitude_spectrum(x, 1000, size=8192, averages=8)
    assert eight.segments == 8 and one.segments == 1
    assert eight.amplitude[1:].std() < one.amplitude[1:].std() / 2


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 100"):
        amplitude_spectrum(np.ones(10), 1000, size=100)
    with pytest.raises(ValueError, match="unknown window 'box'"):
        amplitude_spectrum(np.ones(10), 1000, window_name="box")


def test_histogram_ignores_nan_and_span_stats_between_cursors():
    counts, edges = histogram(np.array([0.0, 1, 1, np.nan, 2]), bins=3)
    assert counts.tolist() == [1, 2, 1] and len(edges) == 4
    t = np.arange(10) * 1_000_000_000
    y = np.arange(10.0)
    y[5] = np.nan
    s = span_stats(t, y, 8_000_000_000, 2_000_000_000)
    assert s.dt_s == 6 and s.minimum == 2 and s.maximum == 8 and s.delta == 6 and s.count == 6
    assert s.mean == pytest.approx(np.mean([2, 3, 4, 6, 7, 8]))
