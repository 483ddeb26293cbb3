"""The public DTDL API: validate documents, load files and repositories into a ModelSet."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.dtdl.checks import check_all
from twinbench.dtdl.dtmi import model_path
from twinbench.dtdl.issues import DtdlError, Issue
from twinbench.dtdl.model import ModelSet, build_model_set
from twinbench.dtdl.parser import Parser, parse_documents


@dataclass
class Result:
    """The outcome of validating documents: the parser state, issues and unresolved DTMIs."""

    parser: Parser
    issues: list[Issue] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the documents form a valid, complete model set."""
        return not self.issues and not self.unresolved


def validate_documents(
    docs: Iterable[tuple[str, Any]],
    *,
    allow_undefined_extensions: bool | None = None,
    repository: Repository | None = None,
    resolve: Callable[[list[str]], list[tuple[str, Any]]] | None = None,
    max_version: int = 3,
) -> Result:
    """Parse and check (file, JSON) documents, resolving references through a repository.

    `allow_undefined_extensions`: True or False as the official AllowUndefinedExtensions /
    DisallowUndefinedExtensions options; None (default) allows them in DTDL v2 only, as the
    official parser does by default. `max_version` is the official MaxDtdlVersion (2 or 3).
    """
    if repository is not None:
        resolve = repository.fetch
    parser = parse_documents(
        docs,
        allow_undefined_extensions=allow_undefined_extensions,
        resolve=resolve,
        max_version=max_version,
    )
    unresolved = check_all(parser)
    issues = list(parser.issues)
    if repository is not None:
        issues.extend(repository.problems)
    return Result(parser, issues, unresolved)


def read_json(path: Path) -> Any:
    """Read a JSON file (BOM tolerated); bad JSON raises DtdlError naming file, line, column."""
    from twinbench.errors import ConfigError
    from twinbench.userfile import DOCUMENT_LIMIT, check_depth, read_text

    try:
        text = read_text(path, "DTDL model file", DOCUMENT_LIMIT)  # size, folder, UTF-8
    except ConfigError as exc:
        msg = str(exc).removeprefix(f"{path}: ")
        raise DtdlError([Issue("fileUnreadable", msg, file=str(path))]) from None
    try:
        doc = json.loads(text)
        check_depth(doc, str(path), 64)
        return doc
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise DtdlError([Issue("notJson", msg, file=str(path))]) from None
    except (RecursionError, ConfigError):
        raise DtdlError(
            [Issue("notJson", "nested deeper than 64 levels", file=str(path))]
        ) from None


class Repository:
    """A model repository: a folder laid out by DTMI (dtmi/com/example/thermostat-1.json)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.problems: list[Issue] = []

    def path_of(self, dtmi: str) -> Path:
        """Where the document defining `dtmi` lives."""
        return self.root / model_path(dtmi)

    def fetch(self, dtmis: list[str]) -> list[tuple[str, Any]]:
        """Documents for the DTMIs found in the repository (missing ones are left unresolved)."""
        out: list[tuple[str, Any]] = []
        for d in dtmis:
            base = d.split("#")[0]
            try:
                p = self.path_of(base)
            except ValueError:
                continue
            if p.is_file():
                try:
                    out.append((str(p), read_json(p)))
                except DtdlError as exc:
                    self.problems.extend(exc.issues)
        return out


def _files(paths: Sequence[str | Path]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(p.rglob("*.json")))
        elif p.exists():
            out.append(p)
        else:
            raise DtdlError([Issue("fileNotFound", "no such file or folder", file=str(p))])
    return out


def check_paths(
    paths: Sequence[str | Path],
    repository: str | Path | None = None,
    *,
    allow_undefined_extensions: bool | None = None,
    max_version: int = 3,
) -> tuple[Result, list[Path]]:
    """Validate the models in files or folders; returns the result and the files read."""
    files = _files(paths)
    docs: list[tuple[str, Any]] = []
    issues: list[Issue] = []
    for f in files:
        try:
            docs.append((str(f), read_json(f)))
        except DtdlError as exc:
            issues.extend(exc.issues)
    repo = Repository(repository) if repository is not None else None
    result = validate_documents(
        docs,
        repository=repo,
        allow_undefined_extensions=allow_undefined_extensions,
        max_version=max_version,
    )
    result.issues[:0] = issues
    return result, files


def load_models(
    paths: Sequence[str | Path],
    repository: str | Path | None = None,
    *,
    allow_undefined_extensions: bool | None = None,
    max_version: int = 3,
) -> ModelSet:
    """Load and validate models; raises DtdlError naming every problem (unresolved DTMIs too)."""
    result, _files_read = check_paths(
        paths,
        repository,
        allow_undefined_extensions=allow_undefined_extensions,
        max_version=max_version,
    )
    return model_set_of(result)


def model_set_of(result: Result) -> ModelSet:
    """The ModelSet of a validation result, or DtdlError when it is invalid or incomplete."""
    issues = list(result.issues)
    for d in result.unresolved:
        refs = [r for r in result.parser.refs if r.target == d]
        r = refs[0] if refs else None
        issues.append(
            Issue(
                "unresolvedReference",
                f"{d} is referenced but defined nowhere (nor in the repository)",
                r.source if r else "",
                r.path if r else "",
                r.file if r else "",
                r.prop if r else "",
            )
        )
    if issues:
        raise DtdlError(issues)
    return build_model_set(result.parser)


def loads(text: str, name: str = "<string>") -> ModelSet:
    """Validate models given as JSON text."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DtdlError(
            [Issue("notJson", f"invalid JSON at line {exc.lineno}, column {exc.colno}", file=name)]
        ) from None
    return model_set_of(validate_documents([(name, doc)]))
