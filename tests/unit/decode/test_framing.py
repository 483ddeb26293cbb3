"""Framers: delimiters, fixed, length-prefixed, COBS, SLIP; resync, oversize, split reads."""

import numpy as np
import pytest

from twinbench.decode import framing as F
from twinbench.decode.frames import LossStats


def frames_of(fr):
    return [fr.buf[s : s + n].tobytes() for s, n in zip(fr.starts, fr.lengths, strict=True)]


def feed_bytewise(framer, data):
    out = []
    for i in range(len(data)):
        out += frames_of(framer.feed(data[i : i + 1]))
    return out


def cobs_encode(data: bytes) -> bytes:
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out += b"\xff" + block
                block = bytearray()
    return bytes(out + bytes([len(block) + 1]) + block)


def slip_encode(data: bytes) -> bytes:
    return data.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc") + b"\xc0"


def test_end_delimiter_split_anywhere():
    data = b"1,2\n3,4\r\n\n5,6\n7"
    st = LossStats()
    assert feed_bytewise(F.EndFramer(b"\n", st), data) == [b"1,2", b"3,4\r", b"5,6"]
    st2 = LossStats()
    fr = F.EndFramer(b"\r\n", st2)
    assert frames_of(fr.feed(b"a\r")) == []
    assert frames_of(fr.feed(b"\nb\r\n")) == [b"a", b"b"]


def test_end_oversize_is_capped_and_counted():
    st = LossStats()
    fr = F.EndFramer(b"\n", st, max_frame=8)
    assert frames_of(fr.feed(b"x" * 20)) == []
    assert fr.pending <= 8
    assert frames_of(fr.feed(b"yyy\nok\n")) == [b"ok"]
    assert st.oversize == 1
    assert st.resync_bytes == 24


def test_start_end_resyncs_on_garbage():
    st = LossStats()
    fr = F.StartEndFramer(b"$", b";", st)
    assert frames_of(fr.feed(b"junk$1,2$3,4;$5;;xx$6")) == [b"3,4", b"5"]
    assert frames_of(fr.feed(b",7;")) == [b"6,7"]
    assert st.resync_bytes == 4 + 4 + 1 + 2


def test_start_only_between_starts():
    st = LossStats()
    fr = F.StartFramer(b"\xaa", st)
    assert frames_of(fr.feed(b"zz\xaa12\xaa345\xaa6")) == [b"12", b"345"]
    assert st.resync_bytes == 2


def test_start_with_length_recovers_from_a_short_frame():
    st = LossStats()
    fr = F.StartFramer(b"\xc0\xde", st, length=4)
    data = b"zz\xc0\xde1234\xc0\xde5678\xc0\xde12\xc0\xdeabcd\xc0\xde"
    assert frames_of(fr.feed(data)) == [b"1234", b"5678", b"abcd"]
    assert st.truncated == 1
    # byte by byte the short frame cannot be told from a good one until a checksum rejects it
    got = feed_bytewise(F.StartFramer(b"\xc0\xde", LossStats(), 4), data)
    assert got[:2] == [b"1234", b"5678"]


def test_fixed_length_across_reads():
    fr = F.FixedFramer(3, LossStats())
    assert frames_of(fr.feed(b"abcd")) == [b"abc"]
    assert frames_of(fr.feed(b"efghi")) == [b"def", b"ghi"]


def test_length_prefixed_with_sync_and_varying_lengths():
    st = LossStats()
    fr = F.LengthFramer(st, sync=b"\xaa")
    data = b"\xaa\x02ab\xaa\x02cd\xaa\x03efg\x00\xaa\x01h\xaa\x05"
    assert frames_of(fr.feed(data)) == [b"ab", b"cd", b"efg", b"h"]
    assert st.resync_bytes == 1
    assert frames_of(fr.feed(b"12345")) == [b"12345"]


def test_length_prefixed_big_endian_two_bytes():
    fr = F.LengthFramer(LossStats(), size=2, endian="big")
    assert frames_of(fr.feed(b"\x00\x03abc\x00\x01z")) == [b"abc", b"z"]


MESSAGES = [b"\x00", b"ab\x00cd", b"hello", bytes(range(1, 256)) * 2, b"\x00\x00\x01", b"xyz"]


def test_cobs_round_trip_in_order():
    st = LossStats()
    data = b"".join(cobs_encode(m) + b"\x00" for m in MESSAGES)
    assert frames_of(F.CobsFramer(st).feed(data)) == MESSAGES
    assert feed_bytewise(F.CobsFramer(LossStats()), data) == MESSAGES


def test_cobs_broken_chain_is_malformed():
    st = LossStats()
    assert frames_of(F.CobsFramer(st).feed(b"\x05ab\x00\x03xy\x00")) == [b"xy"]
    assert st.malformed == 1


def test_slip_round_trip_and_bad_escape():
    st = LossStats()
    msgs = [b"a\xc0b", b"\xdb\xdbx", b"plain"]
    data = b"".join(slip_encode(m) for m in msgs) + b"\xdb\x01\xc0"
    assert frames_of(F.SlipFramer(st).feed(data)) == msgs
    assert st.malformed == 1


def test_reset_counts_the_unfinished_frame():
    st = LossStats()
    fr = F.EndFramer(b"\n", st)
    fr.feed(b"1,2\n3,")
    fr.reset()
    assert st.truncated == 1 and fr.pending == 0


@pytest.mark.parametrize("pattern", [b"\n", b"\r\n", b"ab"])
def test_find_all_matches_bytes_find(pattern):
    from twinbench.decode.frames import find_all

    data = b"xxab\r\nab\nabab\n\r\n"
    arr = np.frombuffer(data, np.uint8)
    expect, pos = [], data.find(pattern)
    while pos >= 0:
        expect.append(pos)
        pos = data.find(pattern, pos + len(pattern))
    assert find_all(arr, pattern).tolist() == expect
