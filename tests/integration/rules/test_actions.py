"""Actions run off the hot path: webhooks to a real server, logs, services, failures as events."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from twinbench.errors import ConfigError
from twinbench.model import Chunk
from twinbench.rules.engine import RuleEngine
from twinbench.rules.loader import parse_rules


class Sink:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, str, dict]] = []
        self.lock = threading.Lock()

    def emit(self, kind: str, device: str = "", message: str = "", **data) -> None:
        with self.lock:
            self.items.append((kind, device, message, data))

    def of(self, kind: str) -> list[tuple[str, str, str, dict]]:
        with self.lock:
            return [i for i in self.items if i[0] == kind]

    def wait(self, kind: str, n: int = 1, timeout: float = 10.0) -> list:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = self.of(kind)
            if len(got) >= n:
                return got
            time.sleep(0.01)
        raise AssertionError(f"no {kind} event in {timeout} s: {self.items}")


def rules(url: str, extra: str = "") -> str:
    return f"""
[[rule]]
name = "hot"
condition = "x > 1"
severity = "critical"
  [[rule.action]]
  type = "webhook"
  url = "{url}"
  timeout = "0.5s"
  retries = 1
  on = "both"
{extra}
[[rule]]
name = "other"
condition = "x > 2"
"""


def feed(eng: RuleEngine, values, t0: int = 0) -> None:
    t = np.arange(t0, t0 + len(values), dtype=np.int64)
    eng.process([Chunk("rig", ("x",), t, np.asarray(values, float).reshape(-1, 1))])


def test_webhook_posts_json(webhook_server) -> None:
    url, hooks = webhook_server
    sink = Sink()
    eng = RuleEngine(parse_rules(rules(url), "r.toml"), emit=sink.emit)
    try:
        feed(eng, [0, 5, 0])
        sink.wait("action", 2)
    finally:
        eng.close()
    assert [b["state"] for b in sorted(hooks.bodies, key=lambda b: b["t_ns"])] == [
        "raised",
        "cleared",
    ]
    assert hooks.bodies[0]["rule"] == "hot" and hooks.bodies[0]["device"] == "rig"
    assert all(d["ok"] for *_, d in sink.of("action"))


def test_webhook_token_comes_from_a_named_place(webhook_server, tmp_path, monkeypatch) -> None:
    url, hooks = webhook_server
    token = tmp_path / "token"
    token.write_text("t0k3n-from-file\n")
    token.chmod(0o600)
    monkeypatch.setenv("TB_HOOK_TOKEN", "t0k3n-from-env")
    sink = Sink()
    text = rules(url).replace(
        'on = "both"', f'token_file = "{token}"\n  token_env = "TB_HOOK_TOKEN"'
    )
    eng = RuleEngine(parse_rules(text, "r.toml"), emit=sink.emit)
    try:
        feed(eng, [0, 5])
        sink.wait("action", 1)
        token.unlink()  # the file goes: the env var is next in line
        feed(eng, [0, 5], t0=10)
        sink.wait("action", 2)
    finally:
        eng.close()
    assert hooks.auth == ["Bearer t0k3n-from-file", "Bearer t0k3n-from-env"]
    assert not any("t0k3n" in str(item) for item in sink.items)


def test_webhook_secret_header_in_the_file_is_refused() -> None:
    text = rules("http://x/").replace('on = "both"', 'headers = { Authorization = "Bearer abc" }')
    with pytest.raises(ConfigError, match="header 'Authorization' would hold a secret.*token_env"):
        parse_rules(text, "r.toml")


def test_hanging_webhook_blocks_nothing(webhook_server) -> None:
    url, hooks = webhook_server
    hooks.hang.set()
    sink = Sink()
    eng = RuleEngine(parse_rules(rules(url), "r.toml"), emit=sink.emit)
    try:
        feed(eng, [0, 5])  # raises hot (webhook hangs) and other
        feed(eng, [0, 0], t0=2)  # clears both, while the webhook still hangs
        in_flight = not sink.of("action")  # the POST (2 tries x 0.5 s) has not finished yet
        states = [(d["rule"], d["state"]) for *_, d in sink.of("alarm")]
        assert states == [
            ("hot", "raised"),
            ("other", "raised"),
            ("hot", "cleared"),
            ("other", "cleared"),
        ]
        assert in_flight  # so the rules above never waited for the hanging webhook
        failed = sink.wait("action", 1, timeout=10)
    finally:
        eng.close()
    assert not failed[0][3]["ok"]
    assert "timed out" in failed[0][2] and "2 attempt(s)" in failed[0][2]
    assert eng.actions.failed >= 1


def test_server_error_is_reported(webhook_server) -> None:
    url, hooks = webhook_server
    hooks.status = 404
    sink = Sink()
    eng = RuleEngine(parse_rules(rules(url), "r.toml"), emit=sink.emit)
    try:
        feed(eng, [5])
        msg = sink.wait("action")[0][2]
    finally:
        eng.close()
    assert "HTTP 404" in msg


def test_log_notify_and_missing_services(tmp_path: Path) -> None:
    log = tmp_path / "alarms.jsonl"
    text = f"""
[[rule]]
name = "hot"
condition = "x > 1"
  [[rule.action]]
  type = "log"
  path = "{log}"
  [[rule.action]]
  type = "notify"
  message = "{{device}} is hot: {{value}}"
  [[rule.action]]
  type = "mqtt"
  topic = "bench/{{device}}/alarm"
  [[rule.action]]
  type = "command"
  command = "stop"
"""
    sink = Sink()
    eng = RuleEngine(parse_rules(text, "r.toml"), emit=sink.emit)
    try:
        feed(eng, [5])
        sink.wait("action", 4)
        sink.wait("notification")
    finally:
        eng.close()
    rec = json.loads(log.read_text().splitlines()[0])
    assert rec["rule"] == "hot" and rec["value"] == 5.0
    assert sink.of("notification")[0][2] == "rig is hot: 5"
    failures = sorted(m for _, _, m, d in sink.of("action") if not d["ok"])
    assert "no 'commands' service is registered" in failures[0]
    assert "no 'mqtt_publish' service is registered" in failures[1]


def test_services_are_called() -> None:
    text = """
[[rule]]
name = "hot"
condition = "x > 1"
  [[rule.action]]
  type = "mqtt"
  topic = "bench/{device}"
  payload = "{rule}={value}"
  [[rule.action]]
  type = "command"
  command = "stop"
  args = { ramp = 2 }
  [[rule.action]]
  type = "desired"
  property = "fan"
  value = 1
  [[rule.action]]
  type = "record"
  do = "start"
"""
    calls: list = []
    lock = threading.Lock()

    def note(*a):
        with lock:
            calls.append(a)

    class Recorder:
        def start(self) -> None:
            note("recorder", "start")

    services = {"mqtt_publish": note, "commands": note, "desired": note, "recorder": Recorder()}
    sink = Sink()
    eng = RuleEngine(parse_rules(text, "r.toml"), emit=sink.emit, services=services)
    try:
        feed(eng, [5])
        sink.wait("action", 4)
    finally:
        eng.close()
    assert sorted(map(str, calls)) == sorted(
        map(
            str,
            [
                ("bench/rig", "hot=5", 0, False),
                ("rig", "stop", {"ramp": 2}),
                ("rig", "fan", 1),
                ("recorder", "start"),
            ],
        )
    )
