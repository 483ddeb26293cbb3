"""Device lifecycle for the GUI: the bench model's device commands carried out on the runtime.

Connect, disconnect, reconnect, remove, rename and edit settings each change the model first
and then start or stop that one driver; the other devices keep streaming. No Qt here: the
Devices menu, the tree's context menu and the tests all call the same methods.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from twinbench.benchmodel import BenchModel, DeviceRecord, free_id
from twinbench.errors import ConfigError, UsageError

log = logging.getLogger(__name__)

SERVICE = "bench_control"  # ctx.services[SERVICE]


def default_id(driver: str, settings: dict[str, Any]) -> str:
    """A device's id: its `device_id` setting (or that setting's default), else the driver."""
    explicit = settings.get("device_id")
    if explicit:
        return str(explicit)
    try:
        from twinbench.registry import load_driver

        for s in load_driver(driver).settings:
            if s.key == "device_id" and s.default:
                return str(s.default)
    except Exception:  # an unknown driver fails later, when it is started, with its message
        pass
    return driver


def has_id_setting(driver: str) -> bool:
    """Whether the driver takes a `device_id` setting (then a rename reaches the device)."""
    try:
        from twinbench.registry import load_driver

        return any(s.key == "device_id" for s in load_driver(driver).settings)
    except Exception:
        return False


def status_text(
    rec: DeviceRecord | None, st: Any, now: float | None = None, link: Any = None
) -> str:
    """How a device is doing, in words: connecting, connected at N Hz, reconnecting in N s...

    `link`: the driver's own link state (state, message, retry_at), e.g. its broker
    connection; when that is down it says more than the device's own state.
    """
    if rec is not None and rec.state == "stopped":
        return "disconnected (by you)"
    if rec is not None and rec.state == "failed":
        return f"failed: {rec.reason}" if rec.reason else "failed"
    if link is not None and link[0] != "connected" and st is not None:
        from types import SimpleNamespace

        st = SimpleNamespace(state=link[0], message=link[1], retry_at=link[2], rate_hz=st.rate_hz)
    if st is None:
        return "connecting\u2026"
    state, msg = st.state, st.message
    if state == "connected":
        return f"connected, {st.rate_hz:,.0f} Hz"
    now = time.monotonic() if now is None else now
    if st.retry_at and st.retry_at > now:
        why = f" ({msg})" if msg else ""
        return f"reconnecting in {math.ceil(st.retry_at - now)} s{why}"
    if state == "disconnected" and rec is not None and rec.connect and msg != "closed":
        if "reconnect" in msg or "retry" in msg:
            return f"disconnected: {msg}"
        return f"disconnected: {msg}; reconnecting" if msg else "disconnected; reconnecting"
    return f"{state}: {msg}" if msg else state


class BenchControl:
    """Keeps the model's devices and the runtime's drivers in step."""

    def __init__(self, model: BenchModel, runtime: Any, problems: list[str] | None = None):
        self.model = model
        self.runtime = runtime
        self.problems = problems if problems is not None else []
        self.drivers: dict[str, Any] = {}  # record id -> running driver
        self._failed: dict[str, str] = {}  # record id -> why it failed to open (I/O thread)
        self._last_ids: dict[str, set[str]] = {}  # record id -> hub devices it fed last
        # hub devices dropped (removed, renamed, replaced): the GUI clears their history
        self.forgotten: list[str] = []
        # "device 'x': why" for devices whose settings or files (a profile) are bad: the GUI
        # shows them in a dialog (a device that is merely unplugged goes to the status bar)
        self.config_failures: list[str] = []
        self._lock = threading.Lock()

    # -- ids -------------------------------------------------------------------------------
    def taken_ids(self) -> set[str]:
        """Ids in use: every device record and every device the hub knows."""
        return set(self.model.devices) | set(self.runtime.hub.devices)

    def check_id(self, device_id: str, own: str | None = None) -> str:
        """'' when `device_id` may be used (by record `own`), else why not, naming a free id."""
        taken = self.taken_ids() - ({own} if own else set())
        own_devices = self.runtime.devices_of(self.drivers[own]) if own in self.drivers else set()
        taken -= own_devices
        if not device_id:
            return "the device id is empty"
        if device_id in taken:
            return (
                f"device id {device_id!r} is already in use; {free_id(device_id, taken)!r} is free"
            )
        return ""

    def record_of(self, device_id: str) -> str | None:
        """The record that owns a hub device id (a sim with devices=3 owns sim-1..sim-3)."""
        if device_id in self.model.devices:
            return device_id
        for rid, drv in self.drivers.items():
            if device_id in self.runtime.devices_of(drv):
                return rid
        return None

    # -- commands --------------------------------------------------------------------------
    def connect(
        self,
        driver: str,
        settings: dict[str, Any] | None = None,
        device_id: str | None = None,
        start: bool = True,
        **extra: Any,
    ) -> DeviceRecord:
        """Add a device and start it; a duplicate id raises UsageError naming a free one."""
        settings = dict(settings or {})
        dev_id = device_id or default_id(driver, settings)
        problem = self.check_id(dev_id)
        if problem:
            raise UsageError(problem)
        if has_id_setting(driver) and dev_id != default_id(driver, {}):
            settings["device_id"] = dev_id
        if start:
            self._check_settings(driver, settings)
        rec = self.model.add_device(dev_id, driver, settings, connect=start, **extra)
        if start:
            self.start_record(rec)
        return rec

    def _check_settings(self, driver: str, settings: dict[str, Any]) -> None:
        from twinbench.drivers.base import SettingError
        from twinbench.registry import load_driver

        try:
            load_driver(driver).parse_settings(settings)
        except SettingError as exc:
            raise UsageError(f"driver {driver!r}: {exc}") from None

    def start_record(self, rec: DeviceRecord) -> None:
        """Start a record's driver (opened now if the runtime runs, else when it starts)."""
        try:
            drv = self.runtime.add_driver(rec.driver, dict(rec.settings))
        except Exception as exc:
            self.model.set_device_state(rec.id, "failed", str(exc))
            self.problems.append(f"device {rec.id!r} not started: {exc}")
            with self._lock:
                self._note_config_failure(rec.id, exc)
            return
        self.drivers[rec.id] = drv
        self.model.set_device_state(rec.id, "connecting")
        self.watch_open(rec.id, getattr(drv.sink, "opened", None))

    def watch_open(self, rec_id: str, fut: Any) -> None:
        """Note when a driver's open (its future; None: not opened yet) fails."""
        if fut is None:
            return

        def done(f: Any, rec_id: str = rec_id) -> None:  # the I/O thread: note it only
            exc = f.exception() if not f.cancelled() else None
            if exc is not None:
                with self._lock:
                    self._failed[rec_id] = str(exc) or type(exc).__name__
                    self._note_config_failure(rec_id, exc)

        fut.add_done_callback(done)

    def _stop(self, rec_id: str, forget: bool) -> None:
        drv = self.drivers.pop(rec_id, None)
        if drv is not None:
            self._last_ids[rec_id] = self.runtime.devices_of(drv)
            fut = self.runtime.remove_driver(drv, forget=forget)
            if fut is not None:
                try:
                    fut.result(5.0)
                except Exception as exc:
                    log.warning("closing %s: %s", rec_id, exc)
        if forget:  # also what a device stopped earlier left in the hub
            ids = self._last_ids.pop(rec_id, set())
            for dev in ids:
                self.runtime.hub.remove(dev)
            self.forgotten.extend(sorted(ids))

    def disconnect(self, rec_id: str) -> None:
        """Stop a device's driver; the device stays in the bench, marked disconnected."""
        self._stop(rec_id, forget=False)
        self.model.set_device_connect(rec_id, False)

    def reconnect(self, rec_id: str) -> None:
        """Start a device again with its settings (a fresh driver)."""
        self._stop(rec_id, forget=False)
        self.model.set_device_connect(rec_id, True)
        self.start_record(self.model.devices[rec_id])

    def remove(self, rec_id: str) -> None:
        """Stop a device and forget it (its channels leave the tree and the hub)."""
        self._stop(rec_id, forget=True)
        if rec_id in self.model.devices:
            self.model.remove_device(rec_id)

    def rename(self, rec_id: str, new_id: str) -> DeviceRecord:
        """Give a device another id; a running one is restarted under it."""
        problem = self.check_id(new_id, own=rec_id)
        if problem:
            raise UsageError(problem)
        running = rec_id in self.drivers
        self._stop(rec_id, forget=True)
        rec = self.model.rename_device(rec_id, new_id)
        if running and rec.connect:
            self.start_record(rec)
        return rec

    def edit(self, rec_id: str, settings: dict[str, Any]) -> DeviceRecord:
        """New settings for a device: it restarts with them (a new device_id renames it)."""
        rec = self.model.devices[rec_id]
        settings = dict(settings)
        new_id = str(settings.get("device_id") or rec_id)
        problem = self.check_id(new_id, own=rec_id)
        if problem:
            raise UsageError(problem)
        self._check_settings(rec.driver, settings)
        self._stop(rec_id, forget=True)
        rec = self.model.set_device_settings(rec_id, settings)
        if rec.connect:
            self.start_record(rec)
        return rec

    def remove_all(self) -> None:
        """Stop and forget every device (a workspace replaces the bench)."""
        for rec_id in list(self.model.devices):
            self.remove(rec_id)
        for drv in list(self.runtime.drivers):  # started by something outside the model
            fut = self.runtime.remove_driver(drv)
            if fut is not None:
                try:
                    fut.result(5.0)
                except Exception as exc:
                    log.warning("closing %s: %s", drv.name, exc)

    # -- keeping in step -------------------------------------------------------------------
    def adopt(self) -> None:
        """Give drivers started elsewhere (replay panel, port list, BLE scanner) a record;
        replays and boards found by auto-connect are transient (not saved, not restored)."""
        known = set(map(id, self.drivers.values()))
        for drv in list(self.runtime.drivers):
            if id(drv) in known:
                continue
            settings = dict(getattr(drv, "config", {}) or {})
            dev_id = default_id(drv.name, settings)
            if drv.name == "replay":
                dev_id = f"replay:{settings.get('session', dev_id)}"
            dev_id = free_id(dev_id, set(self.model.devices))
            auto = getattr(drv, "started_by", "") == "autoconnect"
            self.model.add_device(dev_id, drv.name, settings, transient=auto)
            self.drivers[dev_id] = drv

    def _note_config_failure(self, rec_id: str, exc: BaseException) -> None:
        """Keep a refusal for bad settings or files for the GUI's dialog (lock held)."""
        if isinstance(exc, ConfigError):
            self.config_failures.append(f"device {rec_id!r}: {exc}")

    def take_config_failures(self) -> list[str]:
        """The devices refused for bad settings or files since the last call (then forgotten)."""
        with self._lock:
            bad, self.config_failures = self.config_failures, []
        return bad

    def sync(self) -> None:
        """Fold driver reports into the records' states (called a few times a second)."""
        self.adopt()
        with self._lock:
            failed, self._failed = self._failed, {}
        for rec_id, why in failed.items():
            drv = self.drivers.pop(rec_id, None)
            if drv is not None and drv in self.runtime.drivers:
                self.runtime.drivers.remove(drv)
            self.model.set_device_state(rec_id, "failed", why)
        hub = self.runtime.hub.devices
        for rec_id, rec in self.model.devices.items():
            if rec.state in ("failed", "stopped"):
                continue
            drv = self.drivers.get(rec_id)
            if drv is None:
                continue
            ids = self.runtime.devices_of(drv)
            states = [hub[d] for d in ids if d in hub]
            if not states:
                continue
            st = next((s for s in states if s.state != "connected"), states[0])
            self.model.set_device_state(rec_id, st.state, st.message)
