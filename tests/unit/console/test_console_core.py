"""Serial-monitor core: byte log bounds, text/hex rendering, send parsing, history."""

import pytest

from twinbench.console import ByteLog, History, Renderer, parse_send


def test_byte_log_is_bounded_and_per_device():
    log = ByteLog(max_bytes=10)
    log.add("a", b"12345", 1)
    log.add("b", b"67890", 2)
    log.add("a", b"xyz", 3)
    cur, items = log.since(0)
    assert [d for _, d in items] == [b"67890", b"xyz"]
    assert log.dropped_bytes == 5
    assert log.since(0, "a")[1] == [(3, b"xyz")]
    assert log.since(cur)[1] == []


def test_render_text_split_utf8_and_control_bytes():
    r = Renderer()
    s = r.render(0, b"caf\xc3") + r.render(0, b"\xa9 ok\x01\xff\n")
    assert s == "caf\u00e9 ok\\x01\ufffd\n"


def test_render_line_endings_and_timestamps():
    r = Renderer(newline="CR", timestamps=True)
    out = r.render(1_700_000_000_123_000_000, b"a\rb")
    lines = out.split("\n")
    assert lines[0].endswith(" a") and ".123 " in lines[0]
    assert lines[1].endswith(" b")
    assert Renderer(newline="CRLF").render(0, b"x\r\ny") == "x\ny"


def test_render_hex():
    assert Renderer(mode="hex").render(0, b"\x00\xc0\xde") == "00 C0 DE\n"


def test_parse_send():
    assert parse_send("AT", False, "CRLF") == b"AT\r\n"
    assert parse_send("a\\tb", False, "none") == b"a\tb"
    assert parse_send("C0 DE 0x01", True, "LF") == b"\xc0\xde\x01\n"
    assert parse_send("h\u00e9", False, "none") == "h\u00e9".encode()
    with pytest.raises(ValueError, match="hexadecimal"):
        parse_send("zz", True, "none")
    with pytest.raises(ValueError, match="line ending"):
        parse_send("x", False, "LFCR")


def test_history():
    h = History()
    for line in ("a", "b", "b", "c"):
        h.add(line)
    assert [h.prev(), h.prev(), h.prev(), h.prev()] == ["c", "b", "a", "a"]
    assert [h.next(), h.next(), h.next()] == ["b", "c", ""]
