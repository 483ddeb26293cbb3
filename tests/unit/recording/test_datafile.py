"""Opening data for browsing: recorded sessions, the project's Hive-partitioned Parquet exports
and CSV files, read back into file:<name> blocks with their time column found or chosen."""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from twinbench import datafile
from twinbench.errors import ConfigError
from twinbench.history import DisplayHistory, whole_stream
from twinbench.recording.export import ExportOptions, export_sessions
from twinbench.recording.session import open_session


def test_a_recorded_session_opens_per_device_in_the_file_namespace(tmp_path, session):
    info = datafile.inspect(session)
    assert info.kind == "session" and not info.ambiguous
    blocks = {b.device: b for b in datafile.load(info)}
    sid = info.name
    assert sorted(blocks) == [f"file:{sid}:rig-a", f"file:{sid}:rig-b"]
    a = blocks[f"file:{sid}:rig-a"]
    want = open_session(session).device_table("rig-a")
    assert a.names == ("c0", "c1", "c2") and a.units["c1"] == "u1"
    assert np.array_equal(a.t_ns, want.column("time").cast(pa.int64()).to_numpy())
    assert np.allclose(a.columns[1], want.column("c1").to_numpy())


def test_a_hive_partitioned_export_opens_with_its_devices_and_time(tmp_path, session):
    out = tmp_path / "run42"
    export_sessions([session], ExportOptions(out=out, partition=("date", "device_id")))
    assert len({p.parent.parent.name for p in out.rglob("*.parquet")}) == 2  # over midnight
    info = datafile.inspect(out)
    assert info.kind == "parquet" and info.rows == 6000
    assert info.time_column == "time"  # the date partition is not a second time column
    progress: list[float] = []
    blocks = {b.device: b for b in datafile.load(info, progress=progress.append)}
    assert sorted(blocks) == ["file:run42:rig-a", "file:run42:rig-b"]
    b = blocks["file:run42:rig-b"]
    want = open_session(session).device_table("rig-b")
    assert np.array_equal(b.t_ns, want.column("time").cast(pa.int64()).to_numpy())
    assert b.names == ("c0", "c1") and np.allclose(b.columns[0], want.column("c0").to_numpy())
    assert b.units == {"c0": "u0", "c1": "u1"}
    assert progress and progress[-1] == pytest.approx(1.0)


def test_csv_time_in_ms_is_scaled_and_text_columns_are_skipped(tmp_path):
    path = tmp_path / "bench log.csv"
    path.write_text("time_ms,temp,label\n0,20.5,a\n10,21.0,b\n20,,c\n")
    info = datafile.inspect(path)
    assert info.time_column == "time_ms" and info.name == "bench_log"
    (blk,) = datafile.load(info)
    assert blk.device == "file:bench_log" and blk.names == ("temp",)
    assert blk.t_ns.tolist() == [0, 10_000_000, 20_000_000]
    assert blk.columns[0][:2].tolist() == [20.5, 21.0] and np.isnan(blk.columns[0][2])


