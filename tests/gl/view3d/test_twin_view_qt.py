"""The twin view dock in a real Qt window on Xvfb + Mesa, run as a subprocess (xcb platform)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gl

SCRIPT = Path(__file__).with_name("qt_panel_script.py")


def _run(*args: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    cmd = [sys.executable, str(SCRIPT), *args]
    if not env.get("DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        assert xvfb, "the twin view test needs a DISPLAY or xvfb-run (apt install xvfb xauth)"
        cmd = [xvfb, "-a", "-s", "-screen 0 1280x1024x24", *cmd]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1][len("REPORT ") :])


def test_default_launch_moves_heats_and_picks(tmp_path):
    png = tmp_path / "twin.png"
    rep = _run(str(png), "default")
    assert rep["platform"] == "xcb"
    assert rep["renderer"] and rep["renderer"] in rep["status"]
    # llvmpipe here: the view keeps to a share of the GUI thread and says so
    assert (
        "software OpenGL: at most" in rep["status"] and "<= 25% of the GUI thread" in rep["status"]
    )
    assert rep["parts"] == ["base", "imu-board", "motor", "shaft"]
    q = np.array(rep["rotation"])  # the sim quaternion drives the rig
    assert abs(np.linalg.norm(q) - 1) < 1e-6 and abs(q[0]) < 0.9999
    assert rep["motor_color"] != [0.5882352941176471, 0.6274509803921569, 0.6862745098039216, 1.0]
    assert rep["label"].startswith("temperature ")
    assert "channel 'no_such_channel' does not exist on device 'sim'" in rep["status"]
    assert rep["picked"] == ["sim", "motor"]
    assert "color of sim/motor &lt;- temperature" in rep["info"]
    assert "temperature=" in rep["info"]
    assert rep["distinct_colours"] > 100  # shaded, not blank
    assert rep["blink"] == [False, True]  # a raised alarm makes the motor blink
    assert rep["form"] == ["sim", "motor"]  # the binding form starts from the picked part
    assert rep["shaft_color"] != [0.7843137254901961, 0.7843137254901961, 0.803921568627451, 1.0]
    assert png.stat().st_size > 5000


def test_bad_model_missing_channel_and_lod_in_status(tmp_path):
    import trimesh

    big = tmp_path / "ball.ply"
    trimesh.creation.icosphere(subdivisions=7).export(str(big))  # 327,680 triangles
    rep = _run(str(tmp_path / "x.png"), "bad", str(big))
    status = rep["status"]
    assert rep["devices"] == ["sim-1"]
    assert rep["faces"] <= 60_000
    assert "LOD sim-1: reduced 327,680 to" in status and "to hold 30 fps" in status
    assert "cannot load model for sim-2:" in status and "mesh file not found" in status
    assert (
        "test-profile.toml: [[view3d.bindings]] #2: label of sim-1/ball: channel 'nope'" in status
    )
