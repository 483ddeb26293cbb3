"""The TwinBench plugin API: import driver building blocks from here."""

from twinbench.drivers.base import (
    API_VERSION,
    Channel,
    Chunk,
    Device,
    Driver,
    Setting,
    SettingError,
    Sink,
    stop_task,
)

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
