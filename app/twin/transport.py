"""How desired patches and commands reach a board, and how replies come back by request id."""

from __future__ import annotations

import abc
import concurrent.futures
import itertools
import threading
from typing import TYPE_CHECKING, Any

from twinbench.errors import TwinBenchError

if TYPE_CHECKING:
    from twinbench.runtime import Runtime


class CommandTimeout(TwinBenchError):
    """A device did not answer a command or patch in time."""


class CommandFailed(TwinBenchError):
    """A device answered with an error, or the transport could not deliver."""


class PendingRequests:
    """Requests in flight, matched to their replies by request id, each with a deadline."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting: dict[str, concurrent.futures.Future[Any]] = {}
        self.unmatched = 0  # replies whose request id nobody waits for (late or foreign)

    def open(self) -> tuple[str, concurrent.futures.Future[Any]]:
        """A fresh request id and the future its reply will complete."""
        rid = str(next(self._ids))
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            self._waiting[rid] = fut
        return rid, fut

    def has(self, rid: str) -> bool:
        """Whether a request with this id still waits for its reply."""
        with self._lock:
            return rid in self._waiting

    def resolve(self, rid: str, reply: Any) -> bool:
        """Deliver a reply; False (and counted) when no request waits for that id."""
        with self._lock:
            fut = self._waiting.pop(rid, None)
        if fut is None:
            self.unmatched += 1
            return False
        fut.set_result(reply)
        return True

    def wait(self, rid: str, fut: concurrent.futures.Future[Any], timeout: float, what: str) -> Any:
        """Wait for the reply of `rid`; CommandTimeout after `timeout` seconds."""
        try:
            return fut.result(timeout)
        except concurrent.futures.TimeoutError:
            raise CommandTimeout(f"{what}: no reply within {timeout:g} s (request {rid})") from None
        finally:
            with self._lock:
                self._waiting.pop(rid, None)

    def __len__(self) -> int:
        """Requests still waiting."""
        return len(self._waiting)


class TwinTransport(abc.ABC):
    """Carries twin traffic for one device: desired patches out, reported patches back."""

    @abc.abstractmethod
    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """Deliver a desired patch; returns the reported patch the device answers with."""

    @abc.abstractmethod
    def invoke(self, device_id: str, name: str, payload: Any, timeout: float) -> dict[str, Any]:
        """Run a command; returns {"status": int, "payload": Any}."""

    def get_reported(self, device_id: str, timeout: float) -> dict[str, Any]:
        """The device's full reported properties (empty when the transport cannot ask)."""
        del device_id, timeout
        return {}


class DriverTransport(TwinTransport):
    """Twin traffic through a driver's `command()` on the runtime's I/O thread.

    The driver interprets three reserved command names: `twin.desired` (payload: the patch and
    `$version`), `twin.get` (answer: reported properties) and `method` calls by their own name.
    Every request gets an id; replies resolve it, and a late reply is counted, not applied.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.requests = PendingRequests()

    def _driver_for(self, device_id: str) -> Any:
        for d in self.runtime.drivers:
            devices = getattr(d, "devices", None)
            if devices is not None and any(getattr(x, "id", None) == device_id for x in devices):
                return d
        st = self.runtime.hub.devices.get(device_id)
        for d in self.runtime.drivers:
            if st is not None and d.name == st.device.driver:
                return d
        raise CommandFailed(f"device {device_id!r}: no driver serves it")

    def _call(self, device_id: str, name: str, payload: Any, timeout: float) -> Any:
        driver = self._driver_for(device_id)
        rid, fut = self.requests.open()
        try:
            cfut = self.runtime.call(driver.command(device_id, name, payload))
        except RuntimeError as exc:
            self.requests.resolve(rid, None)
            raise CommandFailed(f"{name}: {exc}") from None

        def done(f: concurrent.futures.Future[Any]) -> None:
            if f.cancelled():
                return
            exc = f.exception()
            self.requests.resolve(rid, exc if exc is not None else ("ok", f.result()))

        cfut.add_done_callback(done)
        try:
            reply = self.requests.wait(rid, fut, timeout, f"{device_id}: {name}")
        except CommandTimeout:
            cfut.cancel()
            raise
        if isinstance(reply, NotImplementedError):
            raise CommandFailed(f"{device_id}: {name}: {reply}")
        if isinstance(reply, BaseException):
            raise CommandFailed(f"{device_id}: {name} failed: {reply}")
        return reply[1]

    def send_desired(
        self, device_id: str, patch: dict[str, Any], version: int, timeout: float
    ) -> dict[str, Any]:
        """Send `twin.desired` with the patch and its `$version`."""
        reply = self._call(device_id, "twin.desired", {**patch, "$version": version}, timeout)
        return reply if isinstance(reply, dict) else {}

    def invoke(self, device_id: str, name: str, payload: Any, timeout: float) -> dict[str, Any]:
        """Call a device command by name."""
        reply = self._call(device_id, name, payload, timeout)
        if isinstance(reply, dict) and "status" in reply:
            return reply
        return {"status": 200, "payload": reply}

    def get_reported(self, device_id: str, timeout: float) -> dict[str, Any]:
        """Ask the device for its reported properties."""
        try:
            reply = self._call(device_id, "twin.get", None, timeout)
        except CommandFailed:
            return {}
        return reply if isinstance(reply, dict) else {}
