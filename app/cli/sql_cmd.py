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
        'value) and `events`. Example: twinbench sql REC/S1 "SELECT channel, avg(value) FROM '
        'samples GROUP BY channel"',
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
    df = table.to_pandas()
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(df.to_json(orient="records", date_format="iso"))
    else:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 50):
            print(df.head(args.max_rows).to_string(index=False))
        if len(df) > args.max_rows:
            print(f"... {len(df) - args.max_rows} more row(s)")
        print(f"({len(df)} row(s))")
    return 0
