"""Device keys (DPS derivation, keyring, rotation), SAS tokens and signed frames."""

import re
import time
from urllib.parse import unquote_plus

import pytest

from twinbench.errors import ConfigError
from twinbench.identity import (
    FrameSigner,
    FrameVerifier,
    KeyStore,
    derive_device_key,
    generate_sas_token,
    parse_sas_token,
)
from twinbench.identity.sas import verify_sas_token


def test_dps_group_key_vector_from_fixtures(fixtures_dir):
    text = (fixtures_dir / "README.md").read_text()
    group = re.search(r"Group key `([^`]+)`", text).group(1)
    reg = re.search(r"registration id `([^`]+)`", text).group(1)
    want = re.search(r"-> `([^`]+)`\.", text).group(1)
    assert derive_device_key(group, reg) == want


def test_bad_group_key_is_a_clear_error():
    with pytest.raises(ConfigError, match="group key"):
        derive_device_key("not base64!!", "dev")


def test_keys_live_in_keyring_and_rotate(memory_keyring):
    store = KeyStore()
    k1 = store.provision(
        "dev-1",
        "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==",
    )
    assert store.get("dev-1") == k1
    assert any(v == k1 for v in memory_keyring.store.values())
    k2 = store.rotate("dev-1")
    assert k2 != k1 and store.keys("dev-1") == [k2, k1]
    store.delete("dev-1")
    assert store.keys("dev-1") == []


def test_sas_token_fields_and_verification():
    key = derive_device_key(
        "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==",
        "dev",
    )
    se = int(time.time()) + 600
    tok = generate_sas_token("myhub.azure-devices.net/devices/dev", key, expiry=se)
    f = parse_sas_token(tok)
    assert unquote_plus(f["sr"]) == "myhub.azure-devices.net/devices/dev" and int(f["se"]) == se
    assert verify_sas_token(tok, key)
    other = derive_device_key(
        "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==",
        "other",
    )
    assert not verify_sas_token(tok, other)
    assert not verify_sas_token(tok, key, now=se + 1)
    assert "skn=owner" in generate_sas_token("hub", key, expiry=se, policy_name="owner")
    with pytest.raises(ConfigError):
        parse_sas_token("Bearer abc")


def test_signed_frames_reject_and_count_tampering():
    k1 = derive_device_key("AAAA", "a")
    k2 = derive_device_key("AAAA", "b")
    signer = FrameSigner(k1)
    frames = [signer.sign(b"\xc0\xde" + bytes([i]) * 6) for i in range(5)]
    frames[2] = frames[2][:3] + b"\xff" + frames[2][4:]
    ver = FrameVerifier([k2, k1])  # rotated: old key still accepted as secondary
    good = ver.verify_many([*frames, b"short"])
    assert len(good) == 4 and ver.rejected == 2 and ver.accepted == 4
    line = signer.sign_text("T=21.5,H=40")
    assert ver.verify_text(line) == "T=21.5,H=40"
    assert ver.verify_text(line.replace("21.5", "99.9")) is None
    assert ver.verify_text("no tag") is None and ver.rejected == 4
