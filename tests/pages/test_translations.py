"""Every string of the pages and demo apps has a Russian translation."""

from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2] / "dialogue_portal"


def entries(po_file):
    text = po_file.read_text()
    for block in text.split("\n\n"):
        if "msgid " not in block or 'msgid ""\nmsgstr ""\n"' in block:
            continue
        yield block


@pytest.mark.parametrize("app", ["pages", "demo"])
def test_every_string_is_translated(app):
    po_file = APPS / app / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    untranslated = [
        block
        for block in entries(po_file)
        if block.rstrip().endswith('msgstr ""') or "#, fuzzy" in block
    ]
    assert untranslated == []
    assert (po_file.with_suffix(".mo")).stat().st_mtime >= po_file.stat().st_mtime - 1
