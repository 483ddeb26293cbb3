"""Every export form read by pyarrow, DuckDB and Polars gives the figures `twinbench sql` gives.

Two sessions, three devices (`007`, which readers would take for a number, and `pump A/1`, which
is no file name), exported to Parquet (one file, date/device/session partitions), CSV and Delta.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from twinbench.recording.export import ExportOptions, export_sessions
from twinbench.recording.sql import query

T0 = 1_767_225_540 * 10**9
KEYS = ("time", "device_id", "session", "date", "safe_device_id", "safe_session")


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    from tests.unit.recording.conftest import record

    root = tmp_path_factory.mktemp("cold")
    a = record(root / "a", {"007": 2, "pump A/1": 3}, rows=1200)
    b = record(root / "b", {"007": 2, "rig-b": 1}, rows=800, t0=T0 + 86_400 * 10**9)
    return [a, b]


def expected_stats(sessions) -> tuple[dict, dict]:
    """Per (session, device, channel): count, min, max, sum; per (session, device): first/last."""
    t = query(
        sessions,
        "SELECT session, device_id, channel, count(value) n, min(value) lo, max(value) hi, "
        "sum(value) s FROM samples GROUP BY ALL",
    )
    chans = {
        (r["session"], r["device_id"], r["channel"]): (r["n"], r["lo"], r["hi"], r["s"])
        for r in t.to_pylist()
    }
    t = query(
        sessions,
        "SELECT session, device_id, epoch_us(min(time)) a, epoch_us(max(time)) b FROM samples "
        "GROUP BY ALL",
    )
    times = {(r["session"], r["device_id"]): (r["a"], r["b"]) for r in t.to_pylist()}
    return chans, times


@pytest.fixture(scope="module")
def expected(sessions):
    """`twinbench sql`'s figures for the two sessions."""
    return expected_stats(sessions)


def stats_of(table: pa.Table) -> tuple[dict, dict]:
    """The same figures from an Arrow table of the export (wide, nulls where a device lacks one)."""
    table = table.combine_chunks()
    cols = [c for c in table.column_names if c not in KEYS]
    sid = pc.cast(table.column("session"), pa.string())
    dev = pc.cast(table.column("device_id"), pa.string())
    time_us = pc.cast(pc.cast(table.column("time"), pa.timestamp("us", "UTC")), pa.int64())
    chans, times = {}, {}
    for s in pc.unique(sid).to_pylist():
        for d in pc.unique(dev).to_pylist():
            mask = pc.and_(pc.equal(sid, s), pc.equal(dev, d))
            if not pc.any(mask).as_py():
                continue
            ts = time_us.filter(mask)
            times[s, d] = (pc.min(ts).as_py(), pc.max(ts).as_py())
            for c in cols:
                v = pc.cast(table.column(c).filter(mask), pa.float64())
                n = len(v) - v.null_count
                if n:
                    chans[s, d, c] = (n, pc.min(v).as_py(), pc.max(v).as_py(), pc.sum(v).as_py())
    return chans, times


def assert_same(got, expected):
    chans, times = got
    want_chans, want_times = expected
    assert times == want_times
    assert chans.keys() == want_chans.keys()
    for k, (n, lo, hi, s) in want_chans.items():
        gn, glo, ghi, gs = chans[k]
        assert (gn, glo, ghi) == (n, lo, hi), k
        assert math.isclose(gs, s, rel_tol=1e-12), k


def export(sessions, tmp_path, **kw):
    out = tmp_path / kw.pop("name", "out")
    export_sessions(sessions, ExportOptions(out=out, **kw))
    return out


