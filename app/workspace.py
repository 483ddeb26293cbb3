"""Workspace files (TOML): open devices, panels and layout, derived channels, rules, 3D bindings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from twinbench.errors import ConfigError
from twinbench.userfile import load_toml

FORMAT_VERSION = 1
_TOP_KEYS = {"workspace", "device", "panel", "derived", "rules", "bindings", "layout"}
_DEVICE_KEYS = {"driver", "settings", "profile", "model"}
_PANEL_KEYS = {"type", "id", "title", "config"}
_DERIVED_KEYS = {"name", "expr", "unit", "device"}


@dataclass
class DeviceEntry:
    """An open device: its driver and settings, optionally a profile and a DTDL model."""

    driver: str
    settings: dict[str, Any] = field(default_factory=dict)
    profile: str = ""
    model: str = ""


@dataclass
class PanelEntry:
    """An open panel: its kind (registry id), instance id, title and contents."""

    type: str
    id: str = ""
    title: str = ""
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class DerivedEntry:
    """A derived channel defined by an expression over other channels."""

    name: str
    expr: str
    unit: str = ""
    device: str = ""


@dataclass
class Workspace:
    """Everything needed to come back tomorrow to the same bench."""

    devices: list[DeviceEntry] = field(default_factory=list)
    panels: list[PanelEntry] = field(default_factory=list)
    derived: list[DerivedEntry] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    bindings: dict[str, Any] = field(default_factory=dict)
    layout: str = ""  # the main window's saved dock state, base64
    version: int = FORMAT_VERSION
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def missing_files(self) -> list[str]:
        """Profiles, models and rule files the workspace names that do not exist."""
        base = self.path.parent if self.path else Path.cwd()
        names = [d.profile for d in self.devices] + [d.model for d in self.devices] + self.rules
        return [n for n in names if n and not (base / n).expanduser().exists()]


def _check_keys(where: str, table: dict[str, Any], known: set[str], warnings: list[str]) -> None:
    for key in table:
        if key not in known:
            warnings.append(f"{where}: unknown key {key!r} ignored")


def _table_list(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise ConfigError(f"{path}: [[{key}]] must be an array of tables")
    return raw


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Read a workspace; unknown keys become warnings, malformed structure a ConfigError."""
    p = Path(path)
    data, _ = load_toml(p, "workspace file")
    warnings: list[str] = []
    _check_keys(str(p), data, _TOP_KEYS, warnings)
    head = data.get("workspace", {})
    version = head.get("version", FORMAT_VERSION) if isinstance(head, dict) else FORMAT_VERSION
    if not isinstance(version, int):
        raise ConfigError(f"{p}: [workspace] version must be an integer")
    if version > FORMAT_VERSION:
        warnings.append(
            f"{p}: written by a newer TwinBench (format {version}, this reads {FORMAT_VERSION}); "
            "unknown parts are ignored"
        )
    ws = Workspace(path=p, version=version, warnings=warnings)
    for i, d in enumerate(_table_list(data, "device", p)):
        where = f"{p}: [[device]] #{i + 1}"
        _check_keys(where, d, _DEVICE_KEYS, warnings)
        if not isinstance(d.get("driver"), str) or not d["driver"]:
            raise ConfigError(f"{where}: key 'driver' is required (a driver name)")
        settings = d.get("settings", {})
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: key 'settings' must be a table")
        ws.devices.append(
            DeviceEntry(d["driver"], settings, str(d.get("profile", "")), str(d.get("model", "")))
        )
    for i, d in enumerate(_table_list(data, "panel", p)):
        where = f"{p}: [[panel]] #{i + 1}"
        _check_keys(where, d, _PANEL_KEYS, warnings)
        if not isinstance(d.get("type"), str):
            raise ConfigError(f"{where}: key 'type' is required (a panel kind)")
        ws.panels.append(
            PanelEntry(
                d["type"], str(d.get("id", "")), str(d.get("title", "")), d.get("config", {})
            )
        )
    for i, d in enumerate(_table_list(data, "derived", p)):
        where = f"{p}: [[derived]] #{i + 1}"
        _check_keys(where, d, _DERIVED_KEYS, warnings)
        if not isinstance(d.get("name"), str) or not isinstance(d.get("expr"), str):
            raise ConfigError(f"{where}: keys 'name' and 'expr' are required strings")
        ws.derived.append(
            DerivedEntry(d["name"], d["expr"], str(d.get("unit", "")), str(d.get("device", "")))
        )
    rules = data.get("rules", [])
    rules = [rules] if isinstance(rules, str) else rules
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ConfigError(f"{p}: rules: expected a rules file or a list of them, got {rules!r:.40}")
    ws.rules = list(rules)
    ws.bindings = data.get("bindings", {}) if isinstance(data.get("bindings"), dict) else {}
    layout = data.get("layout", {})
    ws.layout = str(layout.get("state", "")) if isinstance(layout, dict) else ""
    return ws


def save_workspace(ws: Workspace, path: str | os.PathLike[str]) -> None:
    """Write a workspace atomically."""
    data: dict[str, Any] = {"workspace": {"version": FORMAT_VERSION}}
    if ws.devices:
        data["device"] = [
            {k: v for k, v in vars(d).items() if v not in ("", {}, None)} for d in ws.devices
        ]
    if ws.panels:
        data["panel"] = [
            {k: v for k, v in vars(pn).items() if v not in ("", {}, None)} for pn in ws.panels
        ]
    if ws.derived:
        data["derived"] = [
            {k: v for k, v in vars(d).items() if v not in ("", None)} for d in ws.derived
        ]
    if ws.rules:
        data["rules"] = list(ws.rules)
    if ws.bindings:
        data["bindings"] = ws.bindings
    if ws.layout:
        data["layout"] = {"state": ws.layout}
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        tmp.write_bytes(tomli_w.dumps(data).encode())
        os.replace(tmp, p)
    except OSError as exc:
        raise ConfigError(f"{p}: cannot write workspace: {exc.strerror or exc}") from None
    ws.path = p
