"""Twin documents: merge patches, versions, metadata, limits, acknowledgements, export/import."""

import json

import numpy as np
import pytest

from twinbench.twin import TwinDocument, TwinError, merge_patch
from twinbench.twin.document import parse_iso
from twinbench.twin.merge import size_bytes


def test_merge_patch_null_deletes_and_nests():
    base = {"a": 1, "b": {"c": 2, "d": 3}}
    out = merge_patch(base, {"a": None, "b": {"c": None, "e": 4}, "f": [1]})
    assert out == {"b": {"d": 3, "e": 4}, "f": [1]}
    assert base == {"a": 1, "b": {"c": 2, "d": 3}}


def test_versions_grow_and_metadata_at_every_level():
    doc = TwinDocument("dev")
    v0 = doc.desired.version
    assert doc.patch_desired({"fan": {"speed": 3, "on": True}})
    assert doc.desired.version == v0 + 1
    meta = doc.to_json()["properties"]["desired"]["$metadata"]
    assert "$lastUpdated" in meta and "$lastUpdated" in meta["fan"]
    assert "$lastUpdated" in meta["fan"]["speed"]
    assert meta["fan"]["speed"]["$lastUpdatedVersion"] == doc.desired.version
    doc.patch_desired({"fan": {"speed": None}})
    meta = doc.to_json()["properties"]["desired"]["$metadata"]
    assert "speed" not in meta["fan"] and doc.desired.values == {"fan": {"on": True}}
    assert doc.desired.version == v0 + 2


def test_stale_desired_patch_is_ignored():
    doc = TwinDocument("dev")
    assert doc.patch_desired({"x": 1}, version=5)
    assert doc.desired.version == 5
    assert not doc.patch_desired({"x": 2}, version=5)
    assert not doc.patch_desired({"x": 3}, version=4)
    assert doc.desired.values == {"x": 1} and doc.desired.version == 5


