"""The archive's and the API's strings have Russian translations in their apps' catalogues."""

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from dialogue_portal.archive.importer import Outcome, Report

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("app", ["archive", "api"])
def test_every_string_has_a_russian_translation(app):
    po = (ROOT / "dialogue_portal" / app / "locale/ru/LC_MESSAGES/django.po").read_text()
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', po)
    assert entries
    untranslated = [msgid for msgid, msgstr in entries if msgstr.strip() == '""']
    assert untranslated == []
    assert "#, fuzzy" not in po
    assert (ROOT / "dialogue_portal" / app / "locale/ru/LC_MESSAGES/django.mo").exists()


def test_reports_and_admin_strings_read_in_russian():
    report = Report(dry_run=True, outcomes=[Outcome("запись 1", "r1", "refused", ["x"])])
    with translation.override("ru"):
        assert gettext("Import archive") == "Импорт архива"
        assert gettext("Unknown parameter.") == "Неизвестный параметр."
        assert report.summary() == (
            "Пробный прогон (ничего не записано): "
            "создано: 0, обновлено: 0, без изменений: 0, отклонено: 1"
        )
        assert str(report.outcomes[0]) == "запись 1 [r1]: отклонена — x"
