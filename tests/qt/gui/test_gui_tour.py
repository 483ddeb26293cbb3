"""The scripted GUI tour: the real main window on an X server (xcb, not offscreen) on a 1920x1080
and a 1366x768 screen, driven through the layout, panel, recording, replay and open-data flows
(tour/run_tour.py, steps in tour/steps_*.py; a simulated serial board on a real pty for the
dashboard from a profile), with a screenshot per step in the light and dark
theme under build/gui-tour/<screen>/. Asserts the states each step reports, not pixels."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUNNER = Path(__file__).with_name("tour") / "run_tour.py"


def run_tour(screen: str) -> dict:
    """Run the tour on its own Xvfb screen of `screen` (WxH); returns its report."""
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "the GUI tour needs xvfb-run (apt install xvfb xauth)"
    out = ROOT / "build" / "gui-tour" / screen
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", TWINBENCH_TOUR_OUT=str(out))
    cmd = [
        xvfb,
        "-a",
        "-s",
        f"-screen 0 {screen}x24",
        sys.executable,
        "-m",
        "pytest",
        str(RUNNER),
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return json.loads((out / "report.json").read_text())


@pytest.mark.timeout(300)
@pytest.mark.parametrize("screen", ["1920x1080", "1366x768"])
def test_gui_tour(screen):
    rep = run_tour(screen)
    w, h = map(int, screen.split("x"))
    assert rep["platform"] == "xcb" and rep["screen"][0] <= w and rep["screen"][1] <= h
    s = rep["steps"]
    first = s["first-start"]
    assert first["fits"] and first["window"][0] <= w and first["window"][1] <= h
    assert first["devices"] == ["sim"]
    three_d = s["3d-view-on-demand"]
    assert not three_d["canvas before shown"] and three_d["canvas after shown"]
    assert three_d["idle"] == ["panel:twin"]  # the Digital twin tab is behind it now
    for name in ("first-start", "six-panels-as-tabs", "preset-analysis", "reset-layout"):
        pw, ph = s[name]["plot share"]
        assert s[name]["fits"] and pw >= 0.5 and ph >= 0.5, (name, s[name])
    assert s["six-panels-as-tabs"]["right tabs"] >= 7  # twin, 3D view and five of the six
    menu = s["view-menu-grouped"]
    assert menu["sections"] == [
        "Plots and analysis",
        "Devices and links",
        "Twin, rules and alarms",
        "Data",
    ]
    assert "Gauge" in menu["plots and analysis"]
    assert menu["layout actions"] == ["reset", "Live plots", "Twin", "Analysis", "Bench"]
    before, opened, after = s["close-panels"]["work before/opened/after"]
    assert opened[0] == before[0] + 3 and after == before  # ticks, subscriptions, timers
    assert s["close-panels"]["reopened gauge"] == ["panel:gauge", "Gauge"]
    assert s["preset-analysis"]["panels"] == [
        "panel:histogram",
        "panel:spectrum",
        "panel:sql",
        "panel:xy",
    ]
    assert s["reset-layout"]["sql floating"] is False
    assert "panel:gauge" in s["hidden-panels-idle"]["idle"]
    assert "panel:table" not in s["hidden-panels-idle"]["idle"]
    rec = s["recording"]
    assert rec["indicator"] and "REC 00:01" in rec["indicator text"]
    assert rec["action"].startswith("Stop &recording (00:0")
    rep_ = s["replay"]
    assert rep_["devices"] == ["replay:sim", "sim"] and rep_["replay source"] == "replay:sim"
    assert rep_["replay paused"] and rep_["sim state"] == "connected"
    assert not rep_["indicator after stop"]
    data = s["open-data"]
    assert data["asked"][:2] == ["timestamp", "t"] and data["opened"] == ["file:run42"]
    assert data["samples"] == 2000 and data["plot paused"]
    assert data["x range"] == [0, 19_990_000_000]
    derived = s["derived-dialog"]
    assert "did you mean current?" in derived["error"]
    assert derived["ok enabled"] and derived["preview rows"] > 0
    dash = s["dashboard"]
    assert {"attitude:qw+qx+qy+qz", "gauge:temperature", "gauge:power"} <= set(dash["tiles"])
    assert dash["temperature scale"] == ["model", 0.0, 120.0]
    prof = s["dashboard-profile"]
    assert prof["source"] == "from its profile's groups"
    assert prof["groups"] == ["Motor", "Supply", "Status", "Readings", "Orientation", "Bearing"]
    assert prof["tiles"][:4] == ["gauge:temperature", "gauge:current", "gauge:rpm", "bar:voltage"]
    assert prof["scales"]["temperature"] == ["profile", 0.0, 80.0]
    assert prof["scales"]["voltage"] == ["profile", 20.0, 26.0]
    areas = s["plot-areas-split-and-drop"]
    assert areas["plots"] == 2 and areas["dropped"]
    assert areas["right channels"] == [["sim", "rpm"]] and areas["main channels"] > 1
    assert areas["cursors on both"] == [True, True] and areas["same cursor times"]
    tabs = s["plot-areas-second-tab"]
    assert tabs["tabs"] == ["Plot 1", "Temperatures"]
    assert tabs["tab plots"] == [[["sim", "temperature"]], [["sim", "current"]]]
    shots = [p for st in s.values() for p in st["shots"]]
    assert len(shots) == 2 * len(s)
    for name in shots:
        png = ROOT / "build" / "gui-tour" / screen / name
        assert png.stat().st_size > 10_000, png
