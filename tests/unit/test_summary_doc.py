"""docs/summary.md's example is a valid summary, and the schema rejects what it must."""

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "summary.md"


def schema():
    return json.loads(
        resources.files("twinbench.resources").joinpath("summary.schema.json").read_text()
    )


def example():
    block = re.search(r"```json\n(.*?)```", DOC.read_text(), re.S)
    return json.loads(block.group(1))


def test_doc_example_is_valid():
    jsonschema.Draft202012Validator(schema()).validate(example())


@pytest.mark.parametrize(
    "path, value",
    [
        (("devices", "board", "channels", "temp", "sum"), None),
        (("devices", "quiet", "rate_hz"), -1),
        (("events_left_out",), "none"),
    ],
)
def test_schema_rejects_bad_fields(path, value):
    doc = example()
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(doc)


def test_schema_requires_rate_for_every_device():
    doc = example()
    del doc["devices"]["quiet"]["rate_hz"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(doc)
