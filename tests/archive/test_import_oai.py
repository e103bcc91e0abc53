"""An import is a change like an editor's: the OAI records of what it creates or updates are
refreshed when its transaction commits (their datestamps move only when something changed)."""

import pytest

from dialogue_portal.oai.models import Record
from publications.models import Publication
from tests.archive.test_import import manifest, record, run, write_folder

pytestmark = pytest.mark.django_db


def test_imported_publications_get_oai_records_that_move_with_changes(
    tmp_path, django_capture_on_commit_callbacks
):
    folder = write_folder(tmp_path / "a", manifest(record()))
    with django_capture_on_commit_callbacks(execute=True):
        run(folder)
    publication = Publication.objects.get(external_id="r1")
    first = Record.objects.get(publication_id=publication.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run(folder).lines() == ["record 1 [r1]: unchanged"]
    assert Record.objects.get(pk=first.pk).datestamp == first.datestamp
    people = manifest(record())["people"] + [
        {"slug": "bo-kim", "given_name": "Bo", "family_name": "Kim"}
    ]
    changed = manifest(record(authors=[{"person": "bo-kim"}, {"person": "ann-lee"}]))
    write_folder(folder, changed | {"people": people})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run(folder).lines() == ["record 1 [r1]: updated"]
    assert callbacks
    assert Record.objects.get(pk=first.pk).datestamp > first.datestamp
