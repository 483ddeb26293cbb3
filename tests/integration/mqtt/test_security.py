"""TLS (verification on by default, custom CA, mutual TLS, insecure) and keyring logins."""

from __future__ import annotations

import pytest

from twinbench.errors import TwinBenchError


def tls_settings(b, **extra) -> dict:
    d = b.pki_dir
    s = {"host": "localhost", "port": b.port, "tls": True, "ca_file": str(d / "ca.crt"),
         "cert_file": str(d / "client.crt"), "key_file": str(d / "client.key"),
         "topics": "secure/#", "pattern": "secure/{device}", "connect_timeout": 5}  # fmt: skip
    s.update(extra)
    return s


def test_mutual_tls_round_trip(tls_broker, mq):
    rt, col = mq.start(tls_settings(tls_broker))
    try:
        rt.services["mqtt_publish"]("secure/box", b"7.5", qos=1).wait_for_publish(5)
        assert mq.wait_for(lambda: len(col.column("box", "value")) == 1)
    finally:
        rt.stop()


def test_verification_is_on_by_default(tls_broker, mq):
    with pytest.raises(TwinBenchError, match="server certificate of localhost:.* failed verif"):
        mq.start(tls_settings(tls_broker, ca_file=""))


def test_wrong_ca_names_the_verification_failure(tls_broker, mq):
    rogue = str(tls_broker.pki_dir / "rogue.crt")
    with pytest.raises(TwinBenchError, match="failed verification"):
        mq.start(tls_settings(tls_broker, ca_file=rogue))


def test_insecure_switch_skips_server_checks(tls_broker, mq):
    rogue = str(tls_broker.pki_dir / "rogue.crt")
    rt, _ = mq.start(tls_settings(tls_broker, ca_file=rogue, insecure=True))
    rt.stop()


def test_missing_client_certificate_is_named(tls_broker, mq):
    with pytest.raises(TwinBenchError, match="client certificate"):
        mq.start(tls_settings(tls_broker, cert_file="", key_file=""))


def test_missing_ca_file_is_named(tls_broker, mq, tmp_path):
    with pytest.raises(TwinBenchError, match="ca_file: file not found: .*nope.crt"):
        mq.start(tls_settings(tls_broker, ca_file=str(tmp_path / "nope.crt")))


def test_keyring_password_logs_in(auth_broker, mq, memory_keyring):
    memory_keyring.set_password("lab-broker", "alice", "s3cret")
    rt, _ = mq.start({"port": auth_broker.port, "username": "alice", "password_key": "lab-broker"})
    rt.stop()
    text = "\n".join(p.read_text() for p in auth_broker.dir.glob("*.toml"))
    assert "s3cret" not in text


def test_wrong_password_is_named(auth_broker, mq, memory_keyring):
    memory_keyring.set_password("lab-broker", "alice", "wrong")
    with pytest.raises(TwinBenchError, match="bad user name or password.*alice|not authorised"):
        mq.start({"port": auth_broker.port, "username": "alice", "password_key": "lab-broker"})


def test_missing_keyring_entry_is_named(auth_broker, mq, memory_keyring):
    with pytest.raises(
        TwinBenchError,
        match="no MQTT password for user 'alice'.*keyring .service 'nosuch', user 'alice'.: no e",
    ):
        mq.start({"port": auth_broker.port, "username": "alice", "password_key": "nosuch"})
