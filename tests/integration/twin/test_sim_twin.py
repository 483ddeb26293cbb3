"""The twin end to end on the simulated rig: desired -> board -> acknowledgement, commands."""

import pytest

from tests.integration.mqtt.conftest import wait_for
from twinbench.runtime import Runtime
from twinbench.twin import CommandTimeout, TwinError, TwinService


@pytest.fixture
def running():
    rt = Runtime()
    rt.add_driver("sim", {"rate": 200, "block_ms": 10})
    svc = TwinService(rt, timeout=2.0)
    rt.start()
    try:
        yield rt, svc
    finally:
        rt.stop()


def test_desired_reaches_sim_and_is_acknowledged(running):
    rt, svc = running
    twin = svc.twin("sim")
    assert twin.model_id == "dtmi:twinbench:sim:MotorRig;1"
    assert wait_for(lambda: "rpm" in twin.telemetry)
    assert twin.telemetry["temperature"][1] == "°C"
    svc.refresh("sim")
    assert twin.reported.values["serialNumber"] == "SIM-0001"
    svc.set_desired("sim", {"mode": "idle"})
    st = twin.property_status("mode")
    assert st.state == "accepted" and st.ack_version == twin.desired.version
    # idle stops the shaft: the twin's latest rpm falls to ~0 (noise only)
    assert wait_for(lambda: abs(twin.telemetry["rpm"][0]) < 30)
    svc.set_desired("sim", {"targetSpeed": 4000})
    assert twin.property_status("targetSpeed").state == "accepted"
    svc.set_desired("sim", {"targetSpeed": 5000})  # in the model's range, above the rated speed
    st = twin.property_status("targetSpeed")
    assert st.state == "rejected" and st.reported == 4000 and "rated" in st.ack_description
    kinds = [(e.kind, e.data.get("property")) for e in rt.events.recent if e.kind == "twin"]
    assert ("twin", "targetSpeed") in kinds
    ev = [e for e in rt.events.recent if e.kind == "twin" and e.data.get("section") == "desired"]
    assert ev[-1].data["value"] == 5000 and ev[-1].data["version"] == twin.desired.version


def test_wrong_typed_desired_never_reaches_board(running):
    _rt, svc = running
    twin = svc.twin("sim")
    before = twin.to_json()
    with pytest.raises(TwinError, match="not a number"):
        svc.set_desired("sim", {"targetSpeed": "fast"})
    assert twin.to_json() == before


def test_commands_and_timeout(running):
    rt, svc = running
    res = svc.invoke("sim", "reboot", 0)
    assert res["status"] == 200 and res["payload"]["rebooted"] is True
    with pytest.raises(CommandTimeout, match="selfTest"):
        svc.invoke("sim", "selfTest", 3.0, timeout=0.2)
    with pytest.raises(TwinError, match="no command"):
        svc.invoke("sim", "selfDestruct")
    states = [
        (e.data["state"], e.data.get("status")) for e in rt.events.recent if e.kind == "command"
    ]
    assert states == [("sent", None), ("answered", 200), ("sent", None), ("timeout", None)]
