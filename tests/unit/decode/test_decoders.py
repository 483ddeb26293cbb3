"""Decoders through make_pipeline: text protocols, binary structs, checksums, bad input."""

import struct

import numpy as np
import pytest

from twinbench.decode.checksums import compute
from twinbench.decode.pipeline import PipelineError, make_pipeline

TEXT = {"framing": {"type": "start_end", "start": "$", "end": ";"}, "decoder": {"type": "csv"}}


def test_csv_text_frames_one_chunk_per_buffer():
    p = make_pipeline(TEXT, "imu")
    data = b"".join(f"${i},{i * 2},-{i}.5,1e3,0,0,25.{i};".encode() for i in range(10))
    c = p.feed(data, 1_000_000_000)
    assert len(c) == 10 and c.device == "imu"
    assert c.values[3].tolist() == [3, 6, -3.5, 1000, 0, 0, 25.3]
    assert np.all(np.diff(c.t_ns) >= 0) and c.t_ns[-1] == 1_000_000_000


def test_csv_bad_values_counted_and_skipped():
    p = make_pipeline(TEXT)
    c = p.feed(b"$1,2;$1,x;$nan,1;$inf,2;$3,4,5;$\xff\xfe,1;$5,6;", 1)
    assert c.values.tolist() == [[1, 2], [5, 6]]
    assert p.stats.malformed == 5
    assert p.stats.frames == 2


def test_csv_header_names_columns():
    p = make_pipeline({"framing": {"type": "end"}, "decoder": {"type": "csv"}})
    c = p.feed(b"time,temp\n1,20.5\n2,21\n", 1)
    assert c.channels == ("time", "temp") and c.values.tolist() == [[1, 20.5], [2, 21]]


def test_quickplot_labels_bare_values_and_header():
    p = make_pipeline({"framing": {"type": "end"}, "decoder": {"type": "quickplot"}})
    c = p.feed(b"a:1 b:2\r\na:3 b:4\r\n", 1)
    assert c.channels == ("a", "b") and c.values.tolist() == [[1, 2], [3, 4]]
    c = p.feed(b"1 2 3\n4\t5\t6\n7,8,9\n", 2)
    assert c.values.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    c = p.feed(b"x y z\n1,2,3\n", 3)
    assert c.channels == ("x", "y", "z")
    c = p.feed(b"t:1,h:2\nt:1,h:2\nt:1,h:2\nt:3\n", 4)  # new labels once seen 3 times
    assert c.channels == ("t", "h") and len(c) == 2
    assert c.values[1, 0] == 3 and np.isnan(c.values[1, 1])


def test_keyvalue():
    p = make_pipeline({"framing": {"type": "end"}, "decoder": {"type": "keyvalue"}})
    c = p.feed(b"temp=21.5 hum=40\ntemp=22 hum=41\n", 1)
    assert c.channels == ("temp", "hum") and c.values.tolist() == [[21.5, 40], [22, 41]]


def test_json_lines_flatten_and_bad_lines():
    p = make_pipeline({"framing": {"type": "end"}, "decoder": {"type": "jsonl"}})
    c = p.feed(b'{"a":1,"b":{"c":2},"s":"x"}\n{"a":3,"b":{"c":4}}\n', 1)
    assert c.channels == ("a", "b.c") and c.values.tolist() == [[1, 2], [3, 4]]
    c = p.feed(b'{"a":5}\nnot json\n[1,2]\n\xff\n', 2)
    assert c.values.tolist() == [[5]]
    assert p.stats.malformed == 3


def frame(seq, a, v):
    body = struct.pack(">BBi", seq, a, v)
    return b"\xc0\xde" + body + compute("crc-16/xmodem", body).to_bytes(2, "big")


BIN = {
    "framing": {"type": "fixed", "start": "C0 DE", "hex": True, "length": 10},
    "checksum": {"type": "crc-16/xmodem"},
    "decoder": {
        "type": "binary",
        "endian": "big",
        "sequence": "seq",
        "fields": [
            {"name": "seq", "type": "uint8"},
            {"name": "a", "type": "uint8", "scale": 0.5, "offset": 1},
            {"name": "v", "type": "int32"},
        ],
    },
}


