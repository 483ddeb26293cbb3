"""A driver plugin dropped into the plugin folder as a wheel is found, listed and streams."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.integration.cli import run
from tests.integration.packaging.wheels import build_wheel, renamed_example


@pytest.fixture(scope="module")
def hostmon_wheel(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("wheel")
    return build_wheel(renamed_example(tmp, "hostmon"), tmp / "dist")


@pytest.fixture
def plugin_env(clean_env, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    return {**clean_env, "TWINBENCH_PLUGIN_DIR": str(folder)}, folder


def test_wheel_in_plugin_folder_is_listed_with_origin_and_streams(
    hostmon_wheel, plugin_env, twinbench_exe, tmp_path
):
    env, folder = plugin_env
    r = run([*twinbench_exe, "drivers", "list"], env)
    assert r.returncode == 0 and "hostmon" not in r.stdout
    (folder / hostmon_wheel.name).write_bytes(hostmon_wheel.read_bytes())

    r = run([*twinbench_exe, "drivers", "list"], env)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("hostmon:"))
    assert f"[plugin folder: {hostmon_wheel.name}]" in line
    assert "sim:" in r.stdout and "[built-in]" in r.stdout
    assert f"{hostmon_wheel.name}: loaded" in r.stdout

    summary = tmp_path / "s.json"
    r = run(
        [
            *twinbench_exe,
            "run",
            "--headless",
            "--driver",
            "hostmon",
            "--set",
            "rate=20",
            "--duration",
            "1.5",
            "--summary",
            str(summary),
        ],
        env,
    )
    assert r.returncode == 0, r.stderr
    devices = json.loads(summary.read_text())["devices"]
    assert devices["host"]["channels"]["cpu"]["count"] >= 10


def test_broken_plugins_are_listed_and_the_rest_still_works(plugin_env, twinbench_exe, tmp_path):
    env, folder = plugin_env
    (folder / "notazip-1.0-py3-none-any.whl").write_bytes(b"garbage")
    (folder / "other-1.0-cp27-cp27m-win32.whl").write_bytes(b"")
    evil = folder / "evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escaped.py", "print('x')")
        zf.writestr("evil-1.0.dist-info/METADATA", "Name: evil\n")
    broken = folder / "broken-1.0-py3-none-any.whl"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("broken_plugin.py", "raise RuntimeError('boom at import')\n")
        zf.writestr(
            "broken-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: broken\nVersion: 1.0\n"
        )
        zf.writestr(
            "broken-1.0.dist-info/entry_points.txt",
            "[twinbench.drivers]\nbroken = broken_plugin:Driver\n",
        )

    r = run([*twinbench_exe, "drivers", "list"], env)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    out = r.stdout
    assert "notazip-1.0-py3-none-any.whl: error: cannot unpack" in out
    assert "other-1.0-cp27-cp27m-win32.whl: error: built for" in out
    assert "evil-1.0-py3-none-any.whl: error: member '../../escaped.py'" in out
    assert not (tmp_path / "escaped.py").exists()
    assert "broken: failed to load" in out and "boom at import" in out
    assert "[plugin folder: broken-1.0-py3-none-any.whl]" in out
    r = run([*twinbench_exe, "run", "--headless", "--duration", "0.5"], env)
    assert r.returncode == 0, r.stderr
