"""The simulated motor test rig: the zero-config default device."""

from twinbench.drivers.sim.driver import SimDriver

__all__ = ["SimDriver"]
