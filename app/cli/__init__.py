"""The `twinbench` command: the GUI by default, subcommands for headless work."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from twinbench import __version__
from twinbench.errors import TwinBenchError

# subcommand -> module in twinbench.cli (each defines `add_parser(subparsers)` and `run(args)`);
# modules import only argparse-level code at the top so that `--help` stays fast.
COMMANDS: dict[str, str] = {
    "run": "twinbench.cli.run_cmd",
    "drivers": "twinbench.cli.drivers_cmd",
    "rules": "twinbench.cli.rules_cmd",
    "models": "twinbench.cli.models_cmd",
    "twin": "twinbench.cli.twin_cmd",
    "ble": "twinbench.cli.ble_cmd",
    "export": "twinbench.cli.export_cmd",
    "sessions": "twinbench.cli.sessions_cmd",
    "sql": "twinbench.cli.sql_cmd",
    "replay": "twinbench.cli.replay_cmd",
    "station": "twinbench.cli.station_cmd",
    "sim": "twinbench.cli.sim_cmd",
    "profiles": "twinbench.cli.profiles_cmd",
    "ports": "twinbench.cli.ports_cmd",
    "identity": "twinbench.cli.identity_cmd",
}


def _top_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="twinbench",
        description="TwinBench: digital-twin visualizer and device lab bench. With no command, "
        "opens the main window (on the simulated board when no device is configured).",
        epilog="commands: " + ", ".join(COMMANDS) + " (twinbench COMMAND --help for each)",
    )
    p.add_argument("workspace", nargs="?", help="workspace file to open in the GUI")
    p.add_argument("--version", action="version", version=f"twinbench {__version__}")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="open on the simulated board only, ignoring the last session's devices and panels",
    )
    p.add_argument(
        "--selftest",
        action="store_true",
        help="run a 2 s headless simulation and exit 0 on success",
    )
    return p


def _command_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    mod = importlib.import_module(COMMANDS[name])
    p = argparse.ArgumentParser(prog="twinbench")
    subs = p.add_subparsers(dest="command", required=True)
    mod.add_parser(subs)  # type: ignore[attr-defined]
    return p, mod


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `twinbench` console script; a closed stdout ends it quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a pipe closed early shows up here, not at interpreter exit
        return code
    except BrokenPipeError:  # `twinbench ... | head -1`: the reader has all it wanted
        _drop_stdout()
        return 0


def _drop_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file
        pass


def _main(argv: Sequence[str] | None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_in and args_in[0] in COMMANDS:
            parser, mod = _command_parser(args_in[0])
            args = parser.parse_args(args_in)
            return int(mod.run(args) or 0)  # type: ignore[attr-defined]
        args = _top_parser().parse_args(args_in)
        if args.selftest:
            from twinbench.selftest import selftest

            return selftest()
        from twinbench.gui.launch import launch

        return launch(args.workspace, fresh=args.fresh)
    except TwinBenchError as exc:
        print(f"twinbench: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
