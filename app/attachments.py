"""What a run adds to the bare pipeline: derived channels, rules, twins, diagnostics.

Headless runs, replays and bench configs attach the same things the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from twinbench.errors import ConfigError, UsageError
from twinbench.runtime import Runtime


@dataclass
class Attachments:
    """Handles of the optional parts attached to a runtime; `close()` detaches them."""

    runtime: Runtime
    rules: Any = None
    derived: Any = None
    twins: Any = None
    diagnostics: Any = None
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The summary sections these parts contribute."""
        out: dict[str, Any] = {}
        if self.rules is not None:
            book = self.rules.book
            out["rules"] = {
                **self.rules.diagnostics(),
                "alarms_raised": sum(
                    1 for r in book.history if getattr(r, "state", "") == "raised"
                ),
            }
        if self.derived is not None:
            out["derived"] = {
                "channels": [c.name for c in self.derived.specs],
                "errors": {f"{d}/{n}": e for (d, n), e in self.derived.errors.items()},
            }
        if self.twins is not None:
            out["twins"] = {dev: doc.to_json() for dev, doc in self.twins.twins.items()}
        if self.diagnostics is not None:
            out["diagnostics"] = self.diagnostics.snapshot()
        return out

    def check_rules(self, files: Sequence[str]) -> None:
        """Check rule files and derived channels against the channels the devices declared."""
        self.check_derived()
        if self.rules is None or not files:
            return
        from twinbench.rules import load_rules

        channels = {c.name for st in self.runtime.hub.devices.values() for c in st.device.channels}
        if channels:
            load_rules(list(files), sorted(channels))

    def check_derived(self) -> None:
        """ConfigError (exit 2, saying why) for a derived channel that no device can compute."""
        eng = self.derived
        if eng is None:
            return
        devices = list(self.runtime.hub.devices)
        for spec in eng.specs:
            mine = [d for d in devices if spec.device in ("", d)]
            errs = [eng.errors[(d, spec.name)] for d in mine if (d, spec.name) in eng.errors]
            if mine and len(errs) == len(mine):
                raise ConfigError(f"--derived: {errs[0].splitlines()[0]}")

    def close(self) -> None:
        """Detach the rules (the runtime stops the other consumers)."""
        if self.rules is not None:
            self.rules.close()


def attach_all(
    runtime: Runtime,
    rules: Sequence[str] = (),
    derived: Sequence[str] = (),
    twins: bool = True,
) -> Attachments:
    """Attach rule files, derived channel definitions (`name = expr [unit]`) and twins."""
    from twinbench.diagnostics import Diagnostics

    att = Attachments(runtime, diagnostics=Diagnostics(runtime))
    if derived:
        from twinbench.derived.engine import DerivedEngine, DerivedError, parse_definition
        from twinbench.rules.expr import ExprError, parse

        try:
            specs = [parse_definition(d) for d in derived]
            for spec in specs:
                try:
                    parse(spec.expr)
                except ExprError as exc:
                    raise DerivedError(f"derived channel {spec.name!r}: {exc}") from None
        except DerivedError as exc:
            raise UsageError(f"--derived: {exc}") from None
        att.derived = DerivedEngine(runtime, specs)
    if rules:
        from twinbench.rules import attach

        try:
            att.rules = attach(runtime, list(rules))
        except (OSError, ValueError) as exc:
            raise ConfigError(str(exc)) from None
    if twins:
        from twinbench.twin.service import TwinService

        att.twins = TwinService(runtime)
        runtime.services.setdefault("twins", att.twins)
    return att
