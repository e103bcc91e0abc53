"""The trail in the admin: read, filtered, searched and exported; never added to, changed or
deleted, not even by a superuser; and not shown to editors."""

import csv
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import timezone

from dialogue_portal.audit.models import Action, Entry
from dialogue_portal.audit.services import record
from dialogue_portal.staff.models import AdminProfile

ONE_DAY = dt.timedelta(days=1)

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/entry/"


@pytest.fixture
def root_client(superuser):
    client = Client()
    client.force_login(superuser)
    Entry.objects.all().delete()  # the sign-in above
    return client


@pytest.fixture
def rows(editor, reviewer):
    return [
        record(Action.SIGNED_IN, actor=editor, detail="detail-one"),
        record(Action.SIGN_IN_FAILED, actor_name='=HYPERLINK("http://x")'),
        record(Action.PUBLISHED, actor=reviewer, target=reviewer, detail="detail-two"),
    ]


def test_superuser_lists_filters_by_action_and_person_and_searches(root_client, rows, editor):
    page = root_client.get(LIST).content.decode()
    assert "Signed in" in page and "Sign-in failed" in page and "Published" in page
    page = root_client.get(LIST, {"action__exact": "published"}).content.decode()
    assert "detail-two" in page and "detail-one" not in page
    page = root_client.get(LIST, {"actor__id__exact": editor.pk}).content.decode()
    assert "detail-one" in page and "detail-two" not in page
    page = root_client.get(LIST, {"q": "detail-two"}).content.decode()
    assert "detail-two" in page and "detail-one" not in page


@pytest.mark.clock
def test_filter_by_date(root_client, superuser, editor, clock):
    record(Action.SIGNED_IN, actor=editor, detail="detail-last-week")
    clock.shift(dt.timedelta(days=7))
    root_client.force_login(superuser)  # a staff session lasts a day (STAFF_SESSION_MAX_HOURS)
    record(Action.SIGNED_IN, actor=editor, detail="detail-today")

    def day(date):
        return {
            "created_at__year": date.year,
            "created_at__month": date.month,
            "created_at__day": date.day,
        }

    today = timezone.localdate()
    page = root_client.get(LIST, day(today)).content.decode()
    assert "detail-today" in page and "detail-last-week" not in page
    page = root_client.get(LIST, day(today - 7 * ONE_DAY)).content.decode()
    assert "detail-last-week" in page and "detail-today" not in page


@pytest.mark.parametrize("more", [0, 30])
def test_the_list_fetches_in_a_fixed_number_of_queries(
    root_client, rows, more, django_assert_num_queries
):
    for _ in range(more):
        record(Action.SIGNED_IN, actor=rows[0].actor, target=rows[0].actor)
    with django_assert_num_queries(11):
        assert root_client.get(LIST).status_code == 200


def test_csv_export_follows_the_filters_and_escapes_formulas(root_client, rows):
    response = root_client.get(LIST + "export/", {"action__exact": "sign-in-failed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0][:3] == ["when", "username", "action"]
    assert len(lines) == 2
    assert lines[1][1] == '\'=HYPERLINK("http://x")'  # text in a spreadsheet, not a formula
    assert Entry.objects.filter(action="audit-exported").count() == 1


def test_export_with_a_bad_filter_is_a_400(root_client, rows):
    assert root_client.get(LIST + "export/", {"no_such_field": "1"}).status_code == 400
    assert root_client.post(LIST + "export/").status_code == 400


def test_nobody_adds_changes_or_deletes_a_row(root_client, rows, superuser):
    entry = rows[0]
    assert root_client.get(LIST + "add/").status_code == 403
    response = root_client.post(
        f"{LIST}{entry.pk}/change/", {"detail": "rewritten", "action": "published"}
    )
    assert response.status_code == 403
    assert root_client.post(f"{LIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = root_client.post(
        LIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    entry.refresh_from_db()
    assert entry.detail == "detail-one" and Entry.objects.filter(pk=entry.pk).exists()
    model_admin = admin.site._registry[Entry]
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    # The row is shown read-only.
    page = root_client.get(f"{LIST}{entry.pk}/change/").content.decode()
    assert "detail-one" in page and 'name="detail"' not in page


def test_editors_do_not_see_the_trail(editor_client, rows):
    assert editor_client.get(LIST).status_code == 403
    assert editor_client.get(LIST + "export/").status_code == 403
    assert "/admin/audit/" not in editor_client.get("/admin/").content.decode()


def test_the_trail_in_russian(root_client, rows, superuser):
    AdminProfile.objects.update_or_create(user=superuser, defaults={"admin_language": "ru"})
    page = root_client.get(LIST).content.decode()
    assert "Журнал аудита" in page and "Вход выполнен" in page
    assert "Выгрузить эти строки в CSV" in page