@pytest.mark.parametrize("partition", [(), ("date", "device_id"), ("device_id", "session")])
def test_parquet_read_alike_by_pyarrow_duckdb_polars(sessions, expected, tmp_path, partition):
    out = export(sessions, tmp_path, name="pq" if partition else "one.parquet", partition=partition)
    if partition:
        arrow = ds.dataset(out, format="parquet", partitioning="hive").to_table()
        glob = f"{out}/**/*.parquet"
    else:
        arrow = pq.read_table(out)
        glob = str(out)
    assert_same(stats_of(arrow), expected)
    duck = duckdb.sql(
        f"SELECT * FROM read_parquet('{glob}', hive_partitioning=true, union_by_name=true)"
    ).arrow()
    assert_same(stats_of(duck if isinstance(duck, pa.Table) else duck.read_all()), expected)
    polars = pl.scan_parquet(glob, hive_partitioning=bool(partition), missing_columns="insert")
    assert_same(stats_of(polars.collect().to_arrow()), expected)
    # ids come back as the devices gave them, in every engine
    for table in (arrow, polars.collect().to_arrow()):
        assert set(pc.unique(pc.cast(table.column("device_id"), pa.string())).to_pylist()) == {
            "007",
            "pump A/1",
            "rig-b",
        }
    if "device_id" in partition:  # the folder key is a string in every engine, never a number
        keys = set(pc.unique(pc.cast(arrow.column("safe_device_id"), pa.string())).to_pylist())
        assert "d_007" in keys and all(k.startswith("d_") for k in keys)
        kind = duckdb.sql(
            f"SELECT DISTINCT typeof(safe_device_id) FROM read_parquet('{glob}', "
            "hive_partitioning=true, union_by_name=true)"
        ).fetchall()
        assert kind == [("VARCHAR",)]
        assert polars.collect().schema["safe_device_id"] == pl.String


def test_channels_table_joins_units_in_every_engine(sessions, tmp_path):
    out = export(sessions, tmp_path, name="pq", partition=("date", "device_id"))
    ch = out / "_channels"
    rows = duckdb.sql(
        f"SELECT DISTINCT d.device_id, c.channel, c.unit FROM read_parquet('{out}/**/*.parquet', "
        f"hive_partitioning=true, union_by_name=true) d JOIN read_parquet('{ch}/*.pq') c "
        "ON d.device_id = c.device_id AND d.session = c.session ORDER BY ALL"
    ).fetchall()
    assert ("pump A/1", "c2", "u2") in rows and ("rig-b", "c0", "u0") in rows
    units = pl.read_parquet(f"{ch}/*.pq").filter(pl.col("device_id") == "007")
    assert sorted(set(units["unit"].to_list())) == ["u0", "u1"]
    assert set(units["session"].to_list()) == {p.name for p in sessions}


def test_csv_read_alike(sessions, expected, tmp_path):
    out = export(sessions, tmp_path, name="one.csv", format="csv")
    duck = duckdb.sql(f"SELECT * FROM read_csv('{out}', types={{'device_id': 'VARCHAR'}})").arrow()
    assert_same(stats_of(duck if isinstance(duck, pa.Table) else duck.read_all()), expected)
    polars = pl.read_csv(out, schema_overrides={"device_id": pl.String}, try_parse_dates=True)
    assert_same(stats_of(polars.to_arrow()), expected)
    assert (tmp_path / "one.channels.pq").is_file()


def test_delta_read_alike_and_appends(sessions, expected, tmp_path):
    from deltalake import DeltaTable

    out = export(
        sessions[:1], tmp_path, name="lake", format="delta", partition=("date", "device_id")
    )
    export_sessions(
        sessions[1:], ExportOptions(out=out, format="delta", partition=("date", "device_id"))
    )
    table = DeltaTable(str(out))
    assert table.version() == 1 and table.metadata().partition_columns == ["date", "device_id"]
    arrow = table.to_pyarrow_table()
    assert_same(stats_of(arrow), expected)
    assert_same(stats_of(pl.read_delta(str(out)).to_arrow()), expected)
    duck = duckdb.sql("SELECT * FROM arrow").arrow()  # DuckDB over delta-rs's Arrow dataset
    assert_same(stats_of(duck if isinstance(duck, pa.Table) else duck.read_all()), expected)
    field = next(f for f in table.schema().fields if f.name == "c2")
    assert field.metadata["unit"] == "u2"
    assert "twinbench.units" in table.history()[0]
