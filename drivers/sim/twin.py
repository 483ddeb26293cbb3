"""The simulated rig's side of the twin: writable settings, reported properties, commands."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from twinbench.drivers.sim.model import RigModel

RATED_RPM = 4500.0
NOMINAL_RPM = 1800.0  # mean speed of the simulated load cycle at gain 1
MODES = ("run", "idle", "maintenance")


class RigTwin:
    """What the board keeps: accepted settings (acknowledged the Plug and Play way) and commands."""

    def __init__(self, device_id: str, model: RigModel, index: int) -> None:
        self.device_id = device_id
        self.model = model
        self.boot_count = 1
        self.desired_version = 0
        self.reported: dict[str, Any] = {
            "serialNumber": f"SIM-{index + 1:04d}",
            "firmwareVersion": "1.4.2",
            "ratedSpeed": RATED_RPM,
            "targetSpeed": {"value": NOMINAL_RPM, "ac": 203, "av": 0, "ad": "device default"},
            "alarmTemperature": {"value": 90.0, "ac": 203, "av": 0, "ad": "device default"},
            "mode": {"value": "run", "ac": 203, "av": 0, "ad": "device default"},
        }

    def apply_desired(self, patch: dict[str, Any]) -> dict[str, Any]:
        """Apply a desired patch; answers with the reported patch of acknowledgements."""
        version = int(patch.get("$version", self.desired_version + 1))
        if version <= self.desired_version:
            return {}  # stale: already applied a newer one
        self.desired_version = version
        out: dict[str, Any] = {}
        for name, value in patch.items():
            if name.startswith("$"):
                continue
            out[name] = self._one(name, value, version)
        self.reported.update(out)
        return out

    def apply_property(self, name: str, value: Any, version: int) -> dict[str, Any]:
        """Apply one desired property of patch `version` (several may share it); {} when stale."""
        if version < self.desired_version:
            return {}
        self.desired_version = version
        out = {name: self._one(name, value, version)}
        self.reported.update(out)
        return out

    def _one(self, name: str, value: Any, version: int) -> dict[str, Any]:
        def ack(code: int, text: str, v: Any = value) -> dict[str, Any]:
            return {"value": v, "ac": code, "av": version, "ad": text}

        current = self.reported.get(name, {})
        old = current.get("value") if isinstance(current, dict) else None
        if name == "targetSpeed":
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                return ack(400, "speed must be a non-negative number", old)
            if value > RATED_RPM:
                return ack(400, f"above the rated speed of {RATED_RPM:g} rpm", old)
            self.model.rpm_gain = float(value) / NOMINAL_RPM
            return ack(200, "speed set")
        if name == "alarmTemperature":
            if not isinstance(value, int | float) or not 0 <= value <= 150:
                return ack(400, "alarm temperature must be 0..150 degC", old)
            return ack(200, "alarm threshold set")
        if name == "mode":
            if value not in MODES:
                return ack(400, f"mode must be one of {', '.join(MODES)}", old)
            self.model.rpm_gain = 0.0 if value != "run" else self.model.rpm_gain or 1.0
            return ack(200, f"mode {value}")
        return ack(500, f"no such setting {name!r}", None)

    async def command(self, name: str, payload: Any) -> dict[str, Any]:
        """Run a device command: reboot or selfTest (which takes `durationS` seconds)."""
        if name == "reboot":
            delay = payload if isinstance(payload, int | float) else 0
            await asyncio.sleep(min(max(float(delay), 0.0), 30.0) * 0.01)
            self.boot_count += 1
            return {"status": 200, "payload": {"rebooted": True, "bootCount": self.boot_count}}
        if name == "selfTest":
            duration = payload if isinstance(payload, int | float) else 0.1
            await asyncio.sleep(max(0.0, float(duration)))
            temp = self.model.last_temperature
            return {
                "status": 200,
                "payload": {"passed": temp < 90.0, "vibrationRms": 0.05, "temperature": temp},
            }
        return {"status": 404, "payload": {"error": f"unknown command {name!r}"}}
