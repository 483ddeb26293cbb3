"""Mesh files (glTF/GLB, OBJ, STL, PLY) loaded through trimesh into named parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from twinbench.errors import ConfigError

SUFFIXES = (".glb", ".gltf", ".obj", ".stl", ".ply")
BUILTIN_PREFIX = "builtin:"
DEFAULT_MODEL = "builtin:motor_rig"


class MeshLoadError(ConfigError):
    """A mesh file is missing, unreadable or holds no triangles."""


@dataclass
class Part:
    """One named piece of a model: triangles in model coordinates, normals and base colour."""

    name: str
    vertices: np.ndarray  # (n, 3) float32
    faces: np.ndarray  # (m, 3) uint32
    normals: np.ndarray  # (n, 3) float32 vertex normals
    color: tuple[float, float, float, float] = (0.7, 0.7, 0.75, 1.0)
    source_faces: int = 0  # triangle count before any level-of-detail reduction

    @property
    def n_faces(self) -> int:
        """Number of triangles drawn."""
        return int(self.faces.shape[0])

    def bounds(self) -> np.ndarray:
        """Axis-aligned bounding box as [[xmin, ymin, zmin], [xmax, ymax, zmax]]."""
        return np.stack([self.vertices.min(axis=0), self.vertices.max(axis=0)])


@dataclass
class Model:
    """A loaded model: its parts and where it came from."""

    source: str
    parts: list[Part] = field(default_factory=list)

    @property
    def n_faces(self) -> int:
        """Triangles over all parts."""
        return sum(p.n_faces for p in self.parts)

    def part(self, name: str) -> Part:
        """The part called `name`."""
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(name)

    def bounds(self) -> np.ndarray:
        """Bounding box of all parts."""
        b = np.stack([p.bounds() for p in self.parts])
        return np.stack([b[:, 0].min(axis=0), b[:, 1].max(axis=0)])


def resolve(source: str | Path) -> Path:
    """The file behind a model source: a path, or `builtin:<name>` for a shipped model."""
    s = str(source)
    if s.startswith(BUILTIN_PREFIX):
        name = s[len(BUILTIN_PREFIX) :]
        ref = resources.files("twinbench.resources").joinpath("models", f"{name}.glb")
        return Path(str(ref))
    return Path(s).expanduser()


def _color_of(mesh: object) -> tuple[float, float, float, float]:
    visual = getattr(mesh, "visual", None)
    rgba = None
    try:
        mat = getattr(visual, "material", None)
        if mat is not None and getattr(mat, "main_color", None) is not None:
            rgba = np.asarray(mat.main_color, dtype=float)
        elif visual is not None and getattr(visual, "kind", None) in ("face", "vertex"):
            rgba = np.asarray(visual.main_color, dtype=float)
    except Exception:  # a model without usable colours gets the default grey
        rgba = None
    if rgba is None or rgba.shape != (4,):
        return (0.7, 0.7, 0.75, 1.0)
    c = rgba / 255.0
    return (float(c[0]), float(c[1]), float(c[2]), float(c[3]) if c[3] > 0 else 1.0)


def _part_from(name: str, mesh: object, matrix: np.ndarray | None) -> Part | None:
    import trimesh

    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        return None
    if matrix is not None and not np.allclose(matrix, np.eye(4)):
        mesh = mesh.copy()
        mesh.apply_transform(matrix)
    verts = np.ascontiguousarray(mesh.vertices, dtype=np.float32)
    faces = np.ascontiguousarray(mesh.faces, dtype=np.uint32)
    verts, faces, normals = crease_split(verts, faces)
    return Part(name, verts, faces, normals, _color_of(mesh), int(faces.shape[0]))


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals (vectorised; no scipy needed)."""
    v = vertices.astype(np.float64)
    fn = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    idx = faces.ravel()
    n = v.shape[0]
    out = np.stack([np.bincount(idx, np.repeat(fn[:, i], 3), n) for i in range(3)], axis=1)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float32)


