"""JSON merge patches (RFC 7396) and the size and depth limits of IoT Hub twins."""

from __future__ import annotations

import copy
import json
from typing import Any

MAX_SECTION_BYTES = 32 * 1024  # desired or reported
MAX_TAGS_BYTES = 8 * 1024
MAX_DEPTH = 10


class TwinError(ValueError):
    """A twin update was refused; the twin is unchanged. The message says why."""


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Return `target` merged with `patch` (null deletes); neither input is modified."""
    out = copy.deepcopy(target)
    _merge_into(out, patch)
    return out


def _merge_into(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            sub = target.get(key)
            if not isinstance(sub, dict):
                sub = {}
                target[key] = sub
            _merge_into(sub, value)
        else:
            target[key] = copy.deepcopy(value)


def depth(value: Any) -> int:
    """Nesting depth of objects: a flat {"a": 1} has depth 1."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def size_bytes(value: Any) -> int:
    """Size of the compact JSON encoding in bytes (UTF-8)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def check_limits(section: str, value: dict[str, Any]) -> None:
    """Raise TwinError when a section is too large or too deep."""
    limit = MAX_TAGS_BYTES if section == "tags" else MAX_SECTION_BYTES
    n = size_bytes(value)
    if n > limit:
        raise TwinError(f"{section}: {n} bytes exceeds the {limit // 1024} KB limit")
    d = depth(value)
    if d > MAX_DEPTH:
        raise TwinError(f"{section}: nesting depth {d} exceeds the limit of {MAX_DEPTH}")


def check_keys(section: str, patch: Any, path: str = "") -> None:
    """Refuse non-object patches and keys that IoT Hub reserves ($, ., spaces)."""
    if not isinstance(patch, dict):
        raise TwinError(
            f"{section}{path}: a patch must be a JSON object, not {type(patch).__name__}"
        )
    for key, value in patch.items():
        if (
            not isinstance(key, str)
            or not key
            or key.startswith("$")
            or any(c in key for c in ". ")
        ):
            raise TwinError(f"{section}{path}: key {key!r} is not allowed")
        if isinstance(value, dict):
            check_keys(section, value, f"{path}.{key}")
        elif isinstance(value, float) and value != value:
            raise TwinError(f"{section}{path}.{key}: NaN is not valid JSON")
