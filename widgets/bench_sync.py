"""The bench model and the window: apply a model to the window, read the window into it.

`snapshot()` folds what the widgets show (plot channels, window, lanes, cursors; each open
panel's `state()`; the theme; the dock layout) into the model through its commands. `apply_*`
does the opposite, for a restored session, an opened workspace or a fresh start. Rules,
derived channels and 3D bindings are attached to the runtime from the model here too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray

from twinbench.benchmodel import BenchModel
from twinbench.errors import TwinBenchError
from twinbench.widgets.panel_state import panel_state

if TYPE_CHECKING:
    from twinbench.gui.launch import BenchApp

log = logging.getLogger(__name__)


def binding_table(binding: Any) -> dict[str, Any]:
    """A 3D binding as a `[[view3d.bindings]]` table (defaults left out)."""
    from dataclasses import fields

    from twinbench.visuals.bindings import Binding

    out: dict[str, Any] = {}
    for f in fields(Binding):
        if f.name == "origin":
            continue
        value = getattr(binding, f.name)
        if f.name in ("kind", "device") or value != f.default:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


class BenchSync:
    """Moves state between the bench model and a running BenchApp's window and runtime."""

    def __init__(self, bench: BenchApp, model: BenchModel) -> None:
        self.bench = bench
        self.model = model
        self.base = Path.cwd()  # rule files are relative to the workspace that named them

    # -- window -> model -------------------------------------------------------------------
    def snapshot(self) -> BenchModel:
        """Fold what the window shows now into the model; returns it."""
        win, m = self.bench.window, self.model
        plot = win.plot
        if plot is not None:
            cursors = list(plot.cursors.pos_ns) if plot.cursors.enabled else []
            m.set_plot(
                hidden=plot.hidden,
                window_s=plot.window_ns / 1e9,
                split_units=plot.split_units,
                cursors=[int(t) for t in cursors],
            )
        if win.plot_area is not None:
            m.set_plot(areas=win.plot_area.state())
        m.set_theme(win.actions.theme)
        open_names = set()
        for name, dock in list(win.docks.items()):
            if not name.startswith("panel:") or not dock.isVisible():
                continue
            open_names.add(name)
            kind = name.removeprefix("panel:").split("#", 1)[0]
            state = panel_state(dock.widget())
            if name not in m.panels:
                m.open_panel(kind, name, state)
            else:
                m.set_panel_state(name, state)
        for name in list(m.panels):
            if name not in open_names:
                m.close_panel(name)
        m.set_layout(bytes(win.saveState().toBase64().data()).decode())
        return m

    # -- model -> runtime ------------------------------------------------------------------
    def attach_analysis(self, base: Path | None = None) -> None:
        """Derived channels, 3D bindings and rules of the model, on the runtime."""
        if base is not None:
            self.base = base
        m, bench = self.model, self.bench
        services = bench.ctx.services
        services.pop("view3d", None)
        if m.bindings:
            from twinbench.visuals.bindings import parse_view_config

            try:
                services["view3d"] = parse_view_config(m.bindings, "workspace: [bindings]")
            except TwinBenchError as exc:
                bench.problems.append(str(exc))
        self.attach_derived()
        self._attach_rules()

    def attach_derived(self) -> None:
        """(Re)attach the model's derived channels; live devices are declared again with them."""
        from twinbench.derived.engine import DERIVED_PREFIX, DerivedChannel, DerivedEngine
        from twinbench.model import Device

        rt = self.bench.runtime
        old = self.bench.ctx.services.pop("derived", None)
        if old is not None and old in rt.sink.transforms:
            rt.sink.transforms.remove(old)
        if not self.model.derived:
            return
        specs = [
            DerivedChannel(d["name"], d["expr"], d.get("unit", ""), d.get("device", ""))
            for d in self.model.derived
        ]
        engine = DerivedEngine(rt, specs, on_error=self.bench.problems.append)
        for st in list(rt.hub.devices.values()):  # already live: declare the new channels
            d = st.device  # without the old engine's channels (they would clash with the new)
            own = tuple(c for c in d.channels if not c.description.startswith(DERIVED_PREFIX))
            rt.sink.declare(Device(d.id, d.driver, own, d.description, d.meta))
        self.bench.ctx.services["derived"] = engine

    def _attach_rules(self) -> None:
        from twinbench.rules import attach

        services = self.bench.ctx.services
        old = services.pop("rules", None)
        if old is not None and hasattr(old, "close"):
            old.close()
        rules = self.model.rules
        source: Any = None
        if rules.text:  # applied in the editor: it replaced the files' rules there too
            from twinbench.rules.loader import parse_rules

            try:
                source = parse_rules(rules.text, "rules editor")
            except TwinBenchError as exc:
                self.bench.problems.append(str(exc))
        elif rules.files:
            paths = [self.base / f for f in rules.files]
            source = [str(p) for p in paths if p.exists()]
        if not source:
            return
        try:
            services["rules"] = attach(self.bench.runtime, source)
        except TwinBenchError as exc:
            self.bench.problems.append(str(exc))

    # -- model -> window -------------------------------------------------------------------
    def open_panels(self) -> None:
        """Open the model's panels (the defaults when it has none) and restore their state."""
        win, m = self.bench.window, self.model
        names = list(m.panels)
        if not win.specs:  # the first time: the View menu entries too
            win.install_panels(names)
        else:
            self._open(names)
        for rec in m.panels.values():
            if rec.kind not in win.specs:
                self.bench.problems.append(f"unknown panel kind {rec.kind!r} skipped")
        self.restore_panels()

    def restore_panels(self) -> None:
        """Show each open panel the state the model holds for it."""
        win = self.bench.window
        for name, rec in self.model.panels.items():
            dock = win.docks.get(name)
            if dock is None:
                continue
            restore = getattr(dock.widget(), "restore", None)
            if rec.state and callable(restore):
                try:
                    restore(dict(rec.state))
                except Exception as exc:  # a stale state must not stop the rest
                    self.bench.problems.append(f"panel {name}: {exc}")

    def _open(self, names: list[str]) -> None:
        win = self.bench.window
        if not names:
            names = [f"panel:{s.id}" for s in win.specs.values() if s.default_open]
        for name in names:
            kind = name.removeprefix("panel:").split("#", 1)[0]
            if kind in win.specs:
                try:
                    win.open_panel(kind, name=name)
                except Exception as exc:
                    log.exception("panel %s failed to open", name)
                    self.bench.problems.append(f"panel {name!r} failed to open: {exc}")

    def apply_view(self) -> None:
        """Plot state, theme and dock layout of the model, on the window."""
        win, m = self.bench.window, self.model
        plot = win.plot
        if plot is not None:
            plot.set_window(m.plot.window_s)
            plot.set_split_units(m.plot.split_units)
            for dev, ch in list(plot.hidden):
                plot.set_channel_visible(dev, ch, True)
            hidden = {(d, c) for d, c in m.plot.hidden}
            for dev, ch in hidden:
                plot.set_channel_visible(dev, ch, False)
            win.tree.set_hidden(hidden)
        area = win.plot_area
        if area is not None:
            area.restore(m.plot.areas)
            self.bench.problems.extend(area.problems)
        if plot is not None:
            plot.set_cursors(bool(m.plot.cursors))
            if len(m.plot.cursors) == 2:
                plot.cursors.set_positions(*m.plot.cursors)
        win.actions.set_theme(m.theme)
        if m.layout:
            win.restoreState(QByteArray.fromBase64(m.layout.encode()))
            win.dock_layout.fit_later()  # a saved layout may not leave the plot half

    def close_panels(self) -> None:
        """Close every panel (the bench is replaced); the window releases each one's work."""
        win = self.bench.window
        for name in [n for n in win.docks if n.startswith("panel:")]:
            win.close_panel(name)
