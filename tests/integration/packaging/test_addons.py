"""Add-ons: an installed binary distribution repacked as a wheel loads from the plugin folder, and
`twinbench sql` without DuckDB says how to add it."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.integration.cli import run
from twinbench import plugins

ROOT = Path(__file__).resolve().parents[3]


def _addons():
    spec = importlib.util.spec_from_file_location("addons", ROOT / "packaging" / "addons.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_repacked_binary_wheel_has_exact_record_and_imports_from_the_plugin_folder(tmp_path):
    wheel = _addons().repack("orjson", tmp_path / "out")  # small, and a compiled extension
    assert wheel.name.startswith("orjson-") and f"-cp{sys.version_info[0]}" in wheel.name
    assert plugins.compatible(wheel.name) == ""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        rows = [r.split(",") for r in zf.read(record).decode().splitlines()]
        assert {r[0] for r in rows} == set(names)
        for path, digest, size in rows:
            if path == record:
                assert digest == size == ""
                continue
            data = zf.read(path)
            want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={want}" and int(size) == len(data)
        assert not any(
            "__pycache__" in n or n.endswith(("/INSTALLER", "/direct_url.json")) for n in names
        )
        assert any(n.endswith(".so") for n in names)

    entry = plugins.unpack(wheel, tmp_path / "plugins" / plugins.UNPACKED)
    assert entry.error == "" and entry.location is not None
    # a bare interpreter (no site-packages) finds the module only through the unpacked wheel
    code = (
        "import sys; sys.path = [p for p in sys.path if 'site-packages' not in p]; "
        f"sys.path.append({str(entry.location)!r}); import orjson; "
        "print(orjson.__file__); print(orjson.dumps({'a': 1}).decode())"
    )
    r = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    where, out = r.stdout.split()
    assert where.startswith(str(entry.location)) and out == '{"a":1}'


def test_sql_without_duckdb_names_the_plugin_folder(tmp_path, clean_env, twinbench_exe):
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "duckdb.py").write_text("raise ImportError('DuckDB left out of this build')\n")
    folder = tmp_path / "plugins"
    env = {**clean_env, "TWINBENCH_PLUGIN_DIR": str(folder), "PYTHONPATH": str(blocker)}
    rec = tmp_path / "rec"
    r = run([*twinbench_exe, "run", "--headless", "--driver", "sim", "--duration", "0.5",
             "--record", str(rec)], env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    session = next(p for p in rec.iterdir() if p.is_dir())
    r = run([*twinbench_exe, "sql", str(session), "SELECT 1"], env)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("twinbench: error: sql needs DuckDB")
    assert str(folder) in r.stderr and "pip install duckdb" in r.stderr
    assert "Traceback" not in r.stderr