@pytest.mark.parametrize(
    ("section", "patch", "needle"),
    [
        ("desired", {f"k{i}": "x" * 4000 for i in range(9)}, "32 KB"),
        ("reported", {f"k{i}": "x" * 4000 for i in range(9)}, "32 KB"),
        ("tags", {f"k{i}": "x" * 3000 for i in range(3)}, "8 KB"),
        ("desired", {"blob": "é" * 2049}, "4096 bytes"),
        ("reported", {"k" * 1025: 1}, "1024 bytes"),
        ("tags", {"a\x01b": 1}, "control characters"),
        ("reported", {"a\x85b": 1}, "control characters"),
        ("desired", {"n": 2**52}, "integer range"),
        ("reported", {"n": [1, -(2**52) - 1]}, "integer range"),
        (
            "desired",
            {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": 1}}}}}}}}}}},
            "depth 11",
        ),
        ("desired", {"$bad": 1}, "not allowed"),
    ],
)
def test_limits_refuse_and_leave_twin_unchanged(section, patch, needle):
    doc = TwinDocument("dev")
    doc.patch_desired({"keep": 1})
    doc.patch_reported({"keep": 2})
    before = json.dumps(doc.to_json(), sort_keys=True)
    apply = {"desired": doc.patch_desired, "reported": doc.patch_reported, "tags": doc.patch_tags}[
        section
    ]
    with pytest.raises(TwinError, match=needle.replace("$", r"\$")):
        apply(patch)
    assert json.dumps(doc.to_json(), sort_keys=True) == before


def test_ack_states_and_pending_time():
    doc = TwinDocument("dev")
    doc.patch_desired({"speed": 10})
    v = doc.desired.version
    st = doc.property_status("speed")
    assert st.state == "pending" and st.pending_since is not None
    assert st.pending_for(st.pending_since + 2.5) == pytest.approx(2.5)
    doc.patch_reported({"speed": {"value": 10, "ac": 202, "av": v, "ad": "working"}})
    assert doc.property_status("speed").state == "pending"
    doc.patch_reported({"speed": {"value": 10, "ac": 200, "av": v, "ad": "ok"}})
    st = doc.property_status("speed")
    assert st.state == "accepted" and st.reported == 10 and st.pending_for() == 0.0
    doc.patch_desired({"speed": 99})
    assert doc.property_status("speed").state == "pending"  # ack is for an older version
    doc.patch_reported({"speed": {"value": 10, "ac": 400, "av": doc.desired.version, "ad": "no"}})
    assert doc.property_status("speed").state == "rejected"
    doc.patch_reported({"mode": {"value": "run", "ac": 203, "av": 0, "ad": "default"}})
    assert doc.property_status("mode").state == "default"


def test_import_takes_desired_and_tags_never_reported():
    doc = TwinDocument("dev", "dtmi:x:y;1")
    doc.patch_tags({"site": "lab"})
    doc.patch_desired({"a": {"b": 1}, "old": 1})
    doc.patch_reported({"r": "x"})
    data = json.loads(json.dumps(doc.to_json()))
    other = TwinDocument("dev")
    other.patch_desired({"gone": 1})
    other.patch_reported({"mine": 1})
    other.load_json(data)
    assert other.desired.values == {"a": {"b": 1}, "old": 1}  # desired replaced as a whole
    assert other.reported.values == {"mine": 1}  # only the device writes reported
    assert other.tags == {"site": "lab"} and other.model_id == "dtmi:x:y;1"
    assert "$lastUpdatedVersion" in other.desired.metadata["a"]["b"]
    before = json.dumps(other.to_json(), sort_keys=True)
    bad = json.loads(json.dumps(data))
    bad["properties"]["desired"]["huge"] = ["y" * 4000] * 9
    with pytest.raises(TwinError, match="desired"):
        other.load_json(bad)
    with pytest.raises(TwinError, match="deviceId"):
        other.load_json({**data, "deviceId": "someone-else"})
    dollar = json.loads(json.dumps(data))
    dollar["properties"]["desired"]["$iothub"] = 1
    with pytest.raises(TwinError, match=r"'\$iothub' is not allowed: keys starting with '\$'"):
        other.load_json(dollar)
    dollar_tag = {**data, "tags": {"$x": 1}}
    with pytest.raises(TwinError, match=r"tags: key '\$x'"):
        other.load_json(dollar_tag)
    assert json.dumps(other.to_json(), sort_keys=True) == before


def test_export_carries_iot_hub_device_fields():
    doc = TwinDocument("dev")
    out = doc.to_json()
    assert out["status"] == "enabled" and out["connectionState"] == "Disconnected"
    assert out["lastActivityTime"] == "1970-01-01T00:00:00.0000000Z"
    etag = out["etag"]
    doc.connected = True
    doc.patch_reported({"x": 1})
    out = doc.to_json()
    assert out["connectionState"] == "Connected" and out["etag"] != etag
    assert parse_iso(out["lastActivityTime"]) > 1e9


def test_metadata_versions_only_in_desired():
    doc = TwinDocument("dev")
    doc.patch_desired({"a": 1})
    doc.patch_reported({"b": {"c": 1}})
    assert doc.desired.metadata["a"]["$lastUpdatedVersion"] == doc.desired.version
    assert "$lastUpdatedVersion" in doc.desired.metadata
    assert "$lastUpdatedVersion" not in json.dumps(doc.to_json()["properties"]["reported"])


def test_component_sections_carry_the_marker():
    doc = TwinDocument("dev")
    doc.components = frozenset({"imu"})
    doc.patch_desired({"imu": {"sampleRate": 100}, "plain": {"x": 1}})
    doc.patch_reported({"imu": {"sampleRate": {"value": 100, "ac": 200, "av": 2}}})
    assert doc.desired.values["imu"] == {"sampleRate": 100, "__t": "c"}
    assert "__t" not in doc.desired.values["plain"]
    assert doc.reported.values["imu"]["__t"] == "c"
    assert doc.property_status("imu.sampleRate").state == "accepted"


def test_telemetry_keeps_last_row():
    doc = TwinDocument("dev")
    doc.update_telemetry(("t", "rpm"), np.array([20.5, 1500.0]), 123, {"t": "°C"})
    assert doc.snapshot()["telemetry"]["t"] == {"value": 20.5, "unit": "°C", "t_ns": 123}


def test_iso_timestamps_round_trip():
    from twinbench.twin.document import iso_now

    assert parse_iso(iso_now(1_700_000_000.25)) == pytest.approx(1_700_000_000.25, abs=1e-5)


def test_size_is_counted_as_iot_hub_counts_it():
    # 8 keys of 4 bytes + 8 values of 4092 bytes = 32768 bytes: at the limit, accepted, although
    # the compact JSON ('{"k000":"xx...",...}') is longer
    doc = TwinDocument("dev")
    at_limit = {f"k{i:03d}": "x" * 4092 for i in range(8)}
    doc.patch_reported(at_limit)
    assert size_bytes(doc.reported.values) == 32 * 1024
    with pytest.raises(TwinError, match="32 KB"):
        doc.patch_reported({"z": 1})
    assert size_bytes({"é": "é", "n": 12, "b": True}) == 2 + 2 + 1 + 2 + 1 + 4
