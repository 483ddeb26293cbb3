"""Twin traffic on BLE: desired properties and commands as characteristic writes.

Each write goes through the `ble` driver's `command(dev, "write", ...)` with a response, so the
ATT write response is the board's acknowledgement (one request at a time on a link, matched in
order, each with the timeout). A refused write (not permitted, link down) is acknowledged with
status 500 and the reason; with `read_back` the value the characteristic then holds is reported.
"""

from __future__ import annotations

import concurrent.futures
from typing import TYPE_CHECKING, Any

from twinbench.errors import ConfigError
from twinbench.twin.profiles import BleTwinProfile
from twinbench.twin.transport import CommandFailed, CommandTimeout, TwinTransport

if TYPE_CHECKING:
    from twinbench.runtime import Runtime


class BleTwinTransport(TwinTransport):
    """Writes (and optionally reads back) the characteristics a BLE profile names."""

    def __init__(self, runtime: Runtime, driver: Any, profile: BleTwinProfile) -> None:
        self.runtime = runtime
        self.driver = driver
        self.profile = profile

    def _call(self, device_id: str, name: str, payload: Any, timeout: float, what: str) -> Any:
        fut = self.runtime.call(self.driver.command(device_id, name, payload))
        try:
            return fut.result(timeout)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise CommandTimeout(f"{device_id}: {what}: no answer within {timeout:g} s") from None

    def _held(self, device_id: str, uuid: str, timeout: float) -> Any:
        """What a refused property's characteristic still holds (read back), else None."""
        if not self.profile.read_back:
            return None
        try:
            raw = self._call(device_id, "read", {"uuid": uuid}, timeout, "read back")
        except Exception:  # not readable, link down: the value is unknown
            return None
        return self.profile.decode_value(bytes(raw))

    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """One write per property; each answer becomes a Plug and Play acknowledgement."""
        unknown = [k for k in patch if k not in self.profile.properties]
        if unknown:
            raise CommandFailed(
                f"{device_id}: the BLE twin profile has no characteristic for {unknown[0]!r}"
            )
        out: dict[str, Any] = {}
        for name, value in patch.items():
            uuid = self.profile.properties[name]
            try:
                data = self.profile.encode_value(value)
            except ConfigError as exc:
                held = self._held(device_id, uuid, timeout)
                out[name] = {"value": held, "ac": 400, "av": version, "ad": str(exc)}
                continue
            write = {"uuid": uuid, "data": data, "response": True}
            try:
                self._call(device_id, "write", write, timeout, f"write {name}")
            except CommandTimeout:
                raise
            except Exception as exc:  # refused by the board, link down
                held = self._held(device_id, uuid, timeout)
                out[name] = {"value": held, "ac": 500, "av": version, "ad": f"write failed: {exc}"}
                continue
            held = value
            if self.profile.read_back:
                raw = self._call(device_id, "read", {"uuid": uuid}, timeout, f"read {name}")
                held = self.profile.decode_value(bytes(raw))
            ok = held == value
            ad = "written" if ok else f"board holds {held!r}"
            out[name] = {"value": held, "ac": 200 if ok else 500, "av": version, "ad": ad}
        return out

    def invoke(self, device_id: str, name: str, payload: Any, timeout: float) -> dict[str, Any]:
        """Write the command's characteristic; read its response characteristic if it has one."""
        uuid = self.profile.commands.get(name)
        if uuid is None:
            return {"status": 404, "payload": {"error": f"no characteristic for command {name!r}"}}
        try:
            data = self.profile.encode_value(payload) if payload is not None else b"\x00"
        except ConfigError as exc:
            return {"status": 400, "payload": {"error": str(exc)}}
        try:
            self._call(
                device_id, "write", {"uuid": uuid, "data": data, "response": True}, timeout, name
            )
        except CommandTimeout:
            raise
        except Exception as exc:
            raise CommandFailed(f"{device_id}: {name}: write failed: {exc}") from None
        resp = self.profile.responses.get(name)
        if resp is None:
            return {"status": 200, "payload": None}
        raw = self._call(device_id, "read", {"uuid": resp}, timeout, f"{name} response")
        return {"status": 200, "payload": self.profile.decode_value(bytes(raw))}
