"""The engine: hold time, hysteresis, windowed rules, ordering, faults that stop nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twinbench.model import Chunk
from twinbench.rules.engine import RuleEngine
from twinbench.rules.loader import parse_rules
from twinbench.rules.run import RuleRun

S = 1_000_000_000


class Events:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, str, dict]] = []

    def emit(self, kind: str, device: str = "", message: str = "", **data) -> None:
        self.items.append((kind, device, message, data))

    def alarms(self) -> list[tuple[str, str, float, float]]:
        return [
            (d["rule"], d["state"], d["t_event_ns"] / S, d["value"])
            for k, _, _, d in self.items
            if k == "alarm"
        ]


def run(text: str, t_s, values: dict[str, np.ndarray], chunk: int = 3, device="d1", **kw):
    ev = Events()
    rs = parse_rules(text, "test.toml", list(values))
    eng = RuleEngine(rs, emit=ev.emit, **kw)
    t = (np.asarray(t_s, float) * S).astype(np.int64)
    names = tuple(values)
    v = np.column_stack([values[n] for n in names])
    try:
        for i in range(0, t.size, chunk):
            eng.process([Chunk(device, names, t[i : i + chunk], v[i : i + chunk])])
        eng.flush()
    finally:
        eng.close()
    return ev, eng


TEMP = np.r_[np.full(10, 60.0), np.full(10, 90.0), np.full(5, 75.0), np.full(5, 65.0)]


def test_raise_and_clear_at_the_sample_times() -> None:
    ev, _ = run(
        '[[rule]]\nname="hot"\ncondition="temperature > 80"', np.arange(30), {"temperature": TEMP}
    )
    assert ev.alarms() == [("hot", "raised", 10.0, 90.0), ("hot", "cleared", 20.0, 75.0)]


def test_hold_time_must_be_met() -> None:
    text = '[[rule]]\nname="hot"\ncondition="temperature > 80"\nhold="3s"'
    ev, _ = run(text, np.arange(30), {"temperature": TEMP})
    assert ev.alarms() == [("hot", "raised", 13.0, 90.0), ("hot", "cleared", 20.0, 75.0)]
    # a run shorter than the hold never raises
    short = np.r_[np.full(5, 60.0), np.full(3, 90.0), np.full(5, 60.0)]
    ev, _ = run(text, np.arange(13), {"temperature": short})
    assert ev.alarms() == []


def test_hold_time_spans_chunks() -> None:
    text = '[[rule]]\nname="hot"\ncondition="temperature > 80"\nhold="3s"'
    for chunk in (1, 2, 7, 30):
        ev, _ = run(text, np.arange(30), {"temperature": TEMP}, chunk=chunk)
        assert ev.alarms() == [("hot", "raised", 13.0, 90.0), ("hot", "cleared", 20.0, 75.0)]


def test_hysteresis_clear_condition() -> None:
    text = '[[rule]]\nname="hot"\ncondition="temperature > 80"\nclear="temperature < 70"'
    ev, _ = run(text, np.arange(30), {"temperature": TEMP})
    # 75 is below the raise level but above the clear level: still raised until 65
    assert ev.alarms() == [("hot", "raised", 10.0, 90.0), ("hot", "cleared", 25.0, 65.0)]


def test_windowed_rule_fires_at_window_ends() -> None:
    text = '[[rule]]\nname="avg"\ncondition="avg(v, tumbling(5s)) > 30"\nseverity="major"'
    t = [1, 2, 5, 6, 10, 11]
    ev, _ = run(text, t, {"v": np.array([10, 20, 30, 40, 50, 60.0])}, chunk=1)
    assert ev.alarms() == [("avg", "raised", 10.0, 45.0)]  # 20 at 5, 45 at 10, 60 at 15


def test_mixed_window_and_channel_reads_channel_as_of_window_end() -> None:
    text = '[[rule]]\nname="m"\ncondition="count(v, hopping(10s, 5s)) >= 5 and v > 45"'
    t = [1, 2, 5, 6, 10, 11]
    ev, _ = run(text, t, {"v": np.array([10, 20, 30, 40, 50, 60.0])}, chunk=2)
    assert ev.alarms() == [("m", "raised", 10.0, 5.0), ("m", "cleared", 15.0, 3.0)]


def test_per_device_partitions_and_globs() -> None:
    text = '[[rule]]\nname="a"\ndevices=["rig-*"]\ncondition="x > 0"'
    rs = parse_rules(text, "t.toml", ["x"])
    ev = Events()
    eng = RuleEngine(rs, emit=ev.emit)
    one = np.ones((2, 1))
    eng.process([Chunk("rig-1", ("x",), [1, 2], one), Chunk("bench", ("x",), [1, 2], one)])
    eng.process([Chunk("rig-2", ("x",), [1, 2], -one)])
    eng.close()
    assert [(d, m.split(":")[0]) for k, d, m, _ in ev.items if k == "alarm"] == [
        ("rig-1", "raised")
    ]


def test_bad_rule_counts_faults_and_others_keep_working() -> None:
    text = """
