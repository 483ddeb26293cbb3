"""The 3D twin view dock: hosts `twinbench.widgets.scene3d.TwinScene` in a vispy SceneCanvas.

Models load on a worker thread; bindings are evaluated from the hub's latest values on the GUI
tick (<= 60 Hz), so the view never holds up the pipeline.
"""

from __future__ import annotations

import html
import queue
import threading
import time
from typing import Any, ClassVar

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QToolBar, QVBoxLayout, QWidget

from twinbench.visuals.bindings import (
    Binding,
    DevicePlacement,
    ViewConfig,
    default_bindings,
    load_view_config,
)
from twinbench.visuals.frame_budget import FrameBudget
from twinbench.visuals.live import Evaluator, FusionWorkers, hub_latest
from twinbench.visuals.lod import LodController
from twinbench.visuals.meshes import MeshLoadError, Model, load_model
from twinbench.widgets.binding_form import BindingForm
from twinbench.widgets.context import AppContext
from twinbench.widgets.panel_state import FormState
from twinbench.widgets.panels import PanelSpec

NO_GL_PLATFORMS = ("offscreen", "minimal")
DEVICE_SPACING = 0.7  # metres between devices placed automatically
AUTO_PLACE_MAX = 16  # devices placed automatically; more need a view config
PLACE_PER_TICK = 2  # new devices placed (and their loads queued) per frame
SOFTWARE_MAX_SIZE = (800, 600)  # canvas pixels on a software renderer


class ModelLoader:
    """Loads (and, on software renderers, reduces) models on one worker thread, in turn.

    However many devices appear, there is one loading thread and a queue: trimesh's imports and
    the loads themselves never run side by side (they would only wait on each other's locks).
    """

    def __init__(self) -> None:
        # (device, full model, model to show, LOD note, error)
        self.results: queue.Queue[tuple[str, Model | None, Model | None, str, str]] = queue.Queue()
        self.jobs: queue.Queue[tuple[str, str | Model, int | None] | None] = queue.Queue()
        self.thread: threading.Thread | None = None

    @property
    def threads(self) -> list[threading.Thread]:
        """The loading thread, when running (at most one)."""
        return [self.thread] if self.thread is not None and self.thread.is_alive() else []

    def start(self, device: str, source: str | Model, budget: int | None) -> None:
        """Queue a load of `source` (a path, builtin:name, or a loaded Model to reduce again)."""
        self.jobs.put((device, source, budget))
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="twinbench-view3d-load",
                                           daemon=True)  # fmt: skip
            self.thread.start()

    def pending(self) -> int:
        """Loads queued and not started."""
        return self.jobs.qsize()

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            self.results.put(self._load(*job))

    @staticmethod
    def _load(
        device: str, source: str | Model, budget: int | None
    ) -> tuple[str, Model | None, Model | None, str, str]:
        from twinbench.widgets.scene3d import reduce_model

        try:
            full = source if isinstance(source, Model) else load_model(source)
            shown, note = full, ""
            if budget is not None:
                shown, note = reduce_model(full, budget)
            return (device, full, shown, note, "")
        except MeshLoadError as exc:
            return (device, None, None, "", str(exc))
        except Exception as exc:  # a broken file must never take the GUI down
            return (device, None, None, "", f"{source}: {type(exc).__name__}: {exc}")

    def join(self, timeout: float = 10.0) -> None:
        """Finish the queued loads and stop the thread."""
        t = self.thread
        if t is not None:
            self.jobs.put(None)
            t.join(timeout)
            self.thread = None