def test_two_time_columns_are_ambiguous_until_one_is_chosen(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("t,timestamp,x\n0.0,100,1\n0.5,101,2\n")
    info = datafile.inspect(path)
    assert info.ambiguous and info.time_candidates == ["timestamp", "t"]
    with pytest.raises(ConfigError, match="which column is time.*timestamp, t"):
        datafile.load(info)
    (blk,) = datafile.load(info, time_column="t")
    assert blk.t_ns.tolist() == [0, 500_000_000] and blk.names == ("timestamp", "x")
    with pytest.raises(ConfigError, match="no column 'nope'; valid: t, timestamp, x"):
        datafile.load(info, time_column="nope")


def test_parquet_rows_out_of_order_are_sorted_and_a_load_can_be_cancelled(tmp_path):
    t = np.array([3, 1, 2], np.int64) * 1_000_000_000
    table = pa.table({"ts": pa.array(t, pa.timestamp("ns")), "v": [30.0, 10.0, 20.0]})
    pq.write_table(table, tmp_path / "x.parquet")
    info = datafile.inspect(tmp_path / "x.parquet")
    (blk,) = datafile.load(info)
    assert blk.t_ns.tolist() == [1e9, 2e9, 3e9] and blk.columns[0].tolist() == [10, 20, 30]
    stop = threading.Event()
    stop.set()
    with pytest.raises(datafile.Cancelled):
        datafile.load(info, cancel=stop)


def test_unreadable_data_is_one_clear_error(tmp_path):
    bad = tmp_path / "junk.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(ConfigError, match="junk.parquet: not a recorded session, CSV or Parquet"):
        datafile.inspect(bad)
    with pytest.raises(ConfigError, match="no such file"):
        datafile.inspect(tmp_path / "missing.csv")


def test_an_opened_block_is_shown_whole_by_the_display_history():
    n = 100_003  # not a multiple of any bucket size
    t = np.arange(n, dtype=np.int64) * 1_000_000
    col = np.sin(np.arange(n) / 100.0).astype(np.float32)
    h = DisplayHistory(seconds=1.0)  # a file longer than the live history window stays whole
    h.adopt(whole_stream("file:x", ("s",), t, [col]))
    assert h.count("file:x", "s") == n and h.span("file:x") == (0, int(t[-1]))
    tv, yv = h.view("file:x", "s", 0, int(t[-1]), 2000)
    assert len(tv) <= 2000 and yv.max() == pytest.approx(col.max(), abs=1e-3)
    assert yv.min() == pytest.approx(col.min(), abs=1e-3)
    _, yr = h.view("file:x", "s", int(t[500]), int(t[600]), 2000)  # raw when zoomed in
    assert np.allclose(yr, col[499:602])


def test_filling_channels_in_parallel_gives_the_same_levels():
    from concurrent.futures import ThreadPoolExecutor

    from twinbench.history import sized_stream

    rng = np.random.default_rng(1)
    n, k = 70_000, 5
    t = np.arange(n, dtype=np.int64)
    cols = [rng.standard_normal(n).astype(np.float32) for _ in range(k)]
    cols[3][100:5000] = np.nan  # a gap
    one = sized_stream("a", tuple("vwxyz"), n)
    two = sized_stream("a", tuple("vwxyz"), n)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for lo in range(0, n, 16_384):  # in batches, as a file is read
            one.fill(t[lo : lo + 16_384], [c[lo : lo + 16_384] for c in cols])
            two.fill(t[lo : lo + 16_384], [c[lo : lo + 16_384] for c in cols], pool)
    assert np.array_equal(one.v[:, :n], two.v[:, :n], equal_nan=True)
    for size, a, b in zip(one.sizes * 2, one.mins + one.maxs, two.mins + two.maxs, strict=True):
        used = -(-n // size)  # buckets past the data were never written
        assert np.array_equal(a[:, :used], b[:, :used], equal_nan=True)
    assert np.nanmax(one.maxs[-1][1]) == np.nanmax(cols[1])


def test_rows_without_a_time_are_skipped_and_counted_not_placed_in_1677(tmp_path):
    t = pa.array([0, None, 2_000_000, 3_000_000, None], pa.timestamp("ns", tz="UTC"))
    pq.write_table(pa.table({"time": t, "v": [0.0, 1.0, 2.0, 3.0, 4.0]}), tmp_path / "gaps.parquet")
    (blk,) = datafile.load(datafile.inspect(tmp_path / "gaps.parquet"))
    assert blk.t_ns.tolist() == [0, 2_000_000, 3_000_000] and blk.untimed == 2
    assert blk.columns[0].tolist() == [0.0, 2.0, 3.0]
    assert blk.stream.count == 3  # the display history holds only timed rows
    csv = tmp_path / "bench.csv"
    csv.write_text("time_s,temp\n0.0,20\n,21\nnan,22\n0.2,23\n")
    (blk,) = datafile.load(datafile.inspect(csv))
    assert blk.t_ns.tolist() == [0, 200_000_000] and blk.untimed == 2
    assert blk.columns[0].tolist() == [20.0, 23.0]


def test_a_file_whose_time_column_is_all_empty_is_one_error_naming_it(tmp_path):
    path = tmp_path / "blank.parquet"
    pq.write_table(pa.table({"time": pa.nulls(3, pa.timestamp("ms")), "v": [1.0, 2.0, 3.0]}), path)
    with pytest.raises(ConfigError, match=r"blank\.parquet: no row has a time in column 'time'"):
        datafile.load(datafile.inspect(path))
    csv = tmp_path / "blank.csv"
    csv.write_text("time_s,v\n,1\n,2\n")
    with pytest.raises(ConfigError, match=r"blank\.csv: no row has a time"):
        datafile.load(datafile.inspect(csv))


@pytest.mark.parametrize(
    ("column", "values", "ns"),
    [
        (
            "timestamp",
            ["1767225600000", "1767225600010"],
            [1_767_225_600 * 10**9, 1_767_225_600_010_000_000],
        ),
        (
            "time",
            ["1767225600000000", "1767225600000250"],
            [1_767_225_600 * 10**9, 1_767_225_600_000_250_000],
        ),
        ("time", ["1767225600", "1767225601"], [1_767_225_600 * 10**9, 1_767_225_601 * 10**9]),
        (
            "ts",
            ["1767225600000000000", "1767225600000000001"],
            [1_767_225_600 * 10**9, 1_767_225_600 * 10**9 + 1],
        ),
        ("t", ["0.0", "0.25"], [0, 250_000_000]),
    ],
)
def test_epoch_numbers_without_a_unit_suffix_are_told_apart_by_magnitude(
    tmp_path, column, values, ns
):
    path = tmp_path / "logger.csv"
    path.write_text(f"{column},v\n" + "".join(f"{x},{i}\n" for i, x in enumerate(values)))
    (blk,) = datafile.load(datafile.inspect(path))
    assert blk.t_ns.tolist() == ns and blk.untimed == 0


def test_a_time_beyond_what_nanoseconds_can_hold_is_a_skipped_row_not_a_wrapped_one(tmp_path):
    path = tmp_path / "glitch.csv"
    path.write_text("time_ms,v\n0,1\n1e30,2\n-inf,3\n10,4\n")
    (blk,) = datafile.load(datafile.inspect(path))
    assert blk.t_ns.tolist() == [0, 10_000_000] and blk.untimed == 2
    assert blk.columns[0].tolist() == [1.0, 4.0]
    path = tmp_path / "ints.parquet"
    pq.write_table(
        pa.table({"time_s": pa.array([1, 10**12, 2], pa.int64()), "v": [1.0, 2.0, 3.0]}), path
    )
    (blk,) = datafile.load(datafile.inspect(path))
    assert blk.t_ns.tolist() == [10**9, 2 * 10**9] and blk.untimed == 1


def test_a_parquet_time_column_written_as_text_is_read_as_iso_or_numbers(tmp_path):
    iso = ["2026-01-01T00:00:00Z", "n/a", "2026-01-01T01:00:01.5+01:00"]
    pq.write_table(pa.table({"timestamp": iso, "v": [1.0, 2.0, 3.0]}), tmp_path / "iso.parquet")
    info = datafile.inspect(tmp_path / "iso.parquet")
    assert info.time_column == "timestamp"
    (blk,) = datafile.load(info)
    t0 = 1_767_225_600 * 10**9
    assert blk.t_ns.tolist() == [t0, t0 + 1_500_000_000] and blk.untimed == 1
    pq.write_table(pa.table({"time": ["0.5", "1.5"], "v": [1.0, 2.0]}), tmp_path / "s.parquet")
    (blk,) = datafile.load(datafile.inspect(tmp_path / "s.parquet"))
    assert blk.t_ns.tolist() == [500_000_000, 1_500_000_000]


def test_a_damaged_row_group_is_left_out_and_named_and_the_rest_is_read(tmp_path):
    path = tmp_path / "damaged.parquet"
    table = pa.table({"time_s": np.arange(30_000.0), "v": np.arange(30_000.0)})
    pq.write_table(table, path, row_group_size=10_000)
    offset = pq.ParquetFile(path).metadata.row_group(1).column(1).data_page_offset
    raw = bytearray(path.read_bytes())
    raw[offset : offset + 64] = b"\x13" * 64  # the page header of the second row group
    path.write_bytes(bytes(raw))
    (blk,) = datafile.load(datafile.inspect(path))
    assert len(blk.t_ns) == 20_000 and blk.t_ns[10_000] == 20_000 * 10**9
    assert blk.columns[0][-1] == 29_999.0
    (problem,) = blk.problems
    assert problem.startswith("row group 2 of 3 unreadable (")
    one = tmp_path / "one.parquet"
    pq.write_table(table, one, row_group_size=30_000)
    offset = pq.ParquetFile(one).metadata.row_group(0).column(1).data_page_offset
    raw = bytearray(one.read_bytes())
    raw[offset : offset + 64] = b"\x13" * 64
    one.write_bytes(bytes(raw))
    with pytest.raises(ConfigError, match=r"one\.parquet: unreadable Parquet data \(row group 1"):
        datafile.load(datafile.inspect(one))


def test_a_sessions_small_batches_are_joined_and_big_ones_pass_as_they_are(monkeypatch):
    monkeypatch.setattr(datafile, "FILL_ROWS", 100)

    def batch(lo: int, n: int) -> pa.RecordBatch:
        return pa.record_batch([pa.array(np.arange(lo, lo + n, dtype=np.float64))], names=["v"])

    sizes = [30, 30, 50, 500, 20, 20]
    parts, lo = [], 0
    for n in sizes:
        parts.append(batch(lo, n))
        lo += n
    out = list(datafile._regrouped(parts))
    assert [b.num_rows for b in out] == [110, 500, 40]
    assert out[1] is parts[3]  # not copied
    joined = np.concatenate([b.column(0).to_numpy() for b in out])
    assert np.array_equal(joined, np.arange(sum(sizes), dtype=np.float64))


def test_rows_split_by_device_in_order_of_first_appearance_with_none_last():
    col = pa.array(["b", "a", None, "b", "c", "a"])
    split = [
        (dev, None if rows is None else rows.tolist())
        for dev, rows in datafile._rows_by_device(col)
    ]
    assert split == [("b", [0, 3]), ("a", [1, 5]), ("c", [4]), ("None", [2])]
    assert list(datafile._rows_by_device(pa.array(["rig"] * 3))) == [("rig", None)]
