"""Which channel layout a text stream has, and when it may change (header, board reset).

Rules (docs/serial.md, "Headers and layouts"):
- a header is a line of identifiers only (ASCII letter or `_`, then letters, digits, `_ . - [ ] /`);
- a line that is neither a header nor data is malformed;
- once data has flowed, names change only with a real header of the same width, or a header
  whose width the very next data row confirms (a board reset); a row of another width, or with
  labels never seen, is malformed until that layout has been seen `CONFIRM` times in a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

CONFIRM = 3
_IDENT = re.compile(rb"^[A-Za-z_][A-Za-z0-9_.\-\[\]/]*$")


def is_identifier(token: bytes) -> bool:
    """Whether a token can name a channel (ASCII identifier, see the module rules)."""
    return bool(_IDENT.match(token))


def is_header(tokens: Sequence[bytes]) -> bool:
    """Whether a line's tokens are all identifiers (and there is at least one)."""
    return bool(tokens) and all(_IDENT.match(t) for t in tokens)


class Layout:
    """The established width and header names of positional rows, with pending changes."""

    def __init__(self, names: Sequence[str] = (), fixed: bool = False) -> None:
        self.names: tuple[str, ...] = tuple(names)
        self.fixed = fixed  # names from the profile: header lines never rename
        self.width: int | None = len(self.names) or None
        self.flowed = False
        self.pending: tuple[str, ...] | None = None  # a header waiting for its first row
        self._streak: tuple[int, int] = (0, 0)  # (width, rows seen in a row)
        self.suspect = False  # the next row follows a broken stream: it may be a fragment

    def header(self, tokens: Sequence[bytes]) -> bool:
        """A header line arrived: True if it is taken now, False if malformed or pending."""
        if self.fixed or not is_header(tokens):
            return False
        names = tuple(t.decode("ascii") for t in tokens)
        if not self.flowed or len(names) == self.width:
            self.names, self.width, self.pending = names, len(names), None
            return True
        self.pending = names
        return False

    def row(self, width: int) -> tuple[bool, bool]:
        """A data row of `width` values: (accepted, a pending header was confirmed by it)."""
        suspect, self.suspect = self.suspect, False
        if self.pending is not None and width == len(self.pending):
            self.names, self.width, self.pending = self.pending, width, None
            self.flowed, self._streak = True, (0, 0)
            return True, True
        self.pending = None
        if not self.flowed and not self.fixed:
            self.width = width  # the first row sets the width (a header's names may not fit)
        if width == self.width:
            self.flowed, self._streak = True, (0, 0)
            return True, False
        if self.fixed or suspect:
            return False, False
        w, n = self._streak
        n = n + 1 if w == width else 1
        self._streak = (width, n)
        if n >= CONFIRM:  # the board really prints another layout now
            self.width, self.flowed, self._streak = width, True, (0, 0)
            return True, False
        return False, False

    def take(self, width: int, stats: Any) -> bool:
        """`row(width)` with the counting done: a confirmed header is no longer malformed, a
        refused row is."""
        ok, confirmed = self.row(width)
        if confirmed:
            stats.malformed -= 1  # the header held back was real
        if not ok:
            stats.malformed += 1
        return ok

    def names_for(self, width: int) -> tuple[str, ...]:
        """Channel names of a row of `width` values."""
        if len(self.names) == width:
            return self.names
        return tuple(f"value{i + 1}" for i in range(width))


class Labels:
    """Labels seen in `label:value` rows; a new label after data flowed needs confirming."""

    def __init__(self, limit: int = 4096) -> None:
        self.known: set[str] = set()
        self._seen: dict[str, int] = {}
        self.limit = limit
        self.suspect = False

    def accept(self, labels: Sequence[str]) -> bool:
        """Whether a row with these labels is data (new labels counted towards confirmation)."""
        suspect, self.suspect = self.suspect, False
        if not self.known:
            self.known.update(labels)
            return True
        new = [lb for lb in labels if lb not in self.known]
        if not new:
            return True
        if suspect:
            return False
        if len(self._seen) > self.limit:
            self._seen.clear()
        ok = True
        for lb in new:
            n = self._seen.get(lb, 0) + 1
            self._seen[lb] = n
            ok = ok and n >= CONFIRM
        if ok:
            self.known.update(new)
            for lb in new:
                self._seen.pop(lb, None)
        return ok
