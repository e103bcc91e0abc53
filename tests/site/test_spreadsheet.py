"""Every CSV export escapes every cell through one function (dialogue_portal.core.spreadsheet)."""

import ast
from pathlib import Path

import pytest

from dialogue_portal.core.spreadsheet import cell, is_formula, unescape

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(1+1)", "'=SUM(1+1)"),
        (" =SUM(1+1)*cmd", "' =SUM(1+1)*cmd"),
        ("\n\n+1", "'\n\n+1"),
        ("  -2", "'  -2"),
        ("@A1", "'@A1"),
        ("\tplain", "'\tplain"),
        ("\rplain", "'\rplain"),
        ("-cmd", "'-cmd"),
        ("plain = text", "plain = text"),
        ("  plain", "  plain"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(value, written):
    assert cell(value) == written
    assert unescape(cell(value)) == ("" if value is None else str(value))


def test_an_apostrophe_before_plain_text_is_kept():
    assert unescape("'tis") == "'tis" and not is_formula("'=1")


def csv_writer_calls():
    """Every ``csv.writer(...)`` in the project's code, outside the shared module."""
    found = []
    for path in ROOT.glob("**/*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "tests") or relative.name == "spreadsheet.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("writer", "DictWriter")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "csv"
            ):
                found.append(f"{relative}:{node.lineno}")
    return found


@pytest.mark.slow
def test_every_csv_export_writes_through_the_escaping_writer():
    assert csv_writer_calls() == []
