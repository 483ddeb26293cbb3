"""Hot-path rules: a safe expression language, Stream Analytics windows, alarms and actions."""

from twinbench.rules.alarms import Alarm, AlarmBook, AlarmRecord
from twinbench.rules.attach import RulesHandle, attach
from twinbench.rules.engine import RuleEngine
from twinbench.rules.expr import ExprError, parse
from twinbench.rules.loader import Rule, RuleSet, load_rules, parse_rules
from twinbench.rules.windows import WindowSpec, aggregate

__all__ = [
    "Alarm",
    "AlarmBook",
    "AlarmRecord",
    "ExprError",
    "Rule",
    "RuleEngine",
    "RuleSet",
    "RulesHandle",
    "WindowSpec",
    "aggregate",
    "attach",
    "load_rules",
    "parse",
    "parse_rules",
]
