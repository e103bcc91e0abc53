"""In Chromium: a superuser signs in (the sign-in itself is on the record), opens the audit
trail, filters it by action and downloads those rows as CSV, in English and in Russian; an
editor without the newsletter permission meets no subscriber anywhere in the admin, and a
newsletter manager does."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from dialogue_portal.audit.models import Action, Entry
from dialogue_portal.audit.services import record
from dialogue_portal.staff.models import AdminProfile
from tests.e2e.conftest import screenshot
from tests.factories import make_publication
from tests.newsletter.conftest import make_subscriber

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, username, password):
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()


@pytest.fixture
def history(superuser, editor):
    Entry.objects.all().delete()  # making the accounts is on the record too
    publication = make_publication(title="Arms Control After New START")
    record(Action.PUBLISHED, actor=editor, target=publication, detail="published directly")
    record(Action.UNPUBLISHED, actor=editor, target=publication, detail="from the list")


@pytest.mark.parametrize(
    "language, title, published, export",
    [
        ("en", "audit entry", "Published", "Export these rows as CSV"),
        ("ru", "журнала аудита", "Опубликовано", "Выгрузить эти строки в CSV"),
    ],
)
def test_a_superuser_filters_the_trail_and_exports_it(
    page, superuser, history, language, title, published, export
):
    AdminProfile.objects.create(user=superuser, admin_language=language)
    sign_in(page, "root", "pw-root-123!")
    page.goto("/admin/audit/entry/")
    expect(page.locator("#content h1")).to_contain_text(title, ignore_case=True)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)  # published, unpublished, and this very sign-in
    page.locator("#changelist-filter").get_by_role("link", name=published, exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Arms Control After New START")
    screenshot(page, f"audit-trail-{language}")
    # Nothing to add, change or delete: no such buttons.
    expect(page.locator(".object-tools a.addlink")).to_have_count(0)
    expect(page.locator("select[name=action]")).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_role("link", name=export).click()
    lines = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert lines[0][:3] == ["when", "username", "action"]
    assert [(line[1], line[2], line[5]) for line in lines[1:]] == [
        ("editor", "published", "Arms Control After New START")
    ]


def test_subscribers_are_only_for_newsletter_managers(page, browser, live_server, editor):
    make_subscriber("reader.one@example.org")
    editor.set_password("pw-editor-123!")
    editor.save()
    sign_in(page, "editor", "pw-editor-123!")
    expect(page.locator("#content h1")).to_be_visible()
    admin_index = page.content()
    assert "/admin/newsletter/issue/" in admin_index  # issues are every editor's
    assert "/admin/newsletter/subscriber/" not in admin_index
    assert "/admin/newsletter/delivery/" not in admin_index
    response = page.goto("/admin/newsletter/subscriber/")
    assert response.status == 403
    assert "reader.one@example.org" not in page.content()

    editor.groups.add(Group.objects.get(name="Newsletter managers"))
    page.goto("/admin/")
    page.locator("a[href='/admin/newsletter/subscriber/']").first.click()
    expect(page.locator("#result_list")).to_contain_text("reader.one@example.org")
