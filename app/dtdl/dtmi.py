"""Digital Twin Model Identifiers: syntax, version and length rules of DTDL v2 and v3."""

from __future__ import annotations

import re

_SEG = r"(?:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?|_[A-Za-z0-9_]*[A-Za-z0-9])"
_ANY = re.compile(rf"^dtmi:{_SEG}(?::{_SEG})*(?:;[1-9][0-9]{{0,8}}(?:\.[1-9][0-9]{{0,5}})?)?$")
_V2 = re.compile(rf"^dtmi:{_SEG}(?::{_SEG})*;[1-9][0-9]{{0,8}}$")
_V3 = re.compile(rf"^dtmi:{_SEG}(?::{_SEG})*(?:;[1-9][0-9]{{0,8}}(?:\.[1-9][0-9]{{0,5}})?)?$")
_FRAGMENT = re.compile(r"^(dtmi:[^#]*)#([A-Za-z][A-Za-z0-9_]*)?$")

MAX_USER_DTMI = 2048
MAX_INTERFACE_DTMI = 128
RESERVED_PREFIXES = ("dtmi:dtdl:", "dtmi:standard:")
NAME_RE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$")


def is_dtmi(text: str) -> bool:
    """Whether `text` is a syntactically valid DTMI (any version, system segments allowed)."""
    return bool(_ANY.match(text))


def is_valid_for(text: str, version: int) -> bool:
    """Whether `text` is a valid DTMI for DTDL `version` (v2: integer version required)."""
    return bool((_V2 if version == 2 else _V3).match(text))


def is_user_dtmi(text: str) -> bool:
    """Whether no path segment is a system segment (one starting with an underscore)."""
    path = text.split(";", 1)[0]
    return not any(seg.startswith("_") for seg in path.split(":")[1:])


def split_fragment(text: str) -> tuple[str, str | None]:
    """Split `dtmi:a:b;1#frag` into its DTMI and fragment (None when there is none)."""
    m = _FRAGMENT.match(text)
    if m is None or "#" not in text:
        return text, None
    return m.group(1), m.group(2) or ""


def child_id(parent: str, prop: str, name: str | None) -> str:
    """The identifier DTDL assigns to an element without @id, from its parent's identifier."""
    base, sep, ver = parent.partition(";")
    extra = f":_{prop}" + (f":__{name}" if name is not None else "")
    return f"{base}{extra}{sep}{ver}"


def model_path(dtmi: str) -> str:
    """The repository path of a DTMI: `dtmi:com:example:Thermostat;1` -> `dtmi/com/example/...`."""
    if not is_dtmi(dtmi) or ";" not in dtmi:
        raise ValueError(f"not a versioned DTMI: {dtmi!r}")
    path, _, ver = dtmi.lower().partition(";")
    return "/".join(path.split(":")) + f"-{ver}.json"
