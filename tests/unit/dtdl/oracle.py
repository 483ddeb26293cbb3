"""Differential testing against the official DTDL parser: run both over the same model sets."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.dtdl import Repository, validate_documents

ORACLE_DIR = Path(__file__).resolve().parents[2] / "dtdl_oracle"
PACKAGE = ORACLE_DIR / "node_modules" / "@digicatapult" / "dtdl-parser"


def unavailable() -> str | None:
    """Why the official parser cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup installs the oracle when node exists)"
    if not PACKAGE.is_dir():
        return f"npm package @digicatapult/dtdl-parser missing: run scripts/setup ({PACKAGE})"
    return None


@dataclass(frozen=True)
class Verdict:
    """One parser's answer for a model set: valid, error kind, ValidationIDs, unresolved DTMIs."""

    valid: bool
    kind: str | None = None
    ids: frozenset[str] = frozenset()
    unresolved: frozenset[str] = frozenset()


@dataclass
class Case:
    """A model set with the parsing options it is checked under."""

    id: str
    docs: list[Any]
    repo: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)


def official(cases: list[Case], timeout: float = 300) -> dict[str, Verdict]:
    """Verdicts of the official parser: one node process for the whole batch."""
    payload = {
        "cases": [
            {
                "id": c.id,
                "docs": c.docs,
                **({"repo": str(c.repo.resolve())} if c.repo else {}),
                **c.options,
            }
            for c in cases
        ]
    }
    out = subprocess.run(
        ["node", str(ORACLE_DIR / "oracle.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ORACLE_DIR,
        timeout=timeout,
        check=True,
    )
    res: dict[str, Verdict] = {}
    for r in json.loads(out.stdout)["results"]:
        if "unsupported" in r:
            continue
        res[r["id"]] = Verdict(
            r["valid"], r["kind"], frozenset(r["ids"]), frozenset(r["unresolved"])
        )
    return res


def ours(case: Case) -> Verdict:
    """TwinBench's verdict for a model set, under the official default options."""
    docs = [(f"{case.id}[{i}]", d) for i, d in enumerate(case.docs)]
    result = validate_documents(
        docs,
        repository=Repository(case.repo) if case.repo else None,
        allow_undefined_extensions={"allow": True, "disallow": False}.get(
            case.options.get("extensions", "")
        ),
        max_version=int(case.options.get("maxDtdlVersion", 3)),
    )
    if result.issues:
        return Verdict(False, "Parsing", frozenset(i.code for i in result.issues))
    if result.unresolved:
        return Verdict(False, "Resolution", unresolved=frozenset(result.unresolved))
    return Verdict(True)


@dataclass
class Agreement:
    """Counts of a differential run: cases, same verdict, same ValidationID set."""

    cases: int = 0
    verdict: int = 0
    ids: int = 0
    verdict_diffs: list[str] = field(default_factory=list)
    id_diffs: list[str] = field(default_factory=list)

    def line(self, what: str) -> str:
        """One summary line."""
        return (
            f"{what}: {self.cases} cases, verdict agreement {self.verdict}/{self.cases}, "
            f"ValidationID-set agreement {self.ids}/{self.cases}"
        )


def compare(cases: list[Case], theirs: dict[str, Verdict]) -> Agreement:
    """Compare TwinBench with the official verdicts on every case the oracle answered."""
    agg = Agreement()
    for c in cases:
        t = theirs.get(c.id)
        if t is None:
            continue
        o = ours(c)
        agg.cases += 1
        if (o.valid, o.kind) != (t.valid, t.kind):
            agg.verdict_diffs.append(
                f"{c.id}: official {t.kind or 'valid'} {sorted(t.ids)}, "
                f"twinbench {o.kind or 'valid'} {sorted(o.ids)}"
            )
            continue
        agg.verdict += 1
        if o.ids == t.ids:
            agg.ids += 1
        else:
            agg.id_diffs.append(f"{c.id}: official {sorted(t.ids)}, twinbench {sorted(o.ids)}")
    return agg
