"""Orientation from raw IMU channels through imufusion's AHRS, run on a consumer thread."""

from __future__ import annotations

import threading

import numpy as np

from twinbench.model import Chunk

G_MS2 = 9.80665


class ImuFusion:
    """One AHRS filter fed with accelerometer (g), gyroscope and optional magnetometer channels.

    The sample period comes from the data: the median spacing of each chunk's timestamps.
    imufusion updates one sample per call, so the loop runs on the fusion worker, never the GUI.
    """

    def __init__(
        self,
        accel: tuple[str, str, str],
        gyro: tuple[str, str, str],
        mag: tuple[str, str, str] | None = None,
        gyro_units: str = "deg/s",
        gain: float = 0.5,
    ) -> None:
        import imufusion

        self._imufusion = imufusion
        self.accel, self.gyro, self.mag = accel, gyro, mag
        self.gyro_scale = 180.0 / np.pi if gyro_units == "rad/s" else 1.0
        self.gain = gain
        self.ahrs = imufusion.Ahrs()
        self.sample_rate = 0.0
        self.samples = 0
        self.skipped = 0  # samples with NaN values, counted and left out
        self.quaternion = np.array([1.0, 0.0, 0.0, 0.0])
        self.error = ""
        self._lock = threading.Lock()

    def _configure(self, rate: float) -> None:
        settings = self._imufusion.AhrsSettings(
            sample_rate=float(rate),
            convention=self._imufusion.CONVENTION_NWU,
            gain=self.gain,
            gyroscope_range=2000.0,
            acceleration_rejection=10.0,
            magnetic_rejection=10.0,
            rejection_timeout=int(5 * rate),
        )
        self.ahrs.set_settings(settings)
        self.sample_rate = float(rate)

    def update(
        self, t_ns: np.ndarray, gyro: np.ndarray, accel: np.ndarray, mag: np.ndarray | None = None
    ) -> np.ndarray:
        """Feed n samples (arrays n x 3); return the n quaternions (w, x, y, z)."""
        n = int(t_ns.shape[0])
        out = np.empty((n, 4))
        if n == 0:
            return out
        if n > 1:
            dt = float(np.median(np.diff(t_ns))) * 1e-9
            if dt > 0 and (not self.sample_rate or abs(1.0 / dt - self.sample_rate) > 0.01 / dt):
                self._configure(1.0 / dt)
        if not self.sample_rate:
            self._configure(100.0)
        self.ahrs.set_sample_period(1.0 / self.sample_rate)
        g = np.ascontiguousarray(gyro, dtype=np.float64) * self.gyro_scale
        a = np.ascontiguousarray(accel, dtype=np.float64)
        m = None if mag is None else np.ascontiguousarray(mag, dtype=np.float64)
        ok = np.isfinite(g).all(axis=1) & np.isfinite(a).all(axis=1)
        if m is not None:
            ok &= np.isfinite(m).all(axis=1)
        self.skipped += int(n - ok.sum())
        ahrs = self.ahrs
        q = self.quaternion
        for i in range(n):  # imufusion takes one sample per call
            if ok[i]:
                if m is None:
                    ahrs.update_no_magnetometer(g[i], a[i])
                else:
                    ahrs.update(g[i], a[i], m[i])
                q = ahrs.get_quaternion()
            out[i] = q
        self.samples += n
        with self._lock:
            self.quaternion = np.array(q, dtype=np.float64)
        return out

    def feed(self, chunks: list[Chunk]) -> None:
        """Consume chunks of one device; chunks lacking the channels set `error`."""
        for chunk in chunks:
            names = chunk.channels
            wanted = (*self.accel, *self.gyro, *(self.mag or ()))
            missing = [c for c in wanted if c not in names]
            if missing:
                self.error = (
                    f"IMU fusion on {chunk.device}: channel {', '.join(map(repr, missing))} "
                    "missing from its data"
                )
                continue
            ia = [names.index(c) for c in self.accel]
            ig = [names.index(c) for c in self.gyro]
            im = None if self.mag is None else [names.index(c) for c in self.mag]
            v = chunk.values
            self.update(chunk.t_ns, v[:, ig], v[:, ia], None if im is None else v[:, im])

    def latest(self) -> np.ndarray:
        """The most recent orientation quaternion (w, x, y, z)."""
        with self._lock:
            return self.quaternion.copy()
