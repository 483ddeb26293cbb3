"""Signed frames over a real pty: the sim signs each line with its derived key; the serial driver
verifies with the key from the keyring and rejects (and counts) frames that fail."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import tomli_w

from twinbench.drivers.serial.simboard import profile_for
from twinbench.errors import UsageError
from twinbench.identity import KeyStore, derive_device_key
from twinbench.runtime import Runtime
from twinbench.twin import TwinService

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals are POSIX-only", allow_module_level=True)

GROUP = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw=="


@pytest.fixture
def keystore(memory_keyring):
    """The device key store over the test's in-memory keyring."""
    return KeyStore()


def _run(exe, env, tmp_path, *args, count=600, identity=None):
    """Run a signing board for `count` frames through the driver; return driver, chunks, svc."""
    link = tmp_path / "ttySIM"
    prof = tmp_path / "signed.toml"
    profile = profile_for("csv", "board", signed=True)
    profile["identity"].update(identity or {})
    prof.write_bytes(tomli_w.dumps(profile).encode())
    rt = Runtime()
    drv = rt.add_driver("serial", {"port": str(link), "profile": str(prof), "device_id": "board"})
    got = []
    rt.add_consumer("test", got.extend, maxsize=1 << 16, policy="block")
    rt.start()
    cmd = [*exe, "sim", "--serial", "--format", "csv", "--link", str(link), "--sign"]
    cmd += ["--device-id", "board", "--rate", "500", "--count", str(count)]
    cmd += ["--start-delay", "1.0", *args]
    env = {**env, "TWINBENCH_GROUP_KEY": GROUP}
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
    finally:
        rt.stop()
    return drv, got


def test_signed_frames_verify_and_corrupt_ones_are_counted(
    twinbench_exe, clean_env, tmp_path, keystore
):
    keystore.provision("board", GROUP)
    drv, got = _run(twinbench_exe, clean_env, tmp_path, "--corrupt", "0.05")
    loss = drv.loss()
    seq = np.concatenate([c.column("seq") for c in got]).astype(np.int64)
    assert loss["signature_errors"] > 0
    assert loss["malformed"] == 0  # a corrupted line never reaches the decoder
    assert loss["frames"] == len(seq) and len(seq) + loss["signature_errors"] >= 580
    assert np.all(np.diff(seq) > 0)  # what passed is intact and in order


def test_wrong_key_rejects_every_frame(twinbench_exe, clean_env, tmp_path, keystore):
    keystore.rotate("board")  # a random key: not the board's
    drv, got = _run(twinbench_exe, clean_env, tmp_path, count=200)
    assert got == [] and drv.loss()["frames"] == 0
    assert drv.loss()["signature_errors"] >= 190


def test_missing_key_is_a_clear_error(tmp_path, keystore, monkeypatch):
    monkeypatch.setenv("TWINBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TB_BOARD_KEY", raising=False)
    prof = tmp_path / "signed.toml"
    profile = profile_for("csv", "board", signed=True)
    profile["identity"]["key_env"] = "TB_BOARD_KEY"
    prof.write_bytes(tomli_w.dumps(profile).encode())
    rt = Runtime()
    with pytest.raises(UsageError, match="no key for 'board' in the keyring") as err:
        rt.add_driver("serial", {"port": "/dev/null", "profile": str(prof), "device_id": "board"})
    assert f"file store {tmp_path}/data/keys" in str(err.value)
    assert "environment variable TB_BOARD_KEY: not set" in str(err.value)


def test_key_from_an_env_var_named_in_the_profile(
    twinbench_exe, clean_env, tmp_path, keystore, monkeypatch
):
    monkeypatch.setenv("TWINBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TB_BOARD_KEY", derive_device_key(GROUP, "board"))
    drv, _ = _run(
        twinbench_exe, clean_env, tmp_path, count=100, identity={"key_env": "TB_BOARD_KEY"}
    )
    assert drv.loss()["signature_errors"] == 0 and drv.loss()["frames"] >= 95


def test_twin_over_signed_wire(twinbench_exe, clean_env, tmp_path, keystore):
    keystore.provision("board", GROUP)
    link = tmp_path / "ttySIM"
    prof = tmp_path / "signed.toml"
    prof.write_bytes(tomli_w.dumps(profile_for("csv", "board", signed=True)).encode())
    cmd = [*twinbench_exe, "sim", "--serial", "--format", "csv", "--link", str(link), "--sign"]
    cmd += ["--device-id", "board", "--rate", "200", "--duration", "60"]
    env = {**clean_env, "TWINBENCH_GROUP_KEY": GROUP}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    rt = Runtime()
    try:
        proc.stdout.readline()
        drv = rt.add_driver(
            "serial", {"port": str(link), "profile": str(prof), "device_id": "board"}
        )
        svc = TwinService(rt, timeout=3.0)
        rt.start()
        end = time.monotonic() + 10
        while "rpm" not in svc.twin("board").telemetry and time.monotonic() < end:
            time.sleep(0.02)
        reply = svc.set_desired("board", {"targetSpeed": 1500})
        assert reply["targetSpeed"]["ac"] == 200
        assert drv.loss()["signature_errors"] == 0 and drv.loss()["frames"] > 0
    finally:
        rt.stop()
        proc.terminate()
        proc.communicate(timeout=10)
