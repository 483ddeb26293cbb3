"""The bench model: the desktop app's state as plain Python (no Qt), changed through commands.

Devices (id, driver, settings, state; the user's own or transient), panels (kind, name, their
own state), the plot (hidden channels, window, lanes, cursors), rules (files and the text
applied in the editor), derived channels, 3D bindings and the theme. A workspace and the
restored session are this model serialised (`to_dict` / `from_dict`); `user_part` leaves out
what is not the user's own setup (replays, file sources, devices that failed to start).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

DEVICE_STATES = ("connecting", "connected", "disconnected", "reconnecting", "failed", "stopped")
# sources of their own, never restored: a replayed session, an opened data file
TRANSIENT_DRIVERS = frozenset({"replay", "file"})
TRANSIENT_PREFIXES = ("replay:", "file:")


@dataclass
class DeviceRecord:
    """One connection the user made: its id, driver and settings, and how it is doing."""

    id: str
    driver: str
    settings: dict[str, Any] = field(default_factory=dict)
    profile: str = ""
    model: str = ""
    connect: bool = True  # False: disconnected by the user (kept, not started)
    transient: bool = False  # a replay or a file source: never restored nor saved
    state: str = "connecting"  # see DEVICE_STATES
    reason: str = ""  # why it is disconnected or failed

    def saved(self) -> dict[str, Any]:
        """What a workspace or the session keeps of this device (never its secrets)."""
        secret = secret_keys(self.driver)
        settings = {k: v for k, v in self.settings.items() if k not in secret}
        out: dict[str, Any] = {"id": self.id, "driver": self.driver, "settings": settings}
        if self.profile:
            out["profile"] = self.profile
        if self.model:
            out["model"] = self.model
        if not self.connect:
            out["connect"] = False
        return out


@dataclass
class PanelRecord:
    """An open panel: its kind (registry id), its unique name and its own state."""

    kind: str
    name: str
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlotState:
    """The central plot: hidden channels, time window, one lane per unit, measurement cursors."""

    hidden: list[list[str]] = field(default_factory=list)  # [[device, channel], ...] sorted
    window_s: float = 10.0
    split_units: bool = True
    cursors: list[int] = field(default_factory=list)  # [] off, or [t0_ns, t1_ns]
    # plot tabs and their split plots, each with its own channels (widgets/plot_area.py)
    areas: dict[str, Any] = field(default_factory=dict)


@dataclass
class RulesState:
    """Rules attached: rule files, and the text applied in the Rules editor."""

    files: list[str] = field(default_factory=list)
    text: str = ""


def secret_keys(driver: str) -> set[str]:
    """Settings of a driver that are secrets (kept in the OS keyring, never in files)."""
    try:
        from twinbench.registry import load_driver

        return {s.key for s in load_driver(driver).settings if s.secret}
    except Exception:  # an unknown driver: nothing known to hide
        return set()


def is_transient(driver: str, device_id: str) -> bool:
    """Whether a device is a source of its own (replay, file) rather than the user's device."""
    return driver in TRANSIENT_DRIVERS or device_id.startswith(TRANSIENT_PREFIXES)


def free_id(wanted: str, taken: set[str]) -> str:
    """`wanted` if free, else the first free `wanted-2`, `wanted-3`... (a trailing -N is bumped)."""
    if wanted not in taken:
        return wanted
    m = re.fullmatch(r"(.*?)-(\d+)", wanted)
    base, n = (m.group(1), int(m.group(2))) if m else (wanted, 1)
    while True:
        n += 1
        candidate = f"{base}-{n}"
        if candidate not in taken:
            return candidate


def remap_device(node: Any, old: str, new: str) -> Any:
    """A copy of plot-area data whose `channels` lists name device `new` instead of `old`."""
    if isinstance(node, list):
        return [remap_device(x, old, new) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: remap_device(v, old, new) for k, v in node.items()}
    chans = node.get("channels")
    if isinstance(chans, list):
        out["channels"] = [
            [new, k[1]] if isinstance(k, list | tuple) and len(k) == 2 and k[0] == old else k
            for k in chans
        ]
    return out


