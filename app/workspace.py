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
_TOP_KEYS = {
    "workspace", "device", "panel", "derived", "rules", "bindings", "layout", "plot",
    "rules_editor",
}  # fmt: skip
_HEAD_KEYS = {"version", "theme"}
_DEVICE_KEYS = {"id", "driver", "settings", "profile", "model", "connect"}
_PANEL_KEYS = {"type", "id", "title", "config"}
_DERIVED_KEYS = {"name", "expr", "unit", "device"}
_PLOT_KEYS = {"hidden", "window_s", "split_units", "cursors", "areas"}
_RULES_EDITOR_KEYS = {"text"}
# where a misplaced key belongs, for the warning that names it
_BELONGS = {
    **{k: "at the top level (before the first [table])" for k in ("rules",)},
    **{k: "under [workspace]" for k in _HEAD_KEYS},
    **{k: f"in its own [{k}] table" for k in ("bindings", "layout", "plot", "rules_editor")},
    **{k: f"in [[{k}]] tables" for k in ("device", "panel", "derived")},
}


@dataclass
class DeviceEntry:
    """An open device: its driver and settings, optionally a profile and a DTDL model."""

    driver: str
    settings: dict[str, Any] = field(default_factory=dict)
    profile: str = ""
    model: str = ""
    id: str = ""  # the device id shown in the app (default: settings' device_id, or driver)
    connect: bool = True  # False: kept but not connected


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
    theme: str = ""  # system, light, dark ("": leave the app's theme)
    plot: dict[str, Any] = field(default_factory=dict)  # hidden, window_s, split_units, cursors
    rules_text: str = ""  # rules applied in the Rules editor
    version: int = FORMAT_VERSION
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def missing_files(self) -> list[str]:
        """Profiles, models and rule files the workspace names that do not exist."""
        base = self.path.parent if self.path else Path.cwd()
        names = [d.profile for d in self.devices] + [d.model for d in self.devices] + self.rules
        return [n for n in names if n and not (base / n).expanduser().exists()]


def _check_keys(
    where: str,
    table: dict[str, Any],
    known: set[str],
    warnings: list[str],
    belongs: dict[str, str] | None = None,
) -> None:
    belongs = _BELONGS if belongs is None else belongs
    for key in table:
        if key in known:
            continue
        if key in belongs:
            warnings.append(f"{where}: key {key!r} is misplaced: it belongs {belongs[key]}")
        else:
            warnings.append(f"{where}: unknown key {key!r} ignored")


_PANEL_CONFIG_KEYS = {
    k: "in the panel's config = { ... }"
    for k in ("device", "channels", "size", "window", "averages", "trail", "lo", "hi", "state")
}


def _in_settings(driver: Any) -> dict[str, str]:
    """Where a driver's setting written straight into [[device]] belongs."""
    try:
        from twinbench.registry import load_driver

        keys = [st.key for st in load_driver(str(driver)).settings]
    except Exception:  # an unknown driver is reported when the device opens
        return {}
    return {k: "in settings = { ... }" for k in keys}


def read_toml(path: Path) -> dict[str, Any]:
    """Read a workspace file's TOML (the one place that reads it: limits go here)."""
    return load_toml(path, "workspace file")[0]


