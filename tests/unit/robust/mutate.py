"""Hypothesis strategies that turn a valid user file into a broken one, and a CLI runner."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from twinbench.cli import main

# modest: each loader test draws this many mutants (CI budget), no per-example deadline
LOADER = settings(
    max_examples=int(os.environ.get("TWINBENCH_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TIME_BOUND_S = 30.0  # a hang guard (a 30 MB file once took minutes), not a benchmark

ODD_VALUES = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([2**63 - 1, -(2**63), 0, -1, 10**18]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e308, 1.5]),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["", "../../x", "sideways", "ZZ", "crc-16/xmodem", "\x00", "a" * 300]),
    st.lists(st.integers(0, 5), max_size=3),
    st.dictionaries(st.sampled_from(["a", "type", "name"]), st.integers(0, 3), max_size=2),
)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _set(doc: Any, path: tuple, fn: Any) -> None:
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    if fn is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = fn(parent[path[-1]])


@st.composite
def mutated_doc(draw: Any, doc: dict) -> dict:
    """A deep copy of `doc` with 1-3 values swapped, deleted, wrapped, nested or added."""
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["swap", "delete", "list", "table", "pair", "add"]))
        value = draw(ODD_VALUES)
        if how == "delete":
            _set(doc, path, None)
        elif how == "swap":
            _set(doc, path, lambda _v, value=value: value)
        elif how == "list":
            _set(doc, path, lambda v: [v])
        elif how == "table":
            _set(doc, path, lambda v: {"x": v})
        elif how == "pair":
            _set(doc, path, lambda v: [v, v])
        else:
            key = draw(st.sampled_from(["endain", "max_fram", "extra", "type", "name"]))
            target = doc
            for p in path[:-1]:
                target = target[p]
            if isinstance(target, dict):
                target[key] = value
    return doc


@st.composite
def broken_bytes(draw: Any, text: str) -> bytes:
    """The file's bytes truncated, with garbage spliced in, a line doubled, or deeply nested."""
    data = text.encode()
    how = draw(st.sampled_from(["truncate", "garbage", "double", "nest", "nul"]))
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "garbage":
        return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    if how == "nul":
        return data[:at] + b"\x00" + data[at:]
    if how == "double":
        lines = data.splitlines(keepends=True) or [b""]
        i = draw(st.integers(0, len(lines) - 1))
        return b"".join(lines[: i + 1] + lines[i:])
    depth = draw(st.sampled_from([40, 400, 5000]))
    if text.lstrip().startswith(("{", "[")):
        return b"[" * depth + b"]" * depth
    return data + b"\nzz = " + b"[" * depth + b"]" * depth + b"\n"


def toml_bytes(doc: dict) -> bytes | None:
    """The doc as TOML, or None when TOML cannot hold it (then the example is skipped)."""
    try:
        return tomli_w.dumps(doc).encode()
    except (TypeError, ValueError):
        return None


def run_cli(*argv: str) -> tuple[int, str]:
    """twinbench's main() in this process: (exit code, stdout + stderr); no exception escapes."""
    out = io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        rc = main(list(argv))
    assert time.monotonic() - t0 < TIME_BOUND_S
    return rc, out.getvalue()


def assert_refused_cleanly(rc: int, output: str, path: Path) -> None:
    """Exit 0 (the mutant happened to be valid) or 2 with a first line naming the file."""
    assert "Traceback" not in output
    assert rc in (0, 2), output
    if rc == 2:
        first = output.strip().splitlines()[0]
        assert path.name in first, first
