"""3D twin view frame rate: the TwinScene with live bindings vs bare vispy on the same mesh.

Each frame changes the pose (bare: a rotation; twin: a chunk of quaternion + temperature published
to a real Hub, bindings evaluated from the hub's latest values, colour/label/pose applied), then
draws and waits for the GL pipeline (glFinish); no pixel readback in the timed loop.

    xvfb-run -a env QT_QPA_PLATFORM=xcb python benchmarks/bench_view3d.py      # Qt widget backend
    python benchmarks/bench_view3d.py --egl                                   # headless EGL
    python benchmarks/bench_view3d.py --egl --egl-platform default --tris 100k,1M,4M   # NVIDIA
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser, table


def torus(ntri: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A wobbly torus of about `ntri` triangles with analytic normals."""
    nv = max(3, round((ntri / 4.0) ** 0.5))
    nu = max(3, round(ntri / (2.0 * nv)))
    u = np.linspace(0, 2 * np.pi, nu, endpoint=False, dtype=np.float32)
    v = np.linspace(0, 2 * np.pi, nv, endpoint=False, dtype=np.float32)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    cu, su, cv, sv = np.cos(uu), np.sin(uu), np.cos(vv), np.sin(vv)
    rr = 0.12 * (1.0 + 0.08 * np.sin(7 * uu) * np.sin(5 * vv))
    big = 0.3
    verts = np.stack([(big + rr * cv) * cu, (big + rr * cv) * su, 0.2 + rr * sv], -1)
    norms = np.stack([cv * cu, cv * su, sv], -1)
    i = np.arange(nu, dtype=np.uint32)[:, None]
    j = np.arange(nv, dtype=np.uint32)[None, :]
    a, b = (i * nv + j).ravel(), (((i + 1) % nu) * nv + j).ravel()
    c, d = (((i + 1) % nu) * nv + (j + 1) % nv).ravel(), (i * nv + (j + 1) % nv).ravel()
    faces = np.concatenate([np.stack([a, b, c], -1), np.stack([a, c, d], -1)]).astype(np.uint32)
    return (
        verts.reshape(-1, 3).astype(np.float32),
        faces,
        norms.reshape(-1, 3).astype(np.float32),
    )


def _timed(frame, canvas, secs: float) -> tuple[int, float]:
    from vispy.gloo import gl

    frame()
    canvas.update()
    canvas.app.process_events()
    gl.glFinish()
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < secs:
        frame()
        canvas.update()
        canvas.app.process_events()
        gl.glFinish()
        n += 1
    return n, time.perf_counter() - t0


def _wait_ready(canvas, timeout: float = 10.0) -> None:
    """Qt: wait until the widget has its GL context (EGL canvases have one at once)."""
    native = canvas.native
    end = time.monotonic() + timeout
    while hasattr(native, "isValid") and not native.isValid() and time.monotonic() < end:
        canvas.app.process_events()
        time.sleep(0.01)


def _drawn(canvas) -> float:
    """Render once (EGL draws nothing before the first render()) and return the drawn fraction."""
    img = canvas.render()[..., :3].astype(int)
    return float((np.abs(img - img[0, 0]).sum(-1) > 30).mean())


class Bare:
    """Bare vispy: SceneCanvas, turntable camera, one smooth-shaded Mesh, rotated each frame."""

    def __init__(self, app: str, size, mesh) -> None:
        from vispy import scene
        from vispy.geometry import MeshData
        from vispy.visuals.transforms import MatrixTransform

        from twinbench.widgets import vispy_setup
        from twinbench.widgets.scene3d import BACKGROUND, fit_camera

        self.canvas = scene.SceneCanvas(size=size, app=app, show=app != "egl", bgcolor=BACKGROUND)
        _wait_ready(self.canvas)
        view = self.canvas.central_widget.add_view()
        view.camera = scene.TurntableCamera(fov=40, elevation=25, azimuth=-40)
        verts, faces, norms = mesh
        fit_camera(view.camera, verts.min(0), verts.max(0))  # same framing as the twin view
        md = MeshData(vertices=verts, faces=faces)
        md._vertex_normals = norms
        m = scene.visuals.Mesh(
            meshdata=md, shading="smooth", color=(0.55, 0.7, 0.95, 1), parent=view.scene
        )
        self.tr = MatrixTransform()
        m.transform = self.tr
        self.angle = 0.0
        self.canvas.set_current()
        self.renderer = vispy_setup.gl_renderer()
        self.drawn = _drawn(self.canvas)

    def frame(self) -> None:
        """Turn the mesh one degree."""
        self.angle += 1.0
        self.tr.reset()
        self.tr.rotate(self.angle, (0, 0, 1))


