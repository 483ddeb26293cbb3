"""The shipped model of the simulated motor rig, built procedurally with trimesh."""

from __future__ import annotations

from pathlib import Path

import numpy as np

RIG_PARTS = ("base", "motor", "shaft", "imu-board")


def build_motor_rig() -> object:
    """A trimesh Scene with the parts base, motor, shaft and imu-board (metres, z up)."""
    import trimesh

    def coloured(mesh: trimesh.Trimesh, rgba: tuple[int, int, int, int]) -> trimesh.Trimesh:
        material = trimesh.visual.material.PBRMaterial(
            name="mat", baseColorFactor=np.array(rgba, np.uint8), metallicFactor=0.1
        )
        mesh.visual = trimesh.visual.TextureVisuals(material=material)
        return mesh

    base = trimesh.creation.box(extents=(0.60, 0.36, 0.04))
    base.apply_translation((0, 0, 0.02))
    motor = trimesh.creation.cylinder(radius=0.10, height=0.28, sections=64)
    motor.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (0, 1, 0)))
    motor.apply_translation((-0.06, 0, 0.15))
    shaft = trimesh.creation.cylinder(radius=0.015, height=0.22, sections=32)
    shaft.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (0, 1, 0)))
    shaft.apply_translation((0.19, 0, 0.15))
    board = trimesh.creation.box(extents=(0.10, 0.07, 0.008))
    board.apply_translation((-0.06, 0, 0.254))
    for box in (base, board):  # flat faces: no shared corner normals
        box.unmerge_vertices()
    scene = trimesh.Scene()
    scene.add_geometry(coloured(base, (90, 95, 105, 255)), node_name="base", geom_name="base")
    scene.add_geometry(coloured(motor, (150, 160, 175, 255)), node_name="motor", geom_name="motor")
    scene.add_geometry(coloured(shaft, (200, 200, 205, 255)), node_name="shaft", geom_name="shaft")
    scene.add_geometry(
        coloured(board, (30, 120, 60, 255)), node_name="imu-board", geom_name="imu-board"
    )
    return scene


def write_motor_rig(path: str | Path) -> Path:
    """Write the rig as a binary glTF file (how resources/models/motor_rig.glb was made)."""
    out = Path(path)
    out.write_bytes(build_motor_rig().export(file_type="glb"))  # type: ignore[attr-defined]
    return out
