"""Exports to Parquet and CSV, read back by DuckDB, pyarrow.dataset and pandas."""

from __future__ import annotations

import json
import threading

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from twinbench.recording import SessionError
from twinbench.recording.export import ExportOptions, export_sessions

T0 = 1_767_225_540 * 10**9  # as in conftest.py


def test_hive_dataset_read_by_duckdb_and_pyarrow(session, tmp_path):
    out = tmp_path / "ds"
    res = export_sessions([session], ExportOptions(out=out, partition=("date", "device_id")))
    assert res.rows == 6000
    names = sorted(p.relative_to(out).parts[:2] for p in res.files)
    # the recording crosses midnight UTC: two dates per device; the channels table beside them
    assert names == [
        ("_channels", f"{session.name}.pq"),
        ("date=2025-12-31", "safe_device_id=d_rig-a"),
        ("date=2025-12-31", "safe_device_id=d_rig-b"),
        ("date=2026-01-01", "safe_device_id=d_rig-a"),
        ("date=2026-01-01", "safe_device_id=d_rig-b"),
    ]
    con = duckdb.connect()
    rows = con.sql(
        f"SELECT device_id, date, count(*) n FROM read_parquet('{out}/**/*.parquet', "
        "hive_partitioning=true, union_by_name=true) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [r[2] for r in rows] == [1500, 1500, 1500, 1500]
    assert {r[0] for r in rows} == {"rig-a", "rig-b"}
    con.close()
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table(
        filter=ds.field("device_id") == "rig-a"
    )
    assert table.num_rows == 3000
    assert set(table.column("session").to_pylist()) == {session.name}


def test_parquet_schema_keeps_units_source_and_utc(session, tmp_path):
    out = tmp_path / "one.parquet"
    export_sessions([session], ExportOptions(out=out, devices=("rig-a",)))
    schema = pq.read_schema(out)
    assert schema.field("time").type == pa.timestamp("us", tz="UTC")  # what Spark reads
    assert schema.field("c1").metadata[b"unit"] == b"u1"
    src = json.loads(schema.metadata[b"twinbench.source"])
    assert [s["session"] for s in src["sessions"]] == [session.name]
    assert src["sessions"][0]["devices"] == {"rig-a": {"driver": "sim", "profile": ""}}
    df = pd.read_parquet(out)
    assert len(df) == 3000 and df["time"].iloc[0] == pd.Timestamp(T0, unit="ns", tz="UTC")
    out_ns = tmp_path / "ns.parquet"
    export_sessions([session], ExportOptions(out=out_ns, time_unit="ns"))
    assert pq.read_schema(out_ns).field("time").type == pa.timestamp("ns", tz="UTC")


def test_time_range_and_channels(session, tmp_path):
    out = tmp_path / "sel.csv"
    opts = ExportOptions(
        format="csv", out=out, t_from="10", t_to="2026-01-01T00:00:00Z", channels=("c0",)
    )
    res = export_sessions([session], opts)
    df = pd.read_csv(out)
    assert list(df.columns) == ["time", "device_id", "session", "c0"]
    # 10 s .. 60 s at 25 Hz, both devices
    assert res.rows == len(df) == 2 * (60 - 10) * 25
    with pytest.raises(SessionError, match="no recorded channel named nope"):
        export_sessions([session], ExportOptions(out=tmp_path / "x.csv", channels=("nope",)))
    with pytest.raises(SessionError, match="--from 'soon'"):
        export_sessions([session], ExportOptions(out=tmp_path / "x.csv", t_from="soon"))


def test_sessions_from_two_instances_merge_as_one_dataset(tmp_path, make_session):
    a = make_session(tmp_path / "host1", {"rig-a": 2}, rows=400)
    b = make_session(tmp_path / "host2", {"rig-a": 2}, rows=300, t0=T0 + 10**12)
    out = tmp_path / "ds"
    export_sessions([a], ExportOptions(out=out, partition=("date", "device_id")))
    export_sessions([b], ExportOptions(out=out, partition=("date", "device_id")))
    files = list(out.rglob("*.parquet"))
    assert len({f.name for f in files}) == len(files) >= 2
    assert pq.read_table(out / "_channels").num_rows == 4  # both exports' channels
    n = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)"
    ).fetchall()[0][0]
    assert n == 700


def test_cancel_removes_partial_output(session, tmp_path):
    out = tmp_path / "ds"
    cancel = threading.Event()

    def progress(done, total):
        cancel.set()  # cancel after the first slice is written

    from twinbench.recording.export import ExportCancelled

    with pytest.raises(ExportCancelled):
        export_sessions(
            [session],
            ExportOptions(out=out, partition=("device_id",), progress=progress, cancel=cancel),
        )
    assert not out.exists()


def test_unwritable_output_is_clear_and_leaves_nothing(session, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SessionError, match="cannot write export to .*partial output removed"):
        export_sessions([session], ExportOptions(out=blocker / "ds", partition=("date",)))
    assert blocker.read_text() == "x"
    with pytest.raises(SessionError, match="--partition hour"):
        export_sessions([session], ExportOptions(out=tmp_path / "o", partition=("hour",)))
