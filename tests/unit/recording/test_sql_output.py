"""`twinbench sql` output without pandas: CSV that round-trips, aligned text columns."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from twinbench.cli.sql_cmd import csv_text, text_table


def _table() -> pa.Table:
    t0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    return pa.table(
        {
            "channel": ["temp", 'say "hi", twice', "rpm"],
            "value": [0.1 + 0.2, float("nan"), -1234.5],
            "n": pa.array([3, None, 7], pa.int64()),
            "time": pa.array([t0] * 3, pa.timestamp("ns", "UTC")),
        }
    )


def test_csv_quotes_only_where_needed_and_doubles_round_trip():
    text = csv_text(_table())
    lines = text.splitlines()
    assert lines[0] == "channel,value,n,time"
    # one value holds a quote and a comma: strings are quoted (all of them, as Arrow writes)
    assert lines[1].startswith('"temp",0.30000000000000004,3,2026-12-07 08:00:00')
    back = pacsv.read_csv(io.BytesIO(text.encode()))
    assert back.column("channel").to_pylist() == _table().column("channel").to_pylist()
    assert back.column("value").to_pylist()[0] == 0.1 + 0.2
    nan = back.column("value")[1].as_py()
    assert nan is None or np.isnan(nan)  # NaN is written as "nan", which readers take as null
    assert back.column("n").to_pylist() == [3, None, 7]


def test_csv_of_plain_values_has_no_quotes():
    assert csv_text(pa.table({"n": [42]})) == "n\n42\n"


def test_text_table_aligns_numbers_right_and_text_left():
    out = text_table(_table(), 2).splitlines()
    assert len(out) == 3  # header + the first 2 rows
    assert out[0].split() == ["channel", "value", "n", "time"]
    assert out[1].startswith("temp ") and "NULL" in out[2]
    width = len('say "hi", twice')
    assert out[1][width + 1 :].lstrip().startswith("0.3")  # right-aligned under "value"
    assert text_table(pa.table({}), 5) == "(no columns)"


def test_csv_writes_nested_and_interval_values_as_json_text():
    t = pa.table(
        {
            "l": pa.array([[1, 2], None], pa.list_(pa.int32())),
            "s": pa.array([{"a": 1, "b": "x,y"}, {"a": 2, "b": None}]),
            "m": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int32())),
            "i": pa.array([pa.MonthDayNano([0, 3, 0]), None], pa.month_day_nano_interval()),
            "v": [1.5, 2.5],
        }
    )
    convert = pacsv.ConvertOptions(strings_can_be_null=True)
    back = pacsv.read_csv(io.BytesIO(csv_text(t).encode()), convert_options=convert)
    assert back.column_names == ["l", "s", "m", "i", "v"]
    assert back.column("l").to_pylist() == ["[1, 2]", None]
    assert back.column("s").to_pylist() == ['{"a": 1, "b": "x,y"}', '{"a": 2, "b": null}']
    assert back.column("m").to_pylist() == ['[["k", 1]]', "[]"]
    assert back.column("i").to_pylist() == ["[0, 3, 0]", None]
    assert back.column("v").to_pylist() == [1.5, 2.5]
