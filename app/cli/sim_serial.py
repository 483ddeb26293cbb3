"""The serial half of `twinbench sim`: a board on a pseudo-terminal until stopped."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading


def _signer(device_id: str) -> object:
    """The board's frame signer, keyed from the environment (never from the command line)."""
    import os

    from twinbench.errors import UsageError
    from twinbench.identity import FrameSigner, derive_device_key

    key = os.environ.get("TWINBENCH_DEVICE_KEY")
    if not key and os.environ.get("TWINBENCH_GROUP_KEY"):
        key = derive_device_key(os.environ["TWINBENCH_GROUP_KEY"], device_id)
    if not key:
        raise UsageError(
            "--sign needs TWINBENCH_DEVICE_KEY or TWINBENCH_GROUP_KEY in the environment"
        )
    return FrameSigner(key)


def run_serial(args: argparse.Namespace) -> int:
    """Serve the simulated board on a pty; print its path, then a JSON summary at the end."""
    from twinbench.errors import UsageError

    try:
        from twinbench.drivers.serial.simboard import FORMATS, PtyBoard, profile_for
    except ImportError as exc:  # pragma: no cover - termios/tty missing (Windows)
        raise UsageError(f"--serial needs a POSIX system (pseudo-terminals): {exc}") from None
    if args.format not in FORMATS:
        raise UsageError(f"--format {args.format!r}: valid formats are {', '.join(FORMATS)}")
    if not 0 <= args.corrupt <= 1:
        raise UsageError(f"--corrupt must be within 0..1, got {args.corrupt}")
    if args.rate < 0 or args.noise < 0:
        raise UsageError("--rate and --noise must not be negative")
    if args.print_profile:
        import tomli_w

        with open(args.print_profile, "wb") as fh:
            tomli_w.dump(profile_for(args.format, args.device_id, args.sign), fh)
        print(args.print_profile)
        return 0
    signer = _signer(args.device_id) if args.sign else None
    try:
        board = PtyBoard(
            args.format,
            args.rate,
            args.link,
            args.corrupt,
            args.noise,
            args.seed,
            signer=signer,
            device_id=args.device_id,
        )
    except ValueError as exc:
        raise UsageError(f"--sign: {exc}") from None
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(board.plug(), flush=True)

    def event(text: str) -> None:
        print(text, flush=True)

    if args.start_delay > 0:
        stop.wait(args.start_delay)
    try:
        stats = board.run(stop, args.count, args.duration, args.unplug_at, args.unplug_for, event)
        if args.count is not None and not stop.is_set():
            board.drain(stop)  # let the reader take every byte before the pty goes away
    finally:
        board.close()
    summary = {k: v for k, v in vars(stats).items() if k != "events"}
    print(json.dumps({"sim": "serial", "format": args.format, **summary}), flush=True)
    sys.stdout.flush()
    return 0
