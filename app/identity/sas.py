"""Shared access signature tokens (`sr`, `sig`, `se`, optional `skn`) for IoT Hub-style brokers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qs, quote_plus

from twinbench.errors import ConfigError
from twinbench.identity.keys import _b64decode


def generate_sas_token(
    resource_uri: str,
    key: str,
    expiry: int | None = None,
    ttl_s: int = 3600,
    policy_name: str | None = None,
) -> str:
    """`SharedAccessSignature sr=...&sig=...&se=...`: HMAC-SHA256 of `uri\\nexpiry` with the key."""
    se = int(expiry if expiry is not None else time.time() + ttl_s)
    sr = quote_plus(resource_uri)
    to_sign = f"{sr}\n{se}".encode()
    sig = base64.b64encode(hmac.new(_b64decode(key, "SAS key"), to_sign, hashlib.sha256).digest())
    token = f"SharedAccessSignature sr={sr}&sig={quote_plus(sig.decode())}&se={se}"
    if policy_name:
        token += f"&skn={quote_plus(policy_name)}"
    return token


def parse_sas_token(token: str) -> dict[str, str]:
    """The fields of a SAS token (sr, sig, se and skn when present), URL-decoded."""
    prefix = "SharedAccessSignature "
    if not token.startswith(prefix):
        raise ConfigError("not a SharedAccessSignature token")
    fields = {k: v[0] for k, v in parse_qs(token[len(prefix) :], strict_parsing=True).items()}
    for need in ("sr", "sig", "se"):
        if need not in fields:
            raise ConfigError(f"SAS token lacks {need!r}")
    return fields


def verify_sas_token(token: str, key: str, now: float | None = None) -> bool:
    """Whether the token's signature matches the key and it has not expired."""
    f = parse_sas_token(token)
    expect = generate_sas_token(f["sr"], key, int(f["se"]))
    sig_ok = hmac.compare_digest(parse_sas_token(expect)["sig"], f["sig"])
    return sig_ok and int(f["se"]) > (time.time() if now is None else now)
