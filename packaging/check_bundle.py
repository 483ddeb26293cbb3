"""Checks a built bundle as CI and a release manager would: size, self test, .deb, plugins, SQL.

`python packaging/check_bundle.py dist/twinbench [--max-mb 250] [--deb OUT_DIR] [--plugin]
[--addons dist/addons]`
exits 1 on the first check that fails, after printing what it saw.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _space(path: Path) -> int:
    st = path.lstat()
    blocks = getattr(st, "st_blocks", None)  # POSIX; Windows has only the file size
    return blocks * 512 if blocks is not None else st.st_size


def disk_mb(path: Path) -> float:
    """Space on disk, in MiB, as `du` counts it (blocks of every file and folder)."""
    total = _space(path)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            total += _space(Path(dirpath) / name)
    return total / 2**20


def executable(dist: Path) -> str:
    """The bundle's program (twinbench.exe on Windows)."""
    return str(dist / ("twinbench.exe" if os.name == "nt" else "twinbench"))


def largest_parts(dist: Path, n: int = 10) -> list[tuple[float, str]]:
    """The `n` largest entries of the bundle's library folder, in MiB."""
    inner = dist / "_internal" if (dist / "_internal").is_dir() else dist
    parts = [(disk_mb(p), p.name) for p in inner.iterdir()]
    return sorted(parts, reverse=True)[:n]


def check_size(dist: Path, max_mb: float) -> bool:
    """Print the size and the ten largest parts; False when over `max_mb`."""
    mb = disk_mb(dist)
    print(f"bundle size: {mb:.0f} MB (limit {max_mb:.0f} MB); largest parts:")
    for size, name in largest_parts(dist):
        print(f"  {size:7.1f} MB  {name}")
    return mb <= max_mb


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> bool:
    """Run a command, print its outcome; True on exit 0."""
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    ok = r.returncode == 0
    print(f"{'ok  ' if ok else 'FAIL'} {' '.join(cmd)} (exit {r.returncode})")
    if not ok:
        print((r.stdout + r.stderr)[-2000:])
    return ok


def check_deb(dist: Path, out: Path) -> bool:
    """Build the .deb, unpack it into a scratch root and run the installed self test."""
    deb = subprocess.run(
        [sys.executable, str(HERE / "make_deb.py"), str(dist), str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"deb: {deb} ({Path(deb).stat().st_size / 2**20:.0f} MB)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        for f in ("usr/share/applications/twinbench.desktop", "usr/lib/udev/rules.d"):
            if not (Path(tmp) / f).exists():
                print(f"FAIL the package has no {f}")
                return False
        return run([str(Path(tmp) / "usr" / "bin" / "twinbench"), "--selftest"])


def check_plugin(dist: Path) -> bool:
    """Build the example plugin's wheel, drop it into the bundle's plugin folder, stream from it."""
    with tempfile.TemporaryDirectory() as tmp:
        plugins = Path(tmp) / "plugins"
        build = (
            "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))"
        )
        src = ROOT / "examples" / "plugin-driver"
        name = (
            subprocess.run(
                [sys.executable, "-c", build, str(plugins)],
                cwd=src,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        print(f"plugin wheel: {name}")
        env = {**os.environ, "TWINBENCH_PLUGIN_DIR": str(plugins), "QT_QPA_PLATFORM": "offscreen"}
        exe = executable(dist)
        listing = subprocess.run([exe, "drivers", "list"], capture_output=True, text=True, env=env)
        line = next((x for x in listing.stdout.splitlines() if x.startswith("sysmon:")), "")
        print(f"drivers list: {line or listing.stdout[-500:] + listing.stderr[-500:]}")
        if "[plugin folder:" not in line:
            return False
        summary = Path(tmp) / "s.json"
        cmd = [exe, "run", "--headless", "--driver", "sysmon", "--set", "rate=20"]
        if not run([*cmd, "--duration", "2", "--summary", str(summary)], env):
            return False
        count = json.loads(summary.read_text())["devices"]["host"]["channels"]["cpu"]["count"]
        print(f"plugin streamed {count} samples of cpu")
        return count > 0


def check_sql_addon(dist: Path, addons: Path) -> bool:
    """Record with the bundle; `sql` says how to add DuckDB, then works with its wheel added."""
    wheels = sorted(addons.glob("duckdb-*.whl"))
    if not wheels:
        print(f"FAIL no DuckDB add-on wheel in {addons}")
        return False
    exe = executable(dist)
    with tempfile.TemporaryDirectory() as tmp:
        plugins, rec = Path(tmp) / "plugins", Path(tmp) / "rec"
        plugins.mkdir()
        env = {**os.environ, "TWINBENCH_PLUGIN_DIR": str(plugins), "QT_QPA_PLATFORM": "offscreen"}
        cmd = [exe, "run", "--headless", "--driver", "sim", "--duration", "1", "--record", str(rec)]
        if not run(cmd, env):
            return False
        session = str(next(p for p in rec.iterdir() if p.is_dir()))
        query = [exe, "sql", session, "SELECT count(*) AS n FROM samples", "--format", "csv"]
        r = subprocess.run(query, capture_output=True, text=True, env=env, timeout=120)
        if r.returncode != 2 or str(plugins) not in r.stderr:
            print(f"FAIL without the add-on: exit {r.returncode}, {r.stderr[-500:]}")
            return False
        print(f"ok   without the add-on: {r.stderr.strip()[:120]}...")
        shutil.copy(wheels[-1], plugins)
        r = subprocess.run(query, capture_output=True, text=True, env=env, timeout=120)
        rows, name = r.stdout.split(), wheels[-1].name
        if r.returncode != 0 or rows[:1] != ["n"] or int(rows[1]) <= 0:
            print(f"FAIL with {name}: exit {r.returncode}, {(r.stdout + r.stderr)[-800:]}")
            return False
        print(f"ok   with {name}: {rows[1]} samples")
        return True


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dist", type=Path)
    p.add_argument("--max-mb", type=float, default=None, help="fail when larger")
    p.add_argument("--deb", type=Path, default=None, help="build the .deb here and test it")
    p.add_argument("--plugin", action="store_true", help="stream from the example plugin wheel")
    p.add_argument("--addons", type=Path, default=None, help="query with the DuckDB add-on here")
    args = p.parse_args(argv)
    ok = run([executable(args.dist), "--selftest"])
    if ok and args.max_mb is not None:
        ok = check_size(args.dist, args.max_mb)
    if ok and args.deb is not None:
        ok = check_deb(args.dist, args.deb)
    if ok and args.plugin:
        ok = check_plugin(args.dist)
    if ok and args.addons is not None:
        ok = check_sql_addon(args.dist, args.addons)
    print("bundle checks passed" if ok else "bundle checks FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
