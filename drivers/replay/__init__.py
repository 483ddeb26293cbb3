"""The `replay` driver: plays a recorded session back through the live pipeline."""

from twinbench.drivers.replay.driver import ReplayDriver

__all__ = ["ReplayDriver"]