[[rule]]
name = "div"
condition = "x / (x - x) > 1"
[[rule]]
name = "nan"
condition = "y > 1"
[[rule]]
name = "good"
condition = "x > 5"
"""
    x = np.arange(10.0)
    y = np.full(10, np.nan)
    ev, eng = run(text, np.arange(10), {"x": x, "y": y})
    assert ev.alarms() == [("good", "raised", 6.0, 6.0)]
    d = eng.diagnostics()["rules"]
    assert d["div"]["faults"] > 0 and "division by zero" in d["div"]["last_error"]
    assert d["nan"]["faults"] > 0 and "NaN" in d["nan"]["last_error"]
    assert d["good"]["faults"] == 0


def test_exception_in_a_rule_is_a_fault(monkeypatch) -> None:
    text = '[[rule]]\nname="a"\ncondition="lag(x, 2) > 1"\n[[rule]]\nname="b"\ncondition="x > 1"'
    rs = parse_rules(text, "t.toml", ["x"])
    ev = Events()
    eng = RuleEngine(rs, emit=ev.emit)
    from twinbench.rules import evaluate

    def boom(*a, **k):
        raise TypeError("boom")

    monkeypatch.setattr(evaluate.Evaluation, "lag", boom)
    eng.process([Chunk("d", ("x",), [1, 2, 3], np.array([0.0, 5.0, 5.0]))])
    eng.close()
    st = eng.diagnostics()["rules"]
    assert st["a"]["faults"] == 1 and "boom" in st["a"]["last_error"]
    assert st["b"]["raised"] == 1
    assert any(k == "rule" and "boom" in m for k, _, m, _ in ev.items)


def test_missing_channel_is_reported_with_closest_names() -> None:
    rs = parse_rules('[[rule]]\nname="a"\ncondition="temp > 1"', "t.toml")
    ev = Events()
    eng = RuleEngine(rs, emit=ev.emit)
    eng.process([Chunk("d", ("temperature",), [1], [[2.0]])])
    eng.close()
    assert "closest: temperature" in eng.diagnostics()["rules"]["a"]["last_error"]


def test_out_of_order_within_tolerance_is_reordered() -> None:
    text = '[settings]\ntolerance = "2s"\n[[rule]]\nname="d"\ncondition="delta(x) < 0"'
    t = [0, 2, 1, 3, 5, 4, 6, 0.5]  # 0.5 arrives after 6: beyond the 2 s tolerance
    x = np.array(t, float)  # x grows with time, so in time order delta is never negative
    ev, eng = run(text, t, {"x": x}, chunk=2)
    assert ev.alarms() == []
    assert eng.diagnostics()["late_dropped"] == 1


def test_late_samples_adjusted_by_setting() -> None:
    text = (
        '[settings]\nlate = "adjust"\n[[rule]]\nname="c"\ncondition="count(x, tumbling(10s)) > 4"'
    )
    t = [1, 2, 3, 4, 1.5, 2.5]
    ev, eng = run(text, t, {"x": np.ones(6)}, chunk=1)
    assert eng.diagnostics()["late_adjusted"] == 2
    assert ev.alarms() == [("c", "raised", 10.0, 6.0)]  # adjusted samples still counted


def test_rate_lag_and_spike() -> None:
    text = """
