"""Twin traffic on a serial line: text command templates out, reply lines matched by request id.

The serial driver hands every line that starts with the profile's reply prefix to
`on_line` (from its reader thread, never to the telemetry decoder); each reply resolves the
request whose id it carries. A reply nobody waits for (late, foreign) is counted, not applied.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from twinbench.twin.profiles import SerialTwinProfile
from twinbench.twin.transport import CommandFailed, PendingRequests, TwinTransport

if TYPE_CHECKING:
    from twinbench.runtime import Runtime


class SerialTwinTransport(TwinTransport):
    """Desired patches and commands as text lines through a byte driver's `write()`."""

    def __init__(self, runtime: Runtime, driver: Any, profile: SerialTwinProfile) -> None:
        self.runtime = runtime
        self.driver = driver
        self.profile = profile
        self.requests = PendingRequests()
        self.garbage = 0  # reply-prefixed lines that do not match the reply pattern

    def on_line(self, line: str) -> None:
        """A reply line from the board (reader thread): resolve its request."""
        parsed = self.profile.parse_reply(line)
        if parsed is None:
            self.garbage += 1
            return
        rid, status, body = parsed
        self.requests.resolve(rid, (status, body))

    def _timeout(self, timeout: float) -> float:
        return self.profile.timeout or timeout

    def _write(self, device_id: str, data: bytes, timeout: float, what: str) -> None:
        try:
            self.runtime.call(self.driver.write(data)).result(timeout)
        except Exception as exc:  # not connected, port gone, loop stopped
            raise CommandFailed(f"{device_id}: {what}: cannot write: {exc}") from None

    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """Write the rendered lines; merge the acknowledgements into one reported patch."""
        timeout = self._timeout(timeout)
        groups = [patch] if self.profile.per_patch else [{k: v} for k, v in patch.items()]
        opened = [(self.requests.open(), g) for g in groups]
        lines = b"".join(self.profile.encode_desired(g, version, rid)[0] for (rid, _f), g in opened)
        try:
            self._write(device_id, lines, timeout, "desired patch")
        except CommandFailed:
            for (rid, _f), _g in opened:
                self.requests.resolve(rid, None)
            raise
        deadline = time.monotonic() + timeout
        out: dict[str, Any] = {}
        for (rid, fut), g in opened:
            left = max(0.0, deadline - time.monotonic())
            status, body = self.requests.wait(rid, fut, left, f"{device_id}: desired patch")
            if isinstance(body, dict):
                out.update(body)
            else:
                for k, v in g.items():
                    ad = body if isinstance(body, str) else ""
                    out[k] = {"value": v, "ac": status, "av": version, "ad": ad}
        return out

    def invoke(self, device_id: str, name: str, payload: Any, timeout: float) -> dict[str, Any]:
        """Write the command line and wait for its reply."""
        timeout = self._timeout(timeout)
        rid, fut = self.requests.open()
        try:
            self._write(device_id, self.profile.encode_command(name, payload, rid), timeout, name)
        except CommandFailed:
            self.requests.resolve(rid, None)
            raise
        status, body = self.requests.wait(rid, fut, timeout, f"{device_id}: {name}")
        return {"status": status, "payload": body}

    def get_reported(self, device_id: str, timeout: float) -> dict[str, Any]:
        """Ask for every reported property with the `get` template ({} when there is none)."""
        if not self.profile.get_template:
            return {}
        timeout = self._timeout(timeout)
        rid, fut = self.requests.open()
        line = self.profile.get_template.format(rid=rid).encode()
        try:
            self._write(device_id, line, timeout, "get")
        except CommandFailed:
            self.requests.resolve(rid, None)
            return {}
        _status, body = self.requests.wait(rid, fut, timeout, f"{device_id}: get")
        return body if isinstance(body, dict) else {}
