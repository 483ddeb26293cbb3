"""Every run summary a test produces is checked against resources/summary.schema.json."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def schema() -> dict[str, Any]:
    """The summary's JSON Schema, as the package ships it."""
    return json.loads(
        resources.files("twinbench.resources").joinpath("summary.schema.json").read_text()
    )


def check_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Validate a summary (raises with the failing path) and return it."""
    import jsonschema

    jsonschema.Draft202012Validator(schema()).validate(summary)
    return summary