[[rule]]
name = "fast"
condition = "rate(x) > 5"
[[rule]]
name = "lagged"
condition = "lag(x, 3) >= 20"
[[rule]]
name = "spike"
condition = "spike(y, 99, 20)"
"""
    t = np.arange(40) * 0.5
    x = np.r_[np.zeros(10), np.arange(30) * 5.0]  # 10 per second from t = 5 s
    y = np.sin(np.arange(40.0))
    y[30] = 50.0
    ev, _ = run(text, t, {"x": x, "y": y}, chunk=4)
    got = [(r, s, at) for r, s, at, _ in ev.alarms()]
    assert ("fast", "raised", 5.5) in got
    assert ("lagged", "raised", 8.5) in got  # x reaches 20 at 7 s, seen three samples later
    assert ("spike", "raised", 15.0) in got and ("spike", "cleared", 15.5) in got


def test_series_functions_do_not_depend_on_chunking() -> None:
    from twinbench.rules.evaluate import Evaluation
    from twinbench.rules.typecheck import check

    rng = np.random.default_rng(1)
    x = rng.normal(size=3000)
    x[[500, 1500, 2500]] = 8.0
    x[[700, 701]] = np.nan
    for text in ("spike(x, 99, 20)", "dip(x, 95, 50)", "rate(x)", "lag(x, 7)", "delta(x)"):
        c = check(text)

        def run(chunk: int, c=c) -> np.ndarray:
            st: dict = {}
            out = []
            for i in range(0, 3000, chunk):
                t = np.arange(i, min(i + chunk, 3000)) * 1_000_000
                e = Evaluation(c, st, t, {"x": x[i : i + chunk]}, 0)
                out.append(np.asarray(e.s(c.tree)))
            return np.concatenate(out)

        whole = run(3000)
        for chunk in (1, 7, 100, 999):
            assert np.array_equal(run(chunk), whole, equal_nan=True), (text, chunk)
        if text.startswith("spike"):
            assert whole[[500, 1500, 2500]].tolist() == [1.0, 1.0, 1.0]
            assert np.isnan(whole[700])


PRUNE_RULES = """
[[rule]]
name = "hot"
condition = "x > 0.8"
[[rule]]
name = "band"
condition = "abs(x - y) > 1.2 and y < 0.5"
clear = "abs(x - y) < 0.3"
[[rule]]
name = "held"
condition = "x * 2 >= 1.6"
hold = "3s"
[[rule]]
name = "ratio"
condition = "x / y > 2"
[[rule]]
name = "mixed"
condition = "max(x, y) > 0.7 or min(x, y) < -0.9"
clear = "delta(x) < -0.5"
[[rule]]
name = "peak"
condition = "max(x, sliding(3s)) > 0.8"
hold = "2s"
[[rule]]
name = "low"
condition = "avg(x, tumbling(4s)) * 2 < 0.3"
"""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([-1.0, -0.2, 0.0, 0.1, 0.5, 0.85, 0.9, 1.0, np.nan]), min_size=40),
    st.integers(1, 9),
)
def test_pruning_gives_exactly_the_unpruned_results(xs: list[float], chunk: int) -> None:
    x = np.array(xs)
    y = np.roll(x, 3) * 0.5
    t = np.arange(x.size)
    pruned, eng_a = run(PRUNE_RULES, t, {"x": x, "y": y}, chunk=chunk, prune=True)
    full, eng_b = run(PRUNE_RULES, t, {"x": x, "y": y}, chunk=chunk, prune=False)
    assert repr(pruned.alarms()) == repr(full.alarms())  # repr: NaN values compare equal
    assert eng_a.diagnostics()["rules"] == eng_b.diagnostics()["rules"]


def test_pruning_skips_settled_chunks(monkeypatch) -> None:
    # 30 chunks of 10 samples, the threshold crossed in 2 of them: the rule is skipped in the
    # others, and still raises and clears at the right samples
    x = np.zeros(300)
    x[95:205] = 1.0
    ev, eng = run('[[rule]]\nname="hot"\ncondition="x > 0.8"', np.arange(300), {"x": x}, chunk=10)
    assert ev.alarms() == [("hot", "raised", 95.0, 1.0), ("hot", "cleared", 205.0, 0.0)]
    assert eng.diagnostics()["rules"]["hot"]["evaluations"] == 300
    calls = []
    step = RuleRun.step
    monkeypatch.setattr(RuleRun, "step", lambda self, *a: calls.append(a) or step(self, *a))
    eng = RuleEngine(parse_rules('[[rule]]\nname="hot"\ncondition="x > 0.8"', "t.toml", ["x"]))

    def feed(start: int, value: float) -> None:
        t = np.arange(start, start + 10) * S
        eng.process([Chunk("d1", ("x",), t, np.full((10, 1), value))])

    feed(0, 0.0)
    assert calls == [] and eng.stats["hot"].evaluations == 10  # settled by the range alone
    feed(10, 1.0)
    assert len(calls) == 1 and eng._runs[("hot", "d1")].active
    feed(20, 0.9)
    assert len(calls) == 1  # raised and true throughout: settled again
    feed(30, 0.5)
    assert len(calls) == 2 and not eng._runs[("hot", "d1")].active
    eng.close()
