"""A disk that fills up (file size limit: writes fail with EFBIG, as with ENOSPC): clear error,
everything already flushed stays readable, partial exports are removed. POSIX only."""

from __future__ import annotations

import resource
import subprocess

from twinbench.recording import open_session

LIMIT = 256 * 1024


def limited():
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def run(cmd, env):
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=90, preexec_fn=limited
    )


def test_recording_into_a_full_disk(tmp_path, twinbench_exe, clean_env):
    rec = tmp_path / "rec"
    r = run(
        [*twinbench_exe, "run", "--headless", "--duration", "2.5", "--set", "rate=2000"]  # noqa: RUF005
        + ["--record", str(rec), "--summary", str(tmp_path / "s.json")],
        clean_env,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "error: recording: writing session" in r.stdout and "File too large" in r.stdout
    (sess,) = list(rec.iterdir())
    s = open_session(sess)
    t = s.device_table("sim")
    assert 0 < t.num_rows < 5000  # the first flush fits, a later one does not
    assert s.meta["state"] == "closed" and s.meta["stats"]["lost_samples"] > 0


def test_export_into_a_full_disk_leaves_nothing(tmp_path, twinbench_exe, clean_env):
    rec = tmp_path / "rec"
    r = subprocess.run(
        [*twinbench_exe, "run", "--headless", "--duration", "1.5", "--set", "rate=5000"]  # noqa: RUF005
        + ["--record", str(rec)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=90,
    )
    assert r.returncode == 0, r.stderr
    (sess,) = list(rec.iterdir())
    out = tmp_path / "o.csv"
    r = run([*twinbench_exe, "export", str(sess), "--format", "csv", "--out", str(out)], clean_env)
    assert r.returncode == 2, r.stderr
    assert (
        r.stderr.strip()
        .splitlines()[-1]
        .startswith(f"twinbench: error: cannot write export to {out}")
    )
    assert "partial output removed" in r.stderr
    assert list(tmp_path.glob("*.csv*")) == [] and list(tmp_path.glob(".*tmp")) == []