def _table_list(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise ConfigError(f"{path}: [[{key}]] must be an array of tables")
    return raw


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Read a workspace; unknown keys become warnings, malformed structure a ConfigError."""
    p = Path(path)
    data = read_toml(p)
    warnings: list[str] = []
    _check_keys(str(p), data, _TOP_KEYS, warnings)
    head = data.get("workspace", {})
    if not isinstance(head, dict):
        raise ConfigError(f"{p}: [workspace] must be a table")
    # keys written under [workspace] that belong elsewhere: warned about, then used anyway
    _check_keys(f"{p}: [workspace]", head, _HEAD_KEYS | {"rules", "bindings", "plot"}, warnings)
    for key in ("rules", "bindings", "plot"):
        if key in head:
            warnings.append(
                f"{p}: [workspace] key {key!r} is misplaced: it belongs {_BELONGS[key]}; "
                "used anyway"
            )
            data.setdefault(key, head[key])
    version = head.get("version", FORMAT_VERSION)
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
        _check_keys(where, d, _DEVICE_KEYS, warnings, _in_settings(d.get("driver")))
        if not isinstance(d.get("driver"), str) or not d["driver"]:
            raise ConfigError(f"{where}: key 'driver' is required (a driver name)")
        settings = d.get("settings", {})
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: key 'settings' must be a table")
        ws.devices.append(
            DeviceEntry(
                d["driver"],
                settings,
                str(d.get("profile", "")),
                str(d.get("model", "")),
                str(d.get("id", "")),
                bool(d.get("connect", True)),
            )
        )
    for i, d in enumerate(_table_list(data, "panel", p)):
        where = f"{p}: [[panel]] #{i + 1}"
        _check_keys(where, d, _PANEL_KEYS, warnings, _PANEL_CONFIG_KEYS)
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
    ws.theme = str(head.get("theme", ""))
    plot = data.get("plot", {})
    if isinstance(plot, dict):
        _check_keys(f"{p}: [plot]", plot, _PLOT_KEYS, warnings, {})
        ws.plot = {k: v for k, v in plot.items() if k in _PLOT_KEYS}
    editor = data.get("rules_editor", {})
    if isinstance(editor, dict):
        _check_keys(f"{p}: [rules_editor]", editor, _RULES_EDITOR_KEYS, warnings, {})
        ws.rules_text = str(editor.get("text", ""))
    return ws


def save_workspace(ws: Workspace, path: str | os.PathLike[str]) -> None:
    """Write a workspace atomically."""
    data: dict[str, Any] = {"workspace": {"version": FORMAT_VERSION}}
    if ws.theme:
        data["workspace"]["theme"] = ws.theme
    if ws.devices:
        data["device"] = [
            {k: v for k, v in vars(d).items() if v not in ("", {}, None, True)} for d in ws.devices
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
    if ws.plot:
        data["plot"] = ws.plot
    if ws.rules_text:
        data["rules_editor"] = {"text": ws.rules_text}
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        tmp.write_bytes(tomli_w.dumps(data).encode())
        os.replace(tmp, p)
    except OSError as exc:
        raise ConfigError(f"{p}: cannot write workspace: {exc.strerror or exc}") from None
    ws.path = p


def to_model_dict(ws: Workspace) -> dict[str, Any]:
    """The bench model data (`twinbench.benchmodel`) that a workspace describes."""
    from twinbench.benchmodel import free_id

    devices, taken = [], set()
    for d in ws.devices:
        dev_id = free_id(d.id or str(d.settings.get("device_id") or d.driver), taken)
        taken.add(dev_id)
        entry = {"id": dev_id, "driver": d.driver, "settings": dict(d.settings)}
        entry.update({k: v for k, v in (("profile", d.profile), ("model", d.model)) if v})
        if not d.connect:
            entry["connect"] = False
        devices.append(entry)
    panels = [
        {"kind": p.type, "name": p.id or f"panel:{p.type}", "state": dict(p.config)}
        for p in ws.panels
    ]
    return {
        "devices": devices,
        "panels": panels,
        "plot": dict(ws.plot),
        "rules": {"files": list(ws.rules), "text": ws.rules_text},
        "derived": [{k: v for k, v in vars(d).items() if v} for d in ws.derived],
        "bindings": dict(ws.bindings),
        "theme": ws.theme or "system",
        "layout": ws.layout,
    }


def from_model_dict(data: dict[str, Any]) -> Workspace:
    """A workspace holding bench model data (`BenchModel.to_dict()`)."""
    return Workspace(
        devices=[
            DeviceEntry(
                d["driver"],
                dict(d.get("settings") or {}),
                str(d.get("profile", "")),
                str(d.get("model", "")),
                str(d["id"]),
                bool(d.get("connect", True)),
            )
            for d in data.get("devices", [])
        ],
        panels=[
            PanelEntry(p["kind"], p["name"], "", dict(p.get("state") or {}))
            for p in data.get("panels", [])
        ],
        derived=[
            DerivedEntry(d["name"], d["expr"], d.get("unit", ""), d.get("device", ""))
            for d in data.get("derived", [])
        ],
        rules=list(data.get("rules", {}).get("files", [])),
        rules_text=str(data.get("rules", {}).get("text", "")),
        bindings=dict(data.get("bindings") or {}),
        layout=str(data.get("layout", "")),
        theme=str(data.get("theme", "")),
        plot=dict(data.get("plot") or {}),
    )
