"""A cap on the devices one driver may create from traffic: refusals counted and reported once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEFAULT_MAX_DEVICES = 200
USER_PREFIX = "topic:"  # devices the user made with "Plot field": never refused
NAMES_KEPT = 100_000  # refused ids remembered, so each is counted once (beyond: counted again)


class DeviceCap:
    """Admits new device ids up to `limit` (0: no limit); counts the devices and samples refused."""

    def __init__(
        self, limit: int, driver: str = "", event: Callable[..., Any] | None = None
    ) -> None:
        self.limit = limit
        self.driver = driver
        self.event = event
        self.admitted = 0
        self.refused: set[str] = set()
        self.refused_devices = 0
        self.refused_samples = 0

    def admit(self, device: str, samples: int = 0) -> bool:
        """True when a new device may be created; else count the refusal and return False."""
        if device.startswith(USER_PREFIX):
            return True
        if not self.limit or self.admitted < self.limit:
            self.admitted += 1
            return True
        self.refused_samples += samples
        if device in self.refused:
            return False
        if len(self.refused) < NAMES_KEPT:
            self.refused.add(device)
        self.refused_devices += 1
        if self.refused_devices == 1 and self.event is not None:
            self.event(
                "mqtt",
                "",
                f"{self.driver}: device cap {self.limit} reached; further devices are refused "
                "(raise the driver setting max_devices, or narrow the pattern)",
                limit=self.limit,
            )
        return False

    def stats(self) -> dict[str, int]:
        """Counters for diagnostics."""
        return {
            "max_devices": self.limit,
            "devices": self.admitted,
            "refused_devices": self.refused_devices,
            "refused_samples": self.refused_samples,
        }
