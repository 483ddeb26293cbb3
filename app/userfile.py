"""One way to read user files (TOML, JSON): size, encoding, nesting and type checks.

Every loader of a user-written file (profiles, rules, bench configs, workspaces, twin and model
JSON, .ssproj projects) reads it through here, so a new loader cannot skip the limits:

- a file larger than its limit is refused before it is read (1 MB for configs, 16 MB for
  documents such as DTDL models and Serial Studio projects);
- the text must be UTF-8 (a BOM is tolerated); binary data gets a clear error;
- tables and arrays may nest at most `MAX_DEPTH` deep;
- a directory, a missing file or an unreadable one each get one line.

All errors are `ConfigError` (exit code 2) naming the file and, where known, the line and key.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from twinbench.errors import ConfigError

CONFIG_LIMIT = 1_000_000
"""Largest profile, rules, bench config or workspace file read (bytes)."""
DOCUMENT_LIMIT = 16_000_000
"""Largest JSON document read (DTDL models, Serial Studio projects, twin imports)."""
MAX_DEPTH = 32
"""Deepest nesting of tables/arrays (objects/lists) accepted in a user file."""


def read_text(path: str | os.PathLike[str], what: str = "file", limit: int = CONFIG_LIMIT) -> str:
    """The text of a user file, refusing directories, files over `limit` bytes and non-UTF-8."""
    p = Path(path)
    try:
        if p.is_dir():
            raise ConfigError(f"{p}: is a folder, expected a {what}")
        size = p.stat().st_size
        if size > limit:
            raise ConfigError(
                f"{p}: {size:,} bytes is larger than the {limit:,}-byte limit for a {what}"
            )
        with p.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such {what}") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read {what}: {exc.strerror or exc}") from None
    if len(data) > limit:  # grew while we looked, or a device file reporting size 0
        raise ConfigError(f"{p}: larger than the {limit:,}-byte limit for a {what}")
    return decode(data, str(p), what)


def decode(data: bytes, source: str, what: str = "file") -> str:
    """UTF-8 text of `data` (BOM dropped); binary data raises ConfigError with its line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{source}:{line}: not UTF-8 text (byte {exc.start}); a {what} is a text file"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ConfigError(f"{source}:{line}: NUL byte: binary data, a {what} is a text file")
    return text


def loads_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; syntax errors, deep nesting and non-finite numbers are ConfigErrors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested deeper than {MAX_DEPTH} levels") from None
    check_depth(data, source)
    return data


def load_toml(
    path: str | os.PathLike[str], what: str = "config", limit: int = CONFIG_LIMIT
) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML user file: (data, text) with every limit applied."""
    text = read_text(path, what, limit)
    return loads_toml(text, str(path)), text


def loads_json(text: str, source: str) -> Any:
    """Parse JSON text; errors name the line and column; NaN/Infinity and deep nesting refused."""

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{source}:{exc.lineno}: invalid JSON at column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:
        raise ConfigError(f"{source}: invalid JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested deeper than {MAX_DEPTH} levels") from None
    check_depth(data, source)
    return data


def load_json(
    path: str | os.PathLike[str], what: str = "JSON document", limit: int = DOCUMENT_LIMIT
) -> Any:
    """Read and parse a JSON user file with every limit applied."""
    return loads_json(read_text(path, what, limit), str(path))


def check_depth(data: Any, source: str, limit: int = MAX_DEPTH) -> None:
    """Raise ConfigError when dicts/lists in `data` nest deeper than `limit` (iterative walk)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth >= limit:
            raise ConfigError(f"{source}: nested deeper than {limit} levels")
        stack.extend((c, depth + 1) for c in children)


# --- a small schema helper: type checks with messages naming the key and the valid choices ---

_KINDS: dict[str, tuple[type, ...]] = {
    "a string": (str,),
    "a whole number": (int,),
    "a number": (int, float),
    "true or false": (bool,),
    "a table": (dict,),
    "an array": (list,),
    "a string or a whole number": (str, int),
}
Spec = str | tuple[str, Collection[Any]]
"""A key's kind (a `_KINDS` name), or (kind, valid choices): a tuple of values or a range."""


class SchemaError(ConfigError):
    """A value of the wrong type or out of its choices; `key` is the dotted key it sits at."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"{key}: {detail}" if key else detail)
        self.key, self.detail = key, detail


def expect(value: Any, kind: str, key: str, choices: Collection[Any] | None = None) -> Any:
    """`value` when it is of `kind` (a _KINDS name) and among `choices`, else SchemaError.

    Numbers refuse booleans and non-finite values; a range of choices is reported as lo..hi.
    """
    types = _KINDS[kind]
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if ok and isinstance(value, float) and not math.isfinite(value):
        raise SchemaError(key, f"{value!r} is not a finite number")
    if not ok:
        raise SchemaError(key, f"expected {kind}, got {_show(value)}")
    if choices is not None and value not in choices:
        if isinstance(choices, range):
            valid = f"{choices.start}..{choices.stop - 1}"
            raise SchemaError(key, f"{_show(value)} is out of range {valid}")
        valid = ", ".join(str(c) for c in choices)
        raise SchemaError(key, f"{_show(value)} is not valid; valid: {valid}")
    return value


def check_keys(table: dict[str, Any], allowed: Collection[str], where: str) -> None:
    """SchemaError for the first key of `table` not in `allowed`, listing the valid ones."""
    for key in table:
        if key not in allowed:
            full = f"{where}.{key}" if where else str(key)
            raise SchemaError(full, f"unknown key; valid: {', '.join(sorted(allowed))}")


def check_table(table: dict[str, Any], schema: dict[str, Spec], where: str) -> None:
    """Check a table's keys against `schema` (unknown keys, kinds, choices)."""
    check_keys(table, schema, where)
    for key, spec in schema.items():
        if key in table:
            kind, choices = (spec, None) if isinstance(spec, str) else spec
            expect(table[key], kind, f"{where}.{key}" if where else key, choices)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
