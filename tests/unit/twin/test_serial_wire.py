"""The serial [twin] / [identity] profile tables and the frame taps that serve them."""

import numpy as np
import pytest

from twinbench.decode.frames import Frames, LossStats
from twinbench.decode.taps import ReplyTap, SignatureTap
from twinbench.errors import ConfigError
from twinbench.identity import FrameSigner, FrameVerifier
from twinbench.profiles.loader import parse_profile
from twinbench.twin.profiles import SerialTwinProfile

KEY = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw=="


def _frames(lines):
    text = b"\n".join(lines) + b"\n"
    lengths = np.array([len(x) for x in lines], np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths[:-1] + 1)]).astype(np.int64)
    return Frames(np.frombuffer(text, np.uint8), starts, lengths)


def _texts(fr):
    return [fr.buf[s : s + n].tobytes() for s, n in zip(fr.starts, fr.lengths, strict=True)]


def test_section_renders_and_parses_numeric_status():
    prof = SerialTwinProfile.from_section(
        {
            "desired": "set {name}={value} v={version} id={rid}",
            "command": "cmd {name} {payload} id={rid}",
            "eol": "CRLF",
            "reply_prefix": "ack ",
            "reply": r"^ack id=(?P<rid>\d+) status=(?P<status>\d+)(?: (?P<body>.*))?$",
            "timeout": 1.5,
        }
    )
    assert prof.encode_desired({"a": 1, "b": "x"}, 4, "9") == [
        b"set a=1 v=4 id=9\r\n",
        b'set b="x" v=4 id=9\r\n',
    ]
    assert prof.parse_reply('ack id=7 status=400 {"e":1}') == ("7", 400, {"e": 1})
    assert prof.parse_reply("ack id=8 status=200") == ("8", 200, None)
    assert prof.timeout == 1.5 and prof.reply_prefixes == ("ack ",)
    whole = SerialTwinProfile.from_section({"desired": "D {patch} #{rid}"})
    assert whole.per_patch and whole.encode_desired({"a": 1}, 1, "3") == [b'D {"a":1} #3\n']


@pytest.mark.parametrize(
    ("sec", "msg"),
    [
        ({"desird": "x"}, "twin.desird: unknown key"),
        ({"desired": "set {nam}"}, "unknown field(s) nam"),
        ({"reply": "^(?P<rid>x)"}, "reply_prefix: needed"),
        ({"reply": "^(?P<rid>x)", "reply_prefix": "x"}, "needs the named group(s) status"),
        ({"timeout": -1}, "twin.timeout: expected a positive"),
    ],
)
def test_bad_sections_name_the_key(sec, msg):
    with pytest.raises(ConfigError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        SerialTwinProfile.from_section(sec)


def test_profile_errors_name_file_line_and_key():
    text = '[framing]\ntype = "end"\n[decoder]\ntype = "csv"\n[twin]\ndesired = "S"\nbogus = 1\n'
    with pytest.raises(ConfigError, match=r"^b.toml:7: twin.bogus: unknown key"):
        parse_profile(text, "b.toml")
    text = '[decoder]\ntype = "csv"\n[identity]\nsigned = "yes"\n'
    with pytest.raises(ConfigError, match=r"^c.toml:4: identity.signed: expected true or false"):
        parse_profile(text, "c.toml")


def test_reply_tap_takes_replies_out():
    seen = []
    tap = ReplyTap(["ack ", "ERR "], seen.append)
    out = tap.apply(_frames([b"1,2", b"ack id=1 status=200", b"3,4", b"ac", b"ERR #2 x"]))
    assert _texts(out) == [b"1,2", b"3,4", b"ac"]
    assert seen == ["ack id=1 status=200", "ERR #2 x"]


def test_signature_tap_strips_tags_and_counts_failures():
    signer = FrameSigner(KEY)
    good = [signer.sign_text(f"{i},{i * 2}").encode() for i in range(3)]
    bad = good[1].replace(b"1,2", b"1,3")
    stats = LossStats()
    tap = SignatureTap(FrameVerifier([KEY]), stats)
    out = tap.apply(_frames([good[0], bad, good[2], b"no tag"]))
    assert _texts(out) == [b"0,0", b"2,4"]
    assert stats.signature_errors == 2 and stats.rejected == 2


def test_binary_signature_tags_are_checked_and_stripped():
    signer = FrameSigner(KEY, tag_bytes=16)
    frames = [bytes([1, 2, 3, i]) for i in range(3)]
    signed = [signer.sign(f) for f in frames]
    signed[2] = b"\x09" + signed[2][1:]
    stats = LossStats()
    tap = SignatureTap(FrameVerifier([KEY], tag_bytes=16), stats, text=False)
    lengths = np.array([len(x) for x in signed], np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths[:-1])]).astype(np.int64)
    fr = Frames(np.frombuffer(b"".join(signed), np.uint8), starts, lengths)
    assert _texts(tap.apply(fr)) == frames[:2]
    assert stats.signature_errors == 1
