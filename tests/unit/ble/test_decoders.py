"""SIG and struct decoders: values, flags, wrong lengths and unknown flags."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from twinbench.ble.decoders import DecoderError, HeartRateDecoder, make_decoder
from twinbench.ble.sig import normalize_uuid, short_uuid, uuid_label, uuid_name
from twinbench.ble.structdec import StructSpecError, parse_struct


def _t(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64) * 1000 + 10


def test_heart_rate_8_and_16_bit_values_contact_energy_rr() -> None:
    payloads = [
        struct.pack("<BB", 0x00, 72),  # uint8, contact unsupported
        struct.pack("<BH", 0x01, 300),  # uint16
        struct.pack("<BBH", 0x0E, 80, 1234),  # contact supported+detected, energy
        struct.pack("<BBHH", 0x14, 90, 1024, 512),  # contact supported, not detected, 2 RR
    ]
    blocks, st = HeartRateDecoder().decode(payloads, _t(4))
    assert (st.ok, st.bad_length, st.unknown_flags) == (4, 0, 0)
    main, rr = blocks
    assert main.channels == ("hr_bpm", "hr_contact", "hr_energy_kj")
    np.testing.assert_array_equal(main.values[:, 0], [72, 300, 80, 90])
    np.testing.assert_array_equal(main.values[:, 1], [np.nan, np.nan, 1.0, 0.0])
    np.testing.assert_array_equal(main.values[:, 2], [np.nan, np.nan, 1234, np.nan])
    np.testing.assert_array_equal(main.t_ns, _t(4))
    assert rr.channels == ("hr_rr_ms",)
    np.testing.assert_allclose(rr.values[:, 0], [1000.0, 500.0])
    np.testing.assert_array_equal(rr.t_ns, [_t(4)[3]] * 2)


def test_heart_rate_wrong_length_and_unknown_flags_are_counted() -> None:
    payloads = [
        b"",  # empty
        struct.pack("<B", 0x01),  # says uint16, no value
        struct.pack("<BBB", 0x10, 70, 1),  # RR flag with an odd remainder
        struct.pack("<BB", 0xE0, 66),  # reserved bits set: counted, value still decoded
        struct.pack("<BB", 0x00, 61),
    ]
    blocks, st = HeartRateDecoder().decode(payloads, _t(5))
    assert st.bad_length == 3
    assert st.unknown_flags == 1
    assert st.ok == 2
    np.testing.assert_array_equal(blocks[0].values[:, 0], [66, 61])
    assert "Heart Rate Measurement" in st.message


@pytest.mark.parametrize(
    ("uuid", "raw", "channel", "value"),
    [
        ("2a19", b"\x57", "battery_pct", 87.0),
        ("2a6e", struct.pack("<h", -1234), "temperature_c", -12.34),
        ("2a6f", struct.pack("<H", 4550), "humidity_pct", 45.5),
        ("2a6d", struct.pack("<I", 1013250), "pressure_pa", 101325.0),
    ],
)
def test_fixed_sig_decoders(uuid: str, raw: bytes, channel: str, value: float) -> None:
    dec = make_decoder(uuid)
    blocks, st = dec.decode([raw, raw + b"\x00"], _t(2))
    assert st.ok == 1 and st.bad_length == 1
    assert "wrong length" in st.message
    assert blocks[0].channels == (channel,)
    assert blocks[0].values[0, 0] == pytest.approx(value)


def test_fixed_decoder_unknown_and_out_of_range_values() -> None:
    blocks, st = make_decoder("2a6e").decode([struct.pack("<h", -0x8000)], _t(1))
    assert np.isnan(blocks[0].values[0, 0])
    blocks, st = make_decoder("2a19").decode([b"\x65", b"\x64"], _t(2))
    assert st.invalid == 1 and blocks[0].values[:, 0].tolist() == [100.0]


def test_struct_decoder_scales_pads_and_counts() -> None:
    dec = make_decoder("7e1a0002-7b1e-4c1b-9c1a-7e1a7e1a7e1a", "struct:seq:u32,_:u8,temp:i16*0.01")
    rec = struct.pack("<IBh", 7, 0, -250)
    blocks, st = dec.decode([rec, rec[:-1], rec], _t(3))
    assert st.ok == 2 and st.bad_length == 1
    assert blocks[0].channels == ("seq", "temp")
    np.testing.assert_allclose(blocks[0].values, [[7, -2.5], [7, -2.5]])
    assert parse_struct("a:u8,_:u16").size == 3  # trailing padding is part of the record
    big = parse_struct(">a:u16")
    assert big.decode(np.frombuffer(b"\x01\x02", np.uint8).reshape(1, 2))[0, 0] == 258


@pytest.mark.parametrize(
    ("spec", "msg"),
    [
        ("", "empty"),
        ("a:u17", "unknown type"),
        ("a:u8,a:u8", "twice"),
        ("x", "field 1"),
        ("_:u8", "no field"),
    ],
)
def test_struct_spec_errors_name_the_field(spec: str, msg: str) -> None:
    with pytest.raises(StructSpecError, match=msg):
        parse_struct(spec)


def test_make_decoder_errors() -> None:
    with pytest.raises(DecoderError, match="no standard decoder"):
        make_decoder("12345678-1234-5678-1234-56789abcdef0")
    with pytest.raises(DecoderError, match="unknown decoder 'nope'"):
        make_decoder("2a37", "nope")
    with pytest.raises(DecoderError, match="characteristic 2a99"):
        make_decoder("2a99", "struct:a:zz")


def test_sig_names_and_uuids() -> None:
    assert normalize_uuid("0x2A37") == "00002a37-0000-1000-8000-00805f9b34fb"
    assert short_uuid("00002a37-0000-1000-8000-00805f9b34fb") == 0x2A37
    assert short_uuid("7e1a0002-7b1e-4c1b-9c1a-7e1a7e1a7e1a") is None
    assert uuid_name("180d") == "Heart Rate"
    assert uuid_name("2902") == "Client Characteristic Configuration"
    assert uuid_label("2a19") == "0x2A19 Battery Level"
    assert uuid_name("not a uuid") == ""
    with pytest.raises(ValueError, match="not a Bluetooth UUID"):
        normalize_uuid("zz")
