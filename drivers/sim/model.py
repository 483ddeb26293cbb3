"""The physics of the simulated motor rig, vectorised over blocks of sample indices."""

from __future__ import annotations

import numpy as np

from twinbench.drivers.base import Channel
from twinbench.drivers.sim.faults import Fault

BASE_CHANNELS = (
    Channel("temperature", "degC", description="motor winding temperature"),
    Channel("current", "A", description="phase current"),
    Channel("rpm", "rpm", description="shaft speed"),
    Channel("vibration", "g", description="bearing vibration"),
    Channel("voltage", "V", description="supply voltage"),
    Channel("qw", "", description="IMU orientation quaternion w"),
    Channel("qx", "", description="IMU orientation quaternion x"),
    Channel("qy", "", description="IMU orientation quaternion y"),
    Channel("qz", "", description="IMU orientation quaternion z"),
)

_LOAD_PERIOD = 30.0  # s
_TAU = 20.0  # s, thermal time constant
_OMEGA = 2 * np.pi / _LOAD_PERIOD


def channels(total: int) -> tuple[Channel, ...]:
    """The rig's channels, padded with auxiliary ones up to `total`."""
    extra = tuple(
        Channel(f"aux{i}", "", description="auxiliary analog input")
        for i in range(max(0, total - len(BASE_CHANNELS)))
    )
    return BASE_CHANNELS + extra


class RigModel:
    """Deterministic signal model of one rig: values depend only on the sample index and seed."""

    def __init__(self, rate: float, seed: int, n_channels: int, faults: tuple[Fault, ...]) -> None:
        self.rate = rate
        self.n = n_channels
        self.faults = faults
        rng = np.random.default_rng(seed)
        self.phase = float(rng.uniform(0, 2 * np.pi))
        self.aux_freq = rng.uniform(0.05, 2.0, size=max(0, n_channels - len(BASE_CHANNELS)))
        self.noise = np.random.default_rng(seed + 1_000_003)
        self.vib_phase = 0.0
        self.rpm_gain = 1.0  # set by the twin's targetSpeed / mode
        self.last_temperature = 25.0

    def _load(self, t: np.ndarray) -> np.ndarray:
        return 0.6 + 0.3 * np.sin(_OMEGA * t + self.phase)

    def _temperature(self, t: np.ndarray) -> np.ndarray:
        # first-order lag of the sinusoidal load, in closed form (steady state plus start transient)
        gain = 1.0 / np.sqrt(1.0 + (_OMEGA * _TAU) ** 2)
        lag = np.arctan(_OMEGA * _TAU)
        steady = 25.0 + 20.0 * (0.6 + 0.3 * gain * np.sin(_OMEGA * t + self.phase - lag))
        return steady - 12.0 * np.exp(-t / _TAU)

    def _active(self, kind: str, t: np.ndarray) -> np.ndarray:
        mask = np.zeros(t.shape, bool)
        for f in self.faults:
            if f.kind == kind:
                mask |= (t >= f.start) & (t < f.end)
        return mask

    def block(self, i0: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Samples i0..i0+n: (kept sample indices, values[n_kept, k]) with faults applied."""
        idx = np.arange(i0, i0 + n, dtype=np.int64)
        t = idx / self.rate
        load = self._load(t)
        noise = self.noise.standard_normal((n, 5))
        out = np.empty((n, self.n))
        temp = self._temperature(t)
        for f in self.faults:
            if f.kind == "overheat":
                on = np.clip(t - f.start, 0, f.duration)
                rise = 45.0 * (1 - np.exp(-on / 8.0))
                off = np.clip(t - f.end, 0, None)
                temp = temp + np.where(t >= f.start, rise * np.exp(-off / _TAU), 0.0)
        out[:, 0] = temp + 0.02 * noise[:, 0]
        if n:
            self.last_temperature = float(out[-1, 0])
        current = 0.5 + 8.0 * load * self.rpm_gain
        out[:, 1] = current + 0.05 * noise[:, 1]
        rpm = 3000.0 * load * self.rpm_gain
        out[:, 2] = rpm + 5.0 * noise[:, 2]
        dphi = 2 * np.pi * rpm / 60.0 / self.rate
        phi = self.vib_phase + np.cumsum(dphi)
        self.vib_phase = float(phi[-1] % (2 * np.pi)) if n else self.vib_phase
        amp = 0.05 + 0.02 * load
        amp = np.where(self._active("bearing", t), amp * 8.0, amp)
        out[:, 3] = amp * np.sin(phi) + 0.005 * noise[:, 3]
        out[:, 4] = 24.0 - 0.15 * current + 0.01 * noise[:, 4]
        # orientation: slow yaw, small pitch/roll wobble, as a unit quaternion
        yaw, pitch, roll = 0.3 * t, 0.1 * np.sin(0.5 * t), 0.05 * np.sin(0.7 * t)
        cy, sy = np.cos(yaw / 2), np.sin(yaw / 2)
        cp, sp = np.cos(pitch / 2), np.sin(pitch / 2)
        cr, sr = np.cos(roll / 2), np.sin(roll / 2)
        out[:, 5] = cr * cp * cy + sr * sp * sy
        out[:, 6] = sr * cp * cy - cr * sp * sy
        out[:, 7] = cr * sp * cy + sr * cp * sy
        out[:, 8] = cr * cp * sy - sr * sp * cy
        if self.n > 9:
            out[:, 9:] = np.sin(2 * np.pi * np.outer(t, self.aux_freq))
        for f in self.faults:
            if f.kind == "spike":
                hit = (t >= f.start) & (t < f.start + max(f.duration, 1.0 / self.rate))
                out[hit, 1] *= 10.0
        nan = self._active("nan", t)
        if nan.any():
            out[nan, 0] = np.nan
        keep = ~self._active("dropout", t)
        if keep.all():
            return idx, out
        return idx[keep], out[keep]
