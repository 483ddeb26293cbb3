"""Dry runs: evaluate rules synchronously over recorded or simulated chunks, list the alarms."""

from __future__ import annotations

from collections.abc import Iterable

from twinbench.model import Chunk
from twinbench.rules.alarms import AlarmRecord
from twinbench.rules.engine import RuleEngine
from twinbench.rules.loader import RuleSet


def dryrun(rules: RuleSet, chunks: Iterable[Chunk]) -> tuple[list[AlarmRecord], dict]:
    """What would have fired, when: alarm history of the rules over the chunks (no actions)."""
    engine = RuleEngine(RuleSet(rules.rules, rules.tolerance_ns, rules.late))
    engine.book.on_change = None  # a dry run never acts
    try:
        for c in chunks:
            engine.process([c])
        engine.flush()
    finally:
        engine.close()
    return list(engine.book.history), engine.diagnostics()


def sim_chunks(seconds: float, rate: float, faults: str = "", block: int = 100) -> list[Chunk]:
    """Chunks of the simulated rig from t = 0, as fast as they can be made."""
    from twinbench.drivers.sim.driver import SimDriver

    drv = SimDriver({"rate": rate, "faults": faults, "realtime": False}, None)  # type: ignore[arg-type]
    out: list[Chunk] = []
    total = int(seconds * rate)
    for i0 in range(0, total, block):
        n = min(block, total - i0)
        for dev, model in zip(drv.devices, drv.models, strict=True):
            idx, values = model.block(i0, n)
            if idx.size:
                t_ns = (idx * (1e9 / rate)).round().astype("int64")
                out.append(Chunk(dev.id, drv.names, t_ns, values))
    return out


def dryrun_sim(rules: RuleSet, seconds: float, rate: float, faults: str) -> int:
    """Print the alarms the rules raise over simulated data."""
    history, diag = dryrun(rules, sim_chunks(seconds, rate, faults))
    for rec in history:
        print(
            f"{rec.t_ns / 1e9:10.3f} s  {rec.state:<8} {rec.severity:<8} {rec.device}: "
            f"{rec.message}"
        )
    faults_n = sum(r["faults"] for r in diag["rules"].values())
    print(
        f"ok: {len(history)} alarm change(s), {diag['samples']} samples, "
        f"{faults_n} evaluation fault(s)"
    )
    return 0
