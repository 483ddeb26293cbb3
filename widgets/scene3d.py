"""The vispy scene of the twin view: devices made of part meshes, camera, grid, axes, lights.

Independent of Qt: the GUI embeds `TwinScene.canvas.native`, benchmarks and tests render it
through vispy's EGL backend.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twinbench.visuals.live import TargetState
from twinbench.visuals.lod import START_BUDGET
from twinbench.visuals.meshes import Model, Part, decimate
from twinbench.visuals.rotations import quat_to_matrix
from twinbench.widgets import vispy_setup

vispy_setup.prepare()

from vispy import scene as vscene  # noqa: E402
from vispy.geometry import MeshData  # noqa: E402
from vispy.visuals.filters import WireframeFilter  # noqa: E402
from vispy.visuals.transforms import MatrixTransform  # noqa: E402

#: triangles a model starts reduced to on a software renderer; LodController lowers it further
SOFTWARE_FACE_BUDGET = START_BUDGET
BACKGROUND = (0.11, 0.12, 0.14, 1.0)
LABEL_PERIOD = 0.5  # s between label text updates (text layout costs ~1 ms a change)
COLOR_PERIOD = 0.1  # s between colour updates from bindings (a heat map changes slowly)
GLYPHS = "0123456789.,-+e nan"  # preloaded into the label font atlas
LIGHT_DIR_EYE = np.array([0.4, -0.6, -1.0, 0.0])  # light from over the viewer's shoulder


def _row_matrix(rot: np.ndarray | None, pivot: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """vispy (row-vector) 4x4 matrix of v -> R (v - pivot) + pivot + offset."""
    m = np.eye(4)
    r = np.eye(3) if rot is None else quat_to_matrix(rot)
    m[:3, :3] = r.T
    m[3, :3] = pivot - pivot @ r.T + offset
    return m


@dataclass
class PartView:
    """A part's visuals: its mesh, transform, optional label, base colour and state."""

    device: str
    part: Part
    mesh: Any
    transform: Any
    base_color: tuple[float, float, float, float]
    center: np.ndarray
    label: Any = None
    wireframe: Any = None
    color: tuple[float, float, float, float] | None = None
    label_time: float = 0.0
    top: float = 0.0  # highest z of the part, where its label is pinned
    color_time: float = 0.0


@dataclass
class DeviceView:
    """A device in the scene: its node, placement and parts."""

    device: str
    model: Model
    node: Any
    transform: Any
    placement: np.ndarray
    parts: dict[str, PartView] = field(default_factory=dict)
    rotation: np.ndarray | None = None
    position: np.ndarray = field(default_factory=lambda: np.zeros(3))


def reduce_model(model: Model, budget: int) -> tuple[Model, str]:
    """Decimate the parts of `model` so it holds about `budget` triangles; return a note."""
    total = model.n_faces
    if total <= budget:
        return model, ""
    scale = budget / total
    parts = [decimate(p, max(12, int(p.n_faces * scale))) for p in model.parts]
    reduced = Model(model.source, parts)
    return reduced, f"reduced {total:,} to {reduced.n_faces:,} triangles"


def fit_camera(cam: Any, lo: np.ndarray, hi: np.ndarray) -> None:
    """Aim a perspective camera at the box [lo, hi] from far enough to see it whole."""
    radius = max(float(np.linalg.norm(hi - lo)) / 2.0, 1e-3)
    cam.center = tuple((lo + hi) / 2.0)
    cam.distance = 1.15 * radius / np.sin(np.radians(cam.fov / 2.0))