def crease_split(
    vertices: np.ndarray, faces: np.ndarray, crease_deg: float = 50.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One vertex per face corner, smooth normals except across edges sharper than `crease_deg`.

    vispy draws shaded meshes one vertex per corner anyway, so this costs no GPU memory; it keeps
    box edges and cylinder rims sharp while curved surfaces stay smooth.
    """
    vn = vertex_normals(vertices, faces)
    v = vertices.astype(np.float64)
    fn = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    fn /= np.maximum(np.linalg.norm(fn, axis=1, keepdims=True), 1e-12)
    corner = vn[faces].astype(np.float64)  # (m, 3, 3)
    sharp = np.einsum("mck,mk->mc", corner, fn) < np.cos(np.radians(crease_deg))
    corner = np.where(sharp[..., None], fn[:, None, :], corner)
    m = faces.shape[0]
    out_v = np.ascontiguousarray(vertices[faces].reshape(-1, 3), dtype=np.float32)
    out_f = np.arange(3 * m, dtype=np.uint32).reshape(m, 3)
    return out_v, out_f, np.ascontiguousarray(corner.reshape(-1, 3), dtype=np.float32)


def load_model(source: str | Path) -> Model:
    """Load a mesh file into named parts (one per scene node); raises MeshLoadError."""
    path = resolve(source)
    if path.suffix.lower() not in SUFFIXES:
        raise MeshLoadError(
            f"{path}: unsupported mesh format {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    if not path.is_file():
        raise MeshLoadError(f"{path}: mesh file not found")
    import trimesh

    try:
        loaded = trimesh.load(str(path), force="scene")
    except Exception as exc:
        raise MeshLoadError(f"{path}: cannot read mesh ({type(exc).__name__}: {exc})") from None
    parts: list[Part] = []
    try:
        for node in loaded.graph.nodes_geometry:
            matrix, geom_name = loaded.graph[node]
            part = _part_from(str(node), loaded.geometry[geom_name], np.asarray(matrix))
            if part is not None:
                parts.append(part)
    except Exception as exc:
        raise MeshLoadError(f"{path}: cannot read mesh ({type(exc).__name__}: {exc})") from None
    if not parts:
        raise MeshLoadError(f"{path}: no triangles found (empty or corrupt mesh file)")
    for p in parts:  # formats without names (STL, PLY) get the file's name: use its stem
        if p.name == path.name:
            p.name = path.stem
    seen: dict[str, int] = {}
    for p in parts:  # keep names unique so bindings can address every part
        k = seen.get(p.name, 0)
        seen[p.name] = k + 1
        if k:
            p.name = f"{p.name}.{k}"
    return Model(str(source), parts)


def decimate(part: Part, max_faces: int) -> Part:
    """A copy of `part` reduced to about `max_faces` triangles (vertex clustering, vectorised)."""
    if part.n_faces <= max_faces:
        return part
    v, f = part.vertices, part.faces
    lo, hi = v.min(axis=0), v.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    # grid so that about max_faces/2 surface cells are occupied (surface ~ cells^(2/3))
    cells = max(4, int(np.sqrt(max_faces / 2.0 / 6.0) * 2))
    for _ in range(8):
        q = np.floor((v - lo) / span * (cells - 1e-6)).astype(np.int64)
        key = (q[:, 0] * cells + q[:, 1]) * cells + q[:, 2]
        uniq, inverse = np.unique(key, return_inverse=True)
        nf = inverse[f]
        keep = (nf[:, 0] != nf[:, 1]) & (nf[:, 1] != nf[:, 2]) & (nf[:, 0] != nf[:, 2])
        if keep.sum() <= max_faces or cells <= 4:
            break
        cells = max(4, int(cells * np.sqrt(max_faces / max(keep.sum(), 1))))
    counts = np.bincount(inverse, minlength=uniq.size).astype(np.float64)
    nv = np.stack([np.bincount(inverse, v[:, i], uniq.size) for i in range(3)], 1) / counts[:, None]
    nn = np.stack([np.bincount(inverse, part.normals[:, i], uniq.size) for i in range(3)], 1)
    nn /= np.maximum(np.linalg.norm(nn, axis=1, keepdims=True), 1e-12)
    faces = np.ascontiguousarray(nf[keep], dtype=np.uint32)
    return Part(
        part.name,
        nv.astype(np.float32),
        faces,
        nn.astype(np.float32),
        part.color,
        part.source_faces or part.n_faces,
    )
