"""Where the GUI keeps its state between runs: window layout, open devices, hidden channels."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from twinbench.paths import ENV_CONFIG_DIR, config_dir  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)


@dataclass
class SessionState:
    """What the main window restores: geometry, dock state, devices, hidden channels, panels."""

    geometry: str = ""  # base64 of QMainWindow.saveGeometry()
    dock_state: str = ""  # base64 of QMainWindow.saveState()
    devices: list[dict[str, Any]] = field(default_factory=list)  # [{"driver", "settings"}]
    hidden: list[list[str]] = field(default_factory=list)  # [[device, channel], ...]
    panels: list[str] = field(default_factory=list)  # dock object names that were open
    window_s: float = 10.0  # plot time window
    theme: str = "system"  # system, light or dark (widgets/theme.py)
    # the user's part of the bench model (twinbench.benchmodel): devices kept, panels with
    # their state, plot, rules, derived channels, 3D bindings, theme; the fields above are
    # the older form, read when this is empty
    bench: dict[str, Any] = field(default_factory=dict)

    def bench_data(self) -> dict[str, Any]:
        """The bench model data to restore (from `bench`, or from the older fields)."""
        if self.bench:
            return self.bench
        return {
            "devices": [dict(d) for d in self.devices],
            "panels": [
                {"kind": n.removeprefix("panel:").split("#", 1)[0], "name": n, "state": {}}
                for n in self.panels
                if n.startswith("panel:")
            ],
            "plot": {"hidden": self.hidden, "window_s": self.window_s},
            "theme": self.theme,
        }


class SessionStore:
    """Reads and writes `session.json` in the config folder; a bad file is reported, not fatal."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or config_dir()
        self.path = self.folder / "session.json"
        self.problem = ""

    def load(self) -> SessionState:
        """The saved state, or defaults (with `problem` set) when missing or unreadable."""
        if not self.path.exists():
            return SessionState()
        try:
            raw = json.loads(self.path.read_text())
            if not isinstance(raw, dict):
                raise ValueError("top level is not an object")
        except (OSError, ValueError) as exc:
            self.problem = f"{self.path}: ignored ({exc})"
            log.warning("%s", self.problem)
            return SessionState()
        known = SessionState.__dataclass_fields__
        state = SessionState(**{k: v for k, v in raw.items() if k in known})
        if not isinstance(state.devices, list) or not all(
            isinstance(d, dict) and isinstance(d.get("driver"), str) for d in state.devices
        ):
            self.problem = f"{self.path}: key 'devices' ignored (expected a list of objects)"
            state.devices = []
        if not isinstance(state.bench, dict):
            self.problem = f"{self.path}: key 'bench' ignored (expected an object)"
            state.bench = {}
        return state

    def save(self, state: SessionState) -> None:
        """Write the state atomically; a failure is logged, never raised at shutdown."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(asdict(state), indent=2) + "\n")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("cannot save session to %s: %s", self.path, exc)
