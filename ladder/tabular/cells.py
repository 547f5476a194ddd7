"""Spreadsheet-safe CSV cells: formula injection neutralised on the way out, undone on the way in.

Names, places and tags come from web forms. A CSV cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is a formula to Excel, LibreOffice and Google Sheets: opening
an export would run ``=HYPERLINK(...)`` or ``=cmd|'/c calc'!A1``. Following the OWASP guidance
(https://owasp.org/www-community/attacks/CSV_Injection), every CSV file ladder writes prefixes
such a *text* cell with a single quote, which spreadsheets read as "this cell is text" and do
not show. Numbers that are numbers (a count, an id) are written as they are: the caller passes
only its text cells here.

Imports read a cell back with :func:`restore`, so that export then import changes nothing
(``+33612345678`` goes out as ``'+33612345678`` and comes back as ``+33612345678``). The scheme
is reversible for every text, including text that itself starts with quotes: a cell is prefixed
when it matches ``'*[=+-@\\t\\r]`` (any run of quotes, then a trigger), and :func:`restore`
removes exactly one quote from such a cell. A quote before anything else (``'t Hooft``) is
left alone both ways.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PREFIXED = re.compile(r"'*[=+\-@\t\r]")  # a text a spreadsheet would run, or a neutralised one
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset(("'", *TRIGGERS))  # a cheap test before the regular expression


def neutralise(cell: str) -> str:
    """``=1+1`` -> ``'=1+1``; ``'=1+1`` -> ``''=1+1`` (so that restore gives it back); any
    other text unchanged."""
    if cell[:1] in _FIRST and _PREFIXED.match(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The text :func:`neutralise` was given: ``'=1+1`` -> ``=1+1``; others unchanged.

    Also reads the ``'`` spreadsheet users type to keep ``+33 6...`` from becoming a number.
    """
    if cell[:1] == "'" and _NEUTRALISED.match(cell):
        return cell[1:]
    return cell


def safe_row(cells: Iterable[str]) -> list[str]:
    """Cells copied from a file into a file ladder writes (the rejected rows): each read as an
    import would read it, then neutralised; a re-import reads what the first import read."""
    return [neutralise(restore(cell)) for cell in cells]
