"""The DTDLParser generated conformance cases: the pass rate per version must not regress."""

from twinbench.dtdl.conformance import run_folder

# reached so far (verdict, verdict + ValidationIDs); raise these as the parser improves
FLOOR = {"V2": (1.0, 0.98), "V3": (1.0, 0.969)}


def test_conformance_rates_do_not_regress(dtdl_fixtures):
    scores = run_folder(dtdl_fixtures / "conformance")
    assert scores["V2"].cases == 619 and scores["V3"].cases == 729
    for ver, (verdict, ids) in FLOOR.items():
        s = scores[ver]
        assert s.rate() >= verdict, (ver, s.rate(), s.failures[:20])
        assert s.rate("ids") >= ids, (ver, s.rate("ids"))
