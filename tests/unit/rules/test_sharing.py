"""Window states shared across rules: same results as separate states, one update per pass."""

from __future__ import annotations

import numpy as np

from twinbench.model import Chunk
from twinbench.rules.engine import RuleEngine
from twinbench.rules.expr import parse
from twinbench.rules.loader import parse_rules
from twinbench.rules.panes import PaneWindow
from twinbench.rules.sharing import shape, window_keys

S = 1_000_000_000

SHARED = """
[[rule]]
name = "warn"
condition = "avg(x, tumbling(2s)) > 0.3"
clear = "avg(x, tumbling(2s)) < 0.1"
[[rule]]
name = "crit"
condition = "avg(x, tumbling(2s)) > 0.6 and x > 0.5"
hold = "2s"
[[rule]]
name = "spread"
condition = "stdev(x, sliding(3s)) > 0.25 or max(x, sliding(3s)) > 0.95"
[[rule]]
name = "wide"
condition = "stdev(x, sliding(3s)) > 0.3"
"""


class Events:
    def __init__(self) -> None:
        self.items: list[tuple] = []

    def emit(self, kind: str, device: str = "", message: str = "", **data) -> None:
        if kind == "alarm":
            self.items.append((device, data["rule"], data["state"], data["t_event_ns"]))
            self.items.append(repr(data["value"]))  # nan == nan


def series(n: int = 400, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = (np.cumsum(rng.uniform(0.05, 0.3, n)) * S).astype(np.int64)
    x = np.clip(np.sin(np.arange(n) / 15.0) * 0.6 + 0.4 + rng.normal(0, 0.15, n), 0, 1)
    x[rng.integers(0, n, 5)] = np.nan  # NaN inputs are counted per rule, shared or not
    return t, x


def run(text: str, share: bool, chunk: int = 7, devices=("d1", "d2")):
    rs = parse_rules(text, "t.toml", ["x", "y"])
    ev = Events()
    eng = RuleEngine(rs, emit=ev.emit, share=share)
    t, x = series()
    try:
        for i in range(0, t.size, chunk):
            eng.process(
                [
                    Chunk(d, ("x",), t[i : i + chunk], (x[i : i + chunk] * (k + 1))[:, None])
                    for k, d in enumerate(devices)
                ]
            )
        eng.flush()
    finally:
        eng.close()
    return ev.items, eng


def test_shared_windows_give_the_results_of_separate_ones() -> None:
    for chunk in (1, 7, 64):
        shared, eng = run(SHARED, True, chunk)
        alone, base = run(SHARED, False, chunk)
        assert shared == alone
        assert len(shared) > 10  # alarms happened
        assert eng.diagnostics()["rules"] == base.diagnostics()["rules"]
        # one state per distinct (expression, window) and device: avg 2s, stdev 3s, max 3s
        assert sorted(len(w) for w in eng._windows.values()) == [3, 3]
        assert not base._windows["d1"]


def test_each_rule_alone_gives_the_same_alarms_as_together() -> None:
    together, _ = run(SHARED, True, 5, devices=("d1",))
    blocks = SHARED.strip().split("[[rule]]")[1:]
    separate = []
    for b in blocks:
        items, _ = run("[[rule]]" + b, True, 5, devices=("d1",))
        separate.extend(zip(items[::2], items[1::2], strict=True))
    pairs = list(zip(together[::2], together[1::2], strict=True))
    key = lambda p: (p[0][3], p[0][1])  # noqa: E731
    assert sorted(pairs, key=key) == sorted(separate, key=key)


def test_a_shared_window_is_updated_once_per_pass(monkeypatch) -> None:
    calls = []
    orig = PaneWindow.update

    def counting(self, t, v, wm):
        calls.append(id(self))
        return orig(self, t, v, wm)

    monkeypatch.setattr(PaneWindow, "update", counting)
    text = "\n".join(
        f'[[rule]]\nname="r{k}"\ncondition="avg(x, tumbling(1s)) > {k / 10}"' for k in range(5)
    )
    rs = parse_rules(text, "t.toml", ["x"])
    eng = RuleEngine(rs)
    t = np.arange(1, 11) * S
    eng.process([Chunk("d", ("x",), t, np.linspace(0, 1, 10)[:, None])])
    eng.close()
    assert len(calls) == 1


def test_rules_reading_other_channels_keep_their_own_state() -> None:
    # 'b' also reads y, which the device lacks at first: b must not see a window fed before it ran
    text = """
[[rule]]
name = "a"
condition = "count(x, tumbling(10s)) > 3"
[[rule]]
name = "b"
condition = "count(x, tumbling(10s)) > 3 and y >= 0"
"""
    rs = parse_rules(text, "t.toml", ["x", "y"])
    ev = Events()
    eng = RuleEngine(rs, emit=ev.emit)
    eng.process([Chunk("d", ("x",), np.array([1, 2, 3]) * S, np.ones((3, 1)))])
    eng.process([Chunk("d", ("x", "y"), np.array([4, 5, 6, 12]) * S, np.ones((4, 2)))])
    eng.close()
    raised = [i[1] for i in ev.items[::2] if i[2] == "raised"]
    assert raised == ["a"]  # a counted 6 in (0, 10]; b only the 3 samples it saw
    keys = window_keys(rs.rules[0]), window_keys(rs.rules[1])
    assert set(keys[0].values()).isdisjoint(keys[1].values())


def test_shape_ignores_positions_and_tells_windows_apart() -> None:
    a = parse("avg(x, tumbling(1s))")
    b = parse("  avg( x ,tumbling( 1s ))")
    assert shape(a) == shape(b)
    assert shape(a) != shape(parse("avg(x, tumbling(2s))"))
    assert shape(a) != shape(parse("avg(y, tumbling(1s))"))
    assert shape(a) != shape(parse("max(x, tumbling(1s))"))
    assert shape(parse("x - y")) != shape(parse("y - x"))