class BenchModel:
    """The bench as data; every change goes through a command that tells the listeners."""

    def __init__(self) -> None:
        self.devices: dict[str, DeviceRecord] = {}
        self.panels: dict[str, PanelRecord] = {}
        self.plot = PlotState()
        self.rules = RulesState()
        self.derived: list[dict[str, str]] = []
        self.bindings: dict[str, Any] = {}
        self.theme = "system"
        self.layout = ""  # the window's dock state (base64), opaque here
        self.revision = 0  # bumped by every command: "unsaved changes" compare it
        self.saved_revision = 0
        self._listeners: list[Callable[[str, Any], None]] = []

    # -- listening -------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[str, Any], None]) -> None:
        """Call `callback(command, subject)` after every command."""
        self._listeners.append(callback)

    def _changed(self, command: str, subject: Any = None, user: bool = True) -> None:
        if user:
            self.revision += 1
        for cb in list(self._listeners):
            cb(command, subject)

    @property
    def unsaved(self) -> bool:
        """Whether a command changed the user's bench since the last save or open."""
        return self.revision != self.saved_revision

    def mark_saved(self) -> None:
        """The bench as it is now has been saved (or just opened)."""
        self.saved_revision = self.revision

    # -- devices ---------------------------------------------------------------------------
    def add_device(
        self,
        device_id: str,
        driver: str,
        settings: dict[str, Any] | None = None,
        profile: str = "",
        model: str = "",
        connect: bool = True,
        transient: bool = False,
    ) -> DeviceRecord:
        """Add a device record; an id already in use raises ValueError naming a free one.

        `transient`: a source of its own (a replay, a board an auto-connect found), never saved.
        """
        if device_id in self.devices:
            raise ValueError(
                f"device id {device_id!r} is already in use; "
                f"{free_id(device_id, set(self.devices))!r} is free"
            )
        rec = DeviceRecord(
            device_id,
            driver,
            dict(settings or {}),
            profile,
            model,
            connect,
            transient or is_transient(driver, device_id),
            "connecting" if connect else "stopped",
        )
        self.devices[device_id] = rec
        self._changed("add_device", rec, user=not rec.transient)
        return rec

    def remove_device(self, device_id: str) -> DeviceRecord:
        """Forget a device (KeyError when unknown)."""
        rec = self.devices.pop(device_id)
        self._changed("remove_device", rec, user=not rec.transient)
        return rec

    def rename_device(self, old: str, new: str) -> DeviceRecord:
        """Give a device another id (its settings' device_id follows when it has one)."""
        if new == old:
            return self.devices[old]
        if not new or new in self.devices:
            raise ValueError(f"device id {new!r} is {'empty' if not new else 'already in use'}")
        rec = self.devices.pop(old)
        rec.id = new
        if "device_id" in rec.settings or rec.driver in ("sim", "serial", "tcp", "udp", "ble"):
            rec.settings["device_id"] = new
        self.devices[new] = rec
        self._remap_channels(old, new)
        self._changed("rename_device", (old, rec))
        return rec

    def _remap_channels(self, old: str, new: str) -> None:
        self.plot.hidden = sorted([new if d == old else d, c] for d, c in self.plot.hidden)
        self.plot.areas = remap_device(self.plot.areas, old, new)
        for p in self.panels.values():
            if p.state.get("device") == old:
                p.state["device"] = new

    def set_device_settings(self, device_id: str, settings: dict[str, Any]) -> DeviceRecord:
        """Replace a device's settings (its id follows a changed device_id setting)."""
        rec = self.devices[device_id]
        new_id = str(settings.get("device_id") or device_id)
        if new_id != device_id:
            self.rename_device(device_id, new_id)
            rec = self.devices[new_id]
        rec.settings = dict(settings)
        self._changed("set_device_settings", rec)
        return rec

    def set_device_connect(self, device_id: str, connect: bool) -> DeviceRecord:
        """The user connects (True) or disconnects (False) a device."""
        rec = self.devices[device_id]
        rec.connect = connect
        rec.state, rec.reason = (
            ("connecting", "") if connect else ("stopped", "disconnected by you")
        )
        self._changed("set_device_connect", rec)
        return rec

    def set_device_state(self, device_id: str, state: str, reason: str = "") -> None:
        """The driver reports how a device is doing (not a user change: nothing to save)."""
        rec = self.devices.get(device_id)
        if rec is None or (rec.state, rec.reason) == (state, reason):
            return
        rec.state, rec.reason = state, reason
        self._changed("set_device_state", rec, user=False)

    def device_ids(self) -> set[str]:
        """Ids of every device record."""
        return set(self.devices)

    # -- panels ----------------------------------------------------------------------------
    def open_panel(self, kind: str, name: str, state: dict[str, Any] | None = None) -> PanelRecord:
        """Note an open panel (or update the state of one already open)."""
        rec = self.panels.get(name)
        if rec is None:
            rec = self.panels[name] = PanelRecord(kind, name, dict(state or {}))
        elif state is not None:
            rec.state = dict(state)
        self._changed("open_panel", rec)
        return rec

    def close_panel(self, name: str) -> None:
        """Forget a closed panel."""
        if self.panels.pop(name, None) is not None:
            self._changed("close_panel", name)

    def set_panel_state(self, name: str, state: dict[str, Any]) -> None:
        """A panel's own state changed (its channel choice, range, options)."""
        rec = self.panels.get(name)
        if rec is not None and rec.state != state:
            rec.state = copy.deepcopy(state)
            self._changed("set_panel_state", rec)

    # -- plot, theme, rules, derived, bindings ---------------------------------------------
    def set_plot(self, **changes: Any) -> None:
        """Change plot fields (hidden, window_s, split_units, cursors)."""
        for key, value in changes.items():
            if not hasattr(self.plot, key):
                raise KeyError(f"plot has no field {key!r}")
            if key == "hidden":
                value = sorted([str(d), str(c)] for d, c in value)
            if getattr(self.plot, key) != value:
                setattr(self.plot, key, value)
                self._changed("set_plot", key)

    def set_theme(self, theme: str) -> None:
        """Use another theme (system, light, dark)."""
        if theme != self.theme:
            self.theme = theme
            self._changed("set_theme", theme)

    def set_rules(self, files: list[str] | None = None, text: str | None = None) -> None:
        """Rule files attached, and/or the text applied in the Rules editor."""
        if files is not None:
            self.rules.files = list(files)
        if text is not None:
            self.rules.text = text
        self._changed("set_rules", self.rules)

    def set_derived(self, derived: list[dict[str, str]]) -> None:
        """The derived channels."""
        self.derived = [dict(d) for d in derived]
        self._changed("set_derived", self.derived)

    def set_bindings(self, bindings: dict[str, Any]) -> None:
        """The 3D view's channel bindings ([view3d] table format)."""
        self.bindings = copy.deepcopy(bindings)
        self._changed("set_bindings", self.bindings)

    def set_layout(self, layout: str) -> None:
        """The window's dock arrangement (opaque, base64)."""
        self.layout = layout

    # -- serialising -----------------------------------------------------------------------
    def to_dict(self, user_only: bool = False) -> dict[str, Any]:
        """The bench as JSON-compatible data (`user_only`: the part a restart brings back)."""
        # replays and file sources are never saved; a restart also skips devices that failed
        devices = [
            r.saved()
            for r in self.devices.values()
            if not r.transient and not (user_only and r.state == "failed")
        ]
        return {
            "devices": devices,
            "panels": [asdict(p) for p in self.panels.values()],
            "plot": asdict(self.plot),
            "rules": asdict(self.rules),
            "derived": [dict(d) for d in self.derived],
            "bindings": copy.deepcopy(self.bindings),
            "theme": self.theme,
            "layout": self.layout,
        }

    def user_part(self) -> dict[str, Any]:
        """What the next start restores: no replay, no file source, no device that failed."""
        return self.to_dict(user_only=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchModel:
        """A model from `to_dict` data (devices start as 'connecting', or 'stopped')."""
        m = cls()
        m.load(data)
        return m

    def load(self, data: dict[str, Any]) -> None:
        """Become the bench `data` describes (a workspace opened, a fresh start); KeyError or
        ValueError when a device or panel entry lacks its driver or kind."""
        devices: dict[str, DeviceRecord] = {}
        for d in data.get("devices", []):
            settings = dict(d.get("settings") or {})
            dev_id = free_id(
                str(d.get("id") or settings.get("device_id") or d["driver"]), set(devices)
            )
            driver = str(d["driver"])
            connect = bool(d.get("connect", True))
            devices[dev_id] = DeviceRecord(
                dev_id,
                driver,
                settings,
                str(d.get("profile", "")),
                str(d.get("model", "")),
                connect,
                is_transient(driver, dev_id),
                "connecting" if connect else "stopped",
            )
        panels = {
            str(p["name"]): PanelRecord(str(p["kind"]), str(p["name"]), dict(p.get("state") or {}))
            for p in data.get("panels", [])
        }
        plot = data.get("plot") or {}
        rules = data.get("rules") or {}
        self.devices, self.panels = devices, panels
        self.plot = PlotState(
            hidden=sorted([str(a), str(b)] for a, b in plot.get("hidden", [])),
            window_s=float(plot.get("window_s", 10.0)),
            split_units=bool(plot.get("split_units", True)),
            cursors=[int(t) for t in plot.get("cursors", [])],
            areas=copy.deepcopy(plot["areas"]) if isinstance(plot.get("areas"), dict) else {},
        )
        self.rules = RulesState(list(rules.get("files", [])), str(rules.get("text", "")))
        self.derived = [dict(d) for d in data.get("derived", [])]
        self.bindings = copy.deepcopy(dict(data.get("bindings") or {}))
        self.theme = str(data.get("theme", "system"))
        self.layout = str(data.get("layout", ""))
        self._changed("load", None, user=False)
        self.mark_saved()


DEFAULT_BENCH: dict[str, Any] = {"devices": [{"id": "sim", "driver": "sim", "settings": {}}]}
