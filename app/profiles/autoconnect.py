"""Zero-touch recognition: a board whose USB ids match a profile is connected with that profile.

A `PortWatcher` polls the port list; when a recognised port appears, the matching profile's
driver is added to the runtime with the port filled in. A board unplugged and plugged back keeps
its driver, which reconnects by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twinbench.drivers.serial.ports import PortWatcher, list_ports
from twinbench.profiles.loader import Profile, all_profiles, match_port
from twinbench.runtime import Runtime


class AutoConnector:
    """Connects recognised boards as they appear; reports unknown ones to `on_unknown`."""

    def __init__(
        self,
        runtime: Runtime,
        profiles: list[Profile] | None = None,
        lister: Callable[[], list[dict[str, Any]]] = list_ports,
        interval: float = 0.5,
        on_unknown: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.profiles = profiles
        self.on_unknown = on_unknown
        self.connected: dict[str, Any] = {}  # port path -> driver
        self.watcher = PortWatcher(self._changed, interval, lister)

    def start(self) -> None:
        """Look at the ports now and keep watching."""
        self.watcher.poll()
        self.watcher.start()

    def stop(self) -> None:
        """Stop watching (drivers stay with the runtime)."""
        self.watcher.stop()

    def _changed(self, added: list[dict[str, Any]], removed: list[dict[str, Any]]) -> None:
        profiles = self.profiles if self.profiles is not None else all_profiles()
        for port in added:
            dev = port["device"]
            if dev in self.connected:
                continue  # back after an unplug: its driver reconnects by itself
            prof = match_port(port, profiles)
            if prof is None:
                if self.on_unknown is not None:
                    self.on_unknown(port)
                continue
            self.connected[dev] = self.connect(prof, port)

    def connect(self, prof: Profile, port: dict[str, Any]) -> Any:
        """Add the profile's driver for this port to the runtime."""
        transport = prof.transport
        driver = str(transport.pop("driver", "serial"))
        device_id = prof.device_id
        if any(getattr(d, "cfg", {}).get("device_id") == device_id for d in self.runtime.drivers):
            device_id = f"{device_id}-{port['device'].rsplit('/', 1)[-1]}"
        settings = {**transport, "port": port["device"], "device_id": device_id}
        settings["profile"] = str(prof.path) if prof.path else ""
        drv = self.runtime.add_driver(driver, settings)
        drv.started_by = "autoconnect"  # recognised again at the next start: not restored
        ids = f"{port.get('vid') or 0:04X}:{port.get('pid') or 0:04X}"
        self.runtime.events.emit(
            "device",
            device_id,
            f"recognised {ids} on {port['device']}: profile {prof.name}",
            profile=prof.name,
            port=port["device"],
        )
        return drv
