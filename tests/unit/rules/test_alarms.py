"""Alarm book: acknowledge, shelve, history."""

from __future__ import annotations

import time

from twinbench.rules.alarms import AlarmBook, render
from twinbench.rules.loader import parse_rules

RULE = parse_rules(
    '[[rule]]\nname="hot"\ncondition="x > 1"\nseverity="critical"\n'
    'message="{device} at {value} ({rule})"',
    "t.toml",
).rules[0]


def test_raise_ack_clear_history() -> None:
    events = []
    book = AlarmBook(lambda kind, dev, msg, **d: events.append((kind, dev, msg, d)))
    book.transition(RULE, "rig", "raised", 5, 3.5)
    a = book.active()[0]
    assert a.active and not a.acked and a.needs_attention and a.message == "rig at 3.5 (hot)"
    assert book.acknowledge("hot", "rig")
    assert not book.acknowledge("hot", "rig")  # already acknowledged
    book.transition(RULE, "rig", "cleared", 9, 0.5)
    assert not book.snapshot()[0].needs_attention
    assert [r.state for r in book.history] == ["raised", "acked", "cleared"]
    assert [d["state"] for *_, d in events] == ["raised", "acked", "cleared"]
    assert events[0][3] == {
        "rule": "hot",
        "severity": "critical",
        "state": "raised",
        "value": 3.5,
        "t_event_ns": 5,
    }


def test_cleared_unacknowledged_needs_attention() -> None:
    book = AlarmBook()
    book.transition(RULE, "rig", "raised", 5, 3.5)
    book.transition(RULE, "rig", "cleared", 6, 0.0)
    assert book.snapshot()[0].needs_attention


def test_shelved_alarm_is_silent_until_the_shelf_expires() -> None:
    events, acted = [], []
    book = AlarmBook(
        lambda kind, dev, msg, **d: events.append(d["state"]),
        lambda rec, rule: acted.append(rec.state),
    )
    book.transition(RULE, "rig", "raised", 1, 2.0)
    assert book.shelve("hot", "rig", 0.3)
    book.transition(RULE, "rig", "cleared", 2, 0.0)
    book.transition(RULE, "rig", "raised", 3, 2.0)
    assert events == ["raised", "shelved"] and acted == ["raised"]
    assert [r.shelved for r in book.history][-2:] == [True, True]  # still in the history
    time.sleep(0.35)
    book.transition(RULE, "rig", "cleared", 4, 0.0)
    assert events[-1] == "cleared" and acted[-1] == "cleared"
    assert not book.shelve("nope", "rig", 1)


def test_render_only_fills_names() -> None:
    assert render("{rule} {value} {rule.__class__} {x}", {"rule": "r", "value": 1.25}) == (
        "r 1.25 {rule.__class__} {x}"
    )


def test_an_alarm_storm_leaves_nothing_for_the_garbage_collector() -> None:
    # history and event log keep plain tuples: after one collection none of them is tracked,
    # so later collections (pauses on the hot path) do not grow with the history
    import gc

    from twinbench.events import EventLog

    log = EventLog()
    book = AlarmBook(log.emit)
    rule = parse_rules('[[rule]]\nname="r"\ncondition="x > 1"', "t.toml", ["x"]).rules[0]
    for i in range(200):
        book.transition(rule, "d", "raised" if i % 2 == 0 else "cleared", i, float(i))
    gc.collect()
    assert not any(gc.is_tracked(r) for r in book._history)
    assert not any(gc.is_tracked(e) for e in log._recent)
    assert [r.state for r in book.history[:2]] == ["raised", "cleared"]
    assert book.history[-1].value == 199.0 and len(log.recent) == 200
    assert log.recent[0].data["t_event_ns"] == 0
