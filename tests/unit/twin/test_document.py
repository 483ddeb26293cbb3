"""Twin documents: merge patches, versions, metadata, limits, acknowledgements, export/import."""

import json

import numpy as np
import pytest

from twinbench.twin import TwinDocument, TwinError, merge_patch
from twinbench.twin.document import parse_iso


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
        ("desired", {"blob": "x" * (33 * 1024)}, "32 KB"),
        ("reported", {"blob": "x" * (33 * 1024)}, "32 KB"),
        ("tags", {"blob": "x" * (9 * 1024)}, "8 KB"),
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


def test_export_import_round_trip_and_bad_import_changes_nothing():
    doc = TwinDocument("dev", "dtmi:x:y;1")
    doc.patch_tags({"site": "lab"})
    doc.patch_desired({"a": {"b": 1}})
    doc.patch_reported({"r": "x"})
    data = json.loads(json.dumps(doc.to_json()))
    assert data["properties"]["desired"]["$version"] == doc.desired.version
    other = TwinDocument("dev")
    other.load_json(data)
    assert other.to_json()["properties"] == doc.to_json()["properties"]
    assert other.tags == {"site": "lab"} and other.model_id == "dtmi:x:y;1"
    before = json.dumps(other.to_json(), sort_keys=True)
    bad = json.loads(json.dumps(data))
    bad["properties"]["reported"]["huge"] = "y" * (40 * 1024)
    with pytest.raises(TwinError, match="reported"):
        other.load_json(bad)
    with pytest.raises(TwinError, match="deviceId"):
        other.load_json({**data, "deviceId": "someone-else"})
    assert json.dumps(other.to_json(), sort_keys=True) == before


def test_telemetry_keeps_last_row():
    doc = TwinDocument("dev")
    doc.update_telemetry(("t", "rpm"), np.array([20.5, 1500.0]), 123, {"t": "°C"})
    assert doc.snapshot()["telemetry"]["t"] == {"value": 20.5, "unit": "°C", "t_ns": 123}


def test_iso_timestamps_round_trip():
    from twinbench.twin.document import iso_now

    assert parse_iso(iso_now(1_700_000_000.25)) == pytest.approx(1_700_000_000.25, abs=1e-5)
