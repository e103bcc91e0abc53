"""The desk's demo content: a reviewer login, work waiting for review, reordered authors."""

import io

import pytest
from django.contrib.auth import get_user_model
from reversion.models import Version

from dialogue_portal.desk import demo, services
from dialogue_portal.desk.history import Snapshot
from dialogue_portal.desk.models import Decision
from publications.models import Publication
from tests.factories import make_person, make_publication

pytestmark = pytest.mark.django_db


def test_load_adds_a_reviewer_a_submission_and_revisions_and_is_idempotent(editor):
    first, second = make_person(family_name="Chalmers"), make_person(family_name="Kortunov")
    report = make_publication(title="Defining Dialogue", authors=[first, second])
    out = io.StringIO()
    demo.load(out)
    demo.load(io.StringIO())  # a second run adds nothing

    reviewer = get_user_model().objects.get(username="reviewer")
    assert reviewer.check_password("dialogue-reviewer") and reviewer.is_staff
    assert services.can_publish(reviewer)
    assert "reviewer / dialogue-reviewer" in out.getvalue()

    waiting = Publication.objects.get(slug=demo.WAITING_SLUG)
    assert list(services.awaiting_review()) == [waiting]
    assert not waiting.is_public
    assert Decision.objects.get(publication=waiting).user == editor
    assert [a.person for a in waiting.authorships.order_by("order")] == [first, second]

    versions = list(Version.objects.get_for_object(report).order_by("pk"))
    assert len(versions) == 3
    orders = [
        [a.person_id for a in Snapshot.from_revision(v.revision, report.pk).authorships]
        for v in versions
    ]
    assert orders == [[first.pk, second.pk], [second.pk, first.pk], [first.pk, second.pk]]
    assert all(v.revision.user == editor for v in versions)
    assert [a.person for a in report.authorships.order_by("order")] == [first, second]
