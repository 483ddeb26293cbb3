"""`twinbench sessions`: list, rename, annotate, delete and measure recorded sessions."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `sessions` and its actions."""
    p = subs.add_parser(
        "sessions",
        help="browse recorded sessions",
        description="Browse the sessions under a recordings folder.",
    )
    acts = p.add_subparsers(dest="action", required=True)
    ls = acts.add_parser("list", help="list sessions, newest first")
    ls.add_argument("dir", nargs="?", default=None, help="recordings folder")
    rn = acts.add_parser("rename", help="set a session's display name")
    rn.add_argument("session")
    rn.add_argument("name")
    an = acts.add_parser("annotate", help="set or append a session's note")
    an.add_argument("session")
    an.add_argument("note")
    an.add_argument("--append", action="store_true", help="append instead of replacing")
    de = acts.add_parser("delete", help="delete a session folder")
    de.add_argument("session")
    de.add_argument("--yes", action="store_true", help="do not ask")
    du = acts.add_parser("du", help="disk usage per session and in total")
    du.add_argument("dir", nargs="?", default=None, help="recordings folder")


def default_dir() -> str:
    """The default recordings folder (per-user data dir)."""
    import platformdirs

    return str(platformdirs.user_data_path("twinbench") / "recordings")


def human(n: float) -> str:
    """Bytes as a short human-readable size."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench sessions ACTION`."""
    from twinbench.recording import session as sess

    if args.action in ("list", "du"):
        infos = sess.list_sessions(args.dir or default_dir())
        if args.action == "list":
            for i in infos:
                if i.problem:
                    print(f"{i.folder.name}  error: {i.problem}")
                    continue
                note = f"  # {i.note.splitlines()[0]}" if i.note else ""
                print(
                    f"{i.id}  {i.name!r}  {i.created_utc}  {i.duration_s:.1f} s  {i.state}  "
                    f"{','.join(i.devices)}  {human(i.bytes)}{note}"
                )
            print(f"{len(infos)} session(s)")
        else:
            for i in infos:
                print(f"{human(i.bytes):>10}  {i.folder.name}")
            print(f"{human(sum(i.bytes for i in infos)):>10}  total")
        return 0
    if args.action == "rename":
        meta = sess.rename(args.session, args.name)
        print(f"renamed {meta['id']} to {meta['name']!r}")
    elif args.action == "annotate":
        meta = sess.annotate(args.session, args.note, append=args.append)
        print(f"annotated {meta['id']}")
    elif args.action == "delete":
        if not args.yes:
            import sys

            if not sys.stdin.isatty():
                from twinbench.errors import UsageError

                raise UsageError("delete: pass --yes to delete without a prompt")
            if input(f"delete {args.session}? [y/N] ").strip().lower() != "y":
                print("kept")
                return 0
        size = sess.delete(args.session)
        print(f"deleted {args.session} ({human(size)})")
    return 0