class Twin:
    """The twin view: TwinScene + Hub + bindings (pose, heat colour, alarm, label) per frame."""

    NAMES = ("temperature", "rpm", "qw", "qx", "qy", "qz")

    def __init__(self, app: str, size, mesh, lod: bool) -> None:
        from twinbench.hub import Hub
        from twinbench.model import Channel, Device
        from twinbench.visuals.bindings import default_bindings
        from twinbench.visuals.live import Evaluator
        from twinbench.visuals.lod import LodController
        from twinbench.visuals.meshes import Model, Part
        from twinbench.widgets.scene3d import TwinScene, reduce_model

        self.hub = Hub()
        self.hub.declare(Device("rig", "bench", tuple(Channel(c) for c in self.NAMES)))
        verts, faces, norms = mesh
        self.full = Model("torus", [Part("motor", verts, faces, norms, source_faces=len(faces))])
        self.scene = TwinScene(size=size, app=app, show=app != "egl")
        self.canvas = self.scene.canvas
        _wait_ready(self.canvas)
        self.renderer = self.scene.detect_renderer()
        self.lod = LodController() if lod and self.scene.software else None
        self._reduce = reduce_model
        model, note = self.full, ""
        if self.lod is not None:
            model, note = reduce_model(self.full, self.lod.budget)
        self.note = note
        self.scene.add_device("rig", model, lod_note=note)
        self.scene.reset_view()
        self.ev = Evaluator(bindings=default_bindings("rig", self.NAMES))
        self.ev.check_channels("rig", self.NAMES)
        self.k = 0
        self.frame()
        self.drawn = _drawn(self.canvas)

    def frame(self) -> None:
        """Publish one sample to the hub, evaluate the bindings, apply them."""
        from twinbench.model import Chunk
        from twinbench.visuals.live import hub_latest
        from twinbench.visuals.rotations import euler_to_quat

        self.k += 1
        t = self.k / 60.0
        q = euler_to_quat(0.05 * np.sin(t), 0.1 * np.sin(0.5 * t), np.radians(self.k))
        row = np.array([[20 + 35 * (1 + np.sin(t)), 1500.0 + self.k, *q]])
        self.hub.publish(Chunk("rig", self.NAMES, np.array([self.k], np.int64), row))
        self.scene.apply(self.ev.evaluate(hub_latest(self.hub), time.monotonic()))

    def adapt(self, secs: float) -> None:
        """What the panel does on llvmpipe: lower the budget while under 30 fps (a few steps)."""
        if self.lod is None:
            return
        for _ in range(6):
            n, dt = _timed(self.frame, self.canvas, secs)
            faces = self.scene.n_faces()
            new = self.lod.decide(n / dt, faces)
            if new is None:
                return
            model, note = self._reduce(self.full, new)
            self.note = f"{note}; measured {n / dt:.0f} fps at {faces:,}"
            self.scene.add_device("rig", model, lod_note=self.note)
            _drawn(self.canvas)


def _interleaved(objs, secs: float, rounds: int = 3) -> list[tuple[int, float]]:
    """Time each object in turn, `rounds` times, so machine load hits them alike."""
    acc = [[0, 0.0] for _ in objs]
    for _ in range(rounds):
        for i, o in enumerate(objs):
            n, dt = _timed(o.frame, o.canvas, secs / rounds)
            acc[i][0] += n
            acc[i][1] += dt
    return [(n, dt) for n, dt in acc]


def _size(text: str) -> int:
    t = text.lower().replace("_", "")
    mult = 1_000_000 if t.endswith("m") else 1000 if t.endswith("k") else 1
    return int(float(t.rstrip("mk")) * mult)


def main() -> int:
    """Run the benchmark and print one table per mesh size."""
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--egl", action="store_true", help="headless EGL backend (GPU machines, CI)")
    p.add_argument(
        "--egl-platform",
        default="surfaceless",
        help="EGL_PLATFORM for --egl: surfaceless (Mesa) or 'default' to leave it unset (NVIDIA)",
    )
    p.add_argument("--tris", default="100k,1M", help="mesh sizes, e.g. 100k,1M,4M")
    p.add_argument("--secs", type=float, default=3.0, help="seconds timed per row")
    p.add_argument("--size", default="1280x720")
    args = p.parse_args()
    if not args.egl and sys.platform.startswith("linux"):
        if not os.environ.get("DISPLAY"):
            print("no DISPLAY for the Qt backend: running headless through EGL (--egl)")
            args.egl = True
        elif os.environ.get("QT_QPA_PLATFORM", "xcb") in ("offscreen", "minimal"):
            os.environ["QT_QPA_PLATFORM"] = "xcb"  # offscreen Qt has no OpenGL
    if args.egl and args.egl_platform != "default":
        os.environ.setdefault("EGL_PLATFORM", args.egl_platform)
    from twinbench.widgets import vispy_setup

    vispy_setup.prepare()
    app = "egl" if args.egl else "pyside6"
    tris = [2000] if args.smoke else [_size(s) for s in args.tris.split(",")]
    secs = 0.3 if args.smoke else args.secs
    w, h = (int(v) for v in args.size.lower().split("x"))
    ok = True
    for n in tris:
        mesh = torus(n)
        nf = len(mesh[1])
        bare = Bare(app, (w, h), mesh)
        twin = Twin(app, (w, h), mesh, lod=False)
        objs = [bare, twin]
        software = vispy_setup.is_software(twin.renderer)
        if software:
            lod = Twin(app, (w, h), mesh, lod=True)
            lod.adapt(0.3 if args.smoke else 1.0)
            objs.append(lod)
        times = _interleaved(objs, secs)
        base = f"bare vispy, {nf:,} tris"
        rows = [(base, *times[0], "frames"), (f"twin view live, {nf:,} tris", *times[1], "frames")]
        if software:
            rows.append((f"twin view + LOD, {lod.scene.n_faces():,} tris", *times[2], "frames"))
        print(f"\n{nf:,} triangles, {w}x{h}, backend {app}, renderer: {twin.renderer}")
        table(rows, base)
        fps = ", ".join(f"{r[0]}: {r[1] / r[2]:.1f} fps" for r in rows)
        print(f"renderer {twin.renderer}: {fps}")
        ratio = (times[1][0] / times[1][1]) / (times[0][0] / times[0][1])
        print(f"renderer {twin.renderer}: twin/bare = {ratio:.2f}x (target >= 0.8x)")
        if software:
            print(f"renderer {twin.renderer}: LOD: {lod.note}")
        for o in objs:
            if o.drawn <= 0.01:
                print(f"WARNING: {type(o).__name__} drew nothing; its figure is bogus")
                ok = False
            o.canvas.close()
        ok = ok and twin.renderer == bare.renderer
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
