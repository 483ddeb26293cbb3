"""Fault schedules for the simulator: `kind@start[+duration]` entries separated by commas."""

from __future__ import annotations

from dataclasses import dataclass

from twinbench.drivers.base import SettingError

FAULT_KINDS = ("overheat", "bearing", "dropout", "nan", "spike")


@dataclass(frozen=True)
class Fault:
    """One scheduled fault: what, from when (s after start), for how long (s)."""

    kind: str
    start: float
    duration: float

    @property
    def end(self) -> float:
        """Second at which the fault stops."""
        return self.start + self.duration


def parse_faults(text: str) -> tuple[Fault, ...]:
    """Parse a schedule such as `overheat@10+20, bearing@5+3, nan@2, spike@4`."""
    faults = []
    for raw in filter(None, (p.strip() for p in text.split(","))):
        kind, at, when = raw.partition("@")
        kind = kind.strip()
        if kind not in FAULT_KINDS:
            valid = ", ".join(FAULT_KINDS)
            raise SettingError(
                f"setting 'faults': unknown fault {kind!r} in {raw!r}; valid: {valid}"
            )
        if not at:
            raise SettingError(f"setting 'faults': {raw!r} needs a start time, as in {kind}@10")
        start_s, _, dur_s = when.partition("+")
        try:
            start = float(start_s)
            duration = float(dur_s) if dur_s else (0.0 if kind == "spike" else 5.0)
        except ValueError:
            raise SettingError(f"setting 'faults': bad time in {raw!r}") from None
        if start < 0 or duration < 0:
            raise SettingError(f"setting 'faults': negative time in {raw!r}")
        faults.append(Fault(kind, start, duration))
    return tuple(faults)
