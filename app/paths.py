"""Where TwinBench keeps the user's files: config and data folders (env vars override)."""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV_CONFIG_DIR = "TWINBENCH_CONFIG_DIR"
ENV_DATA_DIR = "TWINBENCH_DATA_DIR"


def config_dir() -> Path:
    """The user's config folder (`TWINBENCH_CONFIG_DIR` overrides, for tests and portable use)."""
    env = os.environ.get(ENV_CONFIG_DIR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("twinbench", appauthor=False))


def data_dir() -> Path:
    """The user's data folder (`TWINBENCH_DATA_DIR` overrides, for tests and portable use)."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("twinbench", appauthor=False)


_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}
NAME_LIMIT = 80
"""Longest file name built from data (device ids, topics, rule names)."""


def safe_name(text: object, limit: int = NAME_LIMIT) -> str:
    """A file-name-safe, readable form of a name taken from data (a device id, topic, rule).

    Separators, NUL, control and other unsafe characters become `_`; leading dots are dropped
    (no `..`, no hidden files); Windows' reserved names (CON, NUL, COM1...) get a `_` prefix;
    the result is never empty and at most `limit` characters.
    """
    s = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip(". ")[:limit].rstrip(". ") or "_"
    if s.split(".")[0].lower() in _RESERVED:
        s = "_" + s[: limit - 1]
    return s


def inside(folder: str | os.PathLike[str], *names: object) -> Path:
    """`folder/name/...` with each name made safe by `safe_name`: never outside `folder`."""
    out = Path(folder)
    for name in names:
        out = out / safe_name(name)
    return out


def log_dir() -> Path:
    """The folder of the app's own log file (the data folder's `logs/`)."""
    return data_dir() / "logs"
