"""Where TwinBench keeps the user's files: config and data folders (env vars override)."""

from __future__ import annotations

import os
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


def log_dir() -> Path:
    """The folder of the app's own log file (the data folder's `logs/`)."""
    return data_dir() / "logs"
