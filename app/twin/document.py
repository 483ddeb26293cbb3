"""One device's twin in the IoT Hub shape: tags, desired and reported properties, telemetry."""

from __future__ import annotations

import base64
import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from twinbench.twin.merge import (
    COMPONENT_MARKER,
    TwinError,
    check_keys,
    check_limits,
    merge_patch,
)

ACK_CODES = {200: "accepted", 202: "pending", 203: "default", 400: "rejected", 500: "failed"}


def iso_now(t: float | None = None) -> str:
    """A UTC timestamp as IoT Hub writes it (ISO 8601 with 7 fractional digits and Z)."""
    dt = datetime.fromtimestamp(time.time() if t is None else t, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def parse_iso(text: str) -> float:
    """Seconds since the epoch of an IoT Hub timestamp."""
    head = text.rstrip("Z")
    if "." in head:
        main, frac = head.split(".", 1)
        head = f"{main}.{frac[:6]}"
    return datetime.fromisoformat(head).replace(tzinfo=UTC).timestamp()


def _touch_metadata(
    meta: dict[str, Any], patch: dict[str, Any], ts: str, version: int | None
) -> None:
    """Stamp what a patch touched; `version` None (reported) leaves out `$lastUpdatedVersion`,
    which IoT Hub writes in the desired section's metadata only."""
    stamp: dict[str, Any] = {"$lastUpdated": ts}
    if version is not None:
        stamp["$lastUpdatedVersion"] = version
    if version is None:
        meta.pop("$lastUpdatedVersion", None)
    meta.update(stamp)
    for key, value in patch.items():
        if value is None:
            meta.pop(key, None)
        elif isinstance(value, dict):
            sub = meta.get(key)
            if not isinstance(sub, dict):
                sub = {}
                meta[key] = sub
            _touch_metadata(sub, value, ts, version)
        else:
            meta[key] = dict(stamp)


def mark_components(values: dict[str, Any], patch: dict[str, Any], names: frozenset[str]) -> None:
    """Give each component section a patch touched the `"__t": "c"` marker, as IoT Hub shows it."""
    for key in patch:
        if key in names and isinstance(values.get(key), dict):
            values[key][COMPONENT_MARKER[0]] = COMPONENT_MARKER[1]


@dataclass
class Section:
    """`properties.desired` or `properties.reported`: values, `$version`, `$metadata`."""

    values: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    metadata: dict[str, Any] = field(default_factory=lambda: {"$lastUpdated": iso_now()})

    def to_json(self) -> dict[str, Any]:
        """IoT Hub shape: the values plus `$metadata` and `$version`."""
        out = copy.deepcopy(self.values)
        meta = copy.deepcopy(self.metadata) or {"$lastUpdated": iso_now(0)}
        out["$metadata"] = meta
        out["$version"] = self.version
        return out


@dataclass(frozen=True)
class PropertyStatus:
    """Desired against reported for one writable property, with the device's acknowledgement."""

    name: str
    desired: Any
    desired_version: int | None
    reported: Any
    ack_code: int | None
    ack_version: int | None
    ack_description: str
    state: str  # synced, pending, accepted, rejected, failed, default
    pending_since: float | None  # epoch seconds the desired value has waited

    def pending_for(self, now: float | None = None) -> float:
        """Seconds the desired value has been pending (0 when it is not)."""
        if self.pending_since is None:
            return 0.0
        return max(0.0, (time.time() if now is None else now) - self.pending_since)


class TwinDocument:
    """A device twin; every update is all-or-nothing and `$version` only grows."""

    def __init__(self, device_id: str, model_id: str = "") -> None:
        self.device_id = device_id
        self.model_id = model_id
        self.tags: dict[str, Any] = {}
        self.desired = Section()
        self.reported = Section()
        self.version = 1
        self.telemetry: dict[str, tuple[float, str, int]] = {}  # name -> (value, unit, t_ns)
        self.validator: Callable[[dict[str, Any]], None] | None = None  # checks desired patches
        self.components: frozenset[str] = frozenset()  # component names of the bound model
        self.status = "enabled"
        self.connected = False
        self.last_activity: float | None = None  # epoch seconds of the last message from it
        self._lock = threading.RLock()

    # -- updates ---------------------------------------------------------------------------
    def patch_desired(self, patch: dict[str, Any], version: int | None = None) -> bool:
        """Merge a desired patch; a patch with `version` not above `$version` is stale (False)."""
        with self._lock:
            if version is not None and version <= self.desired.version:
                return False
            check_keys("properties.desired", patch)
            if self.validator is not None:
                self.validator(patch)
            self._apply(self.desired, "properties.desired", patch, version)
            return True

    def patch_reported(self, patch: dict[str, Any]) -> None:
        """Merge a reported patch (from the device)."""
        with self._lock:
            check_keys("properties.reported", patch)
            self._apply(self.reported, "properties.reported", patch, None)

    def patch_tags(self, patch: dict[str, Any]) -> None:
        """Merge a tags patch."""
        with self._lock:
            check_keys("tags", patch)
            new = merge_patch(self.tags, patch)
            check_limits("tags", new)
            self.tags = new
            self.version += 1

    def _apply(self, sec: Section, where: str, patch: dict[str, Any], version: int | None) -> None:
        new_values = merge_patch(sec.values, patch)
        mark_components(new_values, patch, self.components)
        check_limits(where, new_values)
        new_version = max(sec.version + 1, version or 0)
        meta = copy.deepcopy(sec.metadata)
        desired = sec is self.desired
        _touch_metadata(meta, patch, iso_now(), new_version if desired else None)
        if not desired:
            self.last_activity = time.time()
        sec.values, sec.version, sec.metadata = new_values, new_version, meta
        self.version += 1

    def update_telemetry(
        self, names: tuple[str, ...], row: Any, t_ns: int, units: dict[str, str]
    ) -> None:
        """Record the latest value of each channel (the last row of a chunk)."""
        with self._lock:
            for i, name in enumerate(names):
                self.telemetry[name] = (float(row[i]), units.get(name, ""), int(t_ns))
            self.last_activity = time.time()

    # -- reading ---------------------------------------------------------------------------
    def property_status(self, name: str) -> PropertyStatus:
        """Desired vs reported for a writable property, following the Plug and Play acks."""
        with self._lock:
            dvals, dmeta_all, rvals = (
                self.desired.values,
                self.desired.metadata,
                self.reported.values,
            )
            *comps, leaf = name.split(".")  # "component.property" inside a component
            for comp in comps:
                dvals = dvals.get(comp) if isinstance(dvals.get(comp), dict) else {}
                dmeta_all = dmeta_all.get(comp) if isinstance(dmeta_all.get(comp), dict) else {}
                rvals = rvals.get(comp) if isinstance(rvals.get(comp), dict) else {}
            has_desired = leaf in dvals
            desired = dvals.get(leaf)
            dmeta = dmeta_all.get(leaf, {})
            dver = dmeta.get("$lastUpdatedVersion") if has_desired else None
            rep = rvals.get(leaf)
        value, ac, av, ad = rep, None, None, ""
        if isinstance(rep, dict) and "ac" in rep:
            value, ac, av, ad = rep.get("value"), rep.get("ac"), rep.get("av"), rep.get("ad", "")
        since = None
        if not has_desired:
            state = ACK_CODES.get(ac, "synced") if ac is not None else "synced"
        elif ac is None or av is None or (dver is not None and av < dver) or ac == 202:
            state = "pending"
            ts = dmeta.get("$lastUpdated")
            since = parse_iso(ts) if isinstance(ts, str) else None
        else:
            state = ACK_CODES.get(ac, "failed")
        return PropertyStatus(name, desired, dver, value, ac, av, ad, state, since)

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the twin (IoT Hub shape) plus the latest telemetry."""
        out = self.to_json()
        with self._lock:
            out["telemetry"] = {
                k: {"value": v, "unit": u, "t_ns": t} for k, (v, u, t) in self.telemetry.items()
            }
        return out

    def to_json(self) -> dict[str, Any]:
        """Export in the IoT Hub twin shape."""
        with self._lock:
            out: dict[str, Any] = {"deviceId": self.device_id}
            if self.model_id:
                out["modelId"] = self.model_id
            out["etag"] = base64.b64encode(self.version.to_bytes(8, "big")).decode()
            out["status"] = self.status
            out["connectionState"] = "Connected" if self.connected else "Disconnected"
            out["lastActivityTime"] = iso_now(self.last_activity or 0)
            out["version"] = self.version
            out["tags"] = copy.deepcopy(self.tags)
            out["properties"] = {
                "desired": self.desired.to_json(),
                "reported": self.reported.to_json(),
            }
            return out

    def load_json(self, data: Any, where: str = "twin") -> None:
        """Import an exported twin: its desired properties and tags, all or nothing.

        Reported properties are the device's alone and are never overwritten (the section in the
        file is ignored); a `$`-prefixed key in desired or tags is refused with a TwinError.
        """
        if not isinstance(data, dict):
            raise TwinError(f"{where}: a twin must be a JSON object")
        dev = data.get("deviceId", self.device_id)
        if dev != self.device_id:
            raise TwinError(f"{where}.deviceId: {dev!r} is not {self.device_id!r}")
        props = data.get("properties", {})
        if not isinstance(props, dict):
            raise TwinError(f"{where}.properties: expected an object")
        raw = props.get("desired", {})
        if not isinstance(raw, dict):
            raise TwinError(f"{where}.properties.desired: expected an object")
        values = {k: v for k, v in raw.items() if k not in ("$metadata", "$version")}
        check_keys(f"{where}.properties.desired", values)
        tags = data.get("tags", {}) or {}
        check_keys(f"{where}.tags", tags)
        check_limits("tags", tags)
        with self._lock:
            patch = {k: None for k in self.desired.values if k not in values}
            patch.update(values)
            check_limits(f"{where}.properties.desired", merge_patch(self.desired.values, patch))
            if self.validator is not None:
                self.validator(values)
            self.tags = copy.deepcopy(tags)
            self.version += 1
            if patch:
                self._apply(self.desired, "properties.desired", patch, None)
            self.model_id = str(data.get("modelId", self.model_id) or "")
