"""The cold path with real processes: concurrent Delta appends, and Spark reading the export."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.unit.recording.conftest import record
from tests.unit.recording.test_cold_path import T0, assert_same, expected_stats


@pytest.fixture(scope="module")
def two_sessions(tmp_path_factory):
    root = tmp_path_factory.mktemp("engines")
    return [
        record(root / "a", {"007": 2, "pump A/1": 3}, rows=1200),
        record(root / "b", {"007": 2, "rig-b": 1}, rows=800, t0=T0 + 86_400 * 10**9),
    ]


def test_concurrent_delta_appends_lose_nothing(two_sessions, tmp_path, twinbench_exe, clean_env):
    from deltalake import DeltaTable

    lake = tmp_path / "lake"
    cmd = [*twinbench_exe, "export", "--format", "delta", "--out", str(lake), "--quiet"]
    procs = [
        subprocess.Popen(
            [*cmd, str(s), "--partition", "date,device_id"],
            env=clean_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in two_sessions * 2  # four writers at once, two of them the same sessions again
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    table = DeltaTable(str(lake))
    assert table.version() == 3  # four append commits, none lost to a race
    assert table.to_pyarrow_table().num_rows == 2 * (2 * 1200 + 2 * 800)


def _spark():
    pytest.importorskip("pyspark", reason="pyspark not installed (scripts/setup --with-spark)")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17+ (scripts/setup --with-spark installs it)")
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName("twinbench-cold-path")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )


def test_spark_reads_the_default_export_unchanged(two_sessions, tmp_path):
    from twinbench.recording.export import ExportOptions, export_sessions

    spark = _spark()
    try:
        out = tmp_path / "pq"
        export_sessions(two_sessions, ExportOptions(out=out, partition=("date", "device_id")))
        df = spark.read.parquet(str(out))  # no reader option
        types = dict(df.dtypes)
        assert types["time"] == "timestamp" and types["device_id"] == "string"
        assert types["safe_device_id"] == "string" and types["session"] == "string"
        df.createOrReplaceTempView("x")
        chans = [c for c in df.columns if c.startswith("c")]
        got_chans, got_times = {}, {}
        for c in chans:
            rows = spark.sql(
                f"SELECT session, device_id, count({c}) n, min({c}) lo, max({c}) hi, sum({c}) s "
                f"FROM x GROUP BY session, device_id HAVING count({c}) > 0"
            ).collect()
            for r in rows:
                got_chans[r.session, r.device_id, c] = (r.n, r.lo, r.hi, r.s)
        for r in spark.sql(
            "SELECT session, device_id, unix_micros(min(time)) a, unix_micros(max(time)) b "
            "FROM x GROUP BY session, device_id"
        ).collect():
            got_times[r.session, r.device_id] = (r.a, r.b)
        assert_same((got_chans, got_times), expected_stats(two_sessions))
        units = spark.read.parquet(str(out / "_channels" / "channels.pq"))
        joined = df.join(units, ["session", "device_id"]).where("channel = 'c2'")
        assert {r.unit for r in joined.select("unit").distinct().collect()} == {"u2"}
    finally:
        spark.stop()
