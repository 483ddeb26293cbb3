"""DTDL v2 and v3: a parser and validator for JSON-LD interfaces, and a model repository."""

from twinbench.dtdl.api import (
    Repository,
    Result,
    check_paths,
    load_models,
    loads,
    model_set_of,
    validate_documents,
)
from twinbench.dtdl.issues import DtdlError, Issue
from twinbench.dtdl.model import Content, Interface, ModelSet, Schema

__all__ = [
    "Content",
    "DtdlError",
    "Interface",
    "Issue",
    "ModelSet",
    "Repository",
    "Result",
    "Schema",
    "check_paths",
    "load_models",
    "loads",
    "model_set_of",
    "validate_documents",
]
