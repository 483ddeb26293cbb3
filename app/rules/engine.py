"""The rule engine: ordered chunks in, alarm transitions out, per device and rule, vectorised."""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from twinbench.model import Chunk
from twinbench.rules import panes, sessions, sliding  # noqa: F401  (loaded before streaming)
from twinbench.rules.actions import ActionRunner
from twinbench.rules.alarms import AlarmBook, AlarmRecord
from twinbench.rules.loader import Rule, RuleSet
from twinbench.rules.ordering import Orderer
from twinbench.rules.run import RuleRun, RuleShape, RuleStats
from twinbench.rules.sharing import window_keys
from twinbench.rules.typecheck import closest
from twinbench.rules.windows import INF_NS

_LAT_KEEP = 8192
_min, _max = np.minimum.reduce, np.maximum.reduce  # col.min() and col.max() without a wrapper


class _Ring:
    """The last N latencies in ns."""

    def __init__(self, n: int = _LAT_KEEP) -> None:
        self.a = np.zeros(n, np.int64)
        self.i = 0

    def add(self, x: int) -> None:
        self.a[self.i % self.a.size] = x
        self.i += 1

    def values(self) -> np.ndarray:
        return self.a[: min(self.i, self.a.size)]


def _pct(ring: _Ring) -> dict[str, float]:
    v = ring.values()
    if not v.size:
        return {"n": 0}
    us = v / 1e3
    return {
        "n": int(ring.i),
        "p50_us": round(float(np.percentile(us, 50)), 1),
        "p99_us": round(float(np.percentile(us, 99)), 1),
        "max_us": round(float(us.max()), 1),
    }


class _Columns(dict):
    """A pass's channel columns, each made contiguous (and its NaNs and range noted) when first
    read: one mapping for every rule of the pass."""

    def __init__(self, v: np.ndarray, chans: tuple[str, ...]) -> None:
        super().__init__()
        self.v = v
        self.chans = chans
        self.nan_counts: dict[str, int] = {}
        self.ranges: dict[str, tuple[float, float] | None] = {}

    def __missing__(self, name: str) -> np.ndarray:
        # contiguous: every operation on the column runs faster than on a strided view;
        # min and max propagate NaN, so they also tell whether there is any to count
        col = self[name] = np.ascontiguousarray(self.v[:, self.chans.index(name)])
        if not col.size:  # an empty pass (windows closing at the end)
            self.nan_counts[name], self.ranges[name] = 0, None
            return col
        lo, hi = float(_min(col)), float(_max(col))
        if lo == lo and hi == hi:
            self.nan_counts[name], self.ranges[name] = 0, (lo, hi)
        else:
            self.nan_counts[name] = int(np.count_nonzero(np.isnan(col)))
            self.ranges[name] = None
        return col

    def range_of(self, name: str) -> tuple[float, float] | None:
        """(min, max) of a channel over the pass; None if it holds a NaN or nothing."""
        if name not in self:
            self.__missing__(name)  # reads the column: notes its range
        return self.ranges[name]


