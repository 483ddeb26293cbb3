"""`twinbench identity`: device keys in the OS keyring, rotation, SAS tokens."""

from __future__ import annotations

import argparse
from typing import Any

GROUP_KEY_ENV = "TWINBENCH_GROUP_KEY"


def add_parser(subs: Any) -> None:
    """Declare `identity`."""
    p = subs.add_parser(
        "identity",
        help="device keys (keyring), rotation and SAS tokens",
        description="Per-device keys kept in the OS keyring. `provision` derives a device key "
        f"from the DPS group key (read from ${GROUP_KEY_ENV} or stdin, never from the command "
        "line); `rotate` replaces it (the old key stays as secondary); `sas` prints a SAS token "
        "for an IoT Hub-style broker. Keys themselves are never printed, only fingerprints.",
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

    from twinbench.errors import UsageError

    key = os.environ.get(GROUP_KEY_ENV, "").strip()
    if not key and not sys.stdin.isatty():
        key = sys.stdin.readline().strip()
    if not key:
        raise UsageError(f"no group key: set ${GROUP_KEY_ENV} or pipe it on stdin")
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
            print(f"ok: key for {args.device} stored in the keyring ({fingerprint(key)})")
        elif args.action == "rotate":
            key = store.rotate(args.device)
            print(f"ok: key for {args.device} rotated ({fingerprint(key)}); old key kept")
        else:
            keys = store.keys(args.device)
            if not keys:
                raise UsageError(f"no key for {args.device!r} in the keyring; run provision")
            if args.action == "show":
                slots = ("primary", "secondary")
                for slot, k in zip(slots, keys, strict=False):
                    print(f"{args.device} {slot}: {fingerprint(k)}")
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
