"""Render known poses through EGL (Mesa llvmpipe here) and check the pixels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twinbench.visuals.bindings import Binding, default_bindings
from twinbench.visuals.live import Evaluator
from twinbench.visuals.meshes import DEFAULT_MODEL, load_model
from twinbench.visuals.rotations import euler_to_quat

pytestmark = pytest.mark.gl

SIM = ("temperature", "rpm", "qw", "qx", "qy", "qz")


def _pixel_of(scene, device: str, part: str) -> tuple[int, int]:
    pv = scene.devices[device].parts[part]
    p = pv.mesh.get_transform("visual", "canvas").map(pv.center)
    x, y = p[0] / p[3], p[1] / p[3]
    return round(float(x)), round(float(y))


def _values(temp: float, yaw: float = 0.0) -> dict[str, float]:
    q = euler_to_quat(0.0, 0.0, yaw)
    return {
        "temperature": temp,
        "rpm": 1000.0,
        **dict(zip(("qw", "qx", "qy", "qz"), q, strict=True)),
    }


def _frame(scene, ev: Evaluator, values: dict[str, float]) -> np.ndarray:
    scene.apply(ev.evaluate({"sim": values}, 0.1))
    return scene.screenshot()[..., :3].astype(int)


def test_renderer_is_reported(egl_scene):
    assert egl_scene.renderer and "unknown" not in egl_scene.renderer
    assert egl_scene.renderer in egl_scene.status()


def test_hot_channel_paints_the_motor_red_where_it_is(egl_scene):
    egl_scene.add_device("sim", load_model(DEFAULT_MODEL))
    egl_scene.reset_view()
    ev = Evaluator(bindings=default_bindings("sim", SIM))
    img = _frame(egl_scene, ev, _values(95.0))
    x, y = _pixel_of(egl_scene, "sim", "motor")
    r, g, b = img[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).mean(axis=0)
    assert r > 120 and g < 0.4 * r and b < 0.4 * r, (r, g, b)
    red = (
        (img[..., 0] > 100) & (img[..., 1] < 0.4 * img[..., 0]) & (img[..., 2] < 0.4 * img[..., 0])
    )
    ys, xs = np.nonzero(red)
    assert red.sum() > 500
    assert abs(xs.mean() - x) < 25 and abs(ys.mean() - y) < 25  # the red blob is the motor
    cold = _frame(egl_scene, ev, _values(20.0))
    r, g, b = cold[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).mean(axis=0)
    assert b > r + 40, (r, g, b)  # the same pixels turn blue when the channel is cold


def _silhouette(img: np.ndarray) -> np.ndarray:
    bg = img[0, 0]
    return np.abs(img - bg).sum(axis=-1) > 30


def test_yaw_of_90_degrees_turns_the_silhouette(egl_scene):
    egl_scene.add_device("sim", load_model(DEFAULT_MODEL))
    egl_scene.reset_view()
    cam = egl_scene.view.camera
    cam.elevation, cam.azimuth = 90.0, 0.0  # look straight down
    ev = Evaluator(bindings=[Binding("orientation", "sim", "", ("qw", "qx", "qy", "qz"))])
    before = _silhouette(_frame(egl_scene, ev, _values(20.0, 0.0)))
    after = _silhouette(_frame(egl_scene, ev, _values(20.0, math.pi / 2)))

    def extent(mask: np.ndarray) -> tuple[int, int]:
        ys, xs = np.nonzero(mask)
        return xs.max() - xs.min(), ys.max() - ys.min()

    (w0, h0), (w1, h1) = extent(before), extent(after)
    assert w0 > 1.3 * h0  # the 0.6 m x 0.36 m base lies along x
    assert h1 > 1.3 * w1  # after 90 degrees of yaw it lies along y
    assert (before ^ after).sum() > 0.2 * before.sum()


def test_bad_quaternion_keeps_previous_pose(egl_scene):
    egl_scene.add_device("sim", load_model(DEFAULT_MODEL))
    egl_scene.reset_view()
    ev = Evaluator(bindings=[Binding("orientation", "sim", "", ("qw", "qx", "qy", "qz"))])
    good = _frame(egl_scene, ev, _values(20.0, 0.7))
    pose = egl_scene.devices["sim"].rotation.copy()
    for bad in ({"qw": math.nan}, {"qw": 5.0, "qx": 1.0}):
        img = _frame(egl_scene, ev, dict(_values(20.0, 0.7), **bad))
        assert np.array_equal(egl_scene.devices["sim"].rotation, pose)
        assert np.array_equal(img, good)
        assert "previous pose kept" in ev.messages[0]


def test_part_binding_rotates_about_the_part_and_picking_finds_it(egl_scene):
    egl_scene.add_device("sim", load_model(DEFAULT_MODEL))
    egl_scene.reset_view()
    x, y = _pixel_of(egl_scene, "sim", "motor")
    egl_scene.screenshot()
    assert egl_scene.pick((x, y)) == ("sim", "motor")
    assert egl_scene.pick((2, 2)) is None
    ev = Evaluator(bindings=[Binding("orientation", "sim", "imu-board", ("qw", "qx", "qy", "qz"))])
    before = _pixel_of(egl_scene, "sim", "imu-board")
    _frame(egl_scene, ev, _values(20.0, 1.0))
    assert _pixel_of(egl_scene, "sim", "imu-board") == before  # turned in place


def test_two_devices_each_with_its_own_transform(egl_scene):
    model = load_model(DEFAULT_MODEL)
    egl_scene.add_device("a", model, (0.0, -0.4, 0.0))
    egl_scene.add_device("b", model, (0.0, 0.4, 0.0))
    egl_scene.reset_view()
    pa, pb = _pixel_of(egl_scene, "a", "motor"), _pixel_of(egl_scene, "b", "motor")
    assert abs(pa[0] - pb[0]) + abs(pa[1] - pb[1]) > 40
    ev = Evaluator(bindings=[Binding("color", "b", "motor", ("temperature",))])
    egl_scene.apply(ev.evaluate({"b": {"temperature": 95.0}}, 0.0))
    img = egl_scene.screenshot()[..., :3].astype(int)
    ra = img[pa[1], pa[0]]
    rb = img[pb[1], pb[0]]
    assert rb[0] > 120 and rb[1] < 0.4 * rb[0]
    assert not (ra[0] > 120 and ra[1] < 0.4 * ra[0])


def test_wireframe_and_screenshot_file(egl_scene, tmp_path):
    egl_scene.add_device("sim", load_model(DEFAULT_MODEL))
    egl_scene.reset_view()
    plain = egl_scene.screenshot()
    egl_scene.set_wireframe(True)
    path = tmp_path / "shot.png"
    wired = egl_scene.screenshot(path)
    assert not np.array_equal(plain, wired)
    from PySide6.QtGui import QImage

    png = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = wired.shape[:2]
    assert (png.width(), png.height()) == (w, h)
    back = np.frombuffer(png.constBits(), np.uint8).reshape(h, png.bytesPerLine())[:, : 4 * w]
    assert np.array_equal(back.reshape(h, w, 4), wired)


def test_lod_reduces_big_models_on_a_software_renderer(egl_scene):
    import trimesh

    from twinbench.visuals.meshes import Model, Part, vertex_normals
    from twinbench.widgets.scene3d import SOFTWARE_FACE_BUDGET, reduce_model

    m = trimesh.creation.icosphere(subdivisions=7)  # 327,680 triangles
    v, f = np.asarray(m.vertices, np.float32), np.asarray(m.faces, np.uint32)
    model = Model("ball", [Part("ball", v, f, vertex_normals(v, f), source_faces=len(f))])
    assert egl_scene.software  # Mesa llvmpipe on this machine
    budget = egl_scene.face_budget()
    assert budget == SOFTWARE_FACE_BUDGET
    small, note = reduce_model(model, budget)
    assert small.n_faces <= budget and "reduced 327,680 to" in note
    egl_scene.add_device("ball", small, lod_note=note)
    assert "LOD ball: reduced 327,680" in egl_scene.status()
    assert _silhouette(egl_scene.screenshot()[..., :3].astype(int)).sum() > 1000
