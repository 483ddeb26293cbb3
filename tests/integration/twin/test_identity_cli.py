"""`twinbench identity` in real subprocesses, with a file keyring standing in for the OS one."""

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote_plus

from twinbench.identity import derive_device_key
from twinbench.identity.sas import verify_sas_token

GROUP = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw=="


def _env(clean_env, tmp_path):
    env = dict(clean_env)
    env["PYTHON_KEYRING_BACKEND"] = "tb_test_keyring.FileKeyring"
    env["PYTHONPATH"] = str(Path(__file__).parent / "keyring_backend")
    env["TB_TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    env.pop("TWINBENCH_GROUP_KEY", None)
    return env


def _run(exe, env, *args, stdin=None):
    return subprocess.run(
        [*exe, "identity", *args], capture_output=True, text=True, env=env, input=stdin, timeout=60
    )


def test_provision_rotate_sas(twinbench_exe, clean_env, tmp_path):
    env = _env(clean_env, tmp_path)
    res = _run(twinbench_exe, env, "provision", "dev-7", stdin=GROUP + "\n")
    assert res.returncode == 0, res.stderr
    key = derive_device_key(GROUP, "dev-7")
    assert key not in res.stdout + res.stderr  # only a fingerprint is shown
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert stored["twinbench/device-key:primary:dev-7"] == key
    res = _run(twinbench_exe, env, "sas", "dev-7", "--uri", "hub.example/devices/dev-7")
    assert res.returncode == 0, res.stderr
    token = res.stdout.strip()
    assert verify_sas_token(token, key)
    assert unquote_plus(re.search(r"sr=([^&]+)", token).group(1)) == "hub.example/devices/dev-7"
    res = _run(twinbench_exe, env, "rotate", "dev-7")
    assert res.returncode == 0, res.stderr
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert stored["twinbench/device-key:secondary:dev-7"] == key
    assert stored["twinbench/device-key:primary:dev-7"] != key


def test_missing_key_and_group_key_are_clear_errors(twinbench_exe, clean_env, tmp_path):
    env = _env(clean_env, tmp_path)
    res = _run(twinbench_exe, env, "sas", "ghost", "--uri", "hub/devices/ghost")
    assert res.returncode == 2 and "no key for 'ghost'" in res.stderr
    res = _run(twinbench_exe, env, "provision", "dev-1", stdin="")
    assert res.returncode == 2 and "TWINBENCH_GROUP_KEY" in res.stderr
    res = _run(twinbench_exe, env, "provision", "dev-1", stdin="not base64!!\n")
    assert res.returncode == 2 and "group key is not valid base64" in res.stderr
