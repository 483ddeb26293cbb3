"""`insecure` is said out loud in headless runs, and refused without TLS."""

from __future__ import annotations

import subprocess

import pytest

from twinbench.drivers.base import SettingError
from twinbench.drivers.mqtt.driver import MqttDriver


def test_insecure_without_tls_is_refused():
    with pytest.raises(SettingError, match="'insecure' .* needs tls=true"):
        MqttDriver.parse_settings({"insecure": True})
    assert MqttDriver.parse_settings({"insecure": True, "tls": True})["insecure"] is True


def test_headless_run_warns_about_insecure(twinbench_exe, clean_env, tls_broker):
    args = ["run", "--driver", "mqtt", "--duration", "0.3", "--quiet"]
    d = tls_broker.pki_dir
    sets = {"host": "localhost", "port": tls_broker.port, "tls": "true", "insecure": "true",
            "ca_file": d / "rogue.crt", "cert_file": d / "client.crt", "key_file": d / "client.key",
            "topics": "x/#"}  # fmt: skip
    for k, v in sets.items():
        args += ["--set", f"{k}={v}"]
    r = subprocess.run(
        [*twinbench_exe, *args], capture_output=True, text=True, env=clean_env, timeout=60
    )
    assert r.returncode == 0, r.stderr  # connected although the CA is the wrong one
    assert "twinbench: warning:" in r.stderr and "NOT verified" in r.stderr, r.stderr
    r = subprocess.run(
        [*twinbench_exe, "run", "--driver", "mqtt", "--set", "insecure=true"],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
    )
    assert r.returncode == 2 and "needs tls=true" in r.stderr
    assert r.stderr.count("\n") == 1
