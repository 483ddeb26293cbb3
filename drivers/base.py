"""The plugin API: everything a driver author needs, and nothing else.

A driver declares its settings as a schema, opens and closes asynchronously on TwinBench's I/O
thread, and pushes chunks (or raw bytes) into the sink it is given. Register a driver through the
``twinbench.drivers`` entry-point group; the built-in drivers register the same way.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from twinbench.model import Channel, Chunk, Device

SettingType = Literal["str", "int", "float", "bool", "choice"]

API_VERSION = "1.0"
"""The plugin API version; every public name below appeared in 1.0 (TwinBench 0.1.0)."""


class SettingError(ValueError):
    """A driver setting is unknown or its value is invalid; the message names it."""


@dataclass(frozen=True)
class Setting:
    """One entry of a driver's settings schema (drives the GUI form and the CLI `--set`)."""

    key: str
    label: str
    type: SettingType = "str"
    default: Any = None
    choices: Sequence[str] | None = None
    min: float | None = None
    max: float | None = None
    help: str = ""
    secret: bool = False

    def parse(self, raw: Any) -> Any:
        """Convert and check a value (text from the CLI or a typed value from a form)."""
        name = f"setting {self.key!r}"
        try:
            if self.type == "bool":
                if isinstance(raw, bool):
                    value: Any = raw
                elif str(raw).strip().lower() in ("1", "true", "yes", "on"):
                    value = True
                elif str(raw).strip().lower() in ("0", "false", "no", "off"):
                    value = False
                else:
                    raise ValueError
            elif self.type == "int":
                value = int(raw, 0) if isinstance(raw, str) else int(raw)
            elif self.type == "float":
                value = float(raw)
                if not math.isfinite(value):
                    raise ValueError
            else:
                value = str(raw)
        except (TypeError, ValueError):
            raise SettingError(f"{name}: {raw!r} is not a valid {self.type}") from None
        if self.choices is not None and value not in self.choices:
            raise SettingError(f"{name}: {raw!r} is not one of {', '.join(map(str, self.choices))}")
        if self.type in ("int", "float"):
            lo = -math.inf if self.min is None else self.min
            hi = math.inf if self.max is None else self.max
            if not lo <= value <= hi:
                raise SettingError(f"{name}: {raw!r} is out of range {self.range_text()}")
        return value

    def range_text(self) -> str:
        """The allowed range as text, for messages and help."""
        lo = "" if self.min is None else f"{self.min:g}"
        hi = "" if self.max is None else f"{self.max:g}"
        return f"{lo}..{hi}"

    def describe(self) -> str:
        """One line for `twinbench drivers list`."""
        bits = [f"{self.key}={self.default!r}", self.type]
        if self.choices:
            bits.append("{" + "|".join(map(str, self.choices)) + "}")
        if self.min is not None or self.max is not None:
            bits.append(f"range {self.range_text()}")
        text = f"{bits[0]:<28} {' '.join(bits[1:])}"
        return f"{text}  {self.label}" + (f" ({self.help})" if self.help else "")


class Sink(Protocol):
    """Where a driver sends what it reads; safe to call from any thread."""

    def declare(self, device: Device) -> None:
        """Announce a device and its channels before pushing its data."""

    def push(self, chunk: Chunk) -> None:
        """Publish a chunk of decoded samples."""

    def push_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        """Publish raw bytes received from a byte transport, stamped at reception."""

    def status(self, device_id: str, state: str, message: str = "") -> None:
        """Report a connection state change (connected, disconnected, error)."""


async def stop_task(task: asyncio.Task[Any] | None) -> None:
    """Cancel a driver's streaming task and wait until it has finished."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class Driver(abc.ABC):
    """Base class of every transport; subclasses set `name`, `settings` and implement open/close."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    settings: ClassVar[tuple[Setting, ...]] = ()
    transient: ClassVar[bool] = False  # True: a source the GUI never restores (replay, file)

    def __init__(self, config: Mapping[str, Any], sink: Sink) -> None:
        self.config = dict(config)
        self.sink = sink

    @classmethod
    def parse_settings(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate raw settings against the schema and fill in defaults."""
        known = {s.key: s for s in cls.settings}
        for key in raw:
            if key not in known:
                valid = ", ".join(known) or "none"
                raise SettingError(
                    f"unknown setting {key!r} for driver {cls.name!r}; valid: {valid}"
                )
        return {k: (s.parse(raw[k]) if k in raw else s.default) for k, s in known.items()}

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect and start pushing data into the sink; return once streaming has started."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop streaming and release the transport."""

    async def write(self, data: bytes) -> None:
        """Send raw bytes to the device."""
        raise NotImplementedError(f"driver {self.name!r} cannot write bytes")

    async def command(self, device_id: str, name: str, payload: Any = None) -> Any:
        """Send a named command to a device and return its answer."""
        raise NotImplementedError(f"driver {self.name!r} has no commands")


__all__ = [
    "API_VERSION",
    "Channel",
    "Chunk",
    "Device",
    "Driver",
    "Setting",
    "SettingError",
    "Sink",
    "stop_task",
]
