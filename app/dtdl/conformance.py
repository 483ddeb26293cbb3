"""Runs the DTDLParser generated conformance cases and reports the pass rate per version."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.dtdl.api import validate_documents
from twinbench.dtdl.issues import PREFIX


@dataclass
class VersionScore:
    """Counts for one DTDL version: cases, right verdicts, right ValidationIDs."""

    cases: int = 0
    verdict: int = 0
    ids: int = 0
    failures: list[str] = field(default_factory=list)

    def rate(self, what: str = "verdict") -> float:
        """Share of cases passed, by verdict or by verdict plus ValidationIDs."""
        return (self.verdict if what == "verdict" else self.ids) / self.cases if self.cases else 0.0


def run_case(path: Path, official_ids: frozenset[str] | None = None) -> tuple[bool, bool]:
    """Run one case file: (verdict right, verdict and ValidationIDs right).

    The case files come from a newer DTDLParser than 1.1.3, which names more ValidationIDs per
    problem; `official_ids`, where given, are the short IDs DTDLParser 1.1.3 reports instead.
    """
    case = json.loads(path.read_text(encoding="utf-8-sig"))
    options = case.get("options") or []
    allow = (
        True
        if "AllowUndefinedExtensions" in options
        else False
        if "DisallowUndefinedExtensions" in options
        else None
    )
    docs = [(f"input[{i}]", doc) for i, doc in enumerate(case["input"])]
    steps = list(case.get("resolution") or [])

    def resolve(missing: list[str]) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for step in list(steps):
            if set(step.get("request") or []) & set(missing):
                steps.remove(step)
                out.extend(("resolution", d) for d in step.get("response") or [])
        return out

    result = validate_documents(
        docs,
        allow_undefined_extensions=allow,
        resolve=resolve,
        max_version=int(case.get("maxDtdlVersion") or 3),
    )
    valid = not result.issues and not result.unresolved
    if valid != case["valid"]:
        return False, False
    if valid:
        return True, True
    expected = {e["ValidationID"] for e in case["expect"].get("parsingErrors", [])}
    if official_ids is not None:
        expected = {PREFIX + x for x in official_ids}
    got = {i.validation_id for i in result.issues}
    if not expected:
        return True, bool(result.unresolved) and not result.issues
    return True, expected == got


def run_folder(
    folder: Path, official: dict[str, frozenset[str]] | None = None
) -> dict[str, VersionScore]:
    """Score every `*V2.json` / `*V3.json` case in `folder` (IDs from `official` where given)."""
    scores = {"V2": VersionScore(), "V3": VersionScore()}
    for path in sorted(folder.glob("*V[23].json")):
        score = scores[path.stem[-2:]]
        score.cases += 1
        verdict, ids = run_case(path, (official or {}).get(path.stem))
        score.verdict += verdict
        score.ids += ids
        if not verdict:
            score.failures.append(path.name)
    return scores


def main(argv: list[str] | None = None) -> int:
    """`python -m twinbench.dtdl.conformance FOLDER [-v]`: print the pass rate per version."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path("../shared/fixtures/dtdl/conformance")
    scores = run_folder(folder)
    for ver, s in scores.items():
        print(
            f"DTDL {ver}: {s.cases} cases, verdict {s.verdict}/{s.cases} ({100 * s.rate():.1f}%), "
            f"ValidationIDs {s.ids}/{s.cases} ({100 * s.rate('ids'):.1f}%)"
        )
        if "-v" in args:
            for f in s.failures:
                print(f"    wrong verdict: {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
