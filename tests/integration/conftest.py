"""Integration fixtures: child processes never see the user's own TwinBench folders."""

from __future__ import annotations

import pytest


@pytest.fixture
def clean_env(
    clean_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The root `clean_env`, with TwinBench's config and data folders in a fresh temporary place.

    A test that needs its own config folder still sets TWINBENCH_CONFIG_DIR over this one.
    """
    home = tmp_path_factory.mktemp("user")
    return {
        **clean_env,
        "TWINBENCH_CONFIG_DIR": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),  # default recordings folder (platformdirs)
    }
