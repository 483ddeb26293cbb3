"""Frame pacing on a software renderer: drawing keeps to a share of the GUI thread."""

from __future__ import annotations

from twinbench.visuals.frame_budget import FrameBudget


def draw(b: FrameBudget, start: float, cost: float) -> float:
    b.draw_started(start)
    b.draw_finished(start + cost)
    return start + cost


def test_a_slow_frame_stretches_the_interval_to_the_share():
    b = FrameBudget(share=0.25, max_fps=20)
    end = draw(b, 0.0, 0.040)  # 40 ms a frame: at most one frame per 160 ms
    assert abs(b.interval() - 0.160) < 1e-9
    assert not b.due(end + 0.050) and b.skipped == 1
    assert b.due(end + 0.121)
    assert abs(b.fps() - 6.25) < 1e-9


def test_a_cheap_frame_is_held_to_the_frame_rate_ceiling():
    b = FrameBudget(share=0.25, max_fps=20)
    end = draw(b, 0.0, 0.002)
    assert abs(b.interval() - 0.050) < 1e-9
    assert not b.due(end + 0.040)
    assert b.due(end + 0.049)
