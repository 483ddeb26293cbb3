"""Component addressing as IoT Hub does it: `imu.sampleRate` with "__t" markers, `imu*calibrate`."""

import json
from typing import Any

import pytest

from tests.unit.twin.imu_models import IMU_BOARD
from twinbench.dtdl import loads
from twinbench.runtime import Runtime
from twinbench.twin import TwinError, TwinService
from twinbench.twin.binding import binding_from
from twinbench.twin.transport import TwinTransport


class Recording(TwinTransport):
    """The wire end: records what would go to the device and answers like a PnP device."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send_desired(self, device_id, patch, version, timeout):
        self.sent.append(("desired", patch))
        imu = {k: v for k, v in patch.get("imu", {}).items() if k != "__t"}
        acks = {k: {"value": v, "ac": 200, "av": version} for k, v in imu.items()}
        return {"imu": {"__t": "c", **acks}}

    def invoke(self, device_id, name, payload, timeout):
        self.sent.append(("invoke", name))
        return {"status": 200, "payload": None}


@pytest.fixture
def svc():
    rt = Runtime()
    wire = Recording()
    service = TwinService(rt, transport=wire, auto_bind=False)
    service.bind("dev", binding_from(loads(json.dumps(IMU_BOARD)), {"model": "dtmi:x:Board;1"}))
    return service, wire


def test_component_property_by_dotted_name(svc):
    service, wire = svc
    service.set_desired("dev", {"imu.sampleRate": 100})
    assert wire.sent == [("desired", {"imu": {"__t": "c", "sampleRate": 100}})]
    twin = service.twin("dev").to_json()
    assert twin["properties"]["desired"]["imu"] == {"sampleRate": 100, "__t": "c"}
    assert twin["properties"]["reported"]["imu"]["__t"] == "c"
    assert service.twin("dev").property_status("imu.sampleRate").state == "accepted"
    with pytest.raises(TwinError, match="imu.sampleRate"):
        service.set_desired("dev", {"imu.sampleRate": "fast"})


def test_component_commands_are_addressed_with_a_star(svc):
    service, wire = svc
    assert service.invoke("dev", "imu*calibrate")["status"] == 200
    assert service.invoke("dev", "reboot")["status"] == 200
    assert wire.sent == [("invoke", "imu*calibrate"), ("invoke", "reboot")]
    with pytest.raises(TwinError, match="no command 'reboot'"):
        service.invoke("dev", "imu*reboot")
    with pytest.raises(TwinError, match="no component 'gps'"):
        service.invoke("dev", "gps*calibrate")
