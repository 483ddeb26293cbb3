"""Add-ons for the bundle: installed distributions repacked as wheels for the plugin folder.

The bundle leaves out what only some users need (DuckDB for SQL: 66 MB). `scripts/bundle` writes
those wheels to `dist/addons/`, built from the very files the bundle was tested with: the
distribution installed in the build environment, repacked with a fresh RECORD. A technician adds
one by dropping it into the plugin folder (`twinbench drivers list` shows where).

    python packaging/addons.py OUT_DIR [DIST ...]     (default: duckdb)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import zipfile
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

ADDONS = ("duckdb",)
# files an installer adds to .dist-info; they are not part of the wheel
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD", "uv_cache.json"}


def _wheel_name(name: str, version: str, tags: list[str]) -> str:
    """PEP 427 file name for a distribution with these `py-abi-plat` tags."""

    def join(i: int) -> str:
        return ".".join(dict.fromkeys(t.split("-")[i] for t in tags))

    safe = re.sub(r"[^\w\d.]+", "_", name)
    return f"{safe}-{version}-{join(0)}-{join(1)}-{join(2)}.whl"


def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def repack(dist_name: str, out_dir: Path) -> Path:
    """Write the installed distribution `dist_name` as a wheel into `out_dir`; returns its path."""
    try:
        dist = distribution(dist_name)
    except PackageNotFoundError:
        raise SystemExit(f"addons: {dist_name} is not installed in this environment") from None
    tags = [
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    if not tags:
        raise SystemExit(f"addons: {dist_name} has no WHEEL tags (not installed from a wheel)")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / _wheel_name(dist.metadata["Name"], dist.version, tags)
    record_name = ""
    rows = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(dist.files or [], key=str):
            parts = f.parts
            if "__pycache__" in parts or ".." in parts:
                continue
            if parts[0].endswith(".dist-info") and parts[-1] in _INSTALLER_FILES:
                if parts[-1] == "RECORD":
                    record_name = str(f)
                continue
            path = Path(str(dist.locate_file(f)))
            if not path.is_file():
                continue
            data = path.read_bytes()
            zf.writestr(str(f), data)
            rows.append(f"{f},{_hash(data)},{len(data)}")
        if not record_name:
            raise SystemExit(f"addons: {dist_name} has no RECORD")
        rows.append(f"{record_name},,")
        zf.writestr(record_name, "\n".join(rows) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("dists", nargs="*", default=list(ADDONS))
    args = p.parse_args(argv)
    for name in args.dists:
        wheel = repack(name, args.out)
        print(f"{wheel} ({wheel.stat().st_size / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
