"""Sparkplug B host logic: births build alias maps, data decodes by alias, seq and death checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from twinbench.mqtt import sparkplug_pb as pb

REBIRTH = "Node Control/Rebirth"
NAMESPACE = "spBv1.0"


@dataclass
class NodeState:
    """What the host knows about one edge node: aliases, sequence, bdSeq and its devices."""

    aliases: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # alias->(dev,name,dt)
    seq: int | None = None
    bdseq: int | None = None
    online: bool = False
    devices: set[str] = field(default_factory=set)
    last_rebirth: float = 0.0


Collect = Callable[[str, tuple[str, ...], int, list[float]], None]


def rebirth_payload(now_ms: int | None = None) -> bytes:
    """The NCMD payload that asks an edge node to publish its births again."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    m = pb.Metric(name=REBIRTH, timestamp=ms, datatype=pb.BOOLEAN, value=True)
    return pb.encode_payload(pb.Payload(timestamp=ms, metrics=[m]))


class SparkplugHost:
    """Decodes `spBv1.0/...` messages, tracking births, sequence numbers and deaths per node."""

    def __init__(
        self,
        publish: Callable[[str, bytes], None] | None = None,
        status: Callable[[str, str, str], None] | None = None,
        rebirth_interval_s: float = 2.0,
    ) -> None:
        self.nodes: dict[tuple[str, str], NodeState] = {}
        self.publish = publish
        self.status = status
        self.rebirth_interval_s = rebirth_interval_s
        self.rebirths_requested = 0
        self.births = 0  # NBIRTH and DBIRTH messages taken
        self.deaths = 0  # NDEATH (current bdSeq) and DDEATH messages

    def _request_rebirth(self, group: str, node: str, st: NodeState, why: str) -> None:
        now = time.monotonic()
        if now - st.last_rebirth < self.rebirth_interval_s:
            return
        st.last_rebirth = now
        self.rebirths_requested += 1
        if self.status is not None:
            self.status(f"{group}/{node}", "stale", f"rebirth requested: {why}")
        if self.publish is not None:
            self.publish(f"{NAMESPACE}/{group}/NCMD/{node}", rebirth_payload())

    def handle(self, topic: str, data: bytes, t_ns: int, collect: Collect) -> str | None:
        """Decode one message; returns the name of a counted problem, or None when clean."""
        parts = topic.split("/")
        if len(parts) < 4 or parts[0] != NAMESPACE:
            return "bad_topic" if parts[1:2] != ["STATE"] else None
        group, mtype, node = parts[1], parts[2], parts[3]
        dev = parts[4] if len(parts) > 4 else ""
        try:
            payload = pb.decode_payload(data)
        except pb.DecodeError:
            return "truncated_protobuf"
        key = (group, node)
        st = self.nodes.setdefault(key, NodeState())
        node_id = f"{group}/{node}"
        dev_id = f"{node_id}/{dev}" if dev else node_id
        problem: str | None = None
        if mtype in ("NCMD", "DCMD"):
            return None
        if mtype == "NDEATH":
            bd = next((m.value for m in payload.metrics if m.name == "bdSeq"), None)
            if bd is not None and bd == st.bdseq:
                st.online = False
                self.deaths += 1
                if self.status is not None:
                    for d in (node_id, *sorted(st.devices)):
                        self.status(d, "offline", "NDEATH")
                return None
            return "stale_ndeath"
        if mtype == "NBIRTH":
            st.aliases = {}  # a node birth starts over: its devices must be born again too
            st.devices.clear()
            st.seq = payload.seq
            st.bdseq = next((m.value for m in payload.metrics if m.name == "bdSeq"), None)
            st.online = True
            if self.status is not None:
                self.status(node_id, "connected", "NBIRTH")
        elif st.seq is None:
            self._request_rebirth(group, node, st, f"{mtype} before NBIRTH")
            problem = "no_birth"
        else:
            want = (st.seq + 1) % 256
            if payload.seq is not None and payload.seq != want:
                self._request_rebirth(group, node, st, f"seq {payload.seq}, expected {want}")
                problem = "seq_gap"
            if payload.seq is not None:
                st.seq = payload.seq
        if mtype == "DBIRTH":
            st.aliases = {a: v for a, v in st.aliases.items() if v[0] != dev_id}
            st.devices.add(dev_id)
            if self.status is not None:
                self.status(dev_id, "connected", "DBIRTH")
        if mtype == "DDEATH":
            self.deaths += 1
            if self.status is not None:
                self.status(dev_id, "offline", "DDEATH")
            return problem
        birth = mtype in ("NBIRTH", "DBIRTH")
        self.births += birth
        names: list[str] = []
        row: list[float] = []
        for m in payload.metrics:
            if birth and m.alias is not None and m.name:
                st.aliases[m.alias] = (dev_id, m.name, m.datatype)
            name = m.name
            dt = m.datatype
            if name is None and m.alias is not None:
                known = st.aliases.get(m.alias)
                if known is None or known[0] != dev_id:  # not in this device's current map
                    if problem is None:
                        self._request_rebirth(group, node, st, f"unknown alias {m.alias}")
                    problem = problem or "unknown_alias"
                    continue
                name, dt = known[1], known[2]
            if name is None or name == "bdSeq" or name.startswith("Node Control/"):
                continue
            if (dt and dt not in pb.NUMERIC_TYPES) or isinstance(m.value, str | bytes):
                continue
            names.append(name)
            row.append(float("nan") if m.value is None else float(m.value))
        if names:
            ts = payload.timestamp
            t = ts * 1_000_000 if ts else t_ns
            collect(dev_id, tuple(names), t, row)
        return problem
