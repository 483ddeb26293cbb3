"""The cold path with real processes: concurrent Delta appends, and Spark reading the export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

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
    results = [p.communicate(timeout=180) for p in procs]  # every writer ends before asserting
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
    table = DeltaTable(str(lake))
    assert table.version() == 3  # four append commits, none lost to a race
    assert table.to_pyarrow_table().num_rows == 2 * (2 * 1200 + 2 * 800)


SPARK_SCRIPT = """
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("twinbench-cold-path")
         .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
         .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
out = sys.argv[1]
df = spark.read.parquet(out)  # no reader option
df.createOrReplaceTempView("x")
chans, times = [], []
for c in [c for c in df.columns if c.startswith("c")]:
    for r in spark.sql(
        f"SELECT session, device_id, count({c}) n, min({c}) lo, max({c}) hi, sum({c}) s "
        f"FROM x GROUP BY session, device_id HAVING count({c}) > 0"
    ).collect():
        chans.append([r.session, r.device_id, c, r.n, r.lo, r.hi, r.s])
for r in spark.sql(
    "SELECT session, device_id, unix_micros(min(time)) a, unix_micros(max(time)) b "
    "FROM x GROUP BY session, device_id"
).collect():
    times.append([r.session, r.device_id, r.a, r.b])
units = spark.read.parquet(out + "/_channels")
joined = df.join(units, ["session", "device_id"]).where("channel = 'c2'")
print(json.dumps({
    "types": dict(df.dtypes), "chans": chans, "times": times,
    "c2_units": sorted({r.unit for r in joined.select("unit").distinct().collect()}),
}))
spark.stop()
"""


def test_spark_reads_the_default_export_unchanged(two_sessions, tmp_path, clean_env):
    pytest.importorskip("pyspark", reason="pyspark not installed (scripts/setup --with-spark)")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17+ (scripts/setup --with-spark installs it)")
    from twinbench.recording.export import ExportOptions, export_sessions

    out = tmp_path / "pq"
    export_sessions(two_sessions, ExportOptions(out=out, partition=("date", "device_id")))
    script = tmp_path / "spark_read.py"
    script.write_text(SPARK_SCRIPT)
    r = subprocess.run(
        [sys.executable, str(script), str(out)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=400,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    types = got["types"]
    assert types["time"] == "timestamp" and types["device_id"] == "string"
    assert types["safe_device_id"] == "string" and types["session"] == "string"
    chans = {(s, d, c): (n, lo, hi, sm) for s, d, c, n, lo, hi, sm in got["chans"]}
    times = {(s, d): (a, b) for s, d, a, b in got["times"]}
    assert_same((chans, times), expected_stats(two_sessions))
    assert got["c2_units"] == ["u2"]