class RuleEngine:
    """Evaluates rules over chunks, synchronously (`process`) or from a worker (see attach)."""

    def __init__(
        self,
        rules: RuleSet | list[Rule],
        emit: Callable[..., Any] | None = None,
        services: Callable[[], Mapping[str, Any]] | Mapping[str, Any] | None = None,
        tolerance_ns: int | None = None,
        late: str | None = None,
        profiles: Callable[[str], str | None] | None = None,
        share: bool = True,
        prune: bool = True,
    ) -> None:
        rs = rules if isinstance(rules, RuleSet) else RuleSet(list(rules))
        self.rules = rs.rules
        self.tolerance_ns = rs.tolerance_ns if tolerance_ns is None else tolerance_ns
        self.late = rs.late if late is None else late
        self.emit = emit
        if services is None:
            svc_fn: Callable[[], Mapping[str, Any]] = dict
        elif callable(services):
            svc_fn = services
        else:
            svc_fn = lambda: services  # noqa: E731
        self.actions = ActionRunner(svc_fn, emit)
        self.book = AlarmBook(emit, self._on_alarm)
        self.profiles = profiles or (lambda device: None)
        self.stats = {r.name: RuleStats() for r in self.rules}
        self._orderers: dict[tuple[str, tuple[str, ...]], Orderer] = {}
        self._runs: dict[tuple[str, str], RuleRun] = {}
        self._by_device: dict[str, list[Rule]] = {}
        self._missing: set[tuple[str, str]] = set()
        self._shapes = {r.name: RuleShape.of(r) for r in self.rules}
        self._channels = {r.name: r.channels for r in self.rules}
        self._plans: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
        # window states shared by rules of a device that aggregate the same thing (sharing.py)
        self.share = share
        self.prune = prune  # skip chunks whose channel ranges settle a rule (bounds.py)
        # structural sharing keys, interned as small ints: looked up on every pass
        interned: dict[Any, int] = {}
        self._share_keys = (
            {
                r.name: {node: interned.setdefault(k, len(interned)) for node, k in keys.items()}
                for r in self.rules
                for keys in (window_keys(r),)
            }
            if share
            else {}
        )
        self._windows: dict[str, dict] = {}
        self.chunks = 0
        self.samples = 0
        self.chunk_latency = _Ring()
        self.alarm_latency = _Ring()
        self._current_stamp: int | None = None

    # -- routing ---------------------------------------------------------------------------
    def rules_for(self, device: str) -> list[Rule]:
        """Rules whose device patterns (or profile) match `device`."""
        got = self._by_device.get(device)
        if got is None:
            prof = self.profiles(device)
            got = [
                r
                for r in self.rules
                if any(fnmatch.fnmatchcase(device, p) for p in r.devices)
                and (r.profile is None or r.profile == prof)
            ]
            self._by_device[device] = got
        return got

    # -- processing ------------------------------------------------------------------------
    def process(self, chunks: list[Chunk], stamps: list[int | None] | None = None) -> None:
        """Evaluate every rule over the chunks; stamps are publication times (perf_counter_ns).

        Chunks of one device keep their order; a backlog of several chunks of a device is
        evaluated as one block, so the engine catches up faster the further it falls behind.
        """
        stamps = stamps or [None] * len(chunks)
        groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for i, c in enumerate(chunks):
            groups.setdefault((c.device, c.channels), []).append(i)
        for (device, chans), idx in groups.items():
            if len(idx) == 1:
                t, v = chunks[idx[0]].t_ns, chunks[idx[0]].values
            else:
                t = np.concatenate([chunks[i].t_ns for i in idx])
                v = np.concatenate([chunks[i].values for i in idx])
            first = next((stamps[i] for i in idx if stamps[i] is not None), None)
            self._current_stamp = first
            self.chunks += len(idx)
            self.samples += int(t.size)
            orderer = self._orderers.get((device, chans))
            if orderer is None:
                orderer = self._orderers[(device, chans)] = Orderer(self.tolerance_ns, self.late)
            rt, rv, wm = orderer.push(t, v)
            with np.errstate(all="ignore"):
                self._evaluate(device, chans, rt, rv, wm)
            if first is not None:
                now = time.perf_counter_ns()
                for i in idx:
                    if stamps[i] is not None:
                        self.chunk_latency.add(now - stamps[i])  # type: ignore[operator]
        self._current_stamp = None

    def flush(self) -> None:
        """Release held samples and close every open window (end of a recording or dry run)."""
        for (device, chans), orderer in self._orderers.items():
            t, v, wm = orderer.flush()
            if v is None:
                v = np.empty((0, len(chans)))
            with np.errstate(all="ignore"):
                self._evaluate(device, chans, t, v, wm)

    def _plan(self, device: str, chans: tuple[str, ...]) -> list[tuple]:
        """The rules that can run on a device's chunks with these channels, reporting the rest."""
        plan = []
        for rule in self.rules_for(device):
            used = self._channels[rule.name]
            missing = [c for c in used if c not in chans]
            if missing:
                if (rule.name, device) not in self._missing:
                    self._missing.add((rule.name, device))
                    st = self.stats[rule.name]
                    st.faults += 1
                    st.last_error = (
                        f"device {device!r} has no channel {missing[0]!r}"
                        f"{closest(missing[0], chans)}"
                    )
                    if self.emit is not None:
                        self.emit(
                            "rule",
                            device,
                            f"rule {rule.name!r}: {st.last_error}",
                            rule=rule.name,
                            ok=False,
                        )
                continue
            cols = tuple((c, chans.index(c)) for c in used)
            run = self._runs.get((rule.name, device))
            if run is None:
                shape, st = self._shapes[rule.name], self.stats[rule.name]
                run = self._runs[(rule.name, device)] = RuleRun(rule, shape, st, self.prune)
            plan.append((run, cols, self._share_keys.get(rule.name) or None))
        return plan

    def _evaluate(
        self, device: str, chans: tuple[str, ...], t: np.ndarray, v: np.ndarray, wm: int
    ) -> None:
        plan = self._plans.get((device, chans))
        if plan is None:
            plan = self._plans[(device, chans)] = self._plan(device, chans)
        cols = _Columns(v, chans)
        nan_counts, ranges = cols.nan_counts, cols.ranges
        range_of = cols.range_of

        windows = self._windows.get(device)
        if windows is None:
            windows = self._windows[device] = {}
        emitted: dict = {}  # shared windows' emissions in this pass
        # what the rules of this pass work out once: the spacing of the times, the ranges of
        # the channels (filled as columns are read) and of shared windows' emissions
        facts: dict[Any, Any] = {"ranges": ranges}
        empty = not t.size
        prune = self.prune and not empty
        for run, _cols, keys in plan:
            if empty and not run.shape.windowed:
                continue
            if prune and run.shape.cond_bounds is not None and run.settled(range_of):
                run.stats.evaluations += int(t.size)
                continue
            try:
                shared = (keys, windows, emitted) if keys else None
                got = run.step(t, cols, wm, nan_counts, shared, facts)
                if got is not None:
                    self._report(run, device, *got)
            except Exception as exc:  # one bad rule never stops the others
                rule, st = run.rule, run.stats
                st.faults += 1
                msg = f"{type(exc).__name__}: {exc}"
                if msg != st.last_error and self.emit is not None:
                    self.emit(
                        "rule",
                        device,
                        f"rule {rule.name!r} failed: {msg}",
                        rule=rule.name,
                        ok=False,
                    )
                st.last_error = msg

    def _report(
        self, run: RuleRun, device: str, te: np.ndarray, ups: np.ndarray, values: np.ndarray
    ) -> None:
        """Record the alarm changes of one pass in the book (events, history, actions)."""
        rule, st = run.rule, run.stats
        for t, up, value in zip(te.tolist(), ups.tolist(), values.tolist(), strict=True):
            self.book.transition(rule, device, "raised" if up else "cleared", t, value)
            if up:
                st.raised += 1
            else:
                st.cleared += 1
            if self._current_stamp is not None:
                self.alarm_latency.add(time.perf_counter_ns() - self._current_stamp)

    def _on_alarm(self, rec: AlarmRecord, rule: Rule | None) -> None:
        if rule is None:
            return
        for action in rule.actions:
            if rec.state in action.on:
                self.actions.submit(action, rec)

    # -- reporting -------------------------------------------------------------------------
    def diagnostics(self) -> dict[str, Any]:
        """Counters and latencies: chunks, samples, late samples, faults per rule."""
        return {
            "chunks": self.chunks,
            "samples": self.samples,
            "late_dropped": sum(o.late_dropped for o in self._orderers.values()),
            "late_adjusted": sum(o.late_adjusted for o in self._orderers.values()),
            "latency_chunk": _pct(self.chunk_latency),
            "latency_alarm": _pct(self.alarm_latency),
            "actions": {
                "done": self.actions.done,
                "failed": self.actions.failed,
                "dropped": self.actions.dropped,
            },
            "rules": {name: vars(s).copy() for name, s in self.stats.items()},
        }

    def close(self) -> None:
        """Stop the action threads (waiting for running actions)."""
        self.actions.close()


INF = INF_NS
