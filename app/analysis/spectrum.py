"""Amplitude spectra with window functions and segment averaging, and peak readout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOWS = ("rectangular", "hann", "hamming", "blackman", "flattop")


def window(name: str, n: int) -> np.ndarray:
    """The window function `name` of length n."""
    if name == "rectangular":
        return np.ones(n)
    if name == "hann":
        return np.hanning(n)
    if name == "hamming":
        return np.hamming(n)
    if name == "blackman":
        return np.blackman(n)
    if name == "flattop":
        a = (0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368)
        k = 2 * np.pi * np.arange(n) / (n - 1)
        return (
            a[0]
            - a[1] * np.cos(k)
            + a[2] * np.cos(2 * k)
            - a[3] * np.cos(3 * k)
            + a[4] * np.cos(4 * k)
        )
    raise ValueError(f"unknown window {name!r}; valid: {', '.join(WINDOWS)}")


@dataclass(frozen=True)
class Spectrum:
    """Single-sided amplitude spectrum: frequencies (Hz) and peak amplitudes (signal units)."""

    freqs: np.ndarray
    amplitude: np.ndarray
    segments: int

    def peaks(self, count: int = 5, min_amplitude: float = 0.0) -> list[tuple[float, float]]:
        """The strongest local maxima as (frequency, amplitude), strongest first, DC excluded."""
        a = self.amplitude
        if a.size < 3:
            return []
        inner = (a[1:-1] > a[:-2]) & (a[1:-1] >= a[2:]) & (a[1:-1] > min_amplitude)
        idx = np.flatnonzero(inner) + 1
        idx = idx[np.argsort(a[idx])[::-1][:count]]
        return [(float(self.freqs[i]), float(a[i])) for i in idx]


def amplitude_spectrum(
    x: np.ndarray,
    fs: float,
    size: int | None = None,
    window_name: str = "hann",
    averages: int = 1,
    remove_mean: bool = True,
) -> Spectrum:
    """Averaged amplitude spectrum of the last `averages` segments of `size` samples of x."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if fs <= 0:
        raise ValueError("sample rate must be positive")
    size = int(size or x.size)
    if size < 2 or x.size < size:
        raise ValueError(f"need at least {size} finite samples, have {x.size}")
    averages = max(1, min(averages, x.size // size))
    segs = x[x.size - averages * size :].reshape(averages, size)
    if remove_mean:
        segs = segs - segs.mean(axis=1, keepdims=True)
    w = window(window_name, size)
    mag = np.abs(np.fft.rfft(segs * w, axis=1)).mean(axis=0)
    amp = mag / w.sum()
    amp[1:] *= 2.0
    if size % 2 == 0:
        amp[-1] /= 2.0
    return Spectrum(np.fft.rfftfreq(size, 1.0 / fs), amp, averages)
