"""Request ids, reply matching and timeouts; per-transport encodings of twin traffic."""

import threading

import pytest

from twinbench.errors import ConfigError
from twinbench.twin import CommandTimeout, PendingRequests
from twinbench.twin.profiles import BleTwinProfile, IotHubTopics, SerialTwinProfile


def test_replies_matched_by_request_id_and_timeouts():
    pend = PendingRequests()
    rid1, f1 = pend.open()
    rid2, f2 = pend.open()
    assert rid1 != rid2 and len(pend) == 2
    t = threading.Timer(0.01, pend.resolve, (rid2, {"ok": 2}))
    t.start()
    assert pend.wait(rid2, f2, 5.0, "cmd") == {"ok": 2}
    t.join()
    with pytest.raises(CommandTimeout, match=f"request {rid1}"):
        pend.wait(rid1, f1, 0.01, "dev: reboot")
    assert not pend.resolve(rid1, "late")  # a late reply is counted, not applied
    assert not pend.resolve("999", "foreign")
    assert pend.unmatched == 2 and len(pend) == 0


def test_serial_templates_and_replies():
    prof = SerialTwinProfile()
    assert prof.encode_desired({"targetSpeed": 1200}, 4, "7") == [b"SET targetSpeed=1200 #7\n"]
    assert prof.encode_command("reboot", 3, "8") == b"CMD reboot 3 #8\n"
    assert prof.parse_reply('OK #8 {"rebooted": true}') == ("8", 200, {"rebooted": True})
    assert prof.parse_reply("ERR #9 busy") == ("9", 500, "busy")
    assert prof.parse_reply("T=21.5") is None
    with pytest.raises(ConfigError, match="unknown field"):
        SerialTwinProfile(set_template="SET {nme}={value}")


def test_ble_characteristic_writes():
    prof = BleTwinProfile(properties={"targetSpeed": "0000ff01-0000-1000-8000-00805f9b34fb"})
    assert prof.encode_desired({"targetSpeed": 10}) == [
        ("0000ff01-0000-1000-8000-00805f9b34fb", b"10")
    ]
    with pytest.raises(ConfigError, match="mode"):
        prof.encode_desired({"mode": "run"})


def test_iot_hub_topics():
    assert IotHubTopics.desired(5) == "$iothub/twin/PATCH/properties/desired/?$version=5"
    m = IotHubTopics.parse(IotHubTopics.METHOD.format(name="reboot", rid="42"))
    assert m["kind"] == "method" and m["name"] == "reboot" and m["rid"] == "42"
    r = IotHubTopics.parse("$iothub/methods/res/200/?$rid=42")
    assert r["kind"] == "method_response" and r["status"] == 200
    d = IotHubTopics.parse(IotHubTopics.desired(9))
    assert d["kind"] == "desired" and d["version"] == 9
    assert IotHubTopics.parse("$iothub/twin/res/204/?$rid=3")["status"] == 204
