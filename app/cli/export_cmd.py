"""`twinbench export`: sessions to Parquet or CSV, one file or a Hive-partitioned dataset."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `export` and its options."""
    p = subs.add_parser(
        "export",
        help="export recorded sessions to Parquet or CSV",
        description="Export one or more recorded sessions. Without --partition, --out is one "
        "file; with it, --out is a dataset folder (key=value/part-*.parquet) that Spark, "
        "Databricks, DuckDB, pandas/pyarrow and Polars read unchanged, with the channels table "
        "(units, sources) in _channels.pq beside the data. --format delta appends to a Delta "
        "Lake table. Ctrl-C cancels and removes the partial output.",
    )
    p.add_argument("sessions", nargs="+", metavar="SESSION", help="session folder(s)")
    p.add_argument(
        "--format",
        choices=("parquet", "csv", "delta"),
        default="parquet",
        help="parquet (default), csv, or delta (appends to a Delta Lake table; needs deltalake)",
    )
    p.add_argument("--out", required=True, metavar="PATH", help="output file or dataset folder")
    p.add_argument(
        "--partition",
        default="",
        metavar="KEYS",
        help="comma list of date,device_id,session (Hive folders date=, safe_device_id=, "
        "safe_session=; the exact ids stay in the device_id and session columns)",
    )
    p.add_argument("--from", dest="t_from", metavar="T", help="ISO time (UTC) or seconds")
    p.add_argument("--to", dest="t_to", metavar="T", help="ISO time (UTC) or seconds, exclusive")
    p.add_argument("--channels", default="", metavar="A,B", help="only these channels")
    p.add_argument("--devices", default="", metavar="A,B", help="only these devices")
    p.add_argument(
        "--time-unit",
        choices=("ns", "us"),
        default="us",
        help="timestamp unit: us (default, read by Spark 3/4, Databricks, every engine) or ns "
        "(lossless, for pandas, pyarrow, DuckDB and Polars)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line")


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench export`."""
    from pathlib import Path

    from twinbench.recording.export import ExportOptions, export_sessions

    t0 = time.monotonic()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if args.quiet or (now - last[0] < 0.2 and done < total):
            return
        last[0] = now
        pct = 100.0 * done / total if total else 100.0
        print(f"\rexport: {pct:5.1f}% ({done:,}/{total:,} rows)", end="", file=sys.stderr)

    opts = ExportOptions(
        format=args.format,
        out=Path(args.out),
        partition=_split(args.partition),
        t_from=args.t_from,
        t_to=args.t_to,
        channels=_split(args.channels),
        devices=_split(args.devices),
        time_unit=args.time_unit,
        progress=progress,
    )
    try:
        res = export_sessions(args.sessions, opts)
    except KeyboardInterrupt:
        print("\nexport cancelled; partial output removed", file=sys.stderr)
        return 130
    if not args.quiet:
        print(file=sys.stderr)
    print(
        f"exported {res.rows:,} rows into {len(res.files)} file(s) under {args.out} "
        f"in {time.monotonic() - t0:.2f} s"
    )
    return 0
