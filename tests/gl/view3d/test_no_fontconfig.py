"""Without libfontconfig the scene still starts (labels use vispy's bundled font) and says why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gl

CHILD = r"""
import ctypes.util, sys
real = ctypes.util.find_library
ctypes.util.find_library = lambda name: None if name == "fontconfig" else real(name)
from twinbench.widgets.scene3d import TwinScene
from twinbench.visuals.meshes import load_model, DEFAULT_MODEL
from twinbench.visuals.live import TargetState
s = TwinScene(size=(200, 150), app="egl")
s.detect_renderer()
s.add_device("sim", load_model(DEFAULT_MODEL))
s.apply({"sim/motor": TargetState(label="temperature 42.0")})
img = s.screenshot()
print("STATUS", s.status())
print("PIXELS", int((img[..., :3] > 200).all(axis=-1).sum()))
s.close()
"""


def test_scene_starts_without_fontconfig_and_says_so():
    env = dict(os.environ, EGL_PLATFORM="surfaceless")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    status = next(ln for ln in proc.stdout.splitlines() if ln.startswith("STATUS"))
    assert "libfontconfig.so.1 not found" in status and "bundled OpenSans" in status
    assert "libfontconfig.so.1 not found" in proc.stderr  # logged once at start
    white = int(next(ln for ln in proc.stdout.splitlines() if ln.startswith("PIXELS")).split()[1])
    assert white > 10  # the label was drawn with the bundled font
