"""Text layouts stay put: garbage is malformed; names change only with a header (board reset)."""

import numpy as np

from twinbench.decode.pipeline import make_pipeline

QP = {"framing": {"type": "end"}, "decoder": {"type": "quickplot"}}
CSV = {"framing": {"type": "end"}, "decoder": {"type": "csv"}}

GARBAGE = bytes(range(0x80, 0x100))[::7]  # high bytes, no digits, no separators


def feed_lines(p, lines, per_call=1):
    """Feed lines a few at a time (as a trickling port delivers them); return every chunk."""
    out = []
    for i in range(0, len(lines), per_call):
        c = p.feed(b"".join(lines[i : i + per_call]), i + 1)
        if c is not None:
            out.append(c)
    return out


def test_quickplot_garbage_line_is_malformed_and_never_renames():
    p = make_pipeline(QP)
    rows = [b"%d.5,%d.25,3\n" % (i, i) for i in range(30)]
    lines = [*rows[:10], GARBAGE + b"\n", *rows[10:20], b"\xc3\xa9\xff\xfe\n", *rows[20:]]
    for per_call in (1, 7, 100):
        p = make_pipeline(QP)
        chunks = feed_lines(p, lines, per_call)
        names = {c.channels for c in chunks}
        assert names == {("value1", "value2", "value3")}, names
        assert sum(len(c) for c in chunks) == 30
        assert p.stats.malformed == 2


def test_quickplot_identifier_header_renames_after_data():
    p = make_pipeline(QP)
    chunks = feed_lines(p, [b"1,2\n", b"3,4\n", b"temp hum\n", b"5,6\n"])
    assert chunks[-1].channels == ("temp", "hum")
    assert p.stats.malformed == 0


def test_quickplot_short_line_after_data_is_malformed_not_a_new_layout():
    p = make_pipeline(QP)
    lines = [b"1,2,3,4\n"] * 5 + [b"3,4\n"] + [b"1,2,3,4\n"] * 5
    chunks = feed_lines(p, lines)
    assert {c.channels for c in chunks} == {("value1", "value2", "value3", "value4")}
    assert p.stats.malformed == 1
    assert sum(len(c) for c in chunks) == 10


def test_quickplot_new_layout_that_persists_is_taken():
    p = make_pipeline(QP)
    chunks = feed_lines(p, [b"1,2\n"] * 3 + [b"1,2,3\n"] * 10)
    assert chunks[-1].channels == ("value1", "value2", "value3")
    assert p.stats.malformed < 3


def test_quickplot_garbage_label_is_malformed():
    p = make_pipeline(QP)
    chunks = feed_lines(p, [b"a:1 b:2\n"] * 3 + [b"\x9a\xfe:5 b:2\n"] + [b"a:1 b:2\n"] * 3)
    assert {c.channels for c in chunks} == {("a", "b")}
    assert p.stats.malformed == 1


def test_quickplot_truncated_label_after_data_is_malformed():
    p = make_pipeline(QP)
    chunks = feed_lines(p, [b"temp:1 hum:2\n"] * 3 + [b"mp:1 hum:2\n"] + [b"temp:1 hum:2\n"] * 3)
    assert {c.channels for c in chunks} == {("temp", "hum")}
    assert p.stats.malformed == 1


def test_csv_stray_line_is_malformed_and_later_rows_decode():
    p = make_pipeline(CSV)
    lines = [b"t,a,b\n"] + [b"%d,1,2\n" % i for i in range(5)] + [b"Booting, please wait\n"]
    lines += [b"%d,1,2\n" % i for i in range(5, 20)]
    for per_call in (1, 4, 100):
        p = make_pipeline(CSV)
        chunks = feed_lines(p, lines, per_call)
        assert {c.channels for c in chunks} == {("t", "a", "b")}
        assert np.concatenate([c.column("t") for c in chunks]).tolist() == list(range(20))
        assert p.stats.malformed == 1


def test_csv_identifier_line_with_other_width_is_malformed_unless_rows_follow():
    p = make_pipeline(CSV)
    chunks = feed_lines(p, [b"1,2,3\n", b"Booting,wait\n", b"4,5,6\n"])
    assert {c.channels for c in chunks} == {("value1", "value2", "value3")}
    assert p.stats.malformed == 1
    # a board reset: a real header with a new width, then rows of that width
    chunks = feed_lines(p, [b"x,y\n", b"7,8\n", b"9,10\n"])
    assert chunks[-1].channels == ("x", "y") and chunks[-1].values.tolist()[-1] == [9, 10]
    assert p.stats.malformed == 1


def test_channels_a_device_can_grow_are_capped():
    p = make_pipeline({**QP, "decoder": {"type": "quickplot", "max_channels": 8}})
    lines = [b"c%d:1\n" % (i // 3) for i in range(60)]  # each new label seen three times
    chunks = feed_lines(p, lines)
    names = {n for c in chunks for n in c.channels}
    assert len(names) == 8
    assert p.stats.channels_refused == 12
