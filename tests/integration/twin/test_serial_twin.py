"""The twin over a real pty: `twinbench sim --serial` answers text twin commands by request id."""

from __future__ import annotations

import subprocess
import sys

import pytest
import tomli_w

from tests.integration.mqtt.conftest import wait_for
from twinbench.drivers.serial.simboard import profile_for
from twinbench.runtime import Runtime
from twinbench.twin import CommandTimeout, TwinService
from twinbench.twin.serial_transport import SerialTwinTransport

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals are POSIX-only", allow_module_level=True)


@pytest.fixture
def board(twinbench_exe, tmp_path, clean_env):
    """A simulated board on a pty (csv telemetry at 200 Hz) and the profile that talks to it."""
    link = tmp_path / "ttySIM"
    prof = tmp_path / "board.toml"
    prof.write_bytes(tomli_w.dumps(profile_for("csv", "board")).encode())
    cmd = [*twinbench_exe, "sim", "--serial", "--format", "csv", "--rate", "200"]
    proc = subprocess.Popen(
        [*cmd, "--link", str(link), "--duration", "60"],
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        yield link, prof
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


@pytest.fixture
def running(board):
    link, prof = board
    rt = Runtime()
    drv = rt.add_driver("serial", {"port": str(link), "profile": str(prof), "device_id": "board"})
    svc = TwinService(rt, timeout=3.0)
    rt.start()
    try:
        yield rt, svc, drv
    finally:
        rt.stop()


def test_desired_patch_and_command_over_pty(running):
    rt, svc, drv = running
    twin = svc.twin("board")
    assert wait_for(lambda: "rpm" in twin.telemetry)
    transport = svc.transport.for_device("board")
    assert isinstance(transport, SerialTwinTransport)
    svc.refresh("board")  # the `get` template: every reported property
    assert twin.reported.values["serialNumber"] == "SIM-0001"
    reply = svc.set_desired("board", {"targetSpeed": 1200, "alarmTemperature": 80})
    assert reply["targetSpeed"]["ac"] == 200 and reply["targetSpeed"]["value"] == 1200
    assert reply["targetSpeed"]["av"] == twin.desired.version
    st = twin.property_status("targetSpeed")
    assert st.state == "accepted" and st.reported == 1200
    assert twin.property_status("alarmTemperature").state == "accepted"
    svc.set_desired("board", {"targetSpeed": 9000})  # above the board's rated speed
    st = twin.property_status("targetSpeed")
    assert st.state == "rejected" and st.reported == 1200 and "rated" in st.ack_description
    res = svc.invoke("board", "reboot", 0)
    assert res["status"] == 200 and res["payload"]["rebooted"] is True
    assert svc.invoke("board", "nope")["status"] == 404
    # the ack lines never reached the csv decoder: nothing malformed, telemetry continues
    assert drv.loss()["malformed"] == 0
    n = drv.loss()["frames"]
    assert wait_for(lambda: drv.loss()["frames"] > n + 20)
    kinds = [e.data.get("state") for e in rt.events.recent if e.kind == "command"]
    assert kinds.count("answered") == 2


def test_command_timeout_and_late_reply_counted(running):
    _rt, svc, _drv = running
    assert wait_for(lambda: "rpm" in svc.twin("board").telemetry)
    with pytest.raises(CommandTimeout, match="selfTest: no reply within 0.3 s"):
        svc.invoke("board", "selfTest", 1.0, timeout=0.3)
    transport = svc.transport.for_device("board")
    assert wait_for(lambda: transport.requests.unmatched == 1, 5.0)  # the late ack, not applied
