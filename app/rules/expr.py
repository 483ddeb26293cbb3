"""A safe expression language: tokenizer and Pratt parser into a small tree (no eval/exec).

Reusable on its own: rule conditions and derived channels both parse with `parse(text)`.
The tree holds only numbers, durations, names and calls of listed functions; there is no
attribute access, indexing, strings, lambdas or imports, and every error carries a position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- errors ---------------------------------------------------------------------------------


class ExprError(ValueError):
    """A syntax or type error in an expression, with the 0-based column where it was found."""

    def __init__(self, message: str, pos: int, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        return f"{self.message} (column {self.pos + 1})"

    def caret(self) -> str:
        """The expression with a caret under the error position."""
        if not self.text:
            return ""
        return f"{self.text}\n{' ' * self.pos}^"


# --- tree -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Node:
    """Base of every tree node; `pos` is the 0-based column of the node in the text."""

    pos: int


@dataclass(frozen=True, eq=False)
class Num(Node):
    """A number literal (true/false are 1 and 0)."""

    value: float


@dataclass(frozen=True, eq=False)
class Dur(Node):
    """A duration literal such as `5s` or `250ms`, in nanoseconds."""

    ns: int
    text: str


@dataclass(frozen=True, eq=False)
class Name(Node):
    """A channel (or variable) reference."""

    id: str


@dataclass(frozen=True, eq=False)
class Unary(Node):
    """`-x` or `not x`."""

    op: str
    operand: Node


@dataclass(frozen=True, eq=False)
class Bin(Node):
    """Arithmetic, comparison or boolean operator between two operands."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, eq=False)
class Call(Node):
    """A call of a listed function."""

    func: str
    args: tuple[Node, ...]


ARITH = {"+", "-", "*", "/", "%", "**"}
COMPARE = {"<", "<=", ">", ">=", "==", "!="}
BOOL = {"and", "or"}

DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "sec": 1_000_000_000,
    "min": 60_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}

MAX_TOKENS = 1000
"""Most tokens (numbers, names, operators) in one expression."""
MAX_DEPTH = 100
"""Deepest nesting of one expression's tree (parentheses, calls and chained operators)."""
MAX_DURATION_NS = 366 * 86_400_000_000_000
"""Longest duration an expression may name (a year)."""

