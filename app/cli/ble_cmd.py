"""`twinbench ble`: scan for Bluetooth LE devices, browse a GATT table, read and write."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `ble scan|gatt|read|write`."""
    p = subs.add_parser("ble", help="Bluetooth LE: scan, GATT browser, read, write")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--adapter", default="", help="adapter, e.g. hci0 (default: the first)")
    common.add_argument("--timeout", type=float, default=10.0, help="connect timeout (s)")
    acts = p.add_subparsers(dest="action", required=True)
    s = acts.add_parser("scan", parents=[common], help="list advertising devices (named or not)")
    s.add_argument("--seconds", type=float, default=5.0, help="how long to scan (default 5)")
    s.add_argument("--name", default="", help="name filter: glob or substring")
    s.add_argument("--service", default="", help="advertised service UUID filter, e.g. 180d")
    s.add_argument("--rssi-min", type=int, default=None, help="weakest RSSI to show (dBm)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--live", action="store_true", help="also print each device as it appears")
    g = acts.add_parser(
        "gatt", parents=[common], help="connect and print services, characteristics, descriptors"
    )
    g.add_argument("address")
    g.add_argument("--json", action="store_true", help="print JSON")
    r = acts.add_parser("read", parents=[common], help="read one characteristic (printed as hex)")
    r.add_argument("address")
    r.add_argument("uuid")
    w = acts.add_parser("write", parents=[common], help="write one characteristic")
    w.add_argument("address")
    w.add_argument("uuid")
    w.add_argument("hex", help="bytes as hex, e.g. 01ff")
    w.add_argument("--no-response", action="store_true", help="write without response")


def run(args: argparse.Namespace) -> int:
    """Execute `twinbench ble ...`."""
    import asyncio
    import json
    import sys

    from twinbench.ble import ops
    from twinbench.ble.decoders import DecoderError, make_decoder
    from twinbench.ble.gatt import format_tree, tree_to_dict
    from twinbench.ble.scanner import ScanFilter
    from twinbench.ble.sig import normalize_uuid
    from twinbench.errors import TwinBenchError, UsageError

    try:
        if args.action == "scan":
            if not args.seconds > 0:
                raise UsageError(f"--seconds must be positive, got {args.seconds}")
            flt = ScanFilter(args.name, args.service, args.rssi_min)
            on_new = None
            if args.live and not args.json:

                def on_new(e: Any) -> None:
                    print(f"+ {e.describe()}", flush=True)

            entries = asyncio.run(ops.scan(args.seconds, flt, args.adapter, on_new))
            if args.json:
                print(json.dumps([e.to_dict() for e in entries], indent=2))
            else:
                for e in entries:
                    print(e.describe())
                print(f"{len(entries)} device(s)")
            return 0
        if args.action == "gatt":
            tree = asyncio.run(ops.gatt(args.address, args.timeout, args.adapter))
            print(json.dumps(tree_to_dict(tree), indent=2) if args.json else format_tree(tree))
            return 0
        uuid = normalize_uuid(args.uuid)
        if args.action == "read":
            data = asyncio.run(ops.read(args.address, uuid, args.timeout, args.adapter))
            line = data.hex()
            try:
                blocks, st = make_decoder(uuid).decode([data], _now())
                if st.ok:
                    line += "  " + ", ".join(
                        f"{n}={v:g}"
                        for b in blocks
                        for n, v in zip(b.channels, b.values[0], strict=True)
                    )
            except DecoderError:
                pass
            print(line)
            return 0
        try:
            data = bytes.fromhex(args.hex)
        except ValueError:
            raise UsageError(f"{args.hex!r} is not hex (expected e.g. 01ff)") from None
        asyncio.run(
            ops.write(args.address, uuid, data, not args.no_response, args.timeout, args.adapter)
        )
        print(f"wrote {len(data)} byte(s)")
        return 0
    except (TwinBenchError, BrokenPipeError):  # a closed stdout ends quietly in cli.main
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # bleak/D-Bus errors: one clear line, exit 1
        print(f"twinbench: error: ble {args.action}: {ops.explain(exc)}", file=sys.stderr)
        return 1


def _now() -> Any:
    import time

    import numpy as np

    return np.array([time.time_ns()], np.int64)
