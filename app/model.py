"""Devices, channels and chunks: the data model every layer shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True)
class Band:
    """Thresholds on either side of a channel's normal values (None: none on that side)."""

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    """One measured quantity of a device, with the display range and thresholds it declares."""

    name: str
    unit: str = ""
    dtype: str = "float64"
    description: str = ""
    range: tuple[float, float] | None = None  # (minimum, maximum) a gauge spans
    warn: Band | None = None  # amber beyond these
    alarm: Band | None = None  # red beyond these


@dataclass(frozen=True, slots=True)
class ChannelGroup:
    """A titled group of a device's channels and the widget kind that shows them."""

    title: str
    channels: tuple[str, ...]
    widget: str = ""  # "" lets the dashboard choose by the channels' names and units


@dataclass(frozen=True, slots=True)
class Device:
    """A source of chunks: an id, the driver that feeds it and its channels."""

    id: str
    driver: str
    channels: tuple[Channel, ...] = ()
    description: str = ""
    meta: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    groups: tuple[ChannelGroup, ...] = ()  # dashboard groups a profile declares

    def channel(self, name: str) -> Channel:
        """Return the channel called `name`."""
        for ch in self.channels:
            if ch.name == name:
                return ch
        raise KeyError(name)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Names of the channels in declaration order."""
        return tuple(ch.name for ch in self.channels)


@dataclass(frozen=True, slots=True, eq=False)
class Chunk:
    """A block of samples from one device: n timestamps by k channels, read-only once made."""

    device: str
    channels: tuple[str, ...]
    t_ns: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        t = np.asarray(self.t_ns, dtype=np.int64)
        v = np.asarray(self.values, dtype=np.float64)
        if v.ndim == 1:
            v = v.reshape(-1, 1)
        if t.ndim != 1 or v.ndim != 2:
            raise ValueError("t_ns must be 1-D and values 2-D")
        if v.shape != (t.shape[0], len(self.channels)):
            raise ValueError(
                f"values shape {v.shape} does not match {t.shape[0]} timestamps "
                f"x {len(self.channels)} channels"
            )
        if t.flags.writeable:
            t = t.view()
            t.flags.writeable = False
        if v.flags.writeable:
            v = v.view()
            v.flags.writeable = False
        object.__setattr__(self, "t_ns", t)
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "channels", tuple(self.channels))

    def __len__(self) -> int:
        """Number of samples (rows)."""
        return int(self.t_ns.shape[0])

    @property
    def n_values(self) -> int:
        """Number of values (rows times channels)."""
        return int(self.values.size)

    def column(self, name: str) -> np.ndarray:
        """Values of one channel."""
        return self.values[:, self.channels.index(name)]
