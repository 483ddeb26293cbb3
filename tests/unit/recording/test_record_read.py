"""Recording to Arrow IPC streams and reading back with pyarrow, pandas and DuckDB."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

import twinbench
from twinbench.recording import FORMAT_VERSION, SessionError, open_session
from twinbench.recording import format as fmt
from twinbench.recording.sql import query

T0 = 1_767_225_540 * 10**9  # as in conftest.py


def test_streams_hold_every_row_with_units(session):
    s = open_session(session)
    assert s.meta["state"] == "closed" and s.meta["format_version"] == FORMAT_VERSION
    assert sorted(s.devices) == ["rig-a", "rig-b"]
    a = s.device_table("rig-a")
    assert a.num_rows == 3000 and a.column_names == ["time", "c0", "c1", "c2"]
    assert a.schema.field("time").type == pa.timestamp("ns", tz="UTC")
    assert a.schema.field("c2").metadata[b"unit"] == b"u2"
    np.testing.assert_array_equal(a.column("c1").to_numpy(), np.arange(3000) + 0.1)
    # plain pyarrow reads the file with no TwinBench code
    with pa.ipc.open_stream(str(session / "data" / "rig-b.arrows")) as r:
        assert r.read_all().num_rows == 3000
    ev = s.events().to_pylist()
    alarm = [e for e in ev if e["kind"] == "alarm"]
    assert json.loads(alarm[0]["data"])["severity"] == "major"
    assert s.meta["devices"]["rig-a"]["channels"][0]["unit"] == "u0"


def test_load_session_long_and_wide(session):
    wide = twinbench.load_session(session, "wide")
    assert len(wide) == 6000 and set(wide["device_id"]) == {"rig-a", "rig-b"}
    assert str(wide["time"].dtype) == "datetime64[ns, UTC]"
    long = twinbench.load_session(session)
    assert len(long) == 3000 * 3 + 3000 * 2
    c2 = long[(long.device_id == "rig-a") & (long.channel == "c2")]
    assert (c2.unit == "u2").all() and c2.value.iloc[5] == pytest.approx(5.2)
    with pytest.raises(twinbench.errors.UsageError, match="form must be"):
        twinbench.load_session(session, "tall")


def test_duckdb_views_per_device_and_samples(session):
    t = query([session], "SELECT count(*) AS n, max(c2) AS m FROM rig_a")
    assert t.to_pylist() == [{"n": 3000, "m": 2999.2}]
    t = query([session], "SELECT device_id, count(*) n FROM samples GROUP BY 1 ORDER BY 1")
    assert t.to_pylist() == [{"device_id": "rig-a", "n": 9000}, {"device_id": "rig-b", "n": 6000}]
    t = query([session], "SELECT kind FROM events WHERE kind = 'alarm'")
    assert t.num_rows == 1
    with pytest.raises(SessionError, match="sql: "):
        query([session], "SELECT nope FROM rig_a")


def test_two_sessions_union_in_sql(tmp_path, make_session):
    a = make_session(tmp_path / "r", {"rig-a": 2}, rows=100)
    b = make_session(tmp_path / "r", {"rig-a": 2}, rows=50)
    t = query([a, b], "SELECT session, count(*) n FROM rig_a GROUP BY 1 ORDER BY n")
    assert [r["n"] for r in t.to_pylist()] == [50, 100]


def test_newer_format_version_is_a_clear_error(session):
    meta = json.loads((session / "session.json").read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (session / "session.json").write_text(json.dumps(meta))
    with pytest.raises(SessionError, match="newer TwinBench"):
        open_session(session)


def test_not_a_session(tmp_path):
    with pytest.raises(SessionError, match="no such session folder"):
        open_session(tmp_path / "nope")
    with pytest.raises(SessionError, match="not a TwinBench session"):
        open_session(tmp_path)
    (tmp_path / "session.json").write_text("{broken")
    with pytest.raises(SessionError, match="unreadable session metadata"):
        open_session(tmp_path)


def _mark_crashed(folder):
    meta = json.loads((folder / "session.json").read_text())
    meta["state"] = "recording"
    meta["owner"] = {"pid": 999_999_999, "create_time": 0, "host": "elsewhere"}
    (folder / "session.json").write_text(json.dumps(meta))


def test_truncated_stream_is_repaired_keeping_complete_batches(tmp_path, make_session):
    folder = make_session(tmp_path / "r", {"rig-a": 2}, rows=4000, flush_values=1000)
    path = folder / "data" / "rig-a.arrows"
    full = fmt.read_stream(path)
    assert full.complete and len(full.batches) > 4
    size = path.stat().st_size
    with open(path, "r+b") as f:  # cut mid-way through the last batch (and drop the EOS)
        f.truncate(size - 100)
    _mark_crashed(folder)
    s = open_session(folder)
    assert s.meta["state"] == "closed" and s.meta["repaired"] is True
    kept = full.rows - full.batches[-1].num_rows
    assert s.device_table("rig-a").num_rows == kept
    assert (path.with_name("rig-a.arrows.tail")).stat().st_size > 0
    assert fmt.read_stream(path).complete
    assert any("kept" in n for n in s.problems)


def test_corrupt_middle_keeps_the_prefix_and_never_crashes(tmp_path, make_session):
    folder = make_session(tmp_path / "r", {"rig-a": 2}, rows=4000, flush_values=1000)
    path = folder / "data" / "rig-a.arrows"
    offsets = []
    with pa.OSFile(str(path)) as f:
        reader = pa.ipc.MessageReader.open_stream(f)
        for _ in range(4):
            reader.read_next_message()
            offsets.append(f.tell())
    data = bytearray(path.read_bytes())
    data[offsets[-1] : offsets[-1] + 16] = b"\xde\xad\xbe\xef" * 4  # a message header
    path.write_bytes(bytes(data))
    res = fmt.read_stream(path)
    assert not res.complete and "corrupt" in res.problem
    assert res.rows == 1500 and res.good_bytes == offsets[-1]
    garbage = folder / "data" / "junk.arrows"
    garbage.write_bytes(b"not arrow at all")
    _mark_crashed(folder)
    s = open_session(folder)
    assert s.devices == ["rig-a"]
    assert (folder / "data" / "junk.arrows.corrupt").exists()


def test_unwritable_folder_is_a_clear_error(tmp_path):
    from twinbench.recording import Recorder
    from twinbench.runtime import Runtime

    blocker = tmp_path / "file"
    blocker.write_text("x")
    rec = Recorder(Runtime(), blocker / "rec")
    with pytest.raises(SessionError, match="cannot record into"):
        rec.start()


def test_time_is_utc_and_sorted(session):
    t = open_session(session).device_table("rig-b").column("time")
    ns = t.combine_chunks().view(pa.int64()).to_numpy()
    assert ns[0] == T0 and np.all(np.diff(ns) > 0)
