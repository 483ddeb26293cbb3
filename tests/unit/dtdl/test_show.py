"""`models show` trees, and the docs/dtdl.md example run as a user would run it."""

import re
import subprocess
import sys
from pathlib import Path

from twinbench.dtdl import load_models
from twinbench.dtdl.show import interface_tree, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "dtdl.md"


def test_docs_example_runs(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks
    script = tmp_path / "example.py"
    script.write_text(blocks[0], encoding="utf-8")
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


def test_tree_flattens_extends_and_keeps_object_field_units(tmp_path):
    base = {
        "@context": "dtmi:dtdl:context;3",
        "@id": "dtmi:com:example:base;1",
        "@type": "Interface",
        "contents": [{"@type": "Property", "name": "p", "schema": "string"}],
    }
    mid = dict(base, **{"@id": "dtmi:com:example:mid;1", "extends": "dtmi:com:example:base;1"})
    mid["contents"] = []
    top = {
        "@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1"],
        "@id": "dtmi:com:example:top;1",
        "@type": "Interface",
        "extends": "dtmi:com:example:mid;1",
        "contents": [
            {
                "@type": "Telemetry",
                "name": "pose",
                "schema": {
                    "@type": "Object",
                    "fields": [
                        {
                            "@type": ["Field", "Temperature"],
                            "name": "t",
                            "schema": "double",
                            "unit": "degreeCelsius",
                        },
                        {"name": "n", "schema": "integer"},
                    ],
                },
            }
        ],
    }
    f = tmp_path / "m.json"
    f.write_text(__import__("json").dumps([base, mid, top]))
    models = load_models([f])
    tree = interface_tree(models, "dtmi:com:example:top;1")
    assert tree["dtdlVersion"] == 3
    assert tree["extends"] == ["dtmi:com:example:mid;1", "dtmi:com:example:base;1"]
    assert [c["name"] for c in tree["contents"]] == ["pose", "p"]
    fields = tree["contents"][0]["schema"]["fields"]
    assert fields[0] == {
        "name": "t",
        "schema": "double",
        "semanticType": "Temperature",
        "unit": "degreeCelsius",
    }
    assert fields[1] == {"name": "n", "schema": "integer"}
    text = "\n".join(render(tree))
    assert "t: double [Temperature, degreeCelsius]" in text
    assert "extends: dtmi:com:example:mid;1, dtmi:com:example:base;1" in text
