"""The one secret resolver: keyring, systemd credential, owner-only file, env var, in that order."""

from __future__ import annotations

import os
import stat

import pytest

from twinbench.credentials import (
    FileSecretStore,
    SecretError,
    SecretSpec,
    find_secret,
    redact,
    resolve,
)
from twinbench.identity import KeyStore


@pytest.fixture
def no_keyring():
    """The fail backend: what a headless machine without a desktop session has."""
    import keyring
    from keyring.backends import fail

    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(old)


def _secret_file(path, text, mode=0o600):
    path.write_text(text + "\n")
    os.chmod(path, mode)
    return str(path)


def _spec(tmp_path, monkeypatch, **kw):
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "creds"))
    return SecretSpec(
        "test password",
        keyring=("svc", "alice"),
        credential="tb-pw",
        file=str(tmp_path / "pw.txt"),
        env="TB_TEST_PW",
        **kw,
    )


def test_sources_in_order_of_preference(tmp_path, monkeypatch, memory_keyring):
    spec = _spec(tmp_path, monkeypatch)
    monkeypatch.setenv("TB_TEST_PW", "from-env")
    assert resolve(spec) == "from-env"
    _secret_file(tmp_path / "pw.txt", "from-file")
    assert resolve(spec) == "from-file"
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "tb-pw").write_text("from-credential")
    found, looked = find_secret(spec)
    assert found == ("from-credential", f"systemd credential 'tb-pw' ({tmp_path}/creds/tb-pw)")
    assert looked == ["OS keyring (service 'svc', user 'alice'): no entry"]
    memory_keyring.set_password("svc", "alice", "from-keyring")
    assert find_secret(spec)[0] == ("from-keyring", "OS keyring (service 'svc', user 'alice')")


def test_missing_secret_names_it_and_every_place(tmp_path, monkeypatch, no_keyring):
    monkeypatch.delenv("TB_TEST_PW", raising=False)
    with pytest.raises(SecretError) as err:
        resolve(_spec(tmp_path, monkeypatch, hint="set password_env"))
    msg = str(err.value)
    assert msg.startswith("no test password: looked in ")
    assert "OS keyring (service 'svc', user 'alice'): no OS keyring on this machine" in msg
    assert f"systemd credential 'tb-pw': no file {tmp_path}/creds/tb-pw" in msg
    assert f"file {tmp_path}/pw.txt: does not exist" in msg
    assert "environment variable TB_TEST_PW: not set" in msg
    assert msg.endswith("(set password_env)")
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(SecretError, match=r"\$CREDENTIALS_DIRECTORY is not set"):
        resolve(SecretSpec("x", credential="tb-pw"))


def test_file_readable_by_others_is_refused(tmp_path, no_keyring):
    path = _secret_file(tmp_path / "pw.txt", "hunter22", 0o644)
    with pytest.raises(
        SecretError, match=r"can be read by others \(mode 0644\); refused: run chmod"
    ):
        resolve(SecretSpec("broker password", file=path))
    os.chmod(path, 0o600)
    assert resolve(SecretSpec("broker password", file=path)) == "hunter22"


def test_resolved_secrets_are_masked_in_text(monkeypatch, no_keyring):
    monkeypatch.setenv("TB_TEST_PW", "p4ss-w0rd-xyz")
    resolve(SecretSpec("x", env="TB_TEST_PW"))
    assert redact("login with p4ss-w0rd-xyz failed") == "login with *** failed"


def test_a_secret_containing_another_is_masked_whole(monkeypatch, no_keyring):
    monkeypatch.setenv("TB_TEST_SHORT", "k3y9")
    monkeypatch.setenv("TB_TEST_LONG", "pre-k3y9-post")
    resolve(SecretSpec("short", env="TB_TEST_SHORT"))
    resolve(SecretSpec("long", env="TB_TEST_LONG"))
    assert redact("token pre-k3y9-post, then k3y9") == "token ***, then ***"


def test_file_store_is_owner_only(tmp_path):
    store = FileSecretStore(tmp_path / "keys")
    path = store.set("dev/1 primary", "a2V5")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.parent == tmp_path / "keys" and "/" not in path.name
    assert store.get("dev/1 primary") == "a2V5"
    os.chmod(path, 0o640)
    with pytest.raises(SecretError, match="can be read by others"):
        store.get("dev/1 primary")


def test_keystore_without_keyring_uses_the_file_store(tmp_path, monkeypatch, no_keyring):
    monkeypatch.setenv("TWINBENCH_DATA_DIR", str(tmp_path / "data"))
    store = KeyStore()
    assert not store.uses_keyring
    store.rotate("dev-1", "AAAA")
    store.rotate("dev-1", "BBBB")
    assert "owner-only; no OS keyring" in store.stored_in
    assert store.keys("dev-1") == ["BBBB", "AAAA"]
    key, where = store.locate("dev-1", "secondary")
    assert (key, where) == ("AAAA", f"file {tmp_path}/data/keys/dev-1.secondary.key")
    store.delete("dev-1")
    assert store.keys("dev-1") == []


def test_keystore_reads_a_systemd_credential(tmp_path, monkeypatch, no_keyring):
    monkeypatch.setenv("TWINBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    (tmp_path / "twinbench-device-key-dev-9").write_text("Q0NDQw==\n")
    assert KeyStore().locate("dev-9") == (
        "Q0NDQw==",
        f"systemd credential 'twinbench-device-key-dev-9' ({tmp_path}/twinbench-device-key-dev-9)",
    )


def test_keystore_with_a_keyring_uses_it(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("TWINBENCH_DATA_DIR", str(tmp_path / "data"))
    store = KeyStore()
    store.set("dev-2", "RERERA==")
    assert memory_keyring.store[("twinbench", "device-key:primary:dev-2")] == "RERERA=="
    assert store.stored_in == "the OS keyring (service 'twinbench')"
    assert not (tmp_path / "data").exists()


def test_a_broken_keyring_falls_through_to_the_next_place(monkeypatch, memory_keyring):
    def locked(service, user):
        raise RuntimeError("the collection is locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    monkeypatch.setenv("TB_TEST_PW", "from-env")
    found, looked = find_secret(SecretSpec("x", keyring=("svc", "u"), env="TB_TEST_PW"))
    assert found == ("from-env", "environment variable TB_TEST_PW")
    assert looked == ["OS keyring (service 'svc', user 'u'): the collection is locked"]
