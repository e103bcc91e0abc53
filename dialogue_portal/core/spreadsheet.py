"""CSV that a spreadsheet opens as text: every cell of every export goes through ``cell``.

A spreadsheet runs a cell that starts with = + - or @ as a formula (``=HYPERLINK(...)``,
``=cmd|...``), and skips leading spaces, tabs and line breaks to find that start. Such a cell
gets an apostrophe in front, which spreadsheets show as text and do not run. Exports write
through ``writer``, so no cell can be forgotten; the archive import reads a cell back with
``is_formula`` and ``unescape``.
"""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@")
# Tab and CR start a formula in some spreadsheets (and are stripped before one in others).
CONTROL_STARTS = ("\t", "\r")


class TextSink(Protocol):
    """Where CSV goes: a text file, a StringIO, an HttpResponse."""

    def write(self, text: str, /) -> object: ...


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula."""
    return text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def formula_start(text: str) -> str:
    """The character that makes ``text`` a formula, as a person can read it (tab as ``\\t``)."""
    start = text[:1] if text.startswith(CONTROL_STARTS) else text.lstrip()[:1]
    return start.replace("\t", "\\t").replace("\r", "\\r")


def cell(value: object) -> str:
    """``value`` as a cell a spreadsheet shows as text: None is empty, a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula(text) else text


def unescape(text: str) -> str:
    """The text ``cell`` quoted: an apostrophe before a formula is dropped."""
    return text[1:] if text.startswith("'") and is_formula(text[1:]) else text


class SafeWriter:
    """``csv.writer`` whose rows are escaped cell by cell."""

    # ``options``: csv.writer's format parameters (dialect, delimiter, quoting...).
    def __init__(self, file: TextSink, **options: Any) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[object]) -> Any:  # what the file's write returned
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: TextSink, **options: Any) -> SafeWriter:
    """A CSV writer for exports (``csv.writer``'s arguments): every cell goes through ``cell``."""
    return SafeWriter(file, **options)
