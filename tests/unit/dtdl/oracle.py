"""Differential testing against the official DTDL parser: run both over the same model sets."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinbench.dtdl import Repository, validate_documents
from twinbench.dtdl.conformance import VersionScore

ORACLE_DIR = Path(__file__).resolve().parents[2] / "dtdl_oracle"
PACKAGE = ORACLE_DIR / "node_modules" / "@digicatapult" / "dtdl-parser"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dtdl"
RECORD = FIXTURES / "official-1.1.3.json"  # the official answers, for machines without node
# the official build (DTDLParser 1.1.3) lacks these extension versions that newer case files use
NEWER_CONTEXTS = {"dtmi:dtdl:extension:mqtt;3"}


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
class Agreement(VersionScore):
    """Counts of a differential run: cases, same verdict, same ValidationID set, and the diffs."""

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


def model_sets(root: Path = FIXTURES) -> dict[str, list[Case]]:
    """The differential inputs by group: samples, recorded mutants, conformance, generated."""
    from tests.unit.dtdl.mutate import generated, load_bases

    oracle = json.loads((root / "mutants" / "oracle.json").read_text(encoding="utf-8"))
    samples = [
        Case(f"sample:{p.name}", [json.loads(p.read_text(encoding="utf-8"))], repo=root / "models")
        for p in sorted((root / "models" / "dtmi").rglob("*.json"))
    ]
    mutants = [
        Case(f"mutant:{name}", [json.loads((root / "mutants" / name).read_text("utf-8"))])
        for name in sorted(oracle["cases"])
    ]
    conformance = []
    for p in sorted((root / "conformance").glob("*V[23].json")):
        case = json.loads(p.read_text(encoding="utf-8-sig"))
        newer = set(case.get("requiredContexts") or []) & NEWER_CONTEXTS
        if case.get("options") or case.get("maxDtdlVersion") or case.get("resolution") or newer:
            continue  # options and resolution steps: checked against the case file (conformance)
        conformance.append(Case(f"conformance:{p.stem}", case["input"]))
    bases = load_bases(root / "models", oracle)
    gen = [Case(f"generated:{i}", docs) for i, docs in generated(bases, per_base=6)]
    return {"samples": samples, "mutants": mutants, "conformance": conformance, "generated": gen}


def as_json(v: Verdict) -> dict[str, Any]:
    """A verdict as recorded in official-1.1.3.json."""
    return {"valid": v.valid, "kind": v.kind, "ids": sorted(v.ids)}


def recorded() -> dict[str, Verdict]:
    """The official verdicts recorded by `python -m tests.unit.dtdl.oracle` (no node needed)."""
    data = json.loads(RECORD.read_text(encoding="utf-8"))
    return {
        k: Verdict(v["valid"], v["kind"], frozenset(v["ids"])) for k, v in data["cases"].items()
    }


def main() -> int:
    """Record the official answers for every differential input (run where node is present)."""
    why = unavailable()
    if why:
        print(f"error: {why}")
        return 2
    groups = model_sets()
    cases = [c for cs in groups.values() for c in cs if not c.repo]
    theirs = official(cases)
    about = (
        "DTDLParser 1.1.3 (WASM build, npm @digicatapult/dtdl-parser 1.1.83) verdicts for the "
        "differential inputs, default options; rewrite with python -m tests.unit.dtdl.oracle"
    )
    rows = [f"  {json.dumps(c.id)}: {json.dumps(as_json(theirs[c.id]))}" for c in cases]
    text = (
        '{\n "_about": ' + json.dumps(about) + ',\n "cases": {\n' + ",\n".join(rows) + "\n }\n}\n"
    )
    RECORD.write_text(text, encoding="utf-8")
    print(f"recorded {len(cases)} official verdicts in {RECORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
