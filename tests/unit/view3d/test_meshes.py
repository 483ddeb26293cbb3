"""Mesh loading through trimesh: formats, named parts, bad files, level of detail."""

from __future__ import annotations

import numpy as np
import pytest

from twinbench.visuals.meshes import (
    DEFAULT_MODEL,
    MeshLoadError,
    Part,
    decimate,
    load_model,
    vertex_normals,
)
from twinbench.visuals.rig_model import RIG_PARTS


def test_shipped_rig_has_named_parts():
    model = load_model(DEFAULT_MODEL)
    assert sorted(p.name for p in model.parts) == sorted(RIG_PARTS)
    motor = model.part("motor")
    assert motor.n_faces > 100
    assert np.allclose(np.linalg.norm(motor.normals, axis=1), 1.0, atol=1e-5)
    lo, hi = model.bounds()
    assert lo[2] == pytest.approx(0.0, abs=1e-6) and 0.2 < hi[2] < 0.4


@pytest.mark.parametrize("fmt", ["stl", "obj", "ply", "glb"])
def test_formats_load(tmp_path, fmt):
    import trimesh

    path = tmp_path / f"part.{fmt}"
    trimesh.creation.box(extents=(1, 2, 3)).export(str(path))
    model = load_model(path)
    if fmt != "glb":  # glTF names its nodes itself; nameless formats are named after the file
        assert [p.name for p in model.parts] == ["part"]
    assert model.n_faces == 12
    assert np.allclose(model.bounds(), [[-0.5, -1, -1.5], [0.5, 1, 1.5]], atol=1e-6)


def test_missing_corrupt_and_unsupported_files(tmp_path):
    with pytest.raises(MeshLoadError, match="mesh file not found"):
        load_model(tmp_path / "gone.glb")
    junk = tmp_path / "junk.glb"
    junk.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(MeshLoadError, match="junk.glb: cannot read mesh"):
        load_model(junk)
    empty = tmp_path / "empty.stl"
    empty.write_text("solid empty\nendsolid empty\n")
    with pytest.raises(MeshLoadError, match="empty.stl: "):
        load_model(empty)
    with pytest.raises(MeshLoadError, match="unsupported mesh format '.fbx'"):
        load_model(tmp_path / "x.fbx")


def _sphere(subdiv: int) -> Part:
    import trimesh

    m = trimesh.creation.icosphere(subdivisions=subdiv)
    v = np.asarray(m.vertices, np.float32)
    f = np.asarray(m.faces, np.uint32)
    return Part("ball", v, f, vertex_normals(v, f), source_faces=len(f))


def test_decimate_reduces_and_keeps_shape():
    part = _sphere(6)  # 81,920 triangles
    small = decimate(part, 8000)
    assert 1000 < small.n_faces <= 8000
    assert small.source_faces == part.n_faces
    assert np.allclose(small.bounds(), part.bounds(), atol=0.1)
    r = np.linalg.norm(small.vertices, axis=1)
    assert np.all(np.abs(r - 1.0) < 0.1)
    assert decimate(small, 10**6) is small
