"""The level-of-detail controller: lowers the triangle budget while frames run under 30 fps."""

from __future__ import annotations

from twinbench.visuals.lod import LodController
from twinbench.widgets import vispy_setup


def _run(lod: LodController, fps: float, ticks: float, t0: float, secs: float, faces: int):
    out = None
    t = t0
    while t < t0 + secs:
        t += 1.0 / ticks
        lod.tick(t)
        if int(t * fps) != int((t - 1.0 / ticks) * fps):
            lod.frame(t)
        got = lod.check(t, faces)
        out = got if got is not None else out
    return out, t


def test_slow_frames_lower_the_budget_and_fast_ones_keep_it():
    lod = LodController(budget=60_000, floor=4_000)
    new, t = _run(lod, fps=10.0, ticks=60.0, t0=0.0, secs=2.5, faces=60_000)
    assert new is not None and 4_000 <= new <= 0.8 * 60_000
    assert lod.budget == new
    again, _ = _run(lod, fps=45.0, ticks=60.0, t0=t, secs=3.0, faces=new)
    assert again is None and lod.budget == new


def test_a_slow_tick_is_not_mistaken_for_a_slow_view():
    lod = LodController(budget=60_000)
    new, _ = _run(lod, fps=20.0, ticks=20.0, t0=0.0, secs=3.0, faces=60_000)
    assert new is None  # 20 Hz ticks cannot give more than 20 fps


def test_budget_never_goes_under_the_floor():
    lod = LodController(budget=5_000, floor=4_000)
    assert lod.decide(1.0, 5_000) == 4_000
    assert lod.decide(1.0, 4_000) is None


def test_software_renderers_are_recognised():
    assert vispy_setup.is_software("llvmpipe (LLVM 15.0.6, 256 bits)")
    assert vispy_setup.is_software("softpipe")
    assert not vispy_setup.is_software("NVIDIA H100 80GB HBM3/PCIe/SSE2")
