"""Each action of issue 26's list leaves its row: publishing and unpublishing (the form, the
list's actions, review), and archive imports and exports from the command line. (Restores,
recoveries and the archive's admin pages are checked in tests/desk and tests/archive,
subscribers' exports, erasures and sending to all in tests/newsletter.)"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dialogue_portal.audit.models import Entry
from dialogue_portal.desk import services
from publications.models import Publication
from tests.desk.helpers import change_form, change_url, post_form
from tests.factories import make_person, make_publication

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:publications_publication_changelist")


def rows(action):
    return list(
        Entry.objects.filter(action=action)
        .order_by("pk")
        .values_list("actor_name", "object_label", "detail", "ip")
    )


@pytest.fixture
def desk(reviewer):
    client = Client(REMOTE_ADDR="203.0.113.40")
    client.force_login(reviewer)
    return client


def test_publish_and_unpublish_from_the_list(desk):
    draft = make_publication(title="Draft report", status="draft", published_at=None)
    live = make_publication(title="Live report")
    desk.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk, live.pk]})
    assert rows("published") == [("reviewer", "Draft report", "published directly", "203.0.113.40")]
    desk.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk, live.pk]})
    assert {row[1] for row in rows("unpublished")} == {"Draft report", "Live report"}
    assert {row[2] for row in rows("unpublished")} == {"from the list"}


def test_publish_and_unpublish_in_the_form(desk):
    draft = make_publication(
        title="Draft report", status="draft", published_at=None, authors=[make_person()]
    )
    data = change_form(draft, status=False)
    data["status"] = "published"
    assert post_form(desk, change_url(draft), data).status_code == 302
    assert rows("published") == [("reviewer", "Draft report", "published directly", "203.0.113.40")]
    data = change_form(draft, status=False)
    data["status"] = "draft"
    assert post_form(desk, change_url(draft), data).status_code == 302
    assert rows("unpublished") == [("reviewer", "Draft report", "in the form", "203.0.113.40")]
    data = change_form(draft, status=False, title="Draft report, edited")
    data["status"] = "draft"
    post_form(desk, change_url(draft), data)
    assert len(rows("unpublished")) == 1  # editing a draft is not unpublishing


def test_an_approval_in_review_is_a_publication(editor, reviewer):
    draft = make_publication(title="Submitted report", status="draft", published_at=None)
    Publication.objects.filter(pk=draft.pk).update(status=Publication.Status.REVIEW)
    draft.refresh_from_db()
    services.submit(publication=draft, user=editor)
    services.approve(publication=draft, user=reviewer)
    assert rows("published") == [("reviewer", "Submitted report", "approved in review", None)]


def test_archive_export_and_import_from_the_command_line(tmp_path, editor):
    make_publication(slug="one", title="One")
    path = tmp_path / "archive.zip"
    call_command("export_archive", str(path), stdout=StringIO(), stderr=StringIO())
    assert rows("archive-exported") == [("", "", "command line: 1 publications", None)]
    Publication.objects.all().delete()
    call_command("import_archive", str(path), "--dry-run", stdout=StringIO(), stderr=StringIO())
    assert rows("archive-imported") == []  # a dry run changes nothing: no row
    call_command(
        "import_archive", str(path), "--user", "editor", stdout=StringIO(), stderr=StringIO()
    )
    assert rows("archive-imported") == [
        ("editor", "", "command line: 1 created, 0 updated, 0 unchanged, 0 refused", None)
    ]
