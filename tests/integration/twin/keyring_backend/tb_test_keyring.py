"""A file-backed keyring for child processes in tests (stands in for the OS secret store)."""

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    """Secrets in the JSON file named by $TB_TEST_KEYRING_FILE."""

    priority = 1

    def _load(self):
        p = Path(os.environ["TB_TEST_KEYRING_FILE"])
        return json.loads(p.read_text()) if p.exists() else {}

    def _save(self, data):
        Path(os.environ["TB_TEST_KEYRING_FILE"]).write_text(json.dumps(data))

    def get_password(self, service, username):
        return self._load().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service, username):
        data = self._load()
        if f"{service}/{username}" not in data:
            raise PasswordDeleteError(username)
        del data[f"{service}/{username}"]
        self._save(data)
