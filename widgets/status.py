"""The status bar: per-device rate, samples and drops, and the recording indicator."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
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


def _clock(seconds: float) -> str:
    s = int(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
        if s >= 3600
        else f"{s // 60:02d}:{s % 60:02d}"
    )


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return ""


class RecordIndicator(QLabel):
    """Red "REC 00:12 3.4 MB" in the status bar while recording; says so when data is lost.

    It also labels the record action ("Stop recording (00:12, 3.4 MB)").
    """

    PERIOD_S = 0.25

    def __init__(self, ctx: AppContext, action: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.action = action
        self.setObjectName("record-indicator")
        self.setVisible(False)
        self.started: float | None = None
        self.folder: Any = None
        self.lost = 0
        self._last = 0.0
        self._size = 0
        self._size_at = 0.0

    def lost_samples(self, rec: Any) -> int:
        """Samples the recording lost: dropped by its queue or reported by the recorder."""
        stats = rec.live_stats()
        worker = getattr(rec, "_worker", None)
        queue_lost = worker.sub.dropped_samples if worker is not None else 0
        return int(stats.get("lost_samples", 0)) + int(queue_lost)

    def refresh(self, force: bool = False) -> None:
        """Show or hide the indicator and update time, size and losses (a few times a second)."""
        now = time.monotonic()
        if not force and now - self._last < self.PERIOD_S:
            return
        self._last = now
        rec = self.ctx.services.get("recorder")
        on = bool(rec is not None and rec.recording)
        if not on:
            if self.started is not None:
                self.started = None
                self.setVisible(False)
                if self.action is not None:
                    self.action.setText("Start &recording")
                    self.action.setIcon(QIcon())
            return
        if self.started is None or rec.folder != self.folder:
            self.started, self.folder, self._size_at = now, rec.folder, 0.0
        if now - self._size_at >= 1.0:
            from twinbench.recording.session import du

            self._size_at = now
            try:
                self._size = du(rec.folder)
            except OSError:
                pass
        self.lost = self.lost_samples(rec)
        error = rec.live_stats().get("error", "")
        elapsed = _clock(now - self.started)
        text = f"\u25cf REC {elapsed}  {_size(self._size)}"
        if self.lost:
            text += f"  \u2014 lost {self.lost:,} samples"
        if error:
            text += f"  \u2014 {error}"
        self.setText(text)
        self.setStyleSheet("color: white; background: #c62828; padding: 0 6px; font-weight: bold;")
        self.setToolTip(f"recording into {rec.folder}")
        self.setVisible(True)
        if self.action is not None:
            self.action.setText(f"Stop &recording ({elapsed}, {_size(self._size)})")
            self.action.setIcon(_red_dot())


def _red_dot() -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(0, 0, 0, 0))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#d32f2f"))
    p.setPen(QColor("#d32f2f"))
    p.drawEllipse(1, 1, 10, 10)
    p.end()
    return QIcon(pix)
