"""CSV files as real loggers write them, opened as data: runs appended to one file (the header
repeated), text such as ERR or -- in a column of numbers, before or after the block Arrow infers
types from, ISO 8601 times in several zones. Numbers stay numbers, text is a gap or an untimed
row, and nothing already read is lost."""

from __future__ import annotations

import numpy as np
import pytest

from twinbench import csvdata, datafile

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z


def _open(path):
    info = datafile.inspect(path)
    (blk,) = datafile.load(info)
    return info, blk


def test_runs_appended_with_their_header_again_read_as_one_series(tmp_path):
    path = tmp_path / "appended.csv"
    path.write_text("time_s,temp,rpm\n0,20,100\n1,21,110\ntime_s,temp,rpm\n2,22,120\n3,23,130\n")
    info, blk = _open(path)
    assert info.time_column == "time_s"
    assert blk.names == ("temp", "rpm") and blk.untimed == 1
    assert blk.t_ns.tolist() == [0, 10**9, 2 * 10**9, 3 * 10**9]
    assert blk.columns[0].tolist() == [20, 21, 22, 23] and blk.columns[1].tolist()[-1] == 130


def test_text_in_a_number_column_is_a_gap_and_a_text_column_is_left_out(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("time_ms,v,status\n0,1.5,OK\n10,ERR,FAULT\n20, -- ,OK\n30,4e0,OK\n40,-5,OK\n")
    _, blk = _open(path)
    assert blk.names == ("v",) and blk.untimed == 0
    assert np.array_equal(blk.columns[0], [1.5, np.nan, np.nan, 4.0, -5.0], equal_nan=True)


def test_text_that_turns_up_after_the_first_block_reads_the_file_again_leniently(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(csvdata, "BLOCK", 256)  # Arrow infers types from the first 256 bytes
    path = tmp_path / "late.csv"
    clean = "".join(f"{i},{i}.5\n" for i in range(100))
    path.write_text("time_ms,v\n" + clean + "100,ERR\ntime_ms,v\n101,7\n")
    info, blk = _open(path)
    assert info.csv.lenient == ()  # the first block was all numbers
    assert len(blk.t_ns) == 102 and blk.untimed == 1
    assert blk.t_ns[-1] == 101_000_000 and blk.columns[0][-1] == 7.0
    assert np.isnan(blk.columns[0][100]) and blk.columns[0][99] == 99.5


def test_iso_times_in_several_zones_with_a_header_repeated(tmp_path):
    path = tmp_path / "iso.csv"
    path.write_text(
        "time,v\n2026-01-01T00:00:00Z,1\ntime,v\n2026-01-01T01:00:01+01:00,2\n"
        "2026-01-01 00:00:02,3\n"
    )
    info, blk = _open(path)
    assert info.time_column == "time" and blk.untimed == 1
    assert blk.t_ns.tolist() == [T0, T0 + 10**9, T0 + 2 * 10**9]
    assert blk.columns[0].tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not a readable CSV file"),
        ("time,v\n", "no rows"),
        ("time,label\nx,y\n", "no row has a time in column 'time'"),
        ("name,label\nx,y\n", "no column of numbers; columns: name, label"),
    ],
)
def test_a_csv_with_no_rows_of_numbers_is_one_error_naming_the_file(tmp_path, text, says):
    from twinbench.errors import ConfigError

    path = tmp_path / "empty.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"empty.csv: {says}"):
        datafile.load(datafile.inspect(path))
