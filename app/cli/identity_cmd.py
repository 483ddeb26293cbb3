"""`twinbench identity`: device keys (OS keyring or owner-only file store), rotation, SAS tokens."""

from __future__ import annotations

import argparse
from typing import Any

GROUP_KEY_ENV = "TWINBENCH_GROUP_KEY"
GROUP_KEY_FILE_ENV = "TWINBENCH_GROUP_KEY_FILE"
GROUP_KEY_CREDENTIAL = "twinbench-group-key"


def add_parser(subs: Any) -> None:
    """Declare `identity`."""
    p = subs.add_parser(
        "identity",
        help="device keys (keyring or file store), rotation and SAS tokens",
        description="Per-device keys kept in the OS keyring, or where there is none (a headless "
        "station, a CI runner) in owner-only files under the user's data folder. `provision` "
        "derives a device key from the DPS group key (from the OS keyring entry twinbench/"
        f"group-key, the systemd credential {GROUP_KEY_CREDENTIAL}, the owner-only file named by "
        f"${GROUP_KEY_FILE_ENV}, ${GROUP_KEY_ENV}, or stdin; never from the command line); "
        "`rotate` replaces it (the old key stays as secondary); `show` says where each key "
        "lives; `sas` prints a SAS token for an IoT Hub-style broker. Keys themselves are never "
        "printed, only fingerprints.",
    )
    p.add_argument("action", choices=["provision", "rotate", "sas", "show"])
    p.add_argument("device", help="device (registration) id")
    p.add_argument("--uri", help="sas: resource URI, e.g. myhub.azure-devices.net/devices/DEV")
    p.add_argument("--ttl", type=int, default=3600, help="sas: seconds the token is valid")
    p.add_argument("--policy", help="sas: shared access policy name (skn)")


def fingerprint(key: str) -> str:
    """A short, non-secret tag of a key (first 12 hex digits of its SHA-256)."""
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _group_key() -> str:
    import os
    import sys

    from twinbench.credentials import SecretSpec, find_secret
    from twinbench.errors import UsageError

    spec = SecretSpec(
        "group key",
        keyring=("twinbench", "group-key"),
        credential=GROUP_KEY_CREDENTIAL,
        file=os.environ.get(GROUP_KEY_FILE_ENV, ""),
        env=GROUP_KEY_ENV,
    )
    found, looked = find_secret(spec)
    if found is not None:
        return found[0].strip()
    key = "" if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not key:
        raise UsageError(
            f"no group key: looked in {'; '.join(looked)}; stdin: nothing piped "
            f"(set ${GROUP_KEY_ENV}, name an owner-only file in ${GROUP_KEY_FILE_ENV}, or pipe it)"
        )
    return key


def run(args: argparse.Namespace) -> int:
    """Provision, rotate, show or use a device key."""
    from keyring.errors import KeyringError

    from twinbench.errors import UsageError
    from twinbench.identity import KeyStore, generate_sas_token

    store = KeyStore()
    try:
        if args.action == "provision":
            key = store.provision(args.device, _group_key())
            print(f"ok: key for {args.device} stored in {store.stored_in} ({fingerprint(key)})")
        elif args.action == "rotate":
            key = store.rotate(args.device)
            print(
                f"ok: key for {args.device} rotated ({fingerprint(key)}); old key kept; "
                f"stored in {store.stored_in}"
            )
        else:
            keys = store.keys(args.device)
            if not keys:
                raise UsageError(
                    f"no key for {args.device!r} in the keyring, the systemd credentials or "
                    f"the file store ({store.files.folder}); run provision"
                )
            if args.action == "show":
                for slot in ("primary", "secondary"):
                    found = store.locate(args.device, slot)
                    if found:
                        print(f"{args.device} {slot}: {fingerprint(found[0])} in {found[1]}")
            else:
                if not args.uri:
                    raise UsageError("sas needs --uri")
                if args.ttl <= 0:
                    raise UsageError(f"--ttl must be positive, got {args.ttl}")
                print(
                    generate_sas_token(args.uri, keys[0], ttl_s=args.ttl, policy_name=args.policy)
                )
    except KeyringError as exc:
        raise UsageError(f"keyring unavailable: {exc}") from None
    return 0
