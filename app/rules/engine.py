"""The rule engine: ordered chunks in, alarm transitions out, per device and rule, vectorised."""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinbench.model import Chunk
from twinbench.rules.actions import ActionRunner
from twinbench.rules.alarms import AlarmBook, AlarmRecord
from twinbench.rules.bounds import BoundsFn, certainly, truth_bounds
from twinbench.rules.evaluate import Evaluation, full, has_stateful, is_truth, primary, truth
from twinbench.rules.loader import Rule, RuleSet
from twinbench.rules.ordering import Orderer
from twinbench.rules.sharing import window_keys
from twinbench.rules.typecheck import closest
from twinbench.rules.windows import INF_NS, cat

_LAT_KEEP = 8192


@dataclass
class RuleStats:
    """Counters of one rule across devices."""

    evaluations: int = 0
    faults: int = 0
    undefined: int = 0  # values made unknown by NaN inputs or division by zero
    raised: int = 0
    cleared: int = 0
    last_error: str = ""


@dataclass
class _RunState:
    """State of one rule on one device: expression state and the alarm latch."""

    cond: dict[int, Any] = field(default_factory=dict)
    clear: dict[int, Any] = field(default_factory=dict)
    active: bool = False
    true_since: int | None = None


@dataclass(frozen=True)
class _RuleInfo:
    """What the engine needs to know of a rule's shape, worked out once."""

    windowed: bool
    cond_truth: bool  # the condition yields 1/0/NaN already
    clear_truth: bool
    clear_stateful: bool  # the clear expression keeps state, so it runs on every pass
    cond_bounds: BoundsFn | None  # chunk-wide bounds of the condition's truth (bounds.py)
    clear_bounds: BoundsFn | None

    @staticmethod
    def of(rule: Rule) -> _RuleInfo:
        """The shape of `rule`."""
        clear = rule.clear.tree if rule.clear else None
        return _RuleInfo(
            windowed=rule.windowed,
            cond_truth=is_truth(rule.condition.tree),
            clear_truth=clear is not None and is_truth(clear),
            clear_stateful=clear is not None and not rule.windowed and has_stateful(clear),
            cond_bounds=None if rule.windowed else _prunable(rule),
            clear_bounds=truth_bounds(rule.clear) if rule.clear else None,
        )


def _prunable(rule: Rule) -> BoundsFn | None:
    """The condition's bounds function, if the clear expression can be bounded too (or absent)."""
    if rule.clear is not None and truth_bounds(rule.clear) is None:
        return None
    return truth_bounds(rule.condition)


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


_NO_CHANGES = np.empty(0, np.intp)


def latch(
    t: np.ndarray, cond: np.ndarray, clear: np.ndarray, hold_ns: int, rs: _RunState
) -> tuple[np.ndarray, np.ndarray]:
    """Where the alarm changes, and whether it is up after each change; updates `rs`.

    It raises where cond has held `hold_ns` and clear is false, clears where clear is true and
    cond (held) is not; anywhere else it keeps its state. Only those decisive samples are looked
    at after two passes over the chunk.
    """
    on = cond == 1.0
    n = t.size
    if hold_ns > 0:
        start = on & ~cat(rs.true_since is not None, on[:-1])
        idx = np.where(start, np.arange(n), -1)
        idx = np.maximum.accumulate(idx)
        since = np.where(idx >= 0, t[np.maximum(idx, 0)], rs.true_since or 0)
        held = on & (t - since >= hold_ns)
        rs.true_since = int(since[-1]) if on[-1] else None
    else:
        held = on
    off = clear == 1.0
    up = held & ~off
    decisive = np.flatnonzero(up | (off & ~held))
    if not decisive.size:
        return _NO_CHANGES, _NO_CHANGES
    vals = up[decisive]
    changed = vals != cat(rs.active, vals[:-1])
    rs.active = bool(vals[-1])
    return decisive[changed], vals[changed]


def edges(on: np.ndarray, rs: _RunState) -> tuple[np.ndarray, np.ndarray]:
    """Where a state that simply follows `on` changes, and its value after each change."""
    changes = np.flatnonzero(on != cat(rs.active, on[:-1]))
    rs.active = bool(on[-1])
    return changes, on[changes]


