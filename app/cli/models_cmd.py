"""`twinbench models check PATH...`: validate DTDL models (files or folders)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `models`."""
    p = subs.add_parser(
        "models",
        help="validate DTDL v2/v3 models",
        description="Validate DTDL interfaces. Each error names the file, the element's DTMI or "
        "JSON path and the rule broken (its DTDL ValidationID). Exit 0 when valid, 2 otherwise.",
    )
    p.add_argument("action", choices=["check"])
    p.add_argument("paths", nargs="+", metavar="PATH", help="model files or folders")
    p.add_argument(
        "--repo", metavar="FOLDER", help="model repository (dtmi/com/example/x-1.json layout)"
    )
    p.add_argument("--quiet", action="store_true", help="print only the result line")


def run(args: argparse.Namespace) -> int:
    """Check the models and print one line per problem."""
    import sys

    from twinbench.dtdl import DtdlError, check_paths, model_set_of

    try:
        result, files = check_paths(args.paths, args.repo)
        models = model_set_of(result)
    except DtdlError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        print(f"invalid: {len(exc.issues)} problem(s)", file=sys.stderr)
        return 2
    if not args.quiet:
        for dtmi, iface in models.interfaces.items():
            kinds = ", ".join(
                f"{len(iface.of(k))} {k.lower()}"
                for k in ("Telemetry", "Property", "Command", "Component")
                if iface.of(k)
            )
            print(f"{dtmi}: {kinds or 'empty'}")
    print(f"ok: {len(models.interfaces)} interface(s) in {len(files)} file(s)")
    return 0
