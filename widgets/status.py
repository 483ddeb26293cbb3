"""The status bar summary: per-device rate, samples and drops, a few times a second."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from twinbench.hub import Subscription
    from twinbench.widgets.context import AppContext


def status_text(ctx: AppContext, display: Subscription | None) -> str:
    """One line: each device's state, rate and drops, then the display queue's drops."""
    hub = ctx.runtime.hub
    hub.update_rates()
    parts = []
    for dev_id, st in hub.devices.items():
        state = "" if st.state == "connected" else f" ({st.state})"
        lost = hub.dropped(dev_id)
        drops = f", dropped {lost:,}" if lost else ""
        parts.append(f"{dev_id}{state}: {st.rate_hz:,.0f} Hz, {st.samples:,} samples{drops}")
    if not parts:
        parts.append("no device")
    dropped = hub.dropped()
    shown = display.dropped_samples if display is not None else 0
    parts.append(f"dropped {dropped:,} in all (display {shown:,})")
    return "   |   ".join(parts)


class StatusSummary(QLabel):
    """The permanent status-bar label."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.display: Subscription | None = None

    def refresh(self) -> None:
        """Recompute the line from the hub's statistics."""
        self.setText(status_text(self.ctx, self.display))