def _count_faults(st: RuleStats, ev: Evaluation, evc: Evaluation | None) -> None:
    """Count one evaluation fault for a pass that divided by zero or read NaN inputs."""
    div0 = ev.undefined + (evc.undefined if evc else 0)
    nan_in = ev.nan_inputs + (evc.nan_inputs if evc else 0)
    if div0 or nan_in:
        st.faults += 1
        st.last_error = (
            f"division by zero in {div0} value(s)" if div0 else f"{nan_in} NaN input value(s)"
        )


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
        self._runs: dict[tuple[str, str], _RunState] = {}
        self._by_device: dict[str, list[Rule]] = {}
        self._missing: set[tuple[str, str]] = set()
        self._primary = {r.name: primary(r.condition.tree) for r in self.rules}
        self._info = {r.name: _RuleInfo.of(r) for r in self.rules}
        self._channels = {r.name: r.channels for r in self.rules}
        self._plans: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
        # window states shared by rules of a device that aggregate the same thing (sharing.py)
        self.share = share
        self.prune = prune  # skip chunks whose channel ranges settle a rule (bounds.py)
        self._share_keys = {r.name: window_keys(r) for r in self.rules} if share else {}
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
            plan.append((rule, cols, self._share_keys.get(rule.name) or None))
        return plan

    def _evaluate(
        self, device: str, chans: tuple[str, ...], t: np.ndarray, v: np.ndarray, wm: int
    ) -> None:
        plan = self._plans.get((device, chans))
        if plan is None:
            plan = self._plans[(device, chans)] = self._plan(device, chans)
        chunk_cols: dict[str, np.ndarray] = {}
        nan_counts: dict[str, int] = {}
        ranges: dict[str, tuple[float, float] | None] = {}

        def column(name: str, i: int) -> np.ndarray:
            col = chunk_cols.get(name)
            if col is None:
                # contiguous: every operation on the column runs faster than on a strided view
                col = chunk_cols[name] = np.ascontiguousarray(v[:, i])
                nan_counts[name] = int(np.count_nonzero(np.isnan(col)))
            return col

        def range_of(name: str) -> tuple[float, float] | None:
            if name not in ranges:
                col = column(name, chans.index(name))
                lo, hi = float(col.min()), float(col.max())
                ranges[name] = None if nan_counts[name] else (lo, hi)
            return ranges[name]

        windows = self._windows.get(device)
        if windows is None:
            windows = self._windows[device] = {}
        emitted: dict = {}  # shared windows' emissions in this pass
        empty = not t.size
        for rule, used, keys in plan:
            if empty and not rule.windowed:
                continue
            info = self._info[rule.name]
            prunable = info.cond_bounds is not None and self.prune and not empty
            if prunable and self._settled(rule, info, device, range_of):
                self.stats[rule.name].evaluations += int(t.size)
                continue
            cols = {c: column(c, i) for c, i in used}
            try:
                shared = (keys, windows, emitted) if keys else None
                self._run(rule, device, t, cols, wm, nan_counts, shared)
            except Exception as exc:  # one bad rule never stops the others
                st = self.stats[rule.name]
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

    def _settled(self, rule: Rule, info: _RuleInfo, device: str, ranges: Any) -> bool:
        """Whether the chunk's channel ranges prove that the rule's alarm cannot change.

        Mirrors the fast paths of `_run`: an idle rule whose condition is false throughout, a
        raised rule without clear expression whose condition is true throughout, a raised rule
        (no hold) whose clear condition is false throughout. Exact: see bounds.py.
        """
        rs = self._runs.get((rule.name, device))
        if rs is None or not rs.active:
            if certainly(info.cond_bounds, ranges, 0.0):
                if rs is not None:
                    rs.true_since = None
                return True
            return False
        if rule.clear is None:
            return certainly(info.cond_bounds, ranges, 1.0)
        return (
            rule.hold_ns == 0
            and info.cond_bounds(ranges) is not None  # nothing unknown in the condition either
            and certainly(info.clear_bounds, ranges, 0.0)
        )

    def _run(
        self,
        rule: Rule,
        device: str,
        t: np.ndarray,
        cols: dict[str, np.ndarray],
        wm: int,
        nan_counts: dict[str, int] | None = None,
        shared: tuple[dict, dict, dict] | None = None,
    ) -> None:
        key = (rule.name, device)
        rs = self._runs.get(key)
        if rs is None:
            rs = self._runs[key] = _RunState()
        st = self.stats[rule.name]
        info = self._info[rule.name]
        ev = Evaluation(rule.condition, rs.cond, t, cols, wm, nan_counts, shared)
        evc = (
            Evaluation(rule.clear, rs.clear, t, cols, wm, nan_counts, shared)
            if rule.clear
            else None
        )
        if info.windowed:
            em = ev.emissions()
            emc = evc.emissions() if evc else {}
            times = [x[0] for x in (*em.values(), *emc.values()) if x[0].size]
            if not times:
                _count_faults(st, ev, evc)
                return
            te = times[0] if len(times) == 1 else np.unique(np.concatenate(times))
            m = te.size

            def value_of(node: Any, e: Evaluation = ev, em: dict = em) -> np.ndarray:
                return full(e.e(node, te, em), m)

            def clear_of() -> np.ndarray:
                assert evc is not None and rule.clear is not None
                return full(evc.e(rule.clear.tree, te, emc), m)
        else:
            te, m = t, t.size

            def value_of(node: Any, e: Evaluation = ev) -> np.ndarray:
                return full(e.value(node), m)

            def clear_of() -> np.ndarray:
                assert evc is not None and rule.clear is not None
                return full(evc.value(rule.clear.tree), m)

        cond = value_of(rule.condition.tree)
        if not info.cond_truth:
            cond = truth(cond)
        st.evaluations += m
        unknown = int(np.count_nonzero(np.isnan(cond))) if ev.maybe_nan else 0
        st.undefined += unknown
        clr: np.ndarray | None = None
        if info.clear_stateful:  # lag/rate/spike state must see every sample, needed or not
            clr = clear_of()
        _count_faults(st, ev, evc)
        # fast paths: nothing can change
        if not rs.active:
            if not np.count_nonzero(cond == 1.0):
                rs.true_since = None
                return
        elif evc is None and not np.count_nonzero(cond != 1.0):
            return  # still true throughout: stays raised (a hold run simply continues)
        if evc is not None:
            if clr is None:
                clr = clear_of()
            if not info.clear_truth:
                clr = truth(clr)
            if rs.active and rule.hold_ns == 0 and not np.count_nonzero(clr == 1.0):
                return
        elif rule.hold_ns == 0 and not unknown:
            # no hold, no clear expression, nothing unknown: the state is the condition itself
            clr = None
        else:
            clr = (cond == 0.0).astype(np.float64)
        if clr is None:
            changes, ups = edges(cond == 1.0, rs)
        else:
            changes, ups = latch(te, cond, clr, rule.hold_ns, rs)
        if not changes.size:
            return
        value = value_of(self._primary[rule.name])
        for k, up in zip(changes.tolist(), ups.tolist(), strict=True):
            self.book.transition(
                rule, device, "raised" if up else "cleared", int(te[k]), float(value[k])
            )
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
