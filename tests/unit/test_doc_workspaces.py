"""Every workspace example in README.md and docs/ loads without a warning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinbench.benchmodel import BenchModel
from twinbench.workspace import load_workspace, to_model_dict

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```toml\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    out = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, text in enumerate(BLOCK.findall(doc.read_text(encoding="utf-8"))):
            if "[workspace]" in text:
                out.append((f"{doc.name}#{i + 1}", text))
    return out


EXAMPLES = _examples()


def test_the_docs_hold_workspace_examples():
    names = {n.split("#")[0] for n, _ in EXAMPLES}
    assert {"README.md", "gui.md"} <= names


@pytest.mark.parametrize("name,text", EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_workspace_example_loads_cleanly(tmp_path, name, text):
    p = tmp_path / "example.toml"
    p.write_text(text)
    ws = load_workspace(p)
    assert ws.warnings == [], name
    assert ws.devices, name
    model = BenchModel.from_dict(to_model_dict(ws))
    assert list(model.devices)
    if ws.bindings:
        from twinbench.visuals.bindings import parse_view_config

        assert parse_view_config(ws.bindings, name).bindings
    if ws.rules_text:
        from twinbench.rules.loader import parse_rules

        assert parse_rules(ws.rules_text, name).rules
