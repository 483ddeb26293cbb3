"""JSON merge patches (RFC 7396) and the size and depth limits of IoT Hub twins."""

from __future__ import annotations

import copy
import json
from typing import Any

MAX_SECTION_BYTES = 32 * 1024  # desired or reported
MAX_TAGS_BYTES = 8 * 1024
MAX_DEPTH = 10
MAX_KEY_BYTES = 1024
MAX_STRING_BYTES = 4 * 1024
INT_MIN, INT_MAX = -(2**52), 2**52 - 1  # IoT Hub's integer range
COMPONENT_MARKER = ("__t", "c")  # a component section, as Plug and Play devices write it


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


def _utf8(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def size_bytes(value: Any) -> int:
    """Size as IoT Hub counts it: UTF-8 bytes of every key plus every value (not the JSON)."""
    if isinstance(value, dict):
        return sum(_utf8(str(k)) + size_bytes(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(size_bytes(v) for v in value)
    if isinstance(value, str):
        return _utf8(value)
    return len(json.dumps(value))


def check_limits(section: str, value: dict[str, Any]) -> None:
    """Raise TwinError when a section is too large or too deep."""
    limit = MAX_TAGS_BYTES if section == "tags" else MAX_SECTION_BYTES
    n = size_bytes(value)
    if n > limit:
        raise TwinError(f"{section}: {n} bytes exceeds the {limit // 1024} KB limit")
    d = depth(value)
    if d > MAX_DEPTH:
        raise TwinError(f"{section}: nesting depth {d} exceeds the limit of {MAX_DEPTH}")


def _bad_key(key: Any) -> str | None:
    if not isinstance(key, str) or not key:
        return "keys must be non-empty strings"
    if key.startswith("$"):
        return "keys starting with '$' are reserved by IoT Hub"
    for c in key:
        if c in ". " or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F:
            return f"{c!r} is not allowed in keys (no '.', space or control characters)"
    if _utf8(key) > MAX_KEY_BYTES:
        return f"keys are limited to {MAX_KEY_BYTES} bytes (UTF-8)"
    return None


def _check_value(where: str, value: Any) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise TwinError(f"{where}: {value} is outside IoT Hub's integer range {INT_MIN}..{INT_MAX}")
    if isinstance(value, float) and value != value:
        raise TwinError(f"{where}: NaN is not valid JSON")
    if isinstance(value, str) and _utf8(value) > MAX_STRING_BYTES:
        raise TwinError(f"{where}: string values are limited to {MAX_STRING_BYTES} bytes (UTF-8)")
    if isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, dict):
                check_keys(where, v, f"[{i}]")
            else:
                _check_value(f"{where}[{i}]", v)


def check_keys(section: str, patch: Any, path: str = "") -> None:
    """Refuse non-object patches, keys IoT Hub refuses, and values outside its limits."""
    if not isinstance(patch, dict):
        raise TwinError(
            f"{section}{path}: a patch must be a JSON object, not {type(patch).__name__}"
        )
    for key, value in patch.items():
        why = _bad_key(key)
        if why:
            raise TwinError(f"{section}{path}: key {str(key)[:40]!r} is not allowed: {why}")
        if isinstance(value, dict):
            check_keys(section, value, f"{path}.{key}")
        else:
            _check_value(f"{section}{path}.{key}", value)
