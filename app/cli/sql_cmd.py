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
    if args.format == "csv":
        sys.stdout.write(csv_text(table))
        return 0
    print(text_table(table, args.max_rows))
    if table.num_rows > args.max_rows:
        print(f"... {table.num_rows - args.max_rows} more row(s)")
    print(f"({table.num_rows} row(s))")
    return 0


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_writable(table: Any) -> Any:
    """The table with the columns Arrow's CSV writer refuses (lists, structs, maps, unions,
    intervals) turned into text columns of JSON values."""
    import json

    import pyarrow as pa

    cols = []
    for col in table.columns:
        if pa.types.is_nested(col.type) or pa.types.is_interval(col.type):
            col = pa.array(
                [None if v is None else json.dumps(_plain(v)) for v in col.to_pylist()],
                pa.string(),
            )
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def csv_text(table: Any) -> str:
    """The table as CSV: quotes only where needed, doubles exact, times in ISO 8601, nested
    values (lists, structs) as JSON text."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = _csv_writable(table)
    out = io.BytesIO()
    try:  # plain fields; a value holding a comma, quote or newline needs quoting
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    except pa.ArrowInvalid:
        out = io.BytesIO()
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False))
    header = ",".join(_csv_field(n) for n in table.column_names)
    return header + "\n" + out.getvalue().decode("utf-8")


def _cell(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v)


def text_table(table: Any, max_rows: int) -> str:
    """The first `max_rows` rows as aligned text columns (numbers to the right)."""
    import pyarrow as pa

    head = table.slice(0, max(max_rows, 0))
    columns = []
    for name, col in zip(table.column_names, head.columns, strict=True):
        cells = [_cell(v) for v in col.to_pylist()]
        width = max([len(name), *map(len, cells)])
        numeric = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
        just = str.rjust if numeric else str.ljust
        columns.append([just(name, width), *(just(c, width) for c in cells)])
    if not columns:
        return "(no columns)"
    return "\n".join(" ".join(row).rstrip() for row in zip(*columns, strict=True))


def _plain(v: Any) -> Any:
    """A value as JSON data: NaN/inf null, times ISO 8601, bytes hex, the rest as text."""
    import datetime as dt
    import math

    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v if v is None or isinstance(v, bool | int | float | str) else str(v)


def json_records(table: Any) -> str:
    """Rows as a JSON array of objects: doubles round-trip exactly, times in ISO 8601, NaN null."""
    import json

    return json.dumps([{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()])
