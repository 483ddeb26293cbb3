"""The explicit package list in pyproject.toml matches the folders that hold __init__.py."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MAPPING_ROOTS = {
    "app": "twinbench",
    "drivers": "twinbench.drivers",
    "widgets": "twinbench.widgets",
    "resources": "twinbench.resources",
}


def test_package_list_matches_init_folders():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(cfg["tool"]["setuptools"]["packages"])
    found = set()
    for folder, name in MAPPING_ROOTS.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert listed == found