def test_binary_struct_checksum_and_sequence_gaps():
    p = make_pipeline(BIN)
    stream = frame(0, 1, -5) + frame(1, 2, 7) + frame(3, 4, 9) + frame(4, 0, 0)[:-1] + b"x"
    stream += frame(5, 6, 100) + frame(6, 1, 1)[:5]
    c = p.feed(stream, 1)
    assert c.values.tolist() == [[0, 1.5, -5], [1, 2, 7], [3, 3, 9], [5, 4, 100]]
    assert p.stats.checksum_errors == 1
    assert p.stats.sequence_gaps == 2 and p.stats.missing_frames == 2
    c = p.feed(frame(6, 1, 1)[5:] + frame(7, 2, 2), 2)
    assert c.column("seq").tolist() == [6, 7]


@pytest.mark.parametrize(
    ("ftype", "fmt"),
    [
        ("int8", "b"),
        ("uint8", "B"),
        ("int16", "h"),
        ("uint16", "H"),
        ("int32", "i"),
        ("uint32", "I"),
        ("int64", "q"),
        ("uint64", "Q"),
        ("float32", "f"),
        ("float64", "d"),
    ],
)
@pytest.mark.parametrize("endian", ["little", "big"])
def test_binary_types_and_endianness(ftype, fmt, endian):
    p = make_pipeline(
        {
            "framing": {"type": "fixed", "length": struct.calcsize(fmt) + 1},
            "decoder": {
                "type": "binary",
                "endian": endian,
                "fields": [{"name": "pad", "type": "pad", "size": 1}, {"name": "x", "type": ftype}],
            },
        }
    )
    order = "<" if endian == "little" else ">"
    vals = [0, 1, 100] if ftype.startswith("u") else [0, -1, 100]
    c = p.feed(b"".join(b"\xee" + struct.pack(order + fmt, v) for v in vals), 1)
    assert c.channels == ("x",) and c.values[:, 0].tolist() == vals


def test_channels_scale_offset_and_source():
    p = make_pipeline(
        {
            "framing": {"type": "end"},
            "decoder": {"type": "csv", "names": ["raw", "other"]},
            "channels": [{"name": "volts", "source": "raw", "scale": 0.5, "offset": -1}],
        }
    )
    assert p.feed(b"4,9\n", 1).values.tolist() == [[1.0]]


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"framing": {"type": "zig"}}, "framing.type"),
        ({"decoder": {"type": "yaml"}}, "decoder.type"),
        ({"checksum": {"type": "crc-99"}}, "checksum.type"),
        ({"framing": {"type": "fixed"}}, "framing.length"),
        ({"framing": {"type": "start_end", "start": "$"}}, "framing.start_end"),
        ({"framing": {"type": "start", "start": "ZZ", "hex": True}}, "framing.start"),
        ({"decoder": {"type": "binary"}}, "decoder.fields"),
        (
            {"decoder": {"type": "binary", "fields": [{"name": "a", "type": "int3"}]}},
            "decoder.fields[0].type",
        ),
        ({"channels": [{"unit": "V"}]}, "channels[0].name"),
    ],
)
def test_bad_sections_name_the_key(section, key):
    with pytest.raises(PipelineError) as exc:
        make_pipeline(section)
    assert exc.value.key == key


def test_oversize_text_frame_is_capped():
    p = make_pipeline({"framing": {"type": "end", "max_frame": 64}, "decoder": {"type": "csv"}})
    assert p.feed(b"1" * 1000, 1) is None
    assert p.framer.pending <= 64
    c = p.feed(b"2\n3\n", 2)
    assert c.values.tolist() == [[3]]
    assert p.stats.oversize == 1


def test_message_framing_one_feed_one_frame():
    p = make_pipeline(
        {"framing": {"type": "message", "max_frame": 32}, "decoder": {"type": "jsonl"}}
    )
    assert p.feed(b'{"t": 21.5, "h": {"rel": 40}}', 5).values.tolist() == [[21.5, 40]]
    assert p.feed(b'{"t": 22}', 6).values.tolist() == [[22]]
    assert p.feed(b'{"t": 1, "pad": "' + b"x" * 40 + b'"}', 7) is None
    assert p.stats.oversize == 1 and p.framer.pending == 0
