"""The twin service: one twin per device, fed by the hub, talking to boards through transports."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from twinbench.twin.binding import Binding, default_binding, unit_symbol
from twinbench.twin.document import TwinDocument
from twinbench.twin.merge import TwinError
from twinbench.twin.router import ProfileTransport
from twinbench.twin.transport import CommandFailed, CommandTimeout, TwinTransport

if TYPE_CHECKING:
    from twinbench.model import Chunk, Device
    from twinbench.runtime import Runtime


def nest_components(patch: dict[str, Any]) -> dict[str, Any]:
    """Turn `{"imu.sampleRate": 5}` into the component section `{"imu": {"sampleRate": 5}}`."""
    out: dict[str, Any] = {}
    for key, value in patch.items():
        comp, dot, name = key.partition(".") if isinstance(key, str) else ("", "", "")
        if dot and comp and name:
            sec = out.setdefault(comp, {})
            if not isinstance(sec, dict):
                raise TwinError(f"desired {key!r}: {comp!r} is both a value and a component")
            sec[name] = value
        else:
            out[key] = value
    return out


class TwinService:
    """Keeps each device's twin, binds models, applies desired patches and runs commands."""

    def __init__(
        self,
        runtime: Runtime,
        transport: TwinTransport | None = None,
        timeout: float = 5.0,
        auto_bind: bool = True,
    ) -> None:
        self.runtime = runtime
        self.transport = transport or ProfileTransport(runtime, self.apply_reported_version)
        self.timeout = timeout
        self.auto_bind = auto_bind
        self.twins: dict[str, TwinDocument] = {}
        self.bindings: dict[str, Binding] = {}
        self._units: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._default_cache: dict[str, Binding | None] = {}
        runtime.hub.on_device(self._declared)
        for st in list(runtime.hub.devices.values()):
            self._declared(st.device)
        runtime.add_consumer("twin", self.on_chunks, maxsize=256, policy="drop")

    # -- devices and models ----------------------------------------------------------------
    def _declared(self, device: Device) -> None:
        twin = self.twin(device.id)
        twin.connected = True
        attach = getattr(self.transport, "attach", None)
        if callable(attach):
            attach(device.id)
        self._units[device.id] = {c.name: c.unit for c in device.channels}
        if self.auto_bind and device.id not in self.bindings:
            if device.driver not in self._default_cache:
                self._default_cache[device.driver] = default_binding(device.driver)
            b = self._default_cache[device.driver]
            if b is not None:
                self.bind(device.id, b)
        del twin

    def twin(self, device_id: str) -> TwinDocument:
        """The twin of a device (created on first use)."""
        with self._lock:
            doc = self.twins.get(device_id)
            if doc is None:
                doc = self.twins[device_id] = TwinDocument(device_id)
            return doc

    def bind(self, device_id: str, binding: Binding) -> None:
        """Bind a model to a device: desired patches are then checked against it."""
        doc = self.twin(device_id)
        self.bindings[device_id] = binding
        doc.model_id = binding.model_id
        doc.validator = binding.check_desired
        doc.components = frozenset(binding.components)
        units = {c.name: unit_symbol(c.unit) for c in binding.interface.of("Telemetry") if c.unit}
        self._units.setdefault(device_id, {}).update(units)

    # -- telemetry (hot path: only the last row of each chunk matters) --------------------
    def on_chunks(self, chunks: list[Chunk]) -> None:
        """Fold a batch of chunks into the latest values; older rows are never touched."""
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for chunk in reversed(chunks):
            key = (chunk.device, chunk.channels)
            if key in seen or not len(chunk):
                continue
            seen.add(key)
            self.twin(chunk.device).update_telemetry(
                chunk.channels,
                chunk.values[-1],
                int(chunk.t_ns[-1]),
                self._units.get(chunk.device, {}),
            )

    # -- desired properties ----------------------------------------------------------------
    def set_desired(self, device_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        """Apply a desired patch, send it to the board, and record the board's acknowledgement.

        Raises TwinError (nothing applied) for a patch the model refuses, CommandTimeout when the
        board does not answer (the desired value stays, pending).
        """
        doc = self.twin(device_id)
        patch = nest_components(patch)
        for comp in doc.components & set(patch):
            if isinstance(patch[comp], dict):  # the Plug and Play marker, as IoT Hub sends it
                patch[comp] = {"__t": "c", **patch[comp]}
        doc.patch_desired(patch)
        version = doc.desired.version
        for name, value in patch.items():
            self.runtime.events.emit(
                "twin",
                device_id,
                f"desired {name} = {value!r} (v{version})",
                section="desired",
                property=name,
                value=value,
                version=version,
            )
        try:
            reply = self.transport.send_desired(device_id, patch, version, self.timeout)
        except (CommandTimeout, CommandFailed) as exc:
            self.runtime.events.emit("error", device_id, str(exc))
            raise
        self.apply_reported(device_id, reply)
        return reply

    def apply_reported(self, device_id: str, patch: dict[str, Any]) -> None:
        """Merge a reported patch from the board and emit one twin event per property."""
        if not patch:
            return
        doc = self.twin(device_id)
        doc.patch_reported(patch)
        version = doc.reported.version
        for name, value in patch.items():
            self.runtime.events.emit(
                "twin",
                device_id,
                f"reported {name} = {value!r} (v{version})",
                section="reported",
                property=name,
                value=value,
                version=version,
            )

    def apply_reported_version(self, device_id: str, patch: dict[str, Any]) -> int | None:
        """Merge a reported patch the board sent on its own; the new reported `$version`.

        None (and an error event) when the patch is refused (oversize, bad keys): nothing applied.
        """
        try:
            self.apply_reported(device_id, patch)
        except TwinError as exc:
            self.runtime.events.emit("error", device_id, f"reported patch refused: {exc}")
            return None
        return self.twin(device_id).reported.version

    def refresh(self, device_id: str) -> None:
        """Ask the board for its reported properties."""
        self.apply_reported(device_id, self.transport.get_reported(device_id, self.timeout))

    # -- commands --------------------------------------------------------------------------
    def invoke(
        self, device_id: str, name: str, payload: Any = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Run a command, checking the request against the model; returns status and payload."""
        b = self.bindings.get(device_id)
        if b is not None:
            comp, star, short = name.rpartition("*")  # a component's command: "imu*calibrate"
            iface = b.components.get(comp) if star else b.interface
            if iface is None:
                raise TwinError(f"{b.model_id} has no component {comp!r} (command {name!r})")
            cmd = iface.get(short)
            if cmd is None or cmd.kind != "Command":
                raise TwinError(f"{iface.id} has no command {short!r}")
            if cmd.request is not None and payload is not None:
                err = cmd.request[1].check(payload, f"{name} request {cmd.request[0]!r}")
                if err:
                    raise TwinError(err)
        self.runtime.events.emit("command", device_id, f"{name} sent", name=name, state="sent")
        try:
            res = self.transport.invoke(device_id, name, payload, timeout or self.timeout)
        except CommandTimeout as exc:
            self.runtime.events.emit("command", device_id, str(exc), name=name, state="timeout")
            raise
        except CommandFailed as exc:
            self.runtime.events.emit("command", device_id, str(exc), name=name, state="failed")
            raise
        status = int(res.get("status", 200))
        self.runtime.events.emit(
            "command",
            device_id,
            f"{name} -> {status}",
            name=name,
            state="answered",
            status=status,
            reply=res.get("payload"),
        )
        return res
