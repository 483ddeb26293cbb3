"""Live inputs of the 3D view (latest values, alarm states, fused IMU orientation) and the
evaluation of bindings into target states, once per display frame. No vispy here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from twinbench.events import Event
from twinbench.hub import Hub, Subscription
from twinbench.runtime import ChunkWorker, Runtime
from twinbench.visuals.bindings import Binding
from twinbench.visuals.fusion import ImuFusion
from twinbench.visuals.rotations import check_quaternion, colormap, euler_to_quat

Latest = Mapping[str, Mapping[str, float]]


@dataclass
class TargetState:
    """What the bindings want for one device or part this frame (None: leave unchanged)."""

    rotation: np.ndarray | None = None  # unit quaternion (w, x, y, z)
    position: np.ndarray | None = None
    color: tuple[float, float, float, float] | None = None
    visible: bool = True
    label: str | None = None


class AlarmStates:
    """Listens to `alarm` events and keeps each rule's state per device."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], str] = {}

    def on_event(self, ev: Event) -> None:
        """Event listener: remember the state of alarm events."""
        if ev.kind == "alarm":
            self.states[(ev.device, str(ev.data.get("rule", "")))] = str(ev.data.get("state", ""))

    def state(self, device: str, rule: str = "") -> str:
        """ "raised", "acked" or "" for a rule (or the worst over all rules when `rule` is "")."""
        found = ""
        for (dev, r), st in list(self.states.items()):
            if dev == device and (not rule or r == rule):
                if st == "raised":
                    return "raised"
                if st == "acked":
                    found = "acked"
        return found


def hub_latest(hub: Hub) -> dict[str, dict[str, float]]:
    """The last value of every channel of every device, read from the hub's statistics."""
    out: dict[str, dict[str, float]] = {}
    for dev, st in list(hub.devices.items()):
        for _ in range(3):  # a driver thread may add a channel layout while we read: retry
            try:
                out[dev] = {name: cs.last for name, cs in st.channel_stats().items()}
                break
            except RuntimeError:
                continue
    return out


