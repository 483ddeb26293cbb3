"""attach(): the rules worker on a real runtime with the simulated rig."""

from __future__ import annotations

import time

from twinbench.rules import attach, parse_rules
from twinbench.runtime import Runtime


def test_attach_raises_alarms_from_live_sim() -> None:
    rules = parse_rules(
        '[[rule]]\nname = "spinning"\ndevices = "sim*"\ncondition = "rpm > 100"\n'
        'severity = "info"\n'
        '[[rule]]\nname = "busy"\ncondition = "count(rpm, tumbling(100ms)) > 10"\n',
        "live.toml",
    )
    rt = Runtime()
    rt.add_driver("sim", {"rate": 2000, "block_ms": 5})
    handle = attach(rt, rules)
    rt.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            states = {
                (e.data.get("rule"), e.data.get("state"))
                for e in rt.events.recent
                if e.kind == "alarm"
            }
            if {("spinning", "raised"), ("busy", "raised")} <= states:
                break
            time.sleep(0.05)
    finally:
        rt.stop()
        handle.close()
    assert ("spinning", "raised") in states and ("busy", "raised") in states
    ev = next(e for e in rt.events.recent if e.kind == "alarm")
    assert ev.data["severity"] == "info" and ev.data["value"] > 100
    d = handle.diagnostics()
    assert d["samples"] > 0 and d["latency_chunk"]["n"] > 0 and d["latency_alarm"]["n"] >= 2


def test_attach_close_before_start_then_run() -> None:
    rules = parse_rules('[[rule]]\nname = "a"\ncondition = "rpm > 1"\n', "r.toml")
    rt = Runtime()
    first = attach(rt, rules)
    first.close()
    second = attach(rt, rules)
    rt.start()  # must not try to restart the closed worker
    try:
        assert second.worker.is_alive() and not first.worker.is_alive()
    finally:
        rt.stop()
        second.close()
    assert first.worker.sub not in rt.hub.subscriptions
