"""Quaternions, Euler angles, rotation matrices and colormaps: small numpy helpers."""

from __future__ import annotations

import numpy as np

UNIT_TOLERANCE = 0.05  # a quaternion whose norm is further than this from 1 is rejected
EULER_ORDERS = ("zyx", "xyz", "zxy", "yxz", "xzy", "yzx")


def check_quaternion(q: np.ndarray | list[float]) -> tuple[np.ndarray | None, str]:
    """Normalise (w, x, y, z); return (None, reason) for NaN, zero or clearly non-unit input."""
    a = np.asarray(q, dtype=np.float64)
    if a.shape != (4,) or not np.all(np.isfinite(a)):
        return None, f"quaternion {np.round(a, 4).tolist()} is not finite"
    norm = float(np.linalg.norm(a))
    if abs(norm - 1.0) > UNIT_TOLERANCE:
        return None, f"quaternion {np.round(a, 4).tolist()} is not unit (norm {norm:.4g})"
    return a / norm, ""


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """3x3 rotation matrix (column vectors) of a unit quaternion (w, x, y, z)."""
    w, x, y, z = (float(v) for v in q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def axis_quat(axis: str, angle: float) -> np.ndarray:
    """Quaternion of a rotation by `angle` radians about the x, y or z axis."""
    q = np.zeros(4)
    q[0] = np.cos(angle / 2)
    q["xyz".index(axis) + 1] = np.sin(angle / 2)
    return q


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a * b."""
    w1, x1, y1, z1 = a
    w2, x2, y2, z2 = b
    return np.array(
        [
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ]
    )


def euler_to_quat(roll: float, pitch: float, yaw: float, order: str = "zyx") -> np.ndarray:
    """Quaternion from roll (x), pitch (y), yaw (z) in radians, applied as intrinsic `order`.

    The default "zyx" is the aerospace convention: yaw about z, then pitch about the new y, then
    roll about the new x (what the sim driver and imufusion's quaternion_to_euler use).
    """
    angles = {"x": roll, "y": pitch, "z": yaw}
    q = np.array([1.0, 0.0, 0.0, 0.0])
    for axis in order:
        q = quat_mul(q, axis_quat(axis, angles[axis]))
    return q


def quat_to_euler(q: np.ndarray) -> np.ndarray:
    """(roll, pitch, yaw) in radians of a unit quaternion, aerospace zyx convention."""
    w, x, y, z = q
    roll = np.arctan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    pitch = np.arcsin(np.clip(2 * (w * y - z * x), -1.0, 1.0))
    yaw = np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return np.array([roll, pitch, yaw])


COLORMAPS: dict[str, np.ndarray] = {
    # stops of (position, r, g, b)
    "thermal": np.array(
        [
            [0.0, 0.10, 0.25, 1.00],
            [0.35, 0.10, 0.80, 0.90],
            [0.65, 1.00, 0.85, 0.10],
            [1.0, 1.00, 0.04, 0.04],
        ]
    ),
    "hot": np.array(
        [[0.0, 0.0, 0.0, 0.0], [0.4, 1.0, 0.0, 0.0], [0.8, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]]
    ),
    "coolwarm": np.array(
        [[0.0, 0.23, 0.30, 0.75], [0.5, 0.87, 0.87, 0.87], [1.0, 0.71, 0.02, 0.15]]
    ),
    "viridis": np.array(
        [
            [0.0, 0.267, 0.005, 0.329],
            [0.25, 0.229, 0.322, 0.546],
            [0.5, 0.128, 0.567, 0.551],
            [0.75, 0.369, 0.789, 0.383],
            [1.0, 0.993, 0.906, 0.144],
        ]
    ),
    "gray": np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]),
}


def colormap(name: str, value: float, lo: float, hi: float) -> tuple[float, float, float, float]:
    """RGBA of `value` mapped through colormap `name` over [lo, hi] (clipped)."""
    stops = COLORMAPS[name]
    f = 0.0 if hi == lo else float(np.clip((value - lo) / (hi - lo), 0.0, 1.0))
    rgb = [float(np.interp(f, stops[:, 0], stops[:, i])) for i in (1, 2, 3)]
    return (rgb[0], rgb[1], rgb[2], 1.0)
