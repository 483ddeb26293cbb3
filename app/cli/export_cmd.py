"""`twinbench export`: sessions to Parquet or CSV, one file or a Hive-partitioned dataset."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from twinbench.cli.logopts import add_log_options, configure_from_args


def add_parser(subs: Any) -> None:
    """Declare `export` and its options."""
    p = subs.add_parser(
        "export",
        help="export recorded sessions to Parquet or CSV",
        description="Export one or more recorded sessions. Without --partition, --out is one "
        "file; with it, --out is a dataset folder (key=value/part-*.parquet) that Spark, "
        "Databricks, DuckDB, pandas/pyarrow and Polars read unchanged, with the channels table "
        "(units, sources) in its _channels/ folder. --format delta appends to a Delta "
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
    p.add_argument("--quiet", action="store_true", help="no progress line; log errors only")
    add_log_options(p, quiet=False)


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench export`."""
    from pathlib import Path

    from twinbench import runlog
    from twinbench.recording.export import ExportOptions, export_sessions

    configure_from_args(args)
    t0 = time.monotonic()
    last = [0.0]
    # a bar redrawn in place on a terminal; --progress: a line every 2 s (a CI log, JSON)
    bar = not args.quiet and not args.progress and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        pace = 0.2 if bar else 2.0
        if not (bar or args.progress) or (now - last[0] < pace and done < total):
            return
        last[0] = now
        pct = 100.0 * done / total if total else 100.0
        text = f"export: {pct:5.1f}% ({done:,}/{total:,} rows)"
        if bar:
            print(f"\r{text}", end="", file=sys.stderr)
        else:
            runlog.event(
                logging.INFO, "progress", text, percent=round(pct, 1), rows=done, total=total
            )

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
    if bar:
        print(file=sys.stderr)
    print(
        f"exported {res.rows:,} rows into {len(res.files)} file(s) under {args.out} "
        f"in {time.monotonic() - t0:.2f} s"
    )
    return 0
