"""The JSON merge patch (RFC 7396) that turns one object into another: what an edited twin sends."""

from __future__ import annotations

from typing import Any


def merge_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The smallest merge patch p with merge_patch(old, p) == new (removed keys become null)."""
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        before = old.get(key, _MISSING)
        if isinstance(value, dict) and isinstance(before, dict):
            sub = merge_diff(before, value)
            if sub:
                patch[key] = sub
        elif before is _MISSING or before != value or type(before) is not type(value):
            patch[key] = value
    return patch


def strip_meta(section: Any) -> dict[str, Any]:
    """A twin section's values without `$metadata`, `$version` and other `$` keys."""
    if not isinstance(section, dict):
        return {}
    return {
        k: strip_meta(v) if isinstance(v, dict) else v
        for k, v in section.items()
        if not (isinstance(k, str) and k.startswith("$"))
    }


_MISSING = object()
