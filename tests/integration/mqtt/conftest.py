"""A real mosquitto broker on a free loopback port, with TLS and keyring helpers."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """A mosquitto process with a generated config; restartable and killable."""

    def __init__(self, workdir: Path, extra: str = "", port: int | None = None) -> None:
        self.dir = workdir
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen | None = None
        self.conf = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"

    def write_config(self) -> None:
        """Write the broker config (listener, persistence in the work folder, extras)."""
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            # saved on SIGTERM and every 60 s; never per message: a save is an fsync, and on a
            # slow CI disk 2,000 QoS 1 messages took minutes that way
            f"persistence true\npersistence_location {self.dir}/\nautosave_interval 60\n"
            "max_queued_messages 0\nmax_inflight_messages 0\n"
            "set_tcp_nodelay true\n"
            + ("user root\n" if os.geteuid() == 0 and "user root" not in self.extra else "")
            + self.extra
        )

    def start(self) -> None:
        """Start mosquitto and wait until it accepts connections."""
        if shutil.which("mosquitto") is None:
            pytest.skip("mosquitto not installed")
        self.write_config()
        if "allow_anonymous" not in self.extra:
            with self.conf.open("a") as f:
                f.write("allow_anonymous true\n")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                ["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=log
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log.read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop (SIGTERM: clean, saves the session store) or kill (SIGKILL) the broker."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(10)
        self.proc = None

    def restart(self, sig: int = signal.SIGTERM, down_s: float = 0.0) -> None:
        """Stop or kill, stay down for `down_s`, start again on the same port."""
        self.stop(sig)
        time.sleep(down_s)
        self.start()


@pytest.fixture
def broker(tmp_path):
    """A running mosquitto on a free loopback port, stopped after the test."""
    b = Broker(tmp_path)
    b.start()
    yield b
    b.stop()


def _login_broker(tmp_path: Path, password: str, extra: str = "") -> Broker:
    """A started mosquitto that lets in only user alice with `password`."""
    pw = tmp_path / "passwd"
    r = subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(pw), "alice", password], capture_output=True
    )
    assert r.returncode == 0, r.stderr
    os.chmod(pw, 0o644)
    extra = f"allow_anonymous false\npassword_file {pw}\n{extra}"
    if os.geteuid() == 0:
        extra += "user root\n"
    b = Broker(tmp_path, extra)
    b.start()
    return b


@pytest.fixture
def auth_broker(tmp_path):
    """mosquitto that requires user alice with password s3cret."""
    b = _login_broker(tmp_path, "s3cret")
    yield b
    b.stop()


@pytest.fixture
def password_broker(tmp_path):
    """mosquitto that wants user alice with a fresh random password (`b.password`); logs
    subscriptions."""
    import secrets

    password = "pw-" + secrets.token_urlsafe(12)
    b = _login_broker(tmp_path, password, "log_type subscribe\n")
    b.password = password
    yield b
    b.stop()


@pytest.fixture
def sys_broker(tmp_path):
    """mosquitto publishing $SYS statistics every second (to see who is connected)."""
    b = Broker(tmp_path, "sys_interval 1\n")
    b.start()
    yield b
    b.stop()


def openssl(*args: str, cwd: Path) -> None:
    """Run openssl quietly, failing the test with its stderr on error."""
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def make_pki(d: Path) -> dict[str, Path]:
    """A CA, a server cert for localhost/127.0.0.1, a client cert and a rogue CA, all fresh."""
    d.mkdir(parents=True, exist_ok=True)
    for ca in ("ca", "rogue"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout",
                f"{ca}.key", "-out", f"{ca}.crt", "-subj", f"/CN={ca}-test-ca", cwd=d)  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, cn in (("server", "localhost"), ("client", "bench-client")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=d)  # fmt: skip
        ext = ["-extfile", "san.ext"] if name == "server" else []
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-out", f"{name}.crt", *ext, cwd=d)  # fmt: skip
    for f in d.glob("*.key"):
        os.chmod(f, 0o644)  # mosquitto may drop privileges before reading keys
    return {p.stem + p.suffix.replace(".", "_"): p for p in d.iterdir()}


@pytest.fixture
def tls_broker(tmp_path):
    """mosquitto with TLS and required client certificates (mutual TLS) on a free port."""
    pki = make_pki(tmp_path / "pki")
    d = tmp_path / "pki"
    extra = (
        f"cafile {d}/ca.crt\ncertfile {d}/server.crt\nkeyfile {d}/server.key\n"
        "require_certificate true\nuse_identity_as_username true\ntls_version tlsv1.2\n"
    )
    if os.geteuid() == 0:
        extra += "user root\n"
    b = Broker(tmp_path, extra)
    b.start()
    b.pki = pki
    b.pki_dir = d
    yield b
    b.stop()


# -- helpers handed to tests through the `mq` fixture (relative imports are banned) ------------
def publisher(port: int, client_id: str = "", persistent: bool = False):
    """A connected paho client (MQTT 3.1.1) with its network thread running."""
    import paho.mqtt.client as mqtt

    c = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv311,
        clean_session=not persistent,
    )
    c.connect("127.0.0.1", port)
    c.loop_start()
    wait_for(c.is_connected, 5)
    return c


def close(c) -> None:
    """Disconnect a paho client and stop its network thread."""
    c.disconnect()
    c.loop_stop()


def wait_for(pred, timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll `pred()` until true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


class Collector:
    """Gathers the chunks a runtime publishes."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.chunks: list = []

    def __call__(self, chunks) -> None:
        with self.lock:
            self.chunks.extend(chunks)

    def column(self, device: str, name: str):
        """Every value of one channel of one device, in arrival order."""
        import numpy as np

        with self.lock:
            parts = [
                c.column(name) for c in self.chunks if c.device == device and name in c.channels
            ]
        return np.concatenate(parts) if parts else np.empty(0)

    def devices(self) -> set[str]:
        """Devices seen so far."""
        with self.lock:
            return {c.device for c in self.chunks}


def start_runtime(settings: dict):
    """A started runtime with the mqtt driver and a collecting consumer."""
    from twinbench.runtime import Runtime

    rt = Runtime()
    rt.add_driver("mqtt", settings)
    col = Collector()
    rt.add_consumer("test", col, maxsize=1_000_000, policy="block")
    try:
        rt.start()
    except BaseException:
        rt.stop()
        raise
    return rt, col


@pytest.fixture
def mq():
    """Helper functions for MQTT tests."""
    import types

    return types.SimpleNamespace(
        publisher=publisher, close=close, wait_for=wait_for, start=start_runtime
    )


PUBLISH_MANY = """
import sys, paho.mqtt.client as mqtt
port, qos, retain = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
c.max_inflight_messages_set(200)
c.connect("127.0.0.1", port)
c.loop_start()
last = None
for line in sys.stdin.buffer:
    topic, _, payload = line.rstrip(b"\\n").partition(b" ")
    last = c.publish(topic.decode(), payload, qos, retain)
if last is not None:
    last.wait_for_publish(60)
c.disconnect()
c.loop_stop()
"""


def publish_many(port: int, messages, qos: int = 1, retain: bool = False) -> None:
    """Publish (topic, payload) pairs from a separate process (our GIL never slows it)."""
    import sys

    lines = b"".join(t.encode() + b" " + p + b"\n" for t, p in messages)
    args = [sys.executable, "-c", PUBLISH_MANY, str(port), str(qos), "1" if retain else "0"]
    r = subprocess.run(args, input=lines, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()[-500:]
