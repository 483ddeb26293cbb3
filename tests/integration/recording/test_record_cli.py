"""Record, export, query, browse and replay through the real `twinbench` command."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds

from tests.integration.cli import run


def test_record_export_sql_sessions_replay(tmp_path, twinbench_exe, clean_env):
    rec = tmp_path / "rec"
    r = run(
        [
            *twinbench_exe,
            *("run", "--headless", "--duration", "1.5", "--set", "rate=400"),
            *(
                "--record",
                str(rec),
                "--record-name",
                "bench A",
                "--summary",
                str(tmp_path / "s.json"),
            ),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    (sess,) = list(rec.iterdir())
    n = summary["devices"]["sim"]["samples"]
    assert summary["recording"]["rows"] == n and summary["recording"]["lost_samples"] == 0
    assert "recorded:" in r.stdout

    out = tmp_path / "pq"
    r = run(
        [
            *twinbench_exe,
            *("export", str(sess), "--format", "parquet", "--out", str(out)),
            *("--partition", "date,device_id", "--progress"),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    # not a terminal: --progress writes whole lines (no carriage-return bar) that end at 100%
    assert "\r" not in r.stderr and r.stderr.splitlines()[-1].endswith(
        f"export: 100.0% ({n:,}/{n:,} rows)"
    )
    q = f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)"
    assert duckdb.sql(q).fetchall()[0][0] == n
    assert ds.dataset(out, partitioning="hive").count_rows() == n

    csv = tmp_path / "o.csv"
    r = run([*twinbench_exe, "export", str(sess), "--format", "csv", "--out", str(csv)], clean_env)
    assert r.returncode == 0, r.stderr
    assert len(pd.read_csv(csv)) == n

    r = run(
        [*twinbench_exe, "sql", str(sess), "SELECT count(*) AS n FROM sim", "--format", "csv"],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["n", str(n)]
    r = run([*twinbench_exe, "sql", str(sess), "SELECT * FROM nosuch"], clean_env)
    assert r.returncode == 2 and r.stderr.startswith("twinbench: error: sql: ")

    r = run([*twinbench_exe, "sessions", "list", str(rec)], clean_env)
    assert "'bench A'" in r.stdout and "closed" in r.stdout and "1 session(s)" in r.stdout
    assert run([*twinbench_exe, "sessions", "rename", str(sess), "B"], clean_env).returncode == 0
    r = run([*twinbench_exe, "sessions", "annotate", str(sess), "motor 7"], clean_env)
    assert r.returncode == 0
    meta = json.loads((sess / "session.json").read_text())
    assert meta["name"] == "B" and meta["note"] == "motor 7"
    r = run([*twinbench_exe, "sessions", "du", str(rec)], clean_env)
    assert r.returncode == 0 and "total" in r.stdout

    r = run(
        [*twinbench_exe, "replay", str(sess), "--fast", "--summary", str(tmp_path / "r.json")],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    replayed = json.loads((tmp_path / "r.json").read_text())
    assert replayed["devices"]["sim"]["samples"] == n
    t = summary["devices"]["sim"]["channels"]["temperature"]
    rt = replayed["devices"]["sim"]["channels"]["temperature"]
    assert (rt["min"], rt["max"]) == (t["min"], t["max"])
    assert abs(rt["mean"] - t["mean"]) < 1e-9

    r = run([*twinbench_exe, "sessions", "delete", str(sess), "--yes"], clean_env)
    assert r.returncode == 0 and not sess.exists()


def test_bad_inputs_are_one_line_exit_2(tmp_path, twinbench_exe, clean_env):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cases = [
        ["run", "--headless", "--duration", "0.5", "--record", str(blocker / "rec")],
        ["export", str(tmp_path / "nope"), "--out", str(tmp_path / "o.parquet")],
        ["replay", str(tmp_path), "--fast"],
        ["replay", str(tmp_path), "--speed", "500"],
        ["sessions", "list", str(tmp_path / "none")],
    ]
    for args in cases:
        r = run([*twinbench_exe, *args], clean_env)
        assert r.returncode == 2, (args, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("twinbench: error: "), (args, lines)
        assert "Traceback" not in r.stderr


def test_replay_at_a_speed_runs_to_the_end(tmp_path, twinbench_exe, clean_env):
    rec = tmp_path / "rec"
    r = run(
        [*twinbench_exe, "run", "--headless", "--duration", "1", "--record", str(rec)], clean_env
    )
    assert r.returncode == 0, r.stderr
    (sess,) = list(Path(rec).iterdir())
    r = run([*twinbench_exe, "replay", str(sess), "--speed", "4", "--quiet"], clean_env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("replayed: 1 device(s)")


def test_record_only_some_devices(tmp_path, twinbench_exe, clean_env):
    rec = tmp_path / "rec"
    r = run(
        [*twinbench_exe, "run", "--headless", "--duration", "0.8", "--set", "devices=3"]  # noqa: RUF005
        + ["--record", str(rec), "--record-devices", "sim-2,sim-3"],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    (sess,) = list(rec.iterdir())
    assert sorted(p.name for p in (sess / "data").iterdir()) == ["sim-2.arrows", "sim-3.arrows"]
