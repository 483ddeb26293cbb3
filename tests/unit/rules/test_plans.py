"""Per-device plans: a rule whose channels are missing is reported once and runs when they come."""

from __future__ import annotations

import numpy as np

from twinbench.model import Chunk
from twinbench.rules.engine import RuleEngine
from twinbench.rules.loader import parse_rules

S = 1_000_000_000
TEXT = """
[[rule]]
name = "hot"
condition = "x > 1"
[[rule]]
name = "both"
condition = "x > 1 and y > 1"
"""


def test_missing_channels_reported_once_and_rule_runs_when_they_arrive() -> None:
    events: list[tuple[str, dict]] = []
    eng = RuleEngine(
        parse_rules(TEXT, "t.toml", ["x", "y"]),
        emit=lambda kind, device="", message="", **d: events.append((kind, d)),
    )
    two = np.full((2, 1), 2.0)
    eng.process([Chunk("d", ("x",), np.array([1, 2]) * S, two)])
    eng.process([Chunk("d", ("x",), np.array([3, 4]) * S, two)])
    eng.process([Chunk("d", ("y", "x"), np.array([5, 6]) * S, np.full((2, 2), 2.0))])
    eng.close()
    faults = [d["rule"] for k, d in events if k == "rule"]
    raised = [d["rule"] for k, d in events if k == "alarm" and d["state"] == "raised"]
    assert faults == ["both"]  # once, although two chunks lacked y
    assert raised == ["hot", "both"]  # 'both' runs once y comes, columns found by name
    stats = eng.diagnostics()["rules"]
    assert stats["both"]["faults"] == 1 and stats["both"]["evaluations"] == 2
    assert stats["hot"]["evaluations"] == 6
