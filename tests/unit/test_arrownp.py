"""Arrow <-> numpy for numeric columns: no copy where the layout allows, nulls as NaN, offsets
of sliced arrays honoured, and never an import of pandas (pyarrow's own conversions import it,
~0.8 s the first time, a stall in whichever thread meets it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest

from twinbench.arrownp import from_numpy, to_numpy, valid


def test_a_plain_column_is_shared_not_copied_and_a_slice_starts_at_its_offset():
    values = np.arange(10.0)
    arr = from_numpy(values)
    out = to_numpy(arr)
    assert np.shares_memory(out, values) and out.dtype == np.float64
    assert to_numpy(arr.slice(3, 4)).tolist() == [3.0, 4.0, 5.0, 6.0]
    ints = from_numpy(np.arange(6, dtype=np.int16))
    assert to_numpy(ints.slice(4)).tolist() == [4, 5] and to_numpy(ints).dtype == np.int16


def test_nulls_become_nan_and_booleans_numbers_in_chunks_and_slices():
    arr = pa.array([1.5, None, 3.0, None, 5.0])
    assert np.array_equal(to_numpy(arr), [1.5, np.nan, 3.0, np.nan, 5.0], equal_nan=True)
    assert np.array_equal(to_numpy(arr.slice(1, 3)), [np.nan, 3.0, np.nan], equal_nan=True)
    assert valid(arr.slice(2)).tolist() == [True, False, True]
    ints = pa.array([7, None, 9], pa.int32())
    assert np.array_equal(to_numpy(ints), [7.0, np.nan, 9.0], equal_nan=True)
    flags = pa.chunked_array([pa.array([True, False]), pa.array([None, True])])
    assert np.array_equal(to_numpy(flags), [1.0, 0.0, np.nan, 1.0], equal_nan=True)
    assert to_numpy(pa.array([True, False, True]).slice(1)).tolist() == [0, 1]


def test_text_is_refused_by_name():
    with pytest.raises(TypeError, match="string"):
        to_numpy(pa.array(["a", "b"]))


def test_opening_data_files_and_decoding_text_frames_never_imports_pandas(tmp_path):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    t = pa.array(np.arange(4, dtype=np.int64) * 10**6, pa.timestamp("ns", tz="UTC"))
    table = pa.table({"time": t, "device_id": ["a", "b", None, "a"], "v": [1.0, None, 3.0, 4.0]})
    pq.write_table(table, tmp_path / "fleet.parquet")
    pq.write_table(table.drop(["device_id"]), tmp_path / "one.parquet")
    pacsv.write_csv(table.drop(["device_id"]), tmp_path / "one.csv")
    script = textwrap.dedent(
        f"""
        import sys
        from twinbench import datafile
        for name in ("fleet.parquet", "one.parquet", "one.csv"):
            blocks = datafile.load(datafile.inspect({str(tmp_path)!r} + "/" + name))
            assert sum(len(b.t_ns) for b in blocks) == 4, name
        from twinbench.decode.frames import LossStats
        from twinbench.decode.text import _csv_block
        assert _csv_block(b"1,2\\n3,\\n", ",", 2, LossStats()).shape == (2, 2)
        print("pandas" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_preload_imports_pandas_for_pyarrow_on_its_own_thread_once(tmp_path):
    script = textwrap.dedent(
        """
        import sys, threading
        seen = []
        class Spy:  # consulted for every import, whatever the route
            def find_spec(self, name, path=None, target=None):
                if name == "pandas":
                    seen.append(threading.current_thread().name)
        sys.meta_path.insert(0, Spy())
        from twinbench.arrownp import preload
        preload()
        preload()
        for t in threading.enumerate():
            if t.name == "twinbench-preload":
                t.join(60)
        print(seen, [t.name for t in threading.enumerate()])
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['twinbench-preload'] ['MainThread']"
