"""Zero-touch: a recognised board is connected with its profile; an unknown one can be sniffed.

The port list is the one thing faked (no USB descriptors exist here): it names the simulator's
real pty with the USB ids a board would report.
"""

from __future__ import annotations

import subprocess
import time

import tomli_w

from twinbench.profiles.autoconnect import AutoConnector
from twinbench.profiles.loader import load_profile
from twinbench.runtime import Runtime


def test_matching_vid_pid_connects_with_its_profile(sim_board, tmp_path):
    board = sim_board("text", "--rate", "500", "--duration", "2.5")
    data = dict(load_profile(board.profile).data)
    data["recognition"] = {"vid": "2341", "pid": "0043"}
    data["name"] = "my-imu"
    prof = tmp_path / "my-imu.toml"
    prof.write_bytes(tomli_w.dumps(data).encode())
    ports = [
        {"device": "/dev/ttyFAKE9", "vid": 0x0403, "pid": 0x6001, "description": "other"},
        {"device": str(board.link), "vid": 0x2341, "pid": 0x0043, "description": "Uno"},
    ]
    unknown = []
    rt = Runtime()
    got = []
    rt.add_consumer("t", got.extend, policy="block")
    rt.start()
    auto = AutoConnector(rt, [load_profile(prof)], lambda: ports, 0.05, unknown.append)
    auto.start()
    try:
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        auto.watcher.poll()  # seen again: no second driver
    finally:
        auto.stop()
        board.finish()
        rt.stop()
    assert [p["device"] for p in unknown] == ["/dev/ttyFAKE9"]
    assert list(auto.connected) == [str(board.link)]
    assert len(rt.drivers) == 1
    assert got and got[0].device == "board" and "rpm" in got[0].channels
    assert any(e.kind == "device" and "my-imu" in e.message for e in rt.events.recent)


def test_sniff_unknown_port_and_save(sim_board, twinbench_exe, clean_env, tmp_path):
    board = sim_board("quickplot", "--rate", "1000", "--duration", "4")
    env = {**clean_env, "TWINBENCH_CONFIG_DIR": str(tmp_path / "cfg")}
    r = subprocess.run(
        [*twinbench_exe, "ports", "--sniff", str(board.link), "--save", "mystery"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    board.kill()
    assert r.returncode == 0, r.stderr
    assert "quickplot at 115200 baud" in r.stdout
    saved = load_profile(tmp_path / "cfg" / "profiles" / "mystery.toml")
    assert saved.data["decoder"]["type"] == "quickplot"
