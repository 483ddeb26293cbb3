"""`twinbench twin show|export|import`: a device's twin from a short headless run."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subs: Any) -> None:
    """Declare `twin`."""
    p = subs.add_parser(
        "twin",
        help="show, export or import a device twin (headless)",
        description="Run the devices headless for a moment, then show the twin of one device "
        "(telemetry with units, reported and desired properties with their acknowledgements), "
        "export it as IoT Hub twin JSON, or import one (its desired properties are checked "
        "against the device's DTDL model and sent to the board).",
    )
    p.add_argument("action", choices=["show", "export", "import"])
    p.add_argument("file", nargs="?", help="twin JSON file (export: written, import: read)")
    p.add_argument("--driver", default="sim", help="driver name (default: sim)")
    p.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE", help="driver setting"
    )
    p.add_argument("--device", help="device id (default: the first one)")
    p.add_argument(
        "--desired",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="desired property to set before showing, e.g. targetSpeed=1200",
    )
    p.add_argument(
        "--invoke", action="append", default=[], metavar="NAME[=JSON]", help="command to run"
    )
    p.add_argument("--duration", type=float, default=0.5, help="seconds to stream (default 0.5)")
    p.add_argument("--timeout", type=float, default=5.0, help="reply timeout in seconds")
    p.add_argument("--json", action="store_true", help="print the twin as JSON")


def _json_value(text: str, what: str) -> Any:
    import json

    from twinbench.errors import UsageError

    try:
        return json.loads(text)
    except ValueError:
        if what.startswith("--desired") and text and text[0].isalpha():
            return text  # bare words are strings: mode=idle
        raise UsageError(f"{what}: {text!r} is not valid JSON") from None


def _pairs(items: list[str], flag: str, need_value: bool) -> list[tuple[str, Any]]:
    from twinbench.errors import UsageError

    out = []
    for item in items:
        name, eq, value = item.partition("=")
        if not name or (need_value and not eq):
            raise UsageError(f"{flag} {item!r}: expected NAME=VALUE")
        out.append((name, _json_value(value, f"{flag} {name}") if eq else None))
    return out


def format_twin(snapshot: dict[str, Any], statuses: dict[str, Any]) -> str:
    """The twin as readable lines: telemetry, reported, writable properties with their state."""
    lines = [f"device {snapshot['deviceId']}  model {snapshot.get('modelId', '-')}"]
    for name, t in snapshot.get("telemetry", {}).items():
        lines.append(f"  telemetry {name:<14} {t['value']:>12.4g} {t['unit']}")
    reported = snapshot["properties"]["reported"]
    for name, value in reported.items():
        if name.startswith("$") or name in statuses:
            continue
        lines.append(f"  reported  {name:<14} {value}")
    for name, st in statuses.items():
        pend = f", pending {st.pending_for():.1f} s" if st.state == "pending" else ""
        lines.append(
            f"  writable  {name:<14} desired={st.desired!r} reported={st.reported!r} "
            f"[{st.state}{' ' + str(st.ack_code) if st.ack_code else ''}{pend}]"
            + (f" {st.ack_description}" if st.ack_description else "")
        )
    desired_v = snapshot["properties"]["desired"]["$version"]
    reported_v = reported["$version"]
    lines.append(
        f"  versions  twin={snapshot['version']} desired={desired_v} reported={reported_v}"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run briefly, apply desired/commands/import, then print or export the twin."""
    import json
    import time
    from pathlib import Path

    from twinbench.cli.run_cmd import parse_settings
    from twinbench.errors import TwinBenchError, UsageError
    from twinbench.headless import write_json
    from twinbench.runtime import Runtime
    from twinbench.twin import TwinError, TwinService

    if args.action in ("export", "import") and not args.file:
        raise UsageError(f"twin {args.action} needs a FILE")
    desired = _pairs(args.desired, "--desired", True)
    invokes = _pairs(args.invoke, "--invoke", False)
    imported = None
    if args.action == "import":
        path = Path(args.file)
        from twinbench.userfile import load_json

        imported = load_json(path, "twin document")
    runtime = Runtime()
    runtime.add_driver(args.driver, parse_settings(args.option))
    service = TwinService(runtime, timeout=args.timeout)
    runtime.start()
    try:
        time.sleep(max(0.05, args.duration))
        device = args.device or next(iter(runtime.hub.devices), None)
        if device is None or device not in runtime.hub.devices:
            raise UsageError(f"no device {device!r}; devices: {', '.join(runtime.hub.devices)}")
        service.refresh(device)
        twin = service.twin(device)
        try:
            if imported is not None:
                twin.load_json(imported, str(args.file))
                wanted = {k: v for k, v in twin.desired.values.items()}
                if wanted:
                    service.set_desired(device, wanted)
            if desired:
                service.set_desired(device, dict(desired))
            for name, payload in invokes:
                res = service.invoke(device, name, payload)
                print(f"command {name}: {res.get('status')} {json.dumps(res.get('payload'))}")
        except TwinError as exc:
            raise UsageError(str(exc)) from None
        time.sleep(0.05)
        binding = service.bindings.get(device)
        names = list(binding.writable()) if binding else []
        statuses = {n: twin.property_status(n) for n in names}
        if args.action == "export":
            write_json(args.file, twin.to_json())
            print(f"ok: twin of {device} written to {args.file}")
        elif args.json:
            print(json.dumps(twin.snapshot(), indent=2))
        else:
            print(format_twin(twin.snapshot(), statuses))
    except TwinBenchError:
        raise
    finally:
        runtime.stop()
    return 0
