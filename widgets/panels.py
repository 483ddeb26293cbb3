"""The registry of dockable panels: each panel module adds itself here with one line."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from twinbench.widgets.context import AppContext


@dataclass(frozen=True)
class PanelSpec:
    """A kind of dock panel: id, menu title, factory, default dock area and visibility."""

    id: str
    title: str
    factory: Callable[[AppContext], QWidget]
    area: str = "right"  # left, right, bottom, top
    default_open: bool = False
    multiple: bool = False
    shortcut: str = ""
    group: str = ""  # View menu section (one of GROUPS); empty: see DEFAULT_GROUPS


# The View menu's sections, in order, and where the built-in panels go when they name none.
GROUPS: tuple[str, ...] = (
    "Plots and analysis",
    "Devices and links",
    "Twin, rules and alarms",
    "Data",
)
DEFAULT_GROUPS: dict[str, str] = {
    **dict.fromkeys(
        ("spectrum", "spectrogram", "xy", "histogram", "gauge", "bar", "led", "table"),
        "Plots and analysis",
    ),
    **dict.fromkeys(
        ("diagnostics", "mqtt", "ble-scanner", "ble-gatt", "ports", "console", "profile-editor"),
        "Devices and links",
    ),
    **dict.fromkeys(("twin", "twin-view", "alarms", "rules-editor"), "Twin, rules and alarms"),
    **dict.fromkeys(("sessions", "sql", "replay"), "Data"),
}


def group_of(spec: PanelSpec) -> str:
    """The View menu section a panel kind is listed in."""
    return spec.group or DEFAULT_GROUPS.get(spec.id, GROUPS[0])


# Modules that define panels, each exposing `PANELS: list[PanelSpec]`; add one line per module.
PANEL_MODULES: list[str] = [
    "twinbench.widgets.spectrum_panels",
    "twinbench.widgets.xy_hist_panels",
    "twinbench.widgets.dashboard",
    "twinbench.widgets.value_panels",
    "twinbench.widgets.diagnostics_panel",
    "twinbench.widgets.rules_panels",
    "twinbench.widgets.mqtt_panel",
    "twinbench.widgets.twin_panel",
    "twinbench.widgets.ble_panel",
    "twinbench.widgets.sessions_panel",
    "twinbench.widgets.query_panel",
    "twinbench.widgets.twin_view",
    "twinbench.widgets.console",
    "twinbench.widgets.profile_editor",
    "twinbench.widgets.ports",
    "twinbench.widgets.replay_panel",
]


def all_panels() -> list[PanelSpec]:
    """Every registered panel spec, in module order; a module that fails to import is skipped."""
    specs: list[PanelSpec] = []
    for name in PANEL_MODULES:
        try:
            mod: Any = importlib.import_module(name)
        except ImportError as exc:  # an optional panel must not keep the window from opening
            import logging

            logging.getLogger(__name__).warning("panel module %s unavailable: %s", name, exc)
            continue
        specs.extend(mod.PANELS)
    return specs
