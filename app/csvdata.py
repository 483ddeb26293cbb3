"""CSV files opened as data (File > Open data): Arrow's CSV reader, made lenient where real logs
are not clean. A column of numbers with some text in it (the header repeated where runs were
appended to one file, `ERR`, `--`) is read as numbers with that text as gaps, whether the text
is in the first block Arrow infers types from or further on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from twinbench.arrownp import is_text, to_numpy

BLOCK = 8 << 20  # bytes per block: Arrow infers the column types from the first one
MOSTLY = 0.5  # a text column whose filled cells are more than this share numbers is numbers
_NUMBER = (
    r"^\s*[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"
    r"|[nN][aA][nN]|[iI][nN][fF]([iI][nN][iI][tT][yY])?)\s*$"
)
_INTEGER = r"^\s*[-+]?\d+\s*$"
_ISO = r"^\s*\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?\s*(Z|[-+]\d\d:?\d\d)?\s*$"


@dataclass(frozen=True)
class CsvPlan:
    """How a CSV file is read: the schema its batches come in, and the columns read as text and
    converted (their type in `schema` is what they become)."""

    schema: pa.Schema
    lenient: tuple[str, ...] = ()


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def share(col: pa.Array, pattern: str) -> float:
    """The share of a text column's filled cells that match `pattern` (0 when none is filled)."""
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(col)
    # counted in numpy: a Python scalar in pc.* would import pandas; NaN (null) > 0 is False
    filled = int(np.sum(to_numpy(pc.utf8_length(trimmed)) > 0))
    if not filled:
        return 0.0
    hits = int(np.sum(to_numpy(pc.match_substring_regex(trimmed, pattern)) == 1))
    return hits / filled


def plan(path: Path) -> CsvPlan:
    """Arrow's types from the first block, with text columns that hold mostly numbers as float64
    and mostly ISO 8601 date-times as timestamps (read as text, converted batch by batch);
    raises pa.ArrowInvalid or OSError."""
    import pyarrow.csv as pacsv

    with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=BLOCK)) as reader:
        schema = reader.schema
        text = [f.name for f in schema if is_text(f.type)]
        lenient: dict[str, pa.DataType] = {}
        if text:
            try:
                first = reader.read_next_batch()
            except StopIteration:
                first = None
            for name in text if first is not None else ():
                col = first.column(name)  # type: ignore[union-attr]
                if share(col, _NUMBER) > MOSTLY:
                    lenient[name] = pa.float64()
                elif share(col, _ISO) > MOSTLY:
                    lenient[name] = pa.timestamp("ns")  # naive: UTC, as the zoned ones become
    fields = [pa.field(f.name, lenient.get(f.name, f.type)) for f in schema]
    return CsvPlan(pa.schema(fields), tuple(lenient))


def all_lenient(p: CsvPlan) -> CsvPlan:
    """The same plan with every number and time column read as text and converted: for a file
    whose text turns up after the first block (Arrow refuses such a block)."""
    names = [
        f.name
        for f in p.schema
        if f.name in p.lenient or _is_numeric(f.type) or pa.types.is_timestamp(f.type)
    ]
    return CsvPlan(p.schema, tuple(names))


def batches(source: Any, p: CsvPlan) -> Iterator[pa.RecordBatch]:
    """The file's rows batch by batch in `p.schema`: lenient columns converted, text that is not
    a number (or a date-time, for a time column) null."""
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in p.lenient})
    reader = pacsv.open_csv(
        source, read_options=pacsv.ReadOptions(block_size=BLOCK), convert_options=convert
    )
    want = {f.name: f.type for f in p.schema}
    for batch in reader:
        if not p.lenient:
            yield batch
            continue
        cols = [
            _convert(col, want[name]) if name in p.lenient else col
            for name, col in zip(batch.schema.names, batch.columns, strict=True)
        ]
        yield pa.RecordBatch.from_arrays(cols, schema=p.schema)


def text_times(col: pa.Array) -> pa.Array:
    """A text time column: ISO 8601 date-times as timestamp[ns] (UTC where they name no zone),
    or numbers as float64 (read as epoch or elapsed numbers are); other cells null."""
    if share(col, _ISO) >= share(col, _NUMBER):
        return _convert(col, pa.timestamp("ns"))
    return _convert(col, pa.float64())


def _convert(col: pa.Array, typ: pa.DataType) -> pa.Array:
    """Text cells as `typ` (numbers or date-times); cells that are not become null."""
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(col)
    pattern = (
        _ISO if pa.types.is_timestamp(typ) else _INTEGER if pa.types.is_integer(typ) else _NUMBER
    )
    keep = pc.match_substring_regex(trimmed, pattern)
    kept = pc.if_else(keep, trimmed, pa.nulls(len(col), pa.string()))
    try:
        return kept.cast(typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if not pa.types.is_timestamp(typ):
            raise
        # date-times in several zones or none: as UTC where they name one, else as written
        return _iso_any(kept, typ)


def _iso_any(col: pa.Array, typ: pa.DataType) -> pa.Array:
    import pyarrow.compute as pc

    zoned = pc.match_substring_regex(col, r"(Z|[-+]\d\d:?\d\d)$")
    utc = pa.timestamp(typ.unit, "UTC")
    plain = pa.timestamp(typ.unit)
    none_s = pa.nulls(len(col), pa.string())
    a = pc.if_else(zoned, col, none_s).cast(utc).cast(plain)
    b = pc.if_else(zoned, none_s, col).cast(plain)
    return pc.coalesce(a, b).cast(typ)
