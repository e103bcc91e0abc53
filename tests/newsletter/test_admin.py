"""Editors in the admin: subscribers with filters and CSV export (newsletter managers only);
issues previewed in both languages, tested on staff only, then queued for everyone (newsletter
managers only), with progress counts."""

import pytest
from django.core import mail

from dialogue_portal.newsletter.models import Issue
from tests.desk.helpers import post_form
from tests.factories import make_publication, make_topic
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue():
    issue = Issue.objects.create(
        subject="The November issue",
        subject_ru="Ноябрьский выпуск",
        slug="november",
        body="<p>Hello readers</p>",
        body_ru="<p>Здравствуйте</p>",
    )
    issue.publications.set([make_publication(title="Chosen report")])
    return issue


def test_subscribers_list_with_state_language_topics_and_filters(manager_client):
    topic = make_topic(name="Security")
    make_subscriber("a@example.org", topics=[topic])
    make_subscriber("b@example.org", state="pending", language="ru")
    response = manager_client.get("/admin/newsletter/subscriber/?state__exact=pending")
    assert response.status_code == 200
    page = response.content.decode()
    assert "b@example.org" in page and "a@example.org" not in page
    page = manager_client.get("/admin/newsletter/subscriber/").content.decode()
    assert "Security" in page
    assert manager_client.get("/admin/newsletter/subscriber/add/").status_code == 403


def test_csv_export(manager_client):
    topic = make_topic(name="Security")
    one = make_subscriber("a@example.org", topics=[topic])
    two = make_subscriber("=cmd@example.org", language="ru")
    response = manager_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [one.pk, two.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("email,state,language")
    assert lines[1].startswith("a@example.org,confirmed,en,weekly,Security")
    assert lines[2].startswith("'=cmd@example.org")  # never a formula in a spreadsheet


@pytest.mark.parametrize("language, text", [("en", "Hello readers"), ("ru", "Здравствуйте")])
def test_preview_in_both_languages(editor_client, issue, language, text):
    response = editor_client.get(f"/admin/newsletter/issue/{issue.pk}/preview/{language}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert text in page and "Chosen report" in page


def test_preview_is_for_staff_only(client, reader, issue):
    client.force_login(reader)
    response = client.get(f"/admin/newsletter/issue/{issue.pk}/preview/en/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def change_form(issue, **extra):
    return {
        "subject": issue.subject,
        "subject_ru": issue.subject_ru,
        "slug": issue.slug,
        "body": issue.body,
        "body_ru": issue.body_ru,
        "publications": [p.pk for p in issue.publications.all()],
        **extra,
    }


def test_send_test_goes_to_the_editor_only_with_test_in_the_subject(editor_client, issue):
    make_subscriber("reader@example.org")
    response = post_form(
        editor_client,
        f"/admin/newsletter/issue/{issue.pk}/change/",
        change_form(issue, _send_test="1"),
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["editor@example.org"], ["editor@example.org"]]
    assert [m.subject for m in mail.outbox] == [
        "[TEST] The November issue",
        "[TEST] Ноябрьский выпуск",
    ]
    issue.refresh_from_db()
    assert issue.status == "draft"


def test_send_to_all_queues_and_sends_nothing_in_the_request(manager_client, issue):
    make_subscriber("reader@example.org")
    response = post_form(
        manager_client,
        f"/admin/newsletter/issue/{issue.pk}/change/",
        change_form(issue, _send_all="1"),
    )
    assert response.status_code == 302
    assert mail.outbox == []
    issue.refresh_from_db()
    assert issue.status == "queued" and issue.queued_at is not None


def test_progress_counts_show_in_the_admin(editor_client, issue):
    Issue.objects.filter(pk=issue.pk).update(
        status="sending", sent_count=1234, failed_count=5, suppressed_count=2
    )
    page = editor_client.get("/admin/newsletter/issue/").content.decode()
    assert "1234" in page and ">5<" in page and ">2<" in page
    page = editor_client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "1234" in page
    assert "_send_all" not in page  # queued or sending: not again


def test_an_editors_script_is_stripped_on_save(editor_client):
    response = editor_client.post(
        "/admin/newsletter/issue/add/",
        {
            "subject": "S",
            "subject_ru": "",
            "slug": "s",
            "body": "<p>Fine<script>alert(1)</script></p>",
            "body_ru": "<p onclick='x()'>Да</p>",
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get(slug="s")
    assert "<script" not in issue.body and "onclick" not in issue.body_ru
