"""Agreement on a model repository: `python -m tests.unit.dtdl.corpus FOLDER [options]`.

Each model is checked on its own, with FOLDER (laid out by DTMI) as the resolver, by TwinBench and,
with --official, by the official parser (one node process); prints how many load and how many
verdicts and ValidationID sets agree. With --mutate N, N models picked with a fixed seed are
mutated as the differential tests mutate the samples, and the mutants compared instead. For a
public corpus such as Azure/iot-plugandplay-models."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from tests.unit.dtdl.mutate import base_cases, shape_cases
from tests.unit.dtdl.oracle import Case, compare, official, ours, unavailable


def cases_of(root: Path) -> list[Case]:
    """One case per JSON file under `root`, resolved from `root`."""
    out = []
    for f in sorted(root.rglob("*.json")):
        try:
            doc = json.loads(f.read_text(encoding="utf-8-sig"))
        except ValueError:
            continue
        out.append(Case(str(f.relative_to(root)), doc if isinstance(doc, list) else [doc], root))
    return out


def mutants_of(cases: list[Case], n: int, root: Path, seed: int = 1) -> list[Case]:
    """Mutants of `n` models picked with `seed`, each resolved from `root`."""
    rng = random.Random(seed)
    out: list[Case] = []
    for c in rng.sample(cases, min(n, len(cases))):
        if not all(isinstance(d, dict) and isinstance(d.get("@id"), str) for d in c.docs):
            continue
        tag = Path(c.id).stem
        out.extend(Case(i, m, root) for i, m in base_cases(c.docs, tag, rng, 3))
        out.extend(Case(i, m, root) for i, m in shape_cases(c.docs, tag))
    return out


def main(argv: list[str] | None = None) -> int:
    """Print load counts and, with --official, agreement with the official parser."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m tests.unit.dtdl.corpus FOLDER [--official]")
        return 2
    root = Path(args[0]).resolve()
    cases = cases_of(root)
    loaded = [c.id for c in cases if ours(c).valid]
    print(f"twinbench: {len(loaded)} of {len(cases)} models load on their own")
    if "--mutate" in args:
        cases = mutants_of(cases, int(args[args.index("--mutate") + 1]), root)
        print(f"{len(cases)} mutants")
    if "--official" in args:
        why = unavailable()
        if why:
            print(f"error: {why}")
            return 2
        agg = compare(cases, official(cases, timeout=3600))
        print(agg.line("official"))
        for line in agg.verdict_diffs[:50]:
            print("  ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
