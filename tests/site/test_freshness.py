"""The content version moves once per committed editorial transaction, never before the
commit, never for a rolled-back one, and never for readers' writes
(dialogue_portal.core.freshness)."""

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from dialogue_portal.core.freshness import LINKS, SHOWN, content_changed
from dialogue_portal.core.pagecache import content_version
from dialogue_portal.core.readers import Reader
from polls import services as poll_services
from publications import counting
from publications import services as publication_services
from publications.models import Publication
from tests.factories import make_attachment, make_person, make_poll, make_publication, make_topic

pytestmark = pytest.mark.django_db


class Undone(Exception):
    pass


def test_every_row_pages_show_is_watched():
    for label in SHOWN:
        model = apps.get_model(label)
        assert post_save.has_listeners(model) and post_delete.has_listeners(model), label
    for label in LINKS:
        assert m2m_changed.has_listeners(apps.get_model(label)), label


def test_many_writes_in_one_transaction_move_the_version_once_after_the_commit(
    django_capture_on_commit_callbacks,
):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic()
        person = make_person()
        publication = make_publication(authors=[person], topics=[topic])
        publication.title = "Renamed"
        publication.save()
        Publication.objects.filter(pk=publication.pk).update(featured=True)
        content_changed()  # a bulk update's own call
        assert content_version() == before  # written, not committed
    assert content_version() == before + 1


def test_a_rolled_back_change_moves_nothing(django_capture_on_commit_callbacks):
    before = content_version()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Undone),
        transaction.atomic(),
    ):
        make_topic()
        raise Undone
    assert callbacks == []
    assert content_version() == before


def test_a_change_kept_beside_a_rolled_back_savepoint_still_moves_it(
    django_capture_on_commit_callbacks,
):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        make_topic()
        with pytest.raises(Undone), transaction.atomic():
            make_topic()
            raise Undone
    assert content_version() == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Undone), transaction.atomic():
            make_topic()
            raise Undone
        make_topic()  # after the rolled-back savepoint, in the same transaction
    assert content_version() == before + 2


def test_each_committed_transaction_moves_it_again(django_capture_on_commit_callbacks):
    before = content_version()
    for expected in (1, 2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            make_topic()
        assert content_version() == before + expected


def test_readers_writes_leave_the_version_alone(django_capture_on_commit_callbacks):
    publication = make_publication()
    attachment = make_attachment(publication)
    poll = make_poll(answers=("Yes", "No"))
    yes = poll.choices.order_by("order").first()
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        reader = Reader(key="anon:reader-1")
        publication_services.rate_publication(publication=publication, reader=reader, stars=4)
        poll_services.cast_vote(poll=poll, choice=yes, reader=reader)
        counting._write("view", publication.pk, 3)
        counting._write_attachment(attachment.pk)
        publication_services.recount_ratings()
        poll_services.recount_votes()
    assert content_version() == before
