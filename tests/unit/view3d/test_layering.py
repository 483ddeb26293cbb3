"""The non-GL half of twinbench.visuals loads without vispy or Qt (headless paths may use it)."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("vispy", "PySide6", "pyqtgraph"):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
for mod in ("bindings", "fusion", "live", "lod", "meshes", "rig_model", "rotations"):
    importlib.import_module(f"twinbench.visuals.{mod}")
print("OK")
"""


def test_pure_visuals_modules_import_without_vispy_or_qt():
    proc = subprocess.run(
        [sys.executable, "-c", "import importlib\n" + CHILD],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "OK", proc.stderr[-2000:]


def test_the_vispy_scene_lives_in_widgets():
    code = CHILD.replace(
        'print("OK")', 'importlib.import_module("twinbench.widgets.scene3d")\nprint("OK")'
    )
    proc = subprocess.run(
        [sys.executable, "-c", "import importlib\n" + code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "blocked: vispy" in proc.stderr
