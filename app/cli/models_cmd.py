"""`twinbench models check PATH...` and `models show DTMI|FILE`: validate and inspect DTDL."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `models`."""
    p = subs.add_parser(
        "models",
        help="validate and inspect DTDL v2/v3 models",
        description="check: validate DTDL interfaces; each error names the file, the element's "
        "DTMI or JSON path and the rule broken (its DTDL ValidationID). show: print an Interface "
        "as the parser understood it. Exit 0 when valid, 2 otherwise.",
    )
    p.add_argument("action", choices=["check", "show"])
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="check: model files or folders; show: DTMI or file"
    )
    p.add_argument(
        "--repo",
        metavar="FOLDER",
        help="model repository (dtmi/com/example/x-1.json layout): resolves references",
    )
    p.add_argument(
        "--max-dtdl-version",
        type=int,
        choices=[2, 3],
        default=3,
        help="highest DTDL version accepted (the official MaxDtdlVersion; default 3)",
    )
    p.add_argument(
        "--extensions",
        choices=["allow", "disallow"],
        help="undefined extension contexts: allow or disallow (the official "
        "AllowUndefinedExtensions / DisallowUndefinedExtensions); default: allowed in v2 only",
    )
    p.add_argument("--json", action="store_true", help="show: print the tree as JSON")
    p.add_argument("--quiet", action="store_true", help="check: print only the result line")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    allow = {"allow": True, "disallow": False}.get(args.extensions or "")
    return {"allow_undefined_extensions": allow, "max_version": args.max_dtdl_version}


def run(args: argparse.Namespace) -> int:
    """Check or show the models; problems go to stderr, one line each."""
    import sys

    from twinbench.dtdl import DtdlError

    try:
        return _show(args) if args.action == "show" else _check(args)
    except DtdlError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        print(f"invalid: {len(exc.issues)} problem(s)", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    from twinbench.dtdl import check_paths, model_set_of

    result, files = check_paths(args.paths, args.repo, **_options(args))
    models = model_set_of(result)
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


def _show(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from twinbench.dtdl import DtdlError, Issue, Repository, load_models
    from twinbench.dtdl.api import read_json
    from twinbench.dtdl.show import interface_tree, render

    if len(args.paths) != 1:
        raise DtdlError([Issue("usage", "models show takes one DTMI or file")])
    target = args.paths[0]
    if target.startswith("dtmi:"):
        if not args.repo:
            raise DtdlError([Issue("usage", f"{target}: give --repo FOLDER to find a DTMI")])
        try:
            path = Repository(args.repo).path_of(target)
        except ValueError:
            raise DtdlError([Issue("invalidId", f"{target!r} is not a valid DTMI")]) from None
        roots = [target]
    else:
        path = Path(target)
        doc = read_json(path) if path.is_file() else None
        items = doc if isinstance(doc, list) else [doc]
        roots = [d["@id"] for d in items if isinstance(d, dict) and isinstance(d.get("@id"), str)]
    if not path.is_file():
        raise DtdlError([Issue("fileNotFound", "no such file", file=str(path))])
    models = load_models([path], args.repo, **_options(args))
    roots = [r for r in roots if r in models] or list(models.interfaces)
    trees = [interface_tree(models, r) for r in roots]
    if args.json:
        print(json.dumps(trees[0] if len(trees) == 1 else trees, indent=2))
    else:
        for t in trees:
            print("\n".join(render(t)))
    return 0
