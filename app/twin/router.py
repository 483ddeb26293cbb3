"""Per-device choice of twin transport: the wire a device's profile declares, else its driver.

A driver that knows how twin traffic reaches its boards offers
``twin_transport(runtime, device_id) -> TwinTransport | None`` (the serial driver from the
profile's ``[twin]`` table, BLE from its profile's characteristics, MQTT with the IoT Hub
topics). Devices whose driver offers nothing go through `DriverTransport` (the driver's
`command()`, as the simulated rig does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twinbench.twin.transport import CommandFailed, DriverTransport, TwinTransport

if TYPE_CHECKING:
    from twinbench.runtime import Runtime


class ProfileTransport(TwinTransport):
    """Routes each device's twin traffic to the transport its driver (and profile) declares."""

    def __init__(
        self,
        runtime: Runtime,
        on_reported: Callable[[str, dict[str, Any]], int | None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.on_reported = on_reported  # for reports boards send on their own (MQTT)
        self.fallback = DriverTransport(runtime)
        self.requests = self.fallback.requests

    def for_device(self, device_id: str) -> TwinTransport:
        """The transport that carries this device's twin traffic."""
        try:
            driver = self.fallback._driver_for(device_id)
        except CommandFailed:
            return self.fallback
        hook = getattr(driver, "twin_transport", None)
        chosen: Any = hook(self.runtime, device_id) if callable(hook) else None
        if not isinstance(chosen, TwinTransport):
            return self.fallback
        if getattr(chosen, "on_reported", False) is None and self.on_reported is not None:
            chosen.on_reported = self.on_reported
        return chosen

    def attach(self, device_id: str) -> None:
        """A device appeared: let its driver wire its twin transport (unsolicited reports)."""
        self.for_device(device_id)

    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """Send through the device's transport."""
        return self.for_device(device_id).send_desired(device_id, patch, version, timeout)

    def invoke(self, device_id: str, name: str, payload: Any, timeout: float) -> dict[str, Any]:
        """Invoke through the device's transport."""
        return self.for_device(device_id).invoke(device_id, name, payload, timeout)

    def get_reported(self, device_id: str, timeout: float) -> dict[str, Any]:
        """Ask through the device's transport."""
        return self.for_device(device_id).get_reported(device_id, timeout)
