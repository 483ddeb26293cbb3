"""Which wheels the plugin folder accepts on which platform, and where they are unpacked."""

from __future__ import annotations

import sys
import zipfile

import pytest

from twinbench import plugins


@pytest.mark.parametrize(
    ("name", "py", "system", "machine", "ok"),
    [
        ("a-1.0-py3-none-any.whl", (3, 11), "linux", "x86_64", True),
        ("a-1.0-py2.py3-none-any.whl", (3, 12), "win32", "AMD64", True),
        ("a-1.0-py2-none-any.whl", (3, 11), "linux", "x86_64", False),
        (
            "duckdb-1.4-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
            (3, 11),
            "linux",
            "x86_64",
            True,
        ),
        ("duckdb-1.4-cp311-cp311-manylinux_2_28_aarch64.whl", (3, 11), "linux", "x86_64", False),
        ("duckdb-1.4-cp312-cp312-manylinux_2_28_x86_64.whl", (3, 11), "linux", "x86_64", False),
        ("b-2-cp311-cp311-win_amd64.whl", (3, 11), "win32", "AMD64", True),
        ("b-2-cp311-cp311-win_amd64.whl", (3, 11), "linux", "x86_64", False),
        ("c-3-cp311-cp311-macosx_11_0_arm64.whl", (3, 11), "darwin", "arm64", True),
        ("c-3-cp311-cp311-macosx_10_9_universal2.whl", (3, 11), "darwin", "x86_64", True),
        ("c-3-cp311-cp311-macosx_11_0_arm64.whl", (3, 11), "darwin", "x86_64", False),
        ("d-1-cp38-abi3-manylinux2014_x86_64.whl", (3, 11), "linux", "x86_64", True),
        ("d-1-cp312-abi3-manylinux2014_x86_64.whl", (3, 11), "linux", "x86_64", False),
        ("not-a-wheel.zip", (3, 11), "linux", "x86_64", False),
    ],
)
def test_compatible_by_tags(name, py, system, machine, ok):
    why = plugins.compatible(name, py=py, system=system, machine=machine)
    assert (why == "") is ok, why


def _wheel(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_unpack_once_per_content_and_on_sys_path(tmp_path, monkeypatch):
    folder = tmp_path / "plugins"
    folder.mkdir()
    _wheel(
        folder / "tbp_demo-1.0-py3-none-any.whl",
        {"tbp_demo.py": "X = 1\n", "tbp_demo-1.0.dist-info/METADATA": "Name: tbp-demo\n"},
    )
    monkeypatch.setattr(sys, "path", list(sys.path))
    first = plugins.activate(folder)
    assert [w.error for w in first] == [""]
    location = first[0].location
    assert location is not None and (location / "tbp_demo.py").is_file()
    assert str(location) in sys.path
    assert plugins.origin_of(str(location / "tbp_demo-1.0.dist-info")) == (
        "plugin folder: tbp_demo-1.0-py3-none-any.whl"
    )
    (location / "marker").write_text("kept")  # a second start reuses the unpacked copy
    again = plugins.activate(folder)
    assert again[0].location == location and (location / "marker").exists()


def test_wheel_without_metadata_is_refused(tmp_path):
    w = _wheel(tmp_path / "x-1-py3-none-any.whl", {"x.py": ""})
    got = plugins.unpack(w, tmp_path / "u")
    assert got.location is None and "METADATA" in got.error
