"""One rule on one device: evaluate a pass, latch the alarm, hand back the alarm changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from twinbench.rules.bounds import AGG, BoundsFn, Ranges, certainly, emission_bounds, truth_bounds
from twinbench.rules.evaluate import (
    Evaluation,
    full,
    has_stateful,
    is_truth,
    prepare,
    primary,
    truth,
)
from twinbench.rules.loader import Rule
from twinbench.rules.windows import cat, distinct_sorted

_NO_CHANGES = np.empty(0, np.intp)
_min, _max = np.minimum.reduce, np.maximum.reduce  # v.min() and v.max() without their wrapper


@dataclass
class RuleStats:
    """Counters of one rule across devices."""

    evaluations: int = 0
    faults: int = 0
    undefined: int = 0  # values made unknown by NaN inputs or division by zero
    raised: int = 0
    cleared: int = 0
    last_error: str = ""


@dataclass(frozen=True)
class RuleShape:
    """What running a rule needs to know of its expressions, worked out once per rule."""

    windowed: bool
    cond_truth: bool  # the condition yields 1/0/NaN already
    clear_truth: bool
    clear_stateful: bool  # the clear expression keeps state, so it runs on every pass
    cond_bounds: BoundsFn | None  # chunk-wide bounds of the condition's truth (bounds.py)
    clear_bounds: BoundsFn | None
    primary: Any  # the node reported as the alarm's value
    emission: tuple[int, BoundsFn] | None  # a condition over one window's emissions alone

    @staticmethod
    def of(rule: Rule) -> RuleShape:
        """The shape of `rule`."""
        for c in (rule.condition, rule.clear):
            if c is not None:
                prepare(c)
        clear = rule.clear.tree if rule.clear else None
        clear_bounds = truth_bounds(rule.clear) if rule.clear else None
        prunable = not rule.windowed and (rule.clear is None or clear_bounds is not None)
        return RuleShape(
            windowed=rule.windowed,
            cond_truth=is_truth(rule.condition.tree),
            clear_truth=clear is not None and is_truth(clear),
            clear_stateful=clear is not None and not rule.windowed and has_stateful(clear),
            cond_bounds=truth_bounds(rule.condition) if prunable else None,
            clear_bounds=clear_bounds,
            primary=primary(rule.condition.tree),
            emission=emission_bounds(rule.condition)
            if rule.windowed and rule.clear is None
            else None,
        )


def _count_faults(st: RuleStats, ev: Evaluation, evc: Evaluation | None) -> None:
    """Count one evaluation fault for a pass that divided by zero or read NaN inputs."""
    div0 = ev.undefined + (evc.undefined if evc else 0)
    nan_in = ev.nan_inputs + (evc.nan_inputs if evc else 0)
    if div0 or nan_in:
        st.faults += 1
        st.last_error = (
            f"division by zero in {div0} value(s)" if div0 else f"{nan_in} NaN input value(s)"
        )


class RuleRun:
    """The state of one rule on one device: expression state and the alarm latch."""

    __slots__ = ("active", "clear", "cond", "prune", "rule", "shape", "stats", "true_since")

    def __init__(self, rule: Rule, shape: RuleShape, stats: RuleStats, prune: bool = True) -> None:
        self.rule = rule
        self.prune = prune  # settle passes by bounds (see `settled` and `_emissions_settle`)
        self.shape = shape
        self.stats = stats
        self.cond: dict[Any, Any] = {}  # state of the condition's stateful parts
        self.clear: dict[Any, Any] = {}
        self.active = False
        self.true_since: int | None = None

    def settled(self, ranges: Ranges) -> bool:
        """Whether a chunk's channel ranges prove that the alarm cannot change in it.

        Mirrors the fast paths of `step`: an idle rule whose condition is false throughout, a
        raised rule without clear expression whose condition is true throughout, a raised rule
        (no hold) whose clear condition is false throughout. Exact: see bounds.py.
        """
        shape, rule = self.shape, self.rule
        if not self.active:
            if certainly(shape.cond_bounds, ranges, 0.0):
                self.true_since = None
                return True
            return False
        if rule.clear is None:
            return certainly(shape.cond_bounds, ranges, 1.0)
        return (
            rule.hold_ns == 0
            and shape.cond_bounds is not None
            and shape.cond_bounds(ranges) is not None  # nothing unknown in the condition
            and certainly(shape.clear_bounds, ranges, 0.0)
        )

    def _emissions_settle(
        self, em: dict, shared: tuple[dict, dict, dict] | None, facts: dict[Any, Any] | None
    ) -> bool:
        """Whether the range of the one window's emissions proves the alarm cannot change.

        The range of a shared window's emissions is worked out once per pass (in `facts`),
        however many rules (alarm levels) compare it.
        """
        assert self.shape.emission is not None
        key, fn = self.shape.emission
        v = em[key][1]
        if not isinstance(v, np.ndarray):  # deferred (sliding min/max): try its bounds first
            if v.bounds is not None and self._settles(fn, v.bounds):
                return True
            v = v.values()
            em[key] = (em[key][0], v)
        skey = shared[0].get(key) if shared is not None else None
        memo = facts if skey is not None else None
        got = memo.get(("range", skey)) if memo is not None else None
        if got is None:
            got = float(_min(v)), float(_max(v))
            if memo is not None:
                memo[("range", skey)] = got
        lo, hi = got
        if lo != lo or hi != hi:  # NaN emitted: evaluate value by value
            return False
        return self._settles(fn, got)

    def _settles(self, fn: BoundsFn, emitted: tuple[float, float]) -> bool:
        """Whether emissions within these bounds leave the alarm as it is."""
        b = fn({AGG: emitted}.get)
        want = 1.0 if self.active else 0.0
        if b is None or not b[0] == b[1] == want:
            return False
        if not self.active:
            self.true_since = None
        return True

    def step(
        self,
        t: np.ndarray,
        cols: dict[str, np.ndarray],
        wm: int,
        nan_counts: dict[str, int] | None = None,
        shared: tuple[dict, dict, dict] | None = None,
        facts: dict[Any, Any] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Evaluate one pass: (event times, up flags, values) of the alarm's changes, or None.

        facts: a dict shared by the rules of one pass, for what they work out of its times.
        """
        rule, shape, st = self.rule, self.shape, self.stats
        ev = Evaluation(rule.condition, self.cond, t, cols, wm, nan_counts, shared, facts)
        evc = (
            Evaluation(rule.clear, self.clear, t, cols, wm, nan_counts, shared, facts)
            if rule.clear is not None
            else None
        )
        if shape.windowed:
            settle = shape.emission is not None and self.prune
            em = ev.emissions(defer=settle)
            emc = evc.emissions() if evc is not None else {}
            times = [x[0] for x in (*em.values(), *emc.values()) if x[0].size]
            if not times:
                _count_faults(st, ev, evc)
                return None
            te = times[0] if len(times) == 1 else distinct_sorted(np.sort(np.concatenate(times)))
            if settle and self._emissions_settle(em, shared, facts):
                st.evaluations += te.size
                _count_faults(st, ev, evc)
                return None
            for k, (et, ev_) in em.items():  # values deferred, and now needed
                if not isinstance(ev_, np.ndarray):
                    em[k] = (et, ev_.values())
            cond = full(ev.e(rule.condition.tree, te, em), te.size)
        else:
            te, em, emc = t, None, None
            cond = full(ev.value(rule.condition.tree), t.size)
        if not shape.cond_truth:
            cond = truth(cond)
        m = te.size
        st.evaluations += m
        unknown = int(np.count_nonzero(np.isnan(cond))) if ev.maybe_nan else 0
        st.undefined += unknown
        clr: np.ndarray | None = None
        if shape.clear_stateful:  # lag/rate/spike state must see every sample, needed or not
            clr = self._clear_value(evc, te, emc)
        _count_faults(st, ev, evc)
        # fast paths: nothing can change
        if not self.active:
            # a truth value without NaN is 1.0 or 0.0: any non-zero one is true (with a NaN
            # the count only misses this shortcut: the latch below treats NaN as not true)
            if not np.count_nonzero(cond if shape.cond_truth and not unknown else cond == 1.0):
                self.true_since = None
                return None
        elif evc is None and not np.count_nonzero(cond != 1.0):
            return None  # still true throughout: stays raised (a hold run simply continues)
        if evc is not None:
            if clr is None:
                clr = self._clear_value(evc, te, emc)
            if not shape.clear_truth:
                clr = truth(clr)
            if self.active and rule.hold_ns == 0 and not np.count_nonzero(clr == 1.0):
                return None
        elif rule.hold_ns == 0 and not unknown:
            clr = None  # no hold, no clear expression, nothing unknown: the state is cond
        else:
            clr = (cond == 0.0).astype(np.float64)
        if clr is None:
            changes, ups = self.edges(cond == 1.0)
        else:
            changes, ups = self.latch(te, cond, clr)
        if not changes.size:
            return None
        if em is None:
            value = full(ev.value(shape.primary), m)
        else:
            value = full(ev.e(shape.primary, te, em), m)
        return te[changes], ups, value[changes]

    def _clear_value(self, evc: Evaluation | None, te: np.ndarray, emc: dict | None) -> np.ndarray:
        assert evc is not None and self.rule.clear is not None
        tree = self.rule.clear.tree
        if emc is None:
            return full(evc.value(tree), te.size)
        return full(evc.e(tree, te, emc), te.size)

    def edges(self, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where a state that simply follows `on` changes, and its value after each change."""
        changes = np.flatnonzero(on != cat(self.active, on[:-1]))
        self.active = bool(on[-1])
        return changes, on[changes]

    def latch(
        self, t: np.ndarray, cond: np.ndarray, clear: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Where the alarm changes, and whether it is up after each change.

        It raises where cond has held `hold` and clear is false, clears where clear is true and
        cond (held) is not; anywhere else it keeps its state. Only those decisive samples are
        looked at after two passes over the chunk.
        """
        on = cond == 1.0
        hold_ns = self.rule.hold_ns
        if hold_ns > 0:
            n = t.size
            start = on & ~cat(self.true_since is not None, on[:-1])
            idx = np.where(start, np.arange(n), -1)
            idx = np.maximum.accumulate(idx)
            since = np.where(idx >= 0, t[np.maximum(idx, 0)], self.true_since or 0)
            held = on & (t - since >= hold_ns)
            self.true_since = int(since[-1]) if on[-1] else None
        else:
            held = on
        off = clear == 1.0
        up = held & ~off
        decisive = np.flatnonzero(up | (off & ~held))
        if not decisive.size:
            return _NO_CHANGES, _NO_CHANGES
        vals = up[decisive]
        changed = vals != cat(self.active, vals[:-1])
        self.active = bool(vals[-1])
        return decisive[changed], vals[changed]
