"""TwinBench against the official DTDL parser on the same inputs: any verdict that differs fails.

Inputs: the public samples (with the repository as resolver), the conformance inputs, the recorded
mutants and a few hundred generated ones. Where node and the official parser are installed it
runs once over the whole batch; everywhere, TwinBench is checked against the official answers
recorded in tests/fixtures/dtdl/official-1.1.3.json (kept honest by the live run)."""

from __future__ import annotations

import json

import pytest

from tests.unit.dtdl.oracle import (
    Agreement,
    Case,
    Verdict,
    as_json,
    compare,
    model_sets,
    official,
    ours,
    recorded,
    unavailable,
)

GROUPS = ["samples", "mutants", "conformance", "generated"]
# ValidationID-set agreement reached so far, per group; raise as the parser improves
ID_FLOOR = {"samples": 1.0, "mutants": 1.0, "generated": 1.0, "conformance": 0.99}


@pytest.fixture(scope="module")
def groups() -> dict[str, list[Case]]:
    return model_sets()


@pytest.fixture(scope="module")
def live(groups) -> dict[str, Verdict]:
    why = unavailable()
    if why:
        pytest.skip(f"official DTDL parser unavailable: {why}")
    return official([c for cases in groups.values() for c in cases])


def _check(group: str, cases: list[Case], theirs: dict[str, Verdict]) -> None:
    agg: Agreement = compare(cases, theirs)
    print(agg.line(group))
    assert agg.cases == len(cases), "some cases have no official answer"
    assert not agg.verdict_diffs, "\n".join(agg.verdict_diffs[:30])
    assert agg.ids / agg.cases >= ID_FLOOR[group], (agg.line(group), agg.id_diffs[:30])


@pytest.mark.parametrize("group", GROUPS)
def test_verdicts_agree_with_the_official_parser(groups, live, group):
    _check(group, groups[group], live)


@pytest.mark.parametrize("group", ["mutants", "conformance", "generated"])
def test_verdicts_agree_with_the_recorded_official_answers(groups, group):
    _check(group, groups[group], recorded())


def test_recorded_answers_are_the_official_ones(groups, live):
    rec = recorded()
    stale = [
        f"{c.id}: recorded {rec.get(c.id)}, official {as_json(live[c.id])}"
        for cases in groups.values()
        for c in cases
        if not c.repo and (c.id not in rec or as_json(rec[c.id]) != as_json(live[c.id]))
    ]
    assert not stale, "rerun python -m tests.unit.dtdl.oracle:\n" + "\n".join(stale[:20])


def test_recorded_verdicts_of_the_shared_mutants(dtdl_fixtures):
    """mutants/oracle.json as it came with the fixtures: 77 official verdicts."""
    oracle = json.loads((dtdl_fixtures / "mutants" / "oracle.json").read_text(encoding="utf-8"))
    wrong = []
    for name, rec in sorted(oracle["cases"].items()):
        doc = json.loads((dtdl_fixtures / "mutants" / name).read_text(encoding="utf-8"))
        got = ours(Case(name, doc if isinstance(doc, list) else [doc]))
        if got.valid != rec["valid"] or (
            not got.valid and got.ids != set(rec.get("validation_ids", []))
        ):
            wrong.append(f"{name}: official {rec.get('validation_ids')}, twinbench {got}")
    assert len(oracle["cases"]) == 77
    assert not wrong, wrong


def test_every_public_sample_loads_on_its_own(dtdl_fixtures):
    repo = dtdl_fixtures / "models"
    files = sorted((repo / "dtmi").rglob("*.json"))
    bad = [f.name for f in files if not ours(Case(f.name, [json.loads(f.read_text())], repo)).valid]
    assert len(files) == 11 and not bad, bad


def test_corpus_tool_counts_models_that_load(dtdl_fixtures, capsys):
    from tests.unit.dtdl.corpus import main

    assert main([str(dtdl_fixtures / "models")]) == 0
    assert "11 of 11 models load on their own" in capsys.readouterr().out
    assert main([]) == 2
