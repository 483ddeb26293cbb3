"""`twinbench profiles`: list, check and import device profiles."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `profiles` and its actions."""
    p = subs.add_parser("profiles", help="list, check and import device profiles")
    sp = p.add_subparsers(dest="action", required=True)
    sp.add_parser("list", help="profiles in the user folder and the built-in examples")
    c = sp.add_parser("check", help="validate a profile file (errors name file, line and key)")
    c.add_argument("file")
    i = sp.add_parser("import", help="convert a Serial Studio project (.ssproj) to a profile")
    i.add_argument("file")
    i.add_argument("-o", "--output", help="where to write (default: the user profiles folder)")
    i.add_argument("--force", action="store_true", help="overwrite an existing profile")


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench profiles ACTION`."""
    from twinbench.profiles import loader

    if args.action == "check":
        prof = loader.load_profile(args.file)
        chans = len(prof.data.get("channels", []))
        print(f"{args.file}: ok ({prof.name}, {chans} channels)")
        return 0
    if args.action == "list":
        from twinbench.errors import ConfigError

        print(f"user folder: {loader.profiles_dir()}")
        for folder in (loader.profiles_dir(), loader.builtin_dir()):
            for f in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
                try:
                    prof = loader.load_profile(f)
                except ConfigError as exc:
                    print(f"{f.stem:<24} BROKEN: {exc}")
                    continue
                rec = prof.recognition
                match = f"  [{rec.get('vid', '')}:{rec.get('pid', '')}]" if rec.get("vid") else ""
                print(f"{prof.name:<24} {prof.path}{match}")
        return 0
    return _import(args)


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    import tomli_w

    from twinbench.errors import ConfigError, UsageError
    from twinbench.profiles import loader
    from twinbench.profiles.ssproj import import_ssproj

    data = import_ssproj(args.file)
    text = tomli_w.dumps(data)
    out = Path(args.output) if args.output else loader.profiles_dir() / f"{data['name']}.toml"
    try:
        loader.parse_profile(text, str(out))  # what we write must load back
    except ConfigError as exc:
        raise ConfigError(f"{args.file}: cannot be imported: {exc}") from None
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists (use --force to overwrite)")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    for note in data.get("notes", []):
        print(f"note: {note}")
    return 0
