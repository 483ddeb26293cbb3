"""Format detection for sniffed ports."""

import pytest

from twinbench.drivers.serial.simboard import encode
from twinbench.drivers.sim.model import RigModel
from twinbench.profiles.sniff import detect_format

IDX, VALS = RigModel(1000, 1, 9, ()).block(0, 40)


@pytest.mark.parametrize(
    ("fmt", "decoder", "end"),
    [
        ("quickplot", "quickplot", "\\r\\n"),
        ("csv", "csv", "\\n"),
        ("jsonl", "jsonl", "\\n"),
        ("keyvalue", "keyvalue", "\\n"),
    ],
)
def test_detects_text_protocols_from_mid_stream(fmt, decoder, end):
    data = encode(fmt, IDX, VALS)[13:-5]  # starts and ends mid-line, as a sniff does
    section, score = detect_format(data)
    assert section["decoder"]["type"] == decoder
    assert section["framing"]["end"] == end
    assert score > 0.9


@pytest.mark.parametrize("fmt", ["binary", "cobs"])
def test_binary_and_noise_are_not_guessed(fmt):
    assert detect_format(encode(fmt, IDX, VALS))[0] is None
    assert detect_format(bytes(range(256)) * 4)[0] is None
    assert detect_format(b"")[0] is None
