"""Hooking the rule engine onto a running runtime with one call."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from twinbench.model import Chunk
from twinbench.rules.engine import RuleEngine
from twinbench.rules.loader import Rule, RuleSet, load_rules


class RulesHandle:
    """What `attach` returns: the engine, its worker, and `close()` to detach cleanly."""

    def __init__(self, runtime: Any, engine: RuleEngine, worker: Any) -> None:
        self.runtime = runtime
        self.engine = engine
        self.worker = worker

    @property
    def book(self) -> Any:
        """The alarm book (alarms, history, acknowledge, shelve)."""
        return self.engine.book

    def diagnostics(self) -> dict[str, Any]:
        """Engine counters plus the worker queue's drops."""
        d = self.engine.diagnostics()
        d["dropped_chunks"] = self.worker.sub.dropped_chunks
        return d

    def close(self) -> None:
        """Stop the worker (draining what is queued) and the action threads."""
        if self.worker.is_alive():
            self.worker.stop()
        self.runtime.hub.unsubscribe(self.worker.sub)
        if self.worker in self.runtime.workers:  # a later runtime.start() must not restart it
            self.runtime.workers.remove(self.worker)
        self.engine.close()


def _stamping(sub: Any, stamps: dict[int, int]) -> None:
    """Make the subscription remember when each chunk was offered (its publication time)."""
    offer = sub.offer

    def stamped_offer(chunk: Chunk) -> None:
        stamps[id(chunk)] = time.perf_counter_ns()
        before = sub.dropped_chunks
        offer(chunk)
        if sub.dropped_chunks != before:
            stamps.pop(id(chunk), None)

    sub.offer = stamped_offer


def attach(
    runtime: Any,
    rules: RuleSet | Iterable[Rule] | str | Path | Iterable[str | Path],
    *,
    services: Mapping[str, Any] | None = None,
    tolerance_s: float | None = None,
    late: str | None = None,
    maxsize: int = 4096,
) -> RulesHandle:
    """Evaluate `rules` (a RuleSet, Rules, or rule-file paths) on every chunk of `runtime`."""
    if isinstance(rules, str | Path):
        rules = load_rules(rules)
    elif not isinstance(rules, RuleSet):
        items = list(rules)
        rules = (
            RuleSet(items)  # type: ignore[arg-type]
            if all(isinstance(r, Rule) for r in items)
            else load_rules(items)  # type: ignore[arg-type]
        )

    def svc() -> Mapping[str, Any]:
        if services is not None:
            return services
        return getattr(runtime, "services", None) or {}

    def profile(device: str) -> str | None:
        st = runtime.hub.devices.get(device)
        return st.device.meta.get("profile") if st is not None else None

    engine = RuleEngine(
        rules,
        emit=runtime.events.emit,
        services=svc,
        tolerance_ns=None if tolerance_s is None else int(tolerance_s * 1e9),
        late=late,
        profiles=profile,
    )
    stamps: dict[int, int] = {}

    def handle(chunks: list[Chunk]) -> None:
        engine.process(chunks, [stamps.pop(id(c), None) for c in chunks])

    worker = runtime.add_consumer("rules", handle, maxsize=maxsize, policy="drop")
    _stamping(worker.sub, stamps)
    return RulesHandle(runtime, engine, worker)
