"""A binary struct must fill its frame: short frames are malformed before the checksum test."""

import struct

import pytest

from twinbench.decode.checksums import compute
from twinbench.decode.pipeline import PipelineError, make_pipeline

FIELDS = [{"name": "seq", "type": "uint16"}] + [{"name": n, "type": "float32"} for n in "xyz"]
COBS = {
    "framing": {"type": "cobs"},
    "checksum": {"type": "crc-16/xmodem", "endian": "big"},
    "decoder": {"type": "binary", "sequence": "seq", "fields": FIELDS},
}


def cobs_encode(data: bytes) -> bytes:
    """COBS (Cheshire & Baker), written out here independently of the decoder under test."""
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block.clear()
            continue
        block.append(b)
        if len(block) == 254:
            out += b"\xff" + block
            block.clear()
    return bytes(out + bytes([len(block) + 1]) + block)


def cobs_frame(body: bytes) -> bytes:
    return cobs_encode(body + compute("crc-16/xmodem", body).to_bytes(2, "big")) + b"\x00"


def good(seq: int) -> bytes:
    return cobs_frame(struct.pack("<Hfff", seq, 1.5, -2.0, 3.25))


def test_short_cobs_noise_is_malformed_not_a_checksum_error():
    p = make_pipeline(COBS)
    noise = cobs_encode(b"\x01\x02\x03\x04\x05\x06\x07") + b"\x00"  # valid COBS, 7 bytes
    c = p.feed(good(0) + noise + good(1), 1)
    assert c.column("seq").tolist() == [0, 1]
    assert p.stats.malformed == 1 and p.stats.checksum_errors == 0


def test_frame_longer_than_the_struct_is_malformed_not_shifted():
    p = make_pipeline(COBS)
    long = cobs_frame(struct.pack("<Hfff", 7, 1.5, -2.0, 3.25) + b"\x00\x00\x00\x00")
    c = p.feed(good(0) + long + good(1), 1)
    assert c.column("seq").tolist() == [0, 1]
    assert c.column("x").tolist() == [1.5, 1.5]
    assert p.stats.malformed == 1 and p.stats.checksum_errors == 0


def test_trailing_pad_counts_in_the_struct_size():
    sec = {**COBS, "decoder": {**COBS["decoder"], "fields": [*FIELDS, {"type": "pad", "size": 2}]}}
    p = make_pipeline(sec)
    c = p.feed(cobs_frame(struct.pack("<Hfff", 3, 1.0, 2.0, 3.0) + b"\x00\x00"), 1)
    assert c.column("seq").tolist() == [3] and p.stats.malformed == 0


@pytest.mark.parametrize("length", [12, 17, 20])
def test_fixed_frame_and_struct_sizes_must_agree(length):
    sec = {**COBS, "framing": {"type": "fixed", "start": "C0 DE", "hex": True, "length": length}}
    with pytest.raises(PipelineError) as exc:
        make_pipeline(sec)
    assert exc.value.key == "decoder.fields"
    assert "14 bytes" in str(exc.value)
    ok = {**sec, "framing": {**sec["framing"], "length": 2 + 14 + 2}}
    make_pipeline(ok)
