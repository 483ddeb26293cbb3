"""Validation issues found in DTDL models, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from twinbench.errors import ConfigError

PREFIX = "dtmi:dtdl:parsingError:"


@dataclass(frozen=True)
class Issue:
    """One broken rule: its ValidationID, where (file, element DTMI, JSON path) and why."""

    code: str  # short ValidationID, e.g. "invalidId"
    message: str
    element: str = ""  # the DTMI of the element at fault
    path: str = ""  # JSON path inside the document, e.g. $.contents[2].name
    file: str = ""
    prop: str = ""

    @property
    def validation_id(self) -> str:
        """The full DTDLParser ValidationID."""
        return PREFIX + self.code

    def __str__(self) -> str:
        where = ": ".join(x for x in (self.file, self.element or self.path) if x)
        at = f" at {self.path}" if self.element and self.path else ""
        return f"{where}{at}: {self.message} [{self.code}]"


class DtdlError(ConfigError):
    """A model set is invalid; `issues` lists every broken rule."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        first = str(self.issues[0]) if self.issues else "invalid DTDL"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(first + more)
