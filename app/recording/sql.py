"""The warm path: DuckDB over recorded sessions, with a view per device and a `samples` view."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from twinbench.recording.format import SessionError
from twinbench.recording.session import open_session


def view_name(device: str) -> str:
    """The SQL view name of a device (letters, digits and _; quoted when used)."""
    name = re.sub(r"\W+", "_", device).strip("_") or "device"
    return name if not name[0].isdigit() else f"d_{name}"


def _session_col(n: int, sid: str) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([sid]))


def load_duckdb() -> Any:
    """The duckdb module: installed, or a wheel in the plugin folder (the bundle leaves it out)."""
    from twinbench.plugins import activate, plugins_dir

    activate()
    try:
        import duckdb
    except ImportError as exc:
        py = f"cp{sys.version_info[0]}{sys.version_info[1]}"
        raise SessionError(
            f"sql needs DuckDB, which is not installed here ({exc}). With Python: pip install "
            f"duckdb. In the bundled app: drop the DuckDB wheel for {py} on this platform (in "
            f"addons/ beside the bundle, or duckdb-*-{py}-*.whl from pypi.org) into the plugin "
            f"folder {plugins_dir()}, then run again"
        ) from None
    return duckdb


def connect(paths: Sequence[str | Path]) -> Any:
    """An in-memory DuckDB connection with views over the sessions' recorded data.

    Views: one per device (time, session, one column per channel), `samples` (time, session,
    device_id, channel, value) over every device, `events` (time, session, kind, device,
    message, data) and `counters` (session, source, counter, value): the loss and driver
    counters saved when each session closed.
    """
    duckdb = load_duckdb()
    con = duckdb.connect()
    by_view: dict[str, list[str]] = {}
    devices: dict[str, str] = {}
    events: list[str] = []
    counters: dict[str, list[Any]] = {"session": [], "source": [], "counter": [], "value": []}
    for i, path in enumerate(paths):
        s = open_session(path)
        for source, values in (s.meta.get("counters") or {}).items():
            for name, value in values.items():
                counters["session"].append(s.id)
                counters["source"].append(str(source))
                counters["counter"].append(str(name))
                counters["value"].append(int(value))
        for j, dev in enumerate(s.devices):
            t = s.device_table(dev)
            t = t.add_column(1, "session", _session_col(t.num_rows, s.id))
            reg = f"_s{i}_d{j}"
            con.register(reg, t)
            v = view_name(dev)
            if devices.setdefault(v, dev) != dev:
                raise SessionError(f"devices {devices[v]!r} and {dev!r} map to one view {v!r}")
            by_view.setdefault(v, []).append(reg)
        ev = s.events()
        ev = ev.add_column(1, "session", _session_col(ev.num_rows, s.id))
        con.register(f"_s{i}_events", ev)
        events.append(f"_s{i}_events")
    parts = []
    for v, regs in by_view.items():
        body = " UNION ALL BY NAME ".join(f"SELECT * FROM {r}" for r in regs)
        con.execute(f'CREATE VIEW "{v}" AS {body}')
        lit = devices[v].replace("'", "''")
        parts.append(
            f"SELECT time, session, '{lit}' AS device_id, channel, value FROM "
            f'(UNPIVOT "{v}" ON COLUMNS(* EXCLUDE (time, session)) INTO NAME channel VALUE value)'
        )
    if parts:
        con.execute("CREATE VIEW samples AS " + " UNION ALL ".join(parts))
    else:  # nothing recorded (e.g. killed before its first flush): an empty view, not an error
        con.execute(
            "CREATE VIEW samples AS SELECT NULL::TIMESTAMPTZ AS time, NULL::VARCHAR AS session, "
            "NULL::VARCHAR AS device_id, NULL::VARCHAR AS channel, NULL::DOUBLE AS value "
            "WHERE false"
        )
    con.execute("CREATE VIEW events AS " + " UNION ALL ".join(f"SELECT * FROM {e}" for e in events))
    schema = pa.schema(
        [("session", pa.string()), ("source", pa.string()), ("counter", pa.string()),
         ("value", pa.int64())]
    )  # fmt: skip
    con.register("_counters", pa.table(counters, schema=schema))
    con.execute("CREATE VIEW counters AS SELECT * FROM _counters")
    return con


def query(paths: Sequence[str | Path], sql: str) -> pa.Table:
    """Run one SQL statement over the sessions and return the result as an Arrow table."""
    duckdb = load_duckdb()
    con = connect(paths)
    try:
        rel = con.sql(sql)
        if rel is None:
            return pa.table({})
        for name in ("to_arrow_table", "fetch_arrow_table"):  # DuckDB 2 renamed it
            fetch = getattr(rel, name, None)
            if fetch is not None:
                return fetch()
        return rel.arrow()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SessionError(f"sql: {first}") from None
    finally:
        con.close()
