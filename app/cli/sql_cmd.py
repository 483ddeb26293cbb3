"""`twinbench sql`: SQL (DuckDB) over recorded sessions, no export needed."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `sql` and its options."""
    p = subs.add_parser(
        "sql",
        help="query recorded sessions with SQL (DuckDB)",
        description="Run a SQL query over one or more sessions. Views: one per device "
        "(time, session, one column per channel), `samples` (time, session, device_id, channel, "
        "value), `events` and `counters` (session, source, counter, value: loss and driver "
        "counters). JSON output keeps doubles exact (17 significant digits). Example: "
        'twinbench sql REC/S1 "SELECT channel, avg(value) FROM samples GROUP BY channel"',
    )
    p.add_argument("args", nargs="+", metavar="SESSION... QUERY", help="sessions, then the query")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--max-rows", type=int, default=100, help="rows printed in table form")


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench sql`."""
    import sys

    from twinbench.errors import UsageError
    from twinbench.recording.sql import query

    if len(args.args) < 2:
        raise UsageError("sql: give at least one SESSION and then the QUERY")
    *sessions, sql = args.args
    table = query(sessions, sql)
    from twinbench.recording.session import open_session

    for s in sessions:
        if not open_session(s).devices:
            print(
                f"twinbench: note: {s}: the session is empty (no samples were recorded)",
                file=sys.stderr,
            )
    if args.format == "json":
        print(json_records(table))
        return 0
    df = table.to_pandas()
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False, float_format="%.17g")
    else:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 50):
            print(df.head(args.max_rows).to_string(index=False))
        if len(df) > args.max_rows:
            print(f"... {len(df) - args.max_rows} more row(s)")
        print(f"({len(df)} row(s))")
    return 0


def json_records(table: Any) -> str:
    """Rows as a JSON array of objects: doubles round-trip exactly, times in ISO 8601, NaN null."""
    import datetime as dt
    import json
    import math

    def plain(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dt.datetime | dt.date | dt.time):
            return v.isoformat()
        if isinstance(v, dt.timedelta):
            return v.total_seconds()
        if isinstance(v, bytes):
            return v.hex()
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        return v if v is None or isinstance(v, bool | int | float | str) else str(v)

    return json.dumps([{k: plain(v) for k, v in row.items()} for row in table.to_pylist()])
