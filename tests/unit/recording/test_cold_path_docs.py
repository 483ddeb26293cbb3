"""The Python examples of docs/cold-path.md run against a real export and print real figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinbench.recording.export import ExportOptions, export_sessions

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "cold-path.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
README_BLOCKS = [
    b
    for b in re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    if "_channels" in b
]


def test_the_doc_has_duckdb_pandas_polars_and_delta_examples():
    text = "\n".join(BLOCKS)
    for engine in ("import duckdb", "import pandas", "import polars", "from deltalake"):
        assert engine in text


@pytest.mark.parametrize("code", BLOCKS, ids=lambda c: c.split("\n")[0])
def test_doc_example_runs(code, tmp_path, make_session, monkeypatch, capsys):
    a = make_session(tmp_path / "a", {"007": 2})
    b = make_session(tmp_path / "b", {"rig": 1})
    export_sessions([a, b], ExportOptions(out=tmp_path / "ds", partition=("date", "device_id")))
    export_sessions([a], ExportOptions(out=tmp_path / "lake", format="delta"))
    monkeypatch.chdir(tmp_path)
    # the examples name the simulated rig's `temperature`; these sessions call it `c0`
    exec(compile(code.replace("temperature", "c0"), str(DOC), "exec"), {})
    out = capsys.readouterr().out
    if "num_rows" in code:
        assert out.strip() == "3000"
    else:  # one mean per device, with its unit from the channels table
        assert "007" in out and "rig" in out and "u0" in out


@pytest.mark.parametrize("code", README_BLOCKS)
def test_readme_cold_path_example_runs(code, tmp_path, make_session, monkeypatch):
    a = make_session(tmp_path / "a", {"007": 2})
    export_sessions([a], ExportOptions(out=tmp_path / "ds", partition=("date", "device_id")))
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code.replace("temperature", "c0"), "README.md", "exec"), scope)
    rows = scope["duckdb"].sql(code.split('"""')[1].replace("temperature", "c0")).fetchall()
    assert rows == [("007", "c0", "u0", pytest.approx(1499.5))]
