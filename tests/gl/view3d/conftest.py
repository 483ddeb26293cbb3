"""GL fixtures: the twin scene rendered headless through vispy's EGL backend on Mesa."""

from __future__ import annotations

import os

import pytest

# Mesa's EGL needs the surfaceless platform without a display; set before libEGL loads.
os.environ.setdefault("EGL_PLATFORM", "surfaceless")


@pytest.fixture
def egl_scene():
    """A 320x240 TwinScene on the EGL backend, without grid and axes (clean silhouettes)."""
    from twinbench.widgets.scene3d import TwinScene

    scene = TwinScene(size=(320, 240), app="egl")
    scene.detect_renderer()
    scene.show_guides(False)
    scene.color_period = scene.label_period = 0.0  # every apply shows at once
    yield scene
    scene.close()
