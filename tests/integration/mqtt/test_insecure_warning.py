"""`insecure` is said out loud in headless runs, and warned about without TLS."""

from __future__ import annotations

import subprocess


def test_insecure_without_tls_is_warned_about(capsys):
    from twinbench.runtime import Runtime

    rt = Runtime()
    rt.add_driver("mqtt", {"insecure": True})  # not connected: the warning comes at creation
    err = capsys.readouterr().err
    assert "twinbench: warning:" in err and "does nothing without tls=true" in err
    assert any("not encrypted" in e.message for e in rt.events.recent)


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
