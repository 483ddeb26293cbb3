"""A broker password planted in each place TwinBench looks (OS keyring, systemd credential,
owner-only file, environment variable) logs in to a real password-protected mosquitto, data
flows, and the password shows up in no log, summary, recording, export or workspace."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq

from twinbench.runtime import Runtime
from twinbench.workspace import DeviceEntry, Workspace, save_workspace

KEYRING_DIR = Path(__file__).parents[1] / "twin" / "keyring_backend"
SOURCES = {
    "keyring": {"password_key": "lab-broker"},
    "credential": {"password_credential": "mqtt-password"},
    "file": {"password_file": "{dir}/mqtt-password"},
    "env": {"password_env": "TB_MQTT_PASSWORD"},
}


def _plant(kind: str, work: Path, password: str, env: dict[str, str]) -> dict[str, str]:
    """Put the password where `kind` looks; return the settings that name the place."""
    work.mkdir(parents=True)
    if kind == "keyring":
        env["PYTHON_KEYRING_BACKEND"] = "tb_test_keyring.FileKeyring"
        env["PYTHONPATH"] = str(KEYRING_DIR)
        env["TB_TEST_KEYRING_FILE"] = str(work / "os-keyring.json")  # the OS store
        (work / "os-keyring.json").write_text(f'{{"lab-broker/alice": "{password}"}}')
    elif kind == "credential":
        creds = work / "credentials"  # what systemd's LoadCredential= makes
        creds.mkdir(mode=0o700)
        (creds / "mqtt-password").write_text(password)
        env["CREDENTIALS_DIRECTORY"] = str(creds)
    elif kind == "file":
        path = work / "mqtt-password"
        path.write_text(password + "\n")
        path.chmod(0o600)
    else:
        env["TB_MQTT_PASSWORD"] = password
    return {k: v.format(dir=work) for k, v in SOURCES[kind].items()}


def _leaks(root: Path, needle: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_password_from_each_place_reaches_the_broker_and_nowhere_else(
    tmp_path, twinbench_exe, clean_env, password_broker, mq
):
    secret = password_broker.password
    procs = {}
    for kind in SOURCES:
        env = {**clean_env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        env.pop("TB_MQTT_PASSWORD", None)
        env.pop("CREDENTIALS_DIRECTORY", None)
        out = tmp_path / kind / "out"
        settings = {"host": "127.0.0.1", "port": password_broker.port, "username": "alice",
                    "client_id": f"tb-{kind}", "topics": "lab/#", "pattern": "lab/{device}/t",
                    **_plant(kind, tmp_path / kind / "secret", secret, env)}  # fmt: skip
        out.mkdir()
        cmd = [*twinbench_exe, "run", "--headless", "--driver", "mqtt", "--duration", "60"]
        cmd += [f"--set={k}={v}" for k, v in settings.items()]
        cmd += ["--summary", str(out / "summary.json"), "--record", str(out / "rec")]
        cmd += ["--log-format", "json", "-v"]  # every event logged, debug included
        with (out / "stdout.log").open("w") as o, (out / "stderr.log").open("w") as e:
            procs[kind] = subprocess.Popen(cmd, stdout=o, stderr=e, env=env)
    try:
        subscribed = lambda: all(  # noqa: E731
            f"tb-{k} 0 lab/#" in password_broker.log.read_text() for k in SOURCES
        )
        started = mq.wait_for(subscribed, 90)  # four interpreters starting on a busy machine
        assert started, password_broker.log.read_text()[-800:] + "".join(
            (tmp_path / k / "out" / "stderr.log").read_text()[-300:] for k in SOURCES
        )
        import paho.mqtt.client as mqtt

        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="pub")
        c.username_pw_set("alice", secret)
        c.connect("127.0.0.1", password_broker.port)
        c.loop_start()
        for i in range(20):
            c.publish("lab/rig1/t", str(20 + i), qos=1).wait_for_publish(5)
        mq.close(c)
        time.sleep(3)  # delivery to the four subscribers, then the recorder's 1 s flush
    finally:
        for p in procs.values():
            p.send_signal(signal.SIGINT)
        codes = {k: p.wait(30) for k, p in procs.items()}
    assert codes == dict.fromkeys(SOURCES, 0), {
        k: (tmp_path / k / "out" / "stderr.log").read_text()[-500:] for k in SOURCES
    }
    for kind in SOURCES:
        summary = json.loads((tmp_path / kind / "out" / "summary.json").read_text())
        assert summary["devices"]["rig1"]["samples"] == 20, kind
        log = (tmp_path / kind / "out" / "stderr.log").read_text()
        assert '"event": "connection", "device": "mqtt:127.0.0.1' in log, log[-300:]
    sessions = [str(next((tmp_path / k / "out" / "rec").iterdir())) for k in SOURCES]
    export = tmp_path / "export.parquet"
    r = subprocess.run([*twinbench_exe, "export", *sessions, "--out", str(export)],
                       capture_output=True, text=True, env=clean_env, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert pq.read_table(export).num_rows == 80
    assert secret not in r.stdout + r.stderr
    planted = {"keyring/secret/os-keyring.json", "credential/secret/credentials/mqtt-password",
               "file/secret/mqtt-password"}  # fmt: skip
    assert set(_leaks(tmp_path, secret)) == {str(tmp_path / p) for p in planted}
    # a workspace saved with such a device names the place, never the password
    rt = Runtime()
    drv = rt.add_driver("mqtt", {"username": "alice", "password_env": "TB_MQTT_PASSWORD"})
    save_workspace(Workspace([DeviceEntry("mqtt", dict(drv.config))]), tmp_path / "ws.toml")
    text = (tmp_path / "ws.toml").read_text()
    assert 'password_env = "TB_MQTT_PASSWORD"' in text and secret not in text
