"""Sharing window states across the rules of a device: structural keys for aggregates.

Two rules that aggregate the same expression over the same window on the same device feed
identical samples into identical states, so one state serves both and is updated once per pass.
A state is shared only between rules that read the same channels: such rules are evaluated on
exactly the same passes (a rule is skipped where a channel it reads is missing), so sharing
never changes a result.
"""

from __future__ import annotations

from collections.abc import Hashable

from twinbench.rules.expr import Bin, Call, Dur, Name, Node, Num, Unary
from twinbench.rules.loader import Rule
from twinbench.rules.typecheck import Checked


def shape(node: Node) -> Hashable:
    """A hashable key equal for structurally equal trees, wherever they sit in the text."""
    if isinstance(node, Num):
        return ("n", node.value)
    if isinstance(node, Dur):
        return ("d", node.ns)
    if isinstance(node, Name):
        return ("v", node.id)
    if isinstance(node, Unary):
        return ("u", node.op, shape(node.operand))
    if isinstance(node, Bin):
        return ("b", node.op, shape(node.left), shape(node.right))
    if isinstance(node, Call):
        return ("c", node.func, tuple(shape(a) for a in node.args))
    raise TypeError(f"unknown node {type(node).__name__}")


def window_keys(rule: Rule) -> dict[int, Hashable]:
    """id(aggregate call) -> sharing key, for the windowed aggregates of a rule's expressions."""
    group = frozenset(rule.channels)
    out: dict[int, Hashable] = {}
    checked: list[Checked] = [rule.condition, *([rule.clear] if rule.clear else [])]
    for c in checked:
        for node in c.aggregates:
            key = id(node)
            out[key] = (group, shape(node), c.windows[key], c.params.get(key, (50.0,)))
    return out
