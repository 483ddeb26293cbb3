"""Checksum check values over b'123456789' (CRC RevEng catalogue) and vectorised rows."""

import numpy as np
import pytest

from twinbench.decode.checksums import NAMES, canonical, compute, compute_rows

CHECK = {
    "xor-8": 0x31,
    "mod-256": 0xDD,
    "crc-8/smbus": 0xF4,
    "crc-8/nrsc-5": 0xF7,
    "crc-16/arc": 0xBB3D,
    "crc-16/modbus": 0x4B37,
    "crc-16/ibm-3740": 0x29B1,
    "crc-16/xmodem": 0x31C3,
    "crc-16/kermit": 0x2189,
    "fletcher-16": 0x1EDE,
    "crc-32/iso-hdlc": 0xCBF43926,
    "adler-32": 0x091E01DE,
}


@pytest.mark.parametrize("name", sorted(CHECK))
def test_check_value(name):
    assert compute(name, b"123456789") == CHECK[name]


def test_every_algorithm_has_a_check_value():
    assert set(NAMES) == set(CHECK)


@pytest.mark.parametrize("name", sorted(CHECK))
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8, 33])
def test_rows_match_one_at_a_time(name, length):
    rng = np.random.default_rng(length)
    rows = rng.integers(0, 256, size=(17, length), dtype=np.uint8)
    got = compute_rows(name, rows)
    assert [int(g) for g in got] == [compute(name, r.tobytes()) for r in rows]
    assert compute_rows(name, rows[:0]).shape == (0,)


def test_serial_studio_names():
    assert canonical("CRC-16-CCITT") == "crc-16/xmodem"
    assert canonical("CRC-16") == "crc-16/ibm-3740"
    assert canonical("CRC-8") == "crc-8/nrsc-5"
    with pytest.raises(KeyError):
        canonical("crc-99")
