"""A broker port that accepts and never answers; --share refused with Sparkplug."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.integration.cli import run
from twinbench.drivers.mqtt.tls import ConnectError
from twinbench.runtime import Runtime


class Silent:
    """Accepts TCP connections and never sends a byte (a wedged broker, a wrong service)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.05)
        self.conns: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.conns.append(c)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()
        for c in self.conns:
            c.close()


def test_port_that_never_answers_is_a_clear_connect_error():
    srv = Silent()
    rt = Runtime()
    rt.add_driver("mqtt", {"port": srv.port, "connect_timeout": 1.5, "topics": "x/#"})
    try:
        # the runtime's own wait is shorter than the driver's connect timeout
        with pytest.raises(ConnectError, match=f"no answer from localhost:{srv.port}"):
            rt.start(open_timeout=0.5)
    finally:
        rt.stop()
        srv.close()


def test_share_with_sparkplug_is_refused(twinbench_exe, clean_env):
    r = run(
        [*twinbench_exe, "run", "--driver", "mqtt", "--set", "format=sparkplug",
         "--share", "g1", "--duration", "1"],
        clean_env,
    )  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--partition" in r.stderr and "Sparkplug" in r.stderr


def test_mqtt_counters_in_the_summary_diagnostics(broker, mq, tmp_path, twinbench_exe, clean_env):
    import json

    from tests.integration.summary_check import check_summary

    pub = mq.publisher(broker.port)
    try:
        for i in range(10):  # retained: delivered when the run subscribes
            pub.publish(f"f/d{i}", json.dumps({"v": i}), qos=1, retain=True).wait_for_publish(5)
        pub.publish("f/bad", b"{nope", qos=1, retain=True).wait_for_publish(5)
    finally:
        mq.close(pub)
    out = tmp_path / "s.json"
    r = run(
        [*twinbench_exe, "run", "--driver", "mqtt", "--set", f"port={broker.port}",
         "--set", "pattern=f/{device}", "--until", "idle=1.5s", "--summary", str(out)],
        clean_env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    s = check_summary(json.loads(out.read_text()))
    c = s["diagnostics"]["counters"][f"mqtt:localhost:{broker.port}"]
    assert c["received"] == 11 and c["decoded_samples"] == 10
    assert c["bad"] == 1 and c["bad_malformed_json"] == 1
    assert c["reconnects"] == 0 and c["births"] == 0 and c["rebirths_requested"] == 0
