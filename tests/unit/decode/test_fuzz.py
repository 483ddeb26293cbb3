"""Random and mutated bytes into every decoder: counted and skipped, never an exception."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinbench.decode.checksums import NAMES
from twinbench.decode.pipeline import make_pipeline
from twinbench.drivers.serial.simboard import FORMATS, encode, profile_for
from twinbench.drivers.sim.model import RigModel

SECTIONS = [profile_for(f) for f in FORMATS] + [
    {"framing": {"type": "end"}, "decoder": {"type": "quickplot"}},
    {"framing": {"type": "start", "start": "$"}, "decoder": {"type": "keyvalue"}},
    {"framing": {"type": "length", "size": 2, "endian": "big"}, "decoder": {"type": "jsonl"}},
]
_model = RigModel(1000, 3, 9, ())
_idx, _vals = _model.block(0, 20)
GOOD = [encode(f, _idx, _vals) for f in FORMATS]


def feed_all(section, chunks):
    p = make_pipeline(section)
    total = 0
    for i, data in enumerate(chunks):
        c = p.feed(data, i + 1)
        if c is not None:
            assert c.values.shape == (len(c), len(c.channels))
            total += len(c)
    assert p.stats.frames == total
    assert p.framer.pending <= p.framer.max_frame + 8
    return p


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(SECTIONS))), st.lists(st.binary(max_size=300), max_size=6))
def test_random_bytes(which, chunks):
    feed_all(SECTIONS[which], chunks)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(range(len(FORMATS))),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=12),
    st.lists(st.integers(0, 10**6), max_size=4),
    st.integers(1, 500),
)
def test_mutated_frames(which, flips, cuts, step):
    data = bytearray(GOOD[which])
    for pos, val in flips:
        data[pos % len(data)] = val
    for c in sorted(cuts, reverse=True):
        del data[c % len(data) : c % len(data) + 3]
    chunks = [bytes(data[i : i + step]) for i in range(0, len(data), step)]
    p = feed_all(profile_for(FORMATS[which]), chunks)
    assert p.stats.bytes_in == len(data)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(NAMES),
    st.integers(-6, 6),
    st.lists(st.binary(min_size=0, max_size=200), max_size=5),
)
def test_every_checksum_on_random_bytes(name, position, chunks):
    section = {
        "framing": {"type": "end", "end": "\\n"},
        "checksum": {"type": name, "position": position, "start": 0},
        "decoder": {"type": "binary", "fields": [{"name": "a", "type": "uint8"}]},
    }
    feed_all(section, chunks)


def test_clean_frames_decode_exactly():
    for f, data in zip(FORMATS, GOOD, strict=True):
        p = make_pipeline(profile_for(f))
        c = p.feed(data, 1)
        assert c is not None and len(c) == 20, f
        assert np.array_equal(c.column("seq"), np.arange(20)), f
        assert p.stats.rejected == 0 and p.stats.resync_bytes == 0, f
