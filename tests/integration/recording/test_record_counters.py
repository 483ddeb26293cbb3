"""Loss and driver counters are saved in a recording; `twinbench sql` reads them and prints
doubles at full precision."""

from __future__ import annotations

import json

from tests.integration.cli import run
from tests.integration.lineboard import LineServer


def test_counters_in_the_recording_and_sql_json_precision(tmp_path, twinbench_exe, clean_env):
    lines = [b"a:1.5e-12\n", b"a:0.30000000000000004\n", b"\x9a\xfe\xff\n", b"a:2\n"] * 25
    board = LineServer(b"".join(lines), hang_up=True)
    rec, out = tmp_path / "rec", tmp_path / "s.json"
    try:
        r = run(
            [*twinbench_exe, "run", "--driver", "tcp", "--set", f"port={board.port}",
             "--set", "device_id=board", "--until", "disconnect", "--record", str(rec),
             "--summary", str(out)],
            clean_env,
        )  # fmt: skip
    finally:
        board.close()
    assert r.returncode == 0, r.stderr
    loss = json.loads(out.read_text())["devices"]["board"]["loss"]
    assert loss["malformed"] == 25 and loss["frames"] == 75
    session = next(rec.iterdir())
    q = "SELECT source, counter, value FROM counters ORDER BY counter"
    r = run([*twinbench_exe, "sql", str(session), q, "--format", "json"], clean_env)
    assert r.returncode == 0, r.stderr
    rows = {(x["source"], x["counter"]): x["value"] for x in json.loads(r.stdout)}
    assert rows[("board", "malformed")] == 25 and rows[("board", "frames")] == 75
    assert ("board", "reconnects") in rows
    q = "SELECT min(a) AS lo, max(a) AS hi FROM board WHERE a < 1"
    r = run([*twinbench_exe, "sql", str(session), q, "--format", "json"], clean_env)
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["lo"] == 1.5e-12 and row["hi"] == 0.30000000000000004
