"""`twinbench export --format delta`: appends sessions to a Delta Lake table (delta-rs).

Databricks' native format. One table takes many exports and many headless instances: each export
is one append commit, and delta-rs retries a commit that raced another writer's, so no append is
lost (a commit that raced another writer's table creation or schema change is written again,
up to 20 times). The table is partitioned by the exact `device_id` and `session` values (Delta keeps
partition values in its log, typed, so no reader infers `007` as a number) and by UTC `date`.
Units go into each channel column's metadata (`unit`) and, with the sources, into each commit's
metadata (`twinbench.units`, `twinbench.source`: `DeltaTable.history()` shows them).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from twinbench.recording import format as fmt
from twinbench.recording.format import SessionError

if TYPE_CHECKING:
    from twinbench.recording.export import ExportOptions
    from twinbench.recording.session import Session

COMMIT_RETRIES = 50  # concurrent appenders: each retry re-reads the log and commits again
WRITE_ATTEMPTS = 20  # whole writes again after a conflict delta-rs does not retry itself


def _plain(table: pa.Table, with_date: bool) -> pa.Table:
    """Dictionary columns as plain strings (Delta has no dictionary type), plus `date`."""
    cols, fields = [], []
    for f, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_dictionary(f.type):
            col = col.cast(pa.string())
            f = pa.field(f.name, pa.string(), metadata=f.metadata)
        cols.append(col)
        fields.append(f)
    out = pa.Table.from_arrays(cols, schema=pa.schema(fields))
    if with_date:
        out = out.append_column("date", pc.cast(out.column(fmt.TIME), pa.date32()))
    return out


def write_delta(
    pieces: Sequence[tuple[Session, str, pa.Table]],
    opts: ExportOptions,
    partition: tuple[str, ...],
    metadata: dict[bytes, bytes],
) -> list[Path]:
    """Append every piece to the Delta table at `opts.out` in one commit; returns its folder."""
    try:
        from deltalake import CommitProperties, write_deltalake
    except ImportError:
        raise SessionError(
            "--format delta needs the deltalake package: pip install deltalake"
        ) from None
    from twinbench.recording.export import _concat

    table = _plain(_concat([t for _, _, t in pieces], {}), "date" in partition)
    units = json.loads(metadata[b"twinbench.units"])
    source = json.loads(metadata[b"twinbench.source"])
    if opts.progress is not None:
        opts.progress(0, table.num_rows)
    from deltalake.exceptions import CommitFailedError

    for attempt in range(WRITE_ATTEMPTS):
        try:
            write_deltalake(
                str(opts.out),
                table,
                mode="append",
                schema_mode="merge",
                partition_by=list(partition) or None,
                name="twinbench",
                description="TwinBench recordings: one row per sample, one column per channel",
                commit_properties=CommitProperties(
                    custom_metadata={
                        "twinbench.source": json.dumps(source),
                        "twinbench.units": json.dumps(units),
                    },
                    max_commit_retries=COMMIT_RETRIES,
                ),
            )
            break
        except CommitFailedError as exc:
            # delta-rs retries a plain append itself, but not one whose commit races another
            # writer's table creation or schema change ("Metadata changed since last commit"):
            # write again against the table as it is now
            if attempt == WRITE_ATTEMPTS - 1:
                raise SessionError(f"Delta table {opts.out}: {exc}") from None
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
        except OSError as exc:
            raise SessionError(f"cannot write the Delta table {opts.out}: {exc}") from None
        except Exception as exc:  # delta-rs raises its own errors (schema clash, ...)
            raise SessionError(f"Delta table {opts.out}: {exc}") from None
    if opts.progress is not None:
        opts.progress(table.num_rows, table.num_rows)
    return [Path(opts.out)]