class TwinScene:
    """Devices, their parts and the camera, drawn on one vispy SceneCanvas."""

    def __init__(
        self,
        canvas: Any = None,
        *,
        size: tuple[int, int] = (800, 600),
        app: str | None = None,
        show: bool = False,
        parent: Any = None,
    ) -> None:
        if canvas is None:
            canvas = vscene.SceneCanvas(
                size=size, app=app, show=show, bgcolor=BACKGROUND, parent=parent, keys=None
            )
        self.canvas = canvas
        self.view = canvas.central_widget.add_view()
        self.view.camera = vscene.TurntableCamera(fov=40, elevation=25, azimuth=-40, distance=1.5)
        self.view.camera.depth_value = 1000.0  # default 1e6 leaves too few depth bits
        self.devices: dict[str, DeviceView] = {}
        self.wireframe = False
        self.color_period = COLOR_PERIOD
        self.label_period = LABEL_PERIOD
        self.renderer = ""
        self.lod_notes: dict[str, str] = {}
        self.guides = self._make_guides(1.0, 0.1, 0.15)
        canvas.events.draw.connect(self._on_draw, position="first")

    # -- renderer --------------------------------------------------------------------------
    def detect_renderer(self) -> str:
        """Read GL_RENDERER from the canvas's context (call with the context able to be made)."""
        if not self.renderer:
            self.canvas.set_current()
            self.renderer = vispy_setup.gl_renderer()
        return self.renderer

    @property
    def software(self) -> bool:
        """True when the renderer is a CPU rasteriser such as llvmpipe."""
        return vispy_setup.is_software(self.renderer)

    def face_budget(self) -> int | None:
        """Triangles to reduce a model to on this renderer (None: no reduction)."""
        return SOFTWARE_FACE_BUDGET if self.software else None

    # -- building --------------------------------------------------------------------------
    def _make_guides(self, half: float, step: float, axis: float) -> Any:
        """Ground grid and x/y/z axes as one line visual (one draw call: cheap on llvmpipe)."""
        ticks = np.arange(-half, half + step / 2, step)
        n = ticks.size
        seg = np.full((4 * n + 6, 3), -0.002, np.float32)  # just under z=0: no z-fighting
        seg[0 : 2 * n : 2, 0], seg[1 : 2 * n : 2, 0] = ticks, ticks
        seg[0 : 2 * n : 2, 1], seg[1 : 2 * n : 2, 1] = -half, half
        seg[2 * n : 4 * n : 2, 1], seg[2 * n + 1 : 4 * n : 2, 1] = ticks, ticks
        seg[2 * n : 4 * n : 2, 0], seg[2 * n + 1 : 4 * n : 2, 0] = -half, half
        seg[4 * n :] = 0.0
        for i in range(3):  # axes from the origin: x red, y green, z blue
            seg[4 * n + 2 * i + 1, i] = axis
        colors = np.tile(np.array([0.45, 0.47, 0.5, 0.6], np.float32), (4 * n + 6, 1))
        rgb = np.eye(4, dtype=np.float32)[:3]
        rgb[:, 3] = 1.0
        colors[4 * n :] = np.repeat(rgb, 2, axis=0)
        return vscene.visuals.Line(
            pos=seg, connect="segments", color=colors, parent=self.view.scene
        )

    def add_device(
        self,
        device: str,
        model: Model,
        position: tuple[float, float, float] = (0.0, 0.0, 0.0),
        lod_note: str = "",
    ) -> DeviceView:
        """Show `model` as `device` at `position`; replacing a device keeps its pose."""
        old = self.devices.get(device)
        self.remove_device(device)
        node = vscene.Node(parent=self.view.scene, name=device)
        node.transform = MatrixTransform()
        dv = DeviceView(device, model, node, node.transform, np.asarray(position, float))
        if old is not None:
            dv.rotation, dv.position = old.rotation, old.position
        self._place(dv)
        for part in model.parts:
            dv.parts[part.name] = self._add_part(dv, part)
        self.devices[device] = dv
        if lod_note:
            self.lod_notes[device] = lod_note
        else:
            self.lod_notes.pop(device, None)
        return dv

    def _add_part(self, dv: DeviceView, part: Part) -> PartView:
        md = MeshData(vertices=part.vertices, faces=part.faces)
        md._vertex_normals = part.normals  # precomputed by the loader; vispy would recompute
        pnode = vscene.Node(parent=dv.node, name=part.name)
        pnode.transform = MatrixTransform()
        mesh = vscene.visuals.Mesh(meshdata=md, color=(1, 1, 1, 1), shading="smooth", parent=pnode)
        mesh.name = f"{dv.device}/{part.name}"
        mesh.interactive = True  # found by canvas.visuals_at (picking)
        bounds = part.bounds()
        pv = PartView(dv.device, part, mesh, pnode.transform, part.color, bounds.mean(0))
        pv.top = float(bounds[1][2])
        self._set_color(pv, part.color)
        sf = mesh.shading_filter
        sf.specular_coefficient = (0.3, 0.3, 0.3, 1.0)
        sf.shininess = 40
        sf.ambient_light = (1, 1, 1, 0.35)
        if self.wireframe:
            self._wire(pv, True)
        return pv

    def remove_device(self, device: str) -> None:
        """Take a device out of the scene."""
        dv = self.devices.pop(device, None)
        if dv is not None:
            dv.node.parent = None
            for pv in dv.parts.values():
                if pv.label is not None:
                    pv.label.parent = None
            self.lod_notes.pop(device, None)

    # -- state -----------------------------------------------------------------------------
    def _set_color(self, pv: PartView, rgba: tuple[float, float, float, float]) -> None:
        rgba = tuple(round(c * 255.0) / 255.0 for c in rgba)  # type: ignore[assignment]
        if pv.color == rgba:  # changes below one 8-bit step are invisible: skip the uniforms
            return
        now = time.monotonic()
        if pv.color is not None and now - pv.color_time < self.color_period:
            return  # the next frame brings the value again
        pv.color, pv.color_time = rgba, now
        sf = pv.mesh.shading_filter
        sf.ambient_coefficient = rgba  # colour through uniforms: no vertex re-upload
        sf.diffuse_coefficient = rgba

    def _place(self, dv: DeviceView) -> None:
        dv.transform.matrix = _row_matrix(dv.rotation, np.zeros(3), dv.placement + dv.position)
        for pv in dv.parts.values():
            if pv.label is not None:
                pv.label.pos = self._anchor(dv, pv)

    def _anchor(self, dv: DeviceView, pv: PartView) -> np.ndarray:
        """Where a part's label sits in scene coordinates: 8 cm above the part's top."""
        top = np.array([pv.center[0], pv.center[1], pv.top + 0.08, 1.0])
        return (top @ pv.transform.matrix @ dv.transform.matrix)[:3]

    def apply(self, states: dict[str, TargetState]) -> None:
        """Apply target states keyed by `device` or `device/part` (unknown keys are ignored)."""
        for key, st in states.items():
            dev, _, part = key.partition("/")
            dv = self.devices.get(dev)
            if dv is None:
                continue
            if not part:
                if st.rotation is not None or st.position is not None:
                    if st.rotation is not None:
                        dv.rotation = st.rotation
                    if st.position is not None:
                        dv.position = st.position
                    self._place(dv)
                targets = list(dv.parts.values()) if st.color or not st.visible else []
            else:
                pv = dv.parts.get(part)
                if pv is None:
                    continue
                if st.rotation is not None or st.position is not None:
                    pos = np.zeros(3) if st.position is None else st.position
                    pv.transform.matrix = _row_matrix(st.rotation, pv.center, pos)
                    if pv.label is not None:
                        pv.label.pos = self._anchor(dv, pv)
                targets = [pv]
                self._label(dv, pv, st.label)
            for pv in targets:
                self._set_color(pv, st.color or pv.base_color)
                if pv.mesh.visible != st.visible:
                    pv.mesh.visible = st.visible

    def _label(self, dv: DeviceView, pv: PartView, text: str | None) -> None:
        if text is None:
            return
        if pv.label is None:
            pv.label = vscene.visuals.Text(
                text,
                color="white",
                font_size=9,
                pos=self._anchor(dv, pv),
                anchor_x="center",
                parent=self.view.scene,  # not under the moving node: a moving parent makes
            )  # vispy rebuild the text's transforms each frame; only its anchor moves here
            pv.label_time = time.monotonic()
            try:  # load digit glyphs now, not one by one while values change
                font = pv.label._font
                for ch in GLYPHS + text:
                    font[ch]
            except Exception:  # vispy internals: an optimisation only
                pass
        elif pv.label.text != text:
            now = time.monotonic()
            if now - pv.label_time >= self.label_period:  # text layout every frame is costly
                pv.label.text = text
                pv.label_time = now

    # -- view controls ---------------------------------------------------------------------
    def bounds(self) -> np.ndarray:
        """Bounding box of every device at its placement ([[min], [max]])."""
        if not self.devices:
            return np.array([[-0.5, -0.5, 0.0], [0.5, 0.5, 0.5]])
        boxes = [dv.model.bounds() + dv.placement + dv.position for dv in self.devices.values()]
        b = np.stack(boxes)
        return np.stack([b[:, 0].min(0), b[:, 1].max(0)])

    def fit(self) -> None:
        """Point the camera at all devices, far enough to see them whole."""
        fit_camera(self.view.camera, *self.bounds())

    def reset_view(self) -> None:
        """Default angles, then fit."""
        cam = self.view.camera
        cam.elevation, cam.azimuth, cam.roll = 25.0, -40.0, 0.0
        self.fit()

    def show_guides(self, on: bool) -> None:
        """Show or hide the ground grid and the axes."""
        self.guides.visible = on

    def set_wireframe(self, on: bool) -> None:
        """Draw triangle edges over every part (or stop)."""
        self.wireframe = on
        for dv in self.devices.values():
            for pv in dv.parts.values():
                self._wire(pv, on)

    def _wire(self, pv: PartView, on: bool) -> None:
        if pv.wireframe is None:
            if not on:
                return
            pv.wireframe = WireframeFilter(color=(0.05, 0.05, 0.05, 1.0), width=1.0)
            pv.mesh.attach(pv.wireframe)
        pv.wireframe.enabled = on

    def pick(self, pos: tuple[float, float]) -> tuple[str, str] | None:
        """(device, part) under canvas pixel `pos`, or None."""
        for visual in self.canvas.visuals_at(pos, radius=4):
            name = getattr(visual, "name", None) or ""
            dev, _, part = name.partition("/")
            if dev in self.devices and part in self.devices[dev].parts:
                return dev, part
        return None

    def screenshot(self, path: str | Path | None = None) -> np.ndarray:
        """Render to an RGBA array (and write a PNG when `path` is given)."""
        img = self.canvas.render()
        if path is not None:
            from vispy.io import write_png

            write_png(str(path), img)
        return img

    def n_faces(self) -> int:
        """Triangles in the scene (after any level-of-detail reduction)."""
        return sum(dv.model.n_faces for dv in self.devices.values())

    def status(self) -> str:
        """One line: renderer, triangles, level-of-detail notes and start-up notices."""
        bits = [f"renderer: {self.renderer or 'not yet known'}", f"{self.n_faces():,} triangles"]
        if self.software:
            bits.append("software rendering")
        for dev, note in self.lod_notes.items():
            bits.append(f"LOD {dev}: {note} to hold 30 fps")
        if vispy_setup.notice:
            bits.append(vispy_setup.notice)
        return "; ".join(bits)

    def _on_draw(self, event: object) -> None:
        light = self.view.camera.transform.map(LIGHT_DIR_EYE)[:3]
        for dv in self.devices.values():
            for pv in dv.parts.values():
                if pv.mesh.shading_filter.light_dir != tuple(light):
                    pv.mesh.shading_filter.light_dir = light

    def close(self) -> None:
        """Release the canvas and its GL context."""
        self.canvas.close()