class StopWithRuntime:
    """Looks like a consumer thread to `Runtime.stop`, which then calls `stop` (never `start`)."""

    def __init__(self, stop: Any) -> None:
        self._stop = stop

    def is_alive(self) -> bool:
        """Always: the runtime must not start it."""
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Run the stop function."""
        self._stop(timeout)


class TwinViewPanel(FormState, QWidget):
    """The twin view: toolbar, 3D canvas, picked-part details and a status line."""

    STATE_FIELDS: ClassVar[dict[str, str]] = {}

    def __init__(
        self, ctx: AppContext, config: ViewConfig | None = None, lazy: bool = False
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("twin-view")
        cfg = config if config is not None else _config_from(ctx)
        self.config = cfg
        self.evaluator = Evaluator(bindings=list(cfg.bindings))
        self.fusion = FusionWorkers(ctx.runtime)
        self.loader = ModelLoader()
        workers = getattr(ctx.runtime, "workers", None)
        if isinstance(workers, list):
            workers.append(StopWithRuntime(self.loader.join))  # runtime.stop() ends the loads
        self.placed: dict[str, DevicePlacement] = {d.device: d for d in cfg.devices}
        self._declared = {b.device for b in cfg.bindings}  # devices the profile binds itself
        self.loading: set[str] = set()
        self.originals: dict[str, Model] = {}  # full-detail models, for LOD changes
        self.lod = LodController()
        self.errors: dict[str, str] = {}
        self.picked: tuple[str, str] | None = None
        self.closed = False
        self._status = ""
        self._press: tuple[float, float] | None = None
        self._last_info = 0.0
        self._hub_seen = -1
        self._backlog = False
        self.not_placed: set[str] = set()
        self.pacing: FrameBudget | None = None  # set on a software renderer
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.info_label = QLabel(self)
        self.info_label.setWordWrap(True)
        self.scene: Any = None
        self._lazy = False
        platform = QGuiApplication.platformName()
        if platform in NO_GL_PLATFORMS:
            self.status_label.setText(
                f"3D view unavailable: the Qt platform {platform!r} has no OpenGL "
                "(run with a display, or QT_QPA_PLATFORM=xcb under Xvfb)"
            )
            layout.addWidget(self.status_label)
            return
        self._lazy = lazy
        ctx.runtime.events.listen(self.evaluator.alarms.on_event)
        ctx.on_tick(self.tick)
        if lazy:  # in a dock: the GL canvas is made on the first tick with its tab shown
            self.status_label.setText("3D view: starting\u2026")
            layout.addWidget(self.status_label)
            return
        self._build_scene()

    def _build_scene(self) -> None:
        """Make the GL canvas and its toolbar (once). A window holding a GL canvas composites
        every frame through OpenGL, so a 3D view tabbed away at start makes none until shown."""
        from twinbench.widgets.scene3d import TwinScene

        self._lazy = False
        layout = self.layout()
        layout.removeWidget(self.status_label)
        self.scene = TwinScene(app="pyside6", parent=self)
        self.toolbar = self._make_toolbar()
        layout.addWidget(self.toolbar)
        layout.addWidget(self.scene.canvas.native, 1)
        layout.addWidget(self.info_label)
        layout.addWidget(self.status_label)
        self.status_label.setText("")
        canvas = self.scene.canvas
        canvas.events.draw.connect(lambda _e: self.lod.frame(time.monotonic()), position="last")
        canvas.events.mouse_press.connect(self._on_press)
        canvas.events.mouse_release.connect(self._on_release)

    # -- toolbar ---------------------------------------------------------------------------
    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar(self)
        for text, slot, tip in (
            ("Reset view", self.reset_view, "default camera angles, fitted to the model"),
            ("Fit", self.fit, "fit the camera to every device"),
            ("Screenshot…", self._ask_screenshot, "save the view as a PNG"),
        ):
            act = QAction(text, self)
            act.setToolTip(tip)
            act.triggered.connect(slot)
            bar.addAction(act)
        bind = QAction("Bind…", self)
        bind.setToolTip("bind channels to the picked part (or a device)")
        bind.triggered.connect(self.open_binding_form)
        bar.addAction(bind)
        self.wire_action = QAction("Wireframe", self)
        self.wire_action.setCheckable(True)
        self.wire_action.toggled.connect(self.set_wireframe)
        bar.addAction(self.wire_action)
        return bar

    def reset_view(self) -> None:
        """Default camera, fitted to the model."""
        if self.scene is not None:
            self.scene.reset_view()
            self.scene.canvas.update()

    def fit(self) -> None:
        """Fit the camera to every device."""
        if self.scene is not None:
            self.scene.fit()
            self.scene.canvas.update()

    def set_wireframe(self, on: bool) -> None:
        """Toggle triangle edges."""
        if self.scene is not None:
            self.scene.set_wireframe(bool(on))
            self.scene.canvas.update()

    def open_binding_form(self) -> BindingForm:
        """Show the form that adds a binding (prefilled with the picked part)."""
        dev, part = self.picked or ("", "")
        devices = list(self.ctx.runtime.hub.devices)
        if dev in devices:
            devices.remove(dev)
            devices.insert(0, dev)
        form = BindingForm(devices, part, self.add_binding, self)
        form.open()
        return form

    def save_screenshot(self, path: str) -> str:
        """Write the view to a PNG file; return its path."""
        if self.scene is None:
            raise RuntimeError("3D view unavailable: no OpenGL")
        self.scene.screenshot(path)
        return path

    def _ask_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "twin.png", "PNG (*.png)")
        if path:
            self.save_screenshot(path)

    # -- picking ---------------------------------------------------------------------------
    def _on_press(self, event: Any) -> None:
        self._press = tuple(event.pos[:2])

    def _on_release(self, event: Any) -> None:
        if self._press is None:
            return
        dx, dy = event.pos[0] - self._press[0], event.pos[1] - self._press[1]
        self._press = None
        if dx * dx + dy * dy <= 9:  # a click, not a drag of the camera
            self.pick((float(event.pos[0]), float(event.pos[1])))

    def pick(self, pos: tuple[float, float]) -> tuple[str, str] | None:
        """Select the part under canvas pixel `pos` and show its bindings and live values."""
        if self.scene is None:
            return None
        self.picked = self.scene.pick(pos)
        self._show_info()
        return self.picked

    def part_info(self, device: str, part: str) -> str:
        """Plain-text description of a part: bindings with their live values and problems."""
        latest = hub_latest(self.ctx.runtime.hub).get(device, {})
        lines = [f"{device}/{part}"]
        for i, b in enumerate(self.evaluator.bindings):
            if b.device != device or b.part not in ("", part):
                continue
            vals = ", ".join(f"{c}={latest.get(c, float('nan')):.4g}" for c in b.channels)
            lines.append(f"  {b.describe()}" + (f"  [{vals}]" if vals else ""))
            if i in self.evaluator.messages:
                lines.append(f"    ! {self.evaluator.messages[i]}")
        if len(lines) == 1:
            lines.append("  no bindings")
        return "\n".join(lines)

    def _show_info(self) -> None:
        if self.picked is None:
            self.info_label.setText("click a part to see its bindings and live values")
            return
        text = self.part_info(*self.picked)
        self.info_label.setText("<pre>" + html.escape(text) + "</pre>")

    # -- devices and bindings -------------------------------------------------------------
    def _discover(self) -> None:
        hub = self.ctx.runtime.hub
        n_hub = len(hub.devices)
        if n_hub == self._hub_seen and not self._backlog:
            return  # nothing new: no walk over every device on every frame
        self._hub_seen = n_hub
        auto = not self.config.devices
        self._backlog = False
        placed_now = 0
        for dev_id, st in list(hub.devices.items()):
            if dev_id in self.loading or dev_id in self.scene.devices or dev_id in self.errors:
                continue
            if dev_id not in self.placed:
                if not auto:
                    continue
                if len(self.placed) >= AUTO_PLACE_MAX:
                    self.not_placed.add(dev_id)
                    continue
                if placed_now >= PLACE_PER_TICK or self.loader.pending() >= PLACE_PER_TICK:
                    self._backlog = True  # placed lazily, a few per frame
                    break
                placed_now += 1
                n = len(self.placed)
                self.placed[dev_id] = DevicePlacement(dev_id, position=(0.0, DEVICE_SPACING * n, 0))
            if dev_id not in self._declared:
                self.evaluator.bindings.extend(default_bindings(dev_id, st.device.channel_names))
            self.evaluator.check_channels(dev_id, st.device.channel_names)
            self.fusion.start(self.evaluator)
            self.loading.add(dev_id)
            budget = self.lod.budget if self.scene.software else None
            self.loader.start(dev_id, self.placed[dev_id].model, budget)

    def _collect(self) -> None:
        while True:
            try:
                dev, full, model, note, err = self.loader.results.get_nowait()
            except queue.Empty:
                return
            self.loading.discard(dev)
            if full is None or model is None:
                self.errors[dev] = err
                continue
            first = not self.scene.devices
            known = dev in self.scene.devices  # a LOD change keeps pose and camera
            self.originals[dev] = full
            self.scene.add_device(dev, model, self.placed[dev].position, note)
            self.evaluator.check_parts(dev, [p.name for p in model.parts])
            if first or (not known and len(self.scene.devices) > 1):
                self.scene.reset_view()

    def _adapt_lod(self, now: float) -> None:
        """On a software renderer, lower the triangle budget while the view runs under 30 fps."""
        self.lod.tick(now)
        if not self.scene.software or self.loading or not self.originals:
            return
        new = self.lod.check(now, self.scene.n_faces())
        if new is None:
            return
        total = sum(m.n_faces for m in self.originals.values())
        for dev, full in self.originals.items():
            share = max(12, int(new * full.n_faces / total))
            if self.scene.devices[dev].model.n_faces > share:
                self.loading.add(dev)
                self.loader.start(dev, full, share)

    def add_binding(self, binding: Binding) -> None:
        """Add a binding from the GUI; it is checked against the device's channels at once."""
        self.evaluator.bindings.append(binding)
        model = self.ctx.services.get("bench_model")
        if model is not None:  # kept in the bench: saved in workspaces and the session
            from twinbench.widgets.bench_sync import binding_table

            table = dict(model.bindings)
            table["bindings"] = [*table.get("bindings", []), binding_table(binding)]
            model.set_bindings(table)
        st = self.ctx.runtime.hub.devices.get(binding.device)
        if st is not None:
            self.evaluator.check_channels(binding.device, st.device.channel_names)
        dv = self.scene.devices.get(binding.device) if self.scene is not None else None
        if dv is not None:
            self.evaluator.check_parts(binding.device, list(dv.parts))
        self.fusion.start(self.evaluator)

    def status_text(self) -> str:
        """Renderer, triangles, LOD and any problems, as shown under the view."""
        if self.scene is None:
            return self.status_label.text()
        bits = [self.scene.status()]
        if self.pacing is not None:
            p = self.pacing
            bits.append(
                f"software OpenGL: at most {p.fps():.0f} fps and {SOFTWARE_MAX_SIZE[0]}x"
                f"{SOFTWARE_MAX_SIZE[1]} px, so drawing takes <= {p.share:.0%} of the GUI thread"
            )
        if self.not_placed:
            bits.append(
                f"showing {len(self.placed)} devices; {len(self.not_placed)} more not placed "
                "(list them in a view config to show them)"
            )
        bits += [f"cannot load model for {d}: {e}" for d, e in self.errors.items()]
        bits += list(dict.fromkeys(self.evaluator.messages.values()))
        bits += [f.error for f in self.evaluator.fusions.values() if f.error]
        return "\n".join(bits)

    # -- frame -----------------------------------------------------------------------------
    def tick(self) -> None:
        """One display frame: new devices, finished loads, bindings, redraw."""
        if self._lazy and not self.closed and self.isVisible():
            self._build_scene()  # the window runs this tick only while the tab is shown
            return
        if self.closed or self.scene is None or not self.isVisible():
            return
        if not self.scene.renderer:
            if not self.scene.canvas.native.isValid():
                self._waits = getattr(self, "_waits", 0) + 1
                if self._waits == 120:  # about 2 s of ticks without a GL context
                    self.status_label.setText(
                        "3D view: no OpenGL context yet (is an OpenGL driver installed?)"
                    )
                return
            self.scene.detect_renderer()
            if self.scene.software:
                self._pace_software()
        self._discover()
        self._collect()
        self._adapt_lod(time.monotonic())
        states = self.evaluator.evaluate(hub_latest(self.ctx.runtime.hub), time.monotonic())
        self.scene.apply(states)
        now = time.monotonic()
        if self.pacing is None or self.pacing.due(now):
            self.scene.canvas.update()
        if now - self._last_info > 0.25:
            self._last_info = now
            if self.picked is not None:
                self._show_info()
            status = self.status_text()
            if status != self._status:
                self._status = status
                self.status_label.setText(status)
                bar = getattr(self.ctx.window, "statusBar", None)
                if callable(bar) and self.scene.lod_notes:
                    bar().showMessage("3D view: " + "; ".join(self.scene.lod_notes.values()), 10000)

    def _pace_software(self) -> None:
        """On a software renderer: a smaller canvas and paced frames (a share of the GUI)."""
        pacing = self.pacing = FrameBudget()
        canvas = self.scene.canvas
        canvas.native.setMaximumSize(*SOFTWARE_MAX_SIZE)
        canvas.events.draw.connect(lambda _e: pacing.draw_started(time.monotonic()),
                                   position="first")  # fmt: skip
        canvas.events.draw.connect(lambda _e: pacing.draw_finished(time.monotonic()),
                                   position="last")  # fmt: skip

    # -- shutdown --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop fusion threads, wait for loads, release the GL canvas."""
        if self.closed:
            return
        self.closed = True
        self.fusion.stop()
        self.loader.join()
        if self.scene is not None:
            self.scene.close()

    def closeEvent(self, event: Any) -> None:
        """Release threads and GL resources with the widget."""
        self.shutdown()
        super().closeEvent(event)


def _config_from(ctx: AppContext) -> ViewConfig:
    cfg = ctx.services.get("view3d")
    if isinstance(cfg, ViewConfig):
        return cfg
    if isinstance(cfg, str):
        return load_view_config(cfg)
    return ViewConfig()


def make_twin_view(ctx: AppContext) -> QWidget:
    """Panel factory: the 3D twin view (its canvas waits for its tab to show, in the window)."""
    return TwinViewPanel(ctx, lazy=ctx.building_panel is not None)


PANELS = [PanelSpec("twin-view", "3D twin view", make_twin_view, "right", True, False, "Ctrl+3")]