@dataclass
class Evaluator:
    """Turns bindings plus live values into target states; bad input keeps the previous pose."""

    bindings: list[Binding] = field(default_factory=list)
    alarms: AlarmStates = field(default_factory=AlarmStates)
    fusions: dict[int, ImuFusion] = field(default_factory=dict)  # binding index -> filter
    messages: dict[int, str] = field(default_factory=dict)  # binding index -> current problem
    inactive: set[int] = field(default_factory=set)
    _rot: dict[str, np.ndarray] = field(default_factory=dict)

    def check_channels(self, device: str, channels: tuple[str, ...] | list[str]) -> list[str]:
        """Validate the bindings of `device` against its channels; return the problems found."""
        have = set(channels)
        problems = []
        for i, b in enumerate(self.bindings):
            if b.device != device:
                continue
            missing = [c for c in b.channels if c not in have]
            if missing:
                self.inactive.add(i)
                msg = (
                    f"{b.origin}: {b.kind} of {b.target}: channel {', '.join(map(repr, missing))} "
                    f"does not exist on device {device!r}; binding inactive"
                )
                self.messages[i] = msg
                problems.append(msg)
            else:
                self.inactive.discard(i)
                self.messages.pop(i, None)
        return problems

    def check_parts(self, device: str, parts: list[str] | tuple[str, ...]) -> list[str]:
        """Report (and deactivate) bindings of `device` to parts its model does not have."""
        problems = []
        for i, b in enumerate(self.bindings):
            if b.device == device and b.part and b.part not in parts:
                self.inactive.add(i)
                msg = (
                    f"{b.origin}: {b.kind} of {b.target}: the model has no part {b.part!r} "
                    f"(parts: {', '.join(parts)}); binding inactive"
                )
                self.messages[i] = msg
                problems.append(msg)
        return problems

    def evaluate(self, latest: Latest, now: float) -> dict[str, TargetState]:
        """Target states keyed by `device` or `device/part` for this frame."""
        out: dict[str, TargetState] = {}
        for i, b in enumerate(self.bindings):
            if i in self.inactive:
                continue
            values = latest.get(b.device)
            if values is None:
                continue
            st = out.setdefault(b.target, TargetState())
            if b.kind == "orientation" or b.kind == "imu":
                self._orientation(i, b, values, st)
            elif b.kind == "position":
                p = np.array([values.get(c, math.nan) for c in b.channels]) * b.scale
                if np.all(np.isfinite(p)):
                    st.position = p
                    self.messages.pop(i, None)
                else:
                    self.messages[i] = f"{b.target}: position {p.tolist()} not finite; kept"
            elif b.kind == "color":
                v = values.get(b.channels[0], math.nan)
                if math.isfinite(v):
                    st.color = colormap(b.colormap, v, *b.range)
            elif b.kind == "alarm":
                state = self.alarms.state(b.device, b.rule)
                if state and b.mode == "hide":
                    st.visible = False
                elif state == "raised":
                    st.visible = st.visible and (now * 2.0) % 1.0 < 0.5
                    st.color = st.color or (1.0, 0.1, 0.1, 1.0)
            elif b.kind == "label":
                parts = [f"{c} {_fmt(values.get(c, math.nan), b.digits)}" for c in b.channels]
                st.label = "  ".join(parts)
        return out

    def _orientation(
        self, i: int, b: Binding, values: Mapping[str, float], st: TargetState
    ) -> None:
        if b.kind == "imu":
            fusion = self.fusions.get(i)
            if fusion is None:
                return
            raw = fusion.latest()
        elif b.form == "quaternion":
            raw = np.array([values.get(c, math.nan) for c in b.channels])
        else:
            ang = np.array([values.get(c, math.nan) for c in b.channels])
            if b.units == "deg":
                ang = np.radians(ang)
            raw = euler_to_quat(*ang, order=b.order) if np.all(np.isfinite(ang)) else ang
        q, why = check_quaternion(raw)
        if q is None:
            self.messages[i] = f"{b.target}: {why}; previous pose kept"
            prev = self._rot.get(b.target)
            if prev is not None:
                st.rotation = prev
            return
        self.messages.pop(i, None)
        self._rot[b.target] = q
        st.rotation = q


def _fmt(v: float, digits: int) -> str:
    return f"{v:.{max(0, min(digits, 9))}f}" if math.isfinite(v) else "-"


class FusionWorkers:
    """Runs one consumer thread per IMU binding, each feeding an ImuFusion filter."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.workers: list[ChunkWorker] = []
        self._subs: list[Subscription] = []

    def start(self, evaluator: Evaluator) -> None:
        """Create filters for the evaluator's imu bindings and start their threads."""
        for i, b in enumerate(evaluator.bindings):
            if b.kind != "imu" or i in evaluator.fusions:
                continue
            ch = b.channels
            fusion = ImuFusion(
                ch[0:3], ch[3:6], ch[6:9] if len(ch) == 9 else None, gyro_units=b.units
            )  # type: ignore[arg-type]
            evaluator.fusions[i] = fusion
            sub = self.runtime.hub.subscribe(
                f"fusion-{b.device}-{i}", 256, "drop", frozenset({b.device})
            )
            worker = ChunkWorker(sub, fusion.feed, f"fusion-{b.device}-{i}")
            self._subs.append(sub)
            self.workers.append(worker)
            self.runtime.workers.append(worker)  # runtime.stop() stops it too
            worker.start()

    def stop(self) -> None:
        """Stop every fusion thread and detach from the hub."""
        for sub in self._subs:
            self.runtime.hub.unsubscribe(sub)
        for w in self.workers:
            w.stop()
            if w in self.runtime.workers:
                self.runtime.workers.remove(w)
        self.workers.clear()
        self._subs.clear()