# --- tokenizer ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)(?P<unit>[A-Za-z_]\w*)?
  | (?P<name>[A-Za-z_]\w*)
  | (?P<quoted>`[^`]*`)
  | (?P<op>\*\*|<=|>=|==|!=|&&|\|\||[-+*/%<>(),!=.\[\]{}:;'"@&|^~\\])
    """,
    re.VERBOSE,
)

FORBIDDEN_WORDS = {
    "lambda": "lambda functions are not allowed",
    "import": "imports are not allowed",
    "from": "imports are not allowed",
    "def": "definitions are not allowed",
    "class": "definitions are not allowed",
    "if": "conditional expressions are not allowed (use and/or)",
    "else": "conditional expressions are not allowed (use and/or)",
    "for": "comprehensions are not allowed",
    "in": "membership tests are not allowed",
    "is": "`is` is not allowed (use ==)",
    "yield": "`yield` is not allowed",
    "await": "`await` is not allowed",
}


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind ('num', 'dur', 'name', 'op', 'end'), text and column."""

    kind: str
    text: str
    pos: int
    value: float = 0.0


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; unknown characters, strings and stray symbols are errors."""
    out: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        m = _TOKEN.match(text, i)
        if m is None:
            raise ExprError(f"unexpected character {text[i]!r}", i, text)
        kind = m.lastgroup
        if kind == "unit":
            kind = "num"
        s = m.group(0)
        if m.group("ws"):
            pass
        elif m.group("num") is not None:
            val = float(m.group("num"))
            unit = m.group("unit")
            if unit:
                if unit not in DURATION_UNITS:
                    raise ExprError(
                        f"unknown unit {unit!r} (durations use "
                        f"{', '.join(sorted(DURATION_UNITS))})",
                        m.start("unit"),
                        text,
                    )
                if val * DURATION_UNITS[unit] > MAX_DURATION_NS:
                    raise ExprError(f"{s} is longer than a year", i, text)
                out.append(Token("dur", s, i, val * DURATION_UNITS[unit]))
            else:
                out.append(Token("num", s, i, val))
        elif m.group("name") is not None:
            if s in FORBIDDEN_WORDS:
                raise ExprError(FORBIDDEN_WORDS[s], i, text)
            if s.startswith("__"):
                raise ExprError(f"names starting with '__' are not allowed: {s!r}", i, text)
            out.append(Token("name", s, i))
        elif m.group("quoted") is not None:
            inner = s[1:-1]
            if not inner.strip():
                raise ExprError("empty quoted name", i, text)
            out.append(Token("qname", inner, i))
        else:
            op = {"&&": "and", "||": "or", "!": "not"}.get(s, s)
            if s in ("'", '"'):
                raise ExprError("strings are not allowed", i, text)
            if s == ".":
                raise ExprError("attribute access is not allowed", i, text)
            if s in ("[", "]"):
                raise ExprError("indexing is not allowed", i, text)
            if s == "=":
                raise ExprError("assignment is not allowed (use == to compare)", i, text)
            if s in ("{", "}", ":", ";", "@", "&", "|", "^", "~", "\\"):
                raise ExprError(f"unexpected {s!r}", i, text)
            out.append(Token("op", op, i))
        i = m.end()
        if len(out) > MAX_TOKENS:
            raise ExprError(f"expression longer than {MAX_TOKENS} terms", i, text)
    out.append(Token("end", "", n))
    return out


# --- parser ---------------------------------------------------------------------------------

# binding powers for infix operators: (left bp, right bp)
_INFIX = {
    "or": (10, 11),
    "and": (20, 21),
    "<": (40, 41),
    "<=": (40, 41),
    ">": (40, 41),
    ">=": (40, 41),
    "==": (40, 41),
    "!=": (40, 41),
    "+": (50, 51),
    "-": (50, 51),
    "*": (60, 61),
    "/": (60, 61),
    "%": (60, 61),
    "**": (81, 80),  # right associative, binds tighter than unary minus on its left
}
_NOT_BP = 30
_NEG_BP = 70


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def err(self, msg: str, pos: int) -> ExprError:
        return ExprError(msg, pos, self.text)

    def expect(self, op: str) -> Token:
        tok = self.next()
        if tok.kind != "op" or tok.text != op:
            found = "end of expression" if tok.kind == "end" else repr(tok.text)
            raise self.err(f"expected {op!r}, found {found}", tok.pos)
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.err("empty expression", 0)
        node = self.expr(0)
        tok = self.peek()
        if tok.kind != "end":
            raise self.err(f"unexpected {tok.text!r} after a complete expression", tok.pos)
        if depth(node) > MAX_DEPTH:
            raise self.err(f"expression nested deeper than {MAX_DEPTH} levels", 0)
        return node

    def expr(self, min_bp: int) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.err(f"nested deeper than {MAX_DEPTH} levels", self.peek().pos)
            return self._expr(min_bp)
        finally:
            self.depth -= 1

    def _expr(self, min_bp: int) -> Node:
        left = self.prefix()
        while True:
            tok = self.peek()
            is_word = tok.kind == "name" and tok.text in ("and", "or")
            if is_word or (tok.kind == "op" and tok.text in _INFIX):
                op = tok.text
            elif tok.kind == "op" and tok.text == "(":
                raise self.err("only listed functions can be called", tok.pos)
            else:
                break
            lbp, rbp = _INFIX[op]
            if lbp < min_bp:
                break
            self.next()
            right = self.expr(rbp)
            if op in COMPARE and isinstance(left, Bin) and left.op in COMPARE:
                raise self.err("chained comparisons are not allowed (use `and`)", tok.pos)
            left = Bin(tok.pos, op, left, right)
        return left

    def prefix(self) -> Node:
        tok = self.next()
        if tok.kind == "num":
            return Num(tok.pos, tok.value)
        if tok.kind == "dur":
            return Dur(tok.pos, round(tok.value), tok.text)
        if tok.kind == "qname":
            return Name(tok.pos, tok.text)
        if tok.kind == "name":
            if tok.text in ("and", "or"):
                raise self.err(f"{tok.text!r} needs an operand on its left", tok.pos)
            if tok.text == "not":
                return Unary(tok.pos, "not", self.expr(_NOT_BP))
            if tok.text in ("true", "True"):
                return Num(tok.pos, 1.0)
            if tok.text in ("false", "False"):
                return Num(tok.pos, 0.0)
            nxt = self.peek()
            if nxt.kind == "op" and nxt.text == "(":
                self.next()
                return Call(tok.pos, tok.text, self.arguments())
            return Name(tok.pos, tok.text)
        if tok.kind == "op":
            if tok.text == "(":
                inner = self.expr(0)
                self.expect(")")
                return inner
            if tok.text == "-":
                return Unary(tok.pos, "-", self.expr(_NEG_BP))
            if tok.text == "+":
                return self.expr(_NEG_BP)
            if tok.text == "not":
                return Unary(tok.pos, "not", self.expr(_NOT_BP))
            raise self.err(f"unexpected {tok.text!r}", tok.pos)
        raise self.err("unexpected end of expression", tok.pos)

    def arguments(self) -> tuple[Node, ...]:
        args: list[Node] = []
        if self.peek().kind == "op" and self.peek().text == ")":
            self.next()
            return ()
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text == "=":
                raise self.err("keyword arguments are not allowed", tok.pos)
            args.append(self.expr(0))
            tok = self.next()
            if tok.kind == "op" and tok.text == ",":
                continue
            if tok.kind == "op" and tok.text == ")":
                return tuple(args)
            found = "end of expression" if tok.kind == "end" else repr(tok.text)
            raise self.err(f"expected ',' or ')' in the argument list, found {found}", tok.pos)


def parse(text: str) -> Node:
    """Parse an expression into a tree, raising ExprError with a position on any problem."""
    if not isinstance(text, str):
        raise ExprError("expression must be text", 0)
    return _Parser(text).parse()


def depth(node: Node) -> int:
    """How many levels the tree has (an iterative walk: safe on any tree)."""
    best, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        if isinstance(n, Unary):
            stack.append((n.operand, d + 1))
        elif isinstance(n, Bin):
            stack += [(n.left, d + 1), (n.right, d + 1)]
        elif isinstance(n, Call):
            stack += [(a, d + 1) for a in n.args]
    return best


def walk(node: Node):  # type: ignore[no-untyped-def]
    """Yield `node` and every node below it, depth first."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Bin):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Call):
        for a in node.args:
            yield from walk(a)


def names(node: Node) -> list[Name]:
    """Every channel reference in the tree, in order of appearance."""
    return [n for n in walk(node) if isinstance(n, Name)]


def to_text(node: Node) -> str:
    """Render a tree back to (fully parenthesised) text."""
    if isinstance(node, Num):
        return repr(node.value)
    if isinstance(node, Dur):
        return node.text
    if isinstance(node, Name):
        return node.id if re.fullmatch(r"[A-Za-z_]\w*", node.id) else f"`{node.id}`"
    if isinstance(node, Unary):
        sep = " " if node.op == "not" else ""
        return f"({node.op}{sep}{to_text(node.operand)})"
    if isinstance(node, Bin):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a) for a in node.args)})"
    raise TypeError(node)
