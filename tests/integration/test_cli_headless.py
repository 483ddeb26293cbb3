"""The `twinbench` command run as a real subprocess, as a user would."""

import json
import sys
import textwrap

from tests.integration.cli import run
from tests.integration.summary_check import check_summary


def test_headless_sim_writes_a_summary(tmp_path, twinbench_exe, clean_env):
    out = tmp_path / "s.json"
    r = run(
        [
            *twinbench_exe,
            "run",
            "--headless",
            "--driver",
            "sim",
            "--duration",
            "1.5",
            "--set",
            "rate=500",
            "--set",
            "faults=nan@0.2+0.2",
            "--summary",
            str(out),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    s = check_summary(json.loads(out.read_text()))
    dev = s["devices"]["sim"]
    assert len(dev["channels"]) == 9
    temp = dev["channels"]["temperature"]
    assert temp["count"] > 300 and temp["nan"] == 100
    assert temp["min"] < temp["mean"] < temp["max"]
    assert dev["drops"] == {} and s["dropped_samples"] == 0
    assert "sim:" in r.stdout


def test_unknown_driver_is_one_line_exit_2(twinbench_exe, clean_env):
    r = run(
        [*twinbench_exe, "run", "--headless", "--driver", "nosuch", "--duration", "1"], clean_env
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        "twinbench: error: unknown driver 'nosuch'; valid drivers: "
        + r.stderr.split(": ")[-1].strip()
    ]
    assert "sim" in r.stderr


def test_bad_setting_names_key_and_range(twinbench_exe, clean_env):
    r = run(
        [*twinbench_exe, "run", "--headless", "--set", "rate=1e9", "--duration", "1"], clean_env
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "'rate'" in r.stderr and "1..10000" in r.stderr
    r = run([*twinbench_exe, "run", "--headless", "--set", "colour=red"], clean_env)
    assert r.returncode == 2 and "unknown setting 'colour'" in r.stderr and "rate" in r.stderr
    r = run([*twinbench_exe, "run", "--headless", "--set", "novalue"], clean_env)
    assert r.returncode == 2 and "KEY=VALUE" in r.stderr


def test_unwritable_summary_is_a_clear_error(tmp_path, twinbench_exe, clean_env):
    target = tmp_path / "missing-dir" / "s.json"
    r = run(
        [*twinbench_exe, "run", "--headless", "--duration", "0.3", "--summary", str(target)],
        clean_env,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(target) in r.stderr


def test_drivers_list_prints_settings(twinbench_exe, clean_env):
    r = run([*twinbench_exe, "drivers", "list"], clean_env)
    assert r.returncode == 0
    assert "sim:" in r.stdout and "rate=1000.0" in r.stdout and "range 1..10000" in r.stdout


def test_core_runs_with_qt_unimportable(tmp_path, clean_env):
    """Every core module imports, and a headless run works, with Qt, vispy and pyqtgraph blocked."""
    script = tmp_path / "noqt.py"
    script.write_text(
        textwrap.dedent("""
        import importlib, importlib.abc, pkgutil, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split('.')[0] in ('PySide6', 'shiboken6', 'vispy', 'pyqtgraph'):
                    raise ImportError(f'blocked {name}')
        sys.meta_path.insert(0, Block())
        import twinbench, twinbench.drivers
        skip = ('twinbench.gui', 'twinbench.widgets', 'twinbench.__main__')
        def fail(name):  # walk_packages would skip a package whose import fails
            raise
        n = 0
        for pkg in (twinbench, twinbench.drivers):
            for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.', onerror=fail):
                if not m.name.startswith(skip):
                    importlib.import_module(m.name); n += 1
        from twinbench.cli import main
        rc = main(['run', '--headless', '--duration', '0.5', '--quiet'])
        assert not any(k.split('.')[0] in ('PySide6', 'vispy', 'pyqtgraph') for k in sys.modules)
        print('modules', n, 'rc', rc)
        sys.exit(rc)
    """)
    )
    r = run([sys.executable, str(script)], clean_env)
    assert r.returncode == 0, r.stderr + r.stdout
    assert int(r.stdout.split("modules ")[1].split()[0]) >= 150  # every core module, not a few


def test_third_party_plugin_runs_through_its_entry_point(tmp_path, twinbench_exe, clean_env):
    """examples/plugin-driver (installed by scripts/setup) adds a driver without touching core."""
    out = tmp_path / "s.json"
    r = run(
        [
            *twinbench_exe,
            "run",
            "--headless",
            "--driver",
            "sysmon",
            "--set",
            "rate=20",
            "--duration",
            "0.6",
            "--summary",
            str(out),
        ],
        clean_env,
    )
    assert r.returncode == 0, r.stderr
    chans = json.loads(out.read_text())["devices"]["host"]["channels"]
    assert chans["cpu"]["unit"] == "%" and chans["memory"]["count"] >= 5
