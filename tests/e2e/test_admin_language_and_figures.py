"""In Chromium: an editor whose profile says Russian gets the admin in Russian while the
public site stays English for them; switching the site to Russian leaves the admin as the
profile says, and so does choosing English for the admin, which leaves the site Russian.
The figures view draws its SVG charts and tables in both languages, under the CSP."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from dialogue_portal.staff.models import AdminProfile
from polls.models import Vote
from publications.models import DailyCount
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_poll, make_publication, make_topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-redaktor-123!"


@pytest.fixture
def russian_editor(django_user_model, editorial_groups):
    user = django_user_model.objects.create_user(
        "redaktor", "r@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    AdminProfile.objects.create(user=user, admin_language="ru")
    return user


@pytest.fixture
def readers_activity():
    security, energy = make_topic(name="Security"), make_topic(name="Energy")
    titles = [
        ("Managing Security Relations", "en", [security]),
        ("Arms Control After New START", "en", [security]),
        ("Energy and the Arctic", "en", [energy]),
        ("Диалог о безопасности", "ru", [security]),
    ]
    today = timezone.localdate()
    for index, (title, language, topics) in enumerate(titles):
        publication = make_publication(title=title, language=language, topics=topics)
        for day in range(0, 30, index + 1):
            DailyCount.objects.create(
                publication=publication,
                day=today - dt.timedelta(days=day),
                views=(day * 7 + index * 13) % 40 + 5,
                downloads=(day + index) % 6,
                ratings=1 if day % 9 == index else 0,
                votes=1 if day % 5 == 0 and index == 0 else 0,
            )
    poll = make_poll(question="Should the dialogue go on?")
    for n in range(12):
        vote = Vote.objects.create(poll=poll, choice=poll.choices.first(), reader=f"anon:{n}")
        Vote.objects.filter(pk=vote.pk).update(created_at=timezone.now() - dt.timedelta(days=n * 2))


def test_the_admin_follows_the_profile_and_the_site_its_own_language(
    page, russian_editor, readers_activity
):
    # Not signed in yet, the login page is in the browser's English; the second step, then
    # the admin, in the editor's Russian.
    sign_in(page, "redaktor", PASSWORD)
    expect(page.get_by_role("heading", name="Публикация и управление содержимым")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("link", name="Статистика", exact=True)).to_be_visible()
    screenshot(page, "admin-index-ru")

    # The public site stays English for the same editor.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The site switched to Russian, by its switcher and by its cookie.
    page.locator(".lang-switch").get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.goto("/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    # Figures, in Russian.
    page.get_by_role("link", name="Статистика", exact=True).click()
    expect(page.get_by_role("heading", name="Статистика для редакторов")).to_be_visible()
    expect(page.locator("svg.figures-svg")).to_have_count(5)
    expect(page.locator("svg.figures-svg rect.figures-bar").first).to_be_visible()
    expect(
        page.get_by_role("table", name="Просмотры, скачивания, оценки и голоса по дням")
    ).to_be_visible()
    expect(page.get_by_role("rowheader", name="Should the dialogue go on?")).to_be_visible()
    screenshot(page, "figures-ru", full_page=True)

    # The editor chooses English for the admin; the site keeps Russian.
    page.get_by_role("link", name="Мои настройки").click()
    page.get_by_label("Английский").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Your preferences were saved.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/ru/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto("/admin/figures/?days=7")
    expect(page.get_by_role("heading", name="Figures for editors")).to_be_visible()
    expect(page.get_by_label("Period", exact=True)).to_have_value("7")
    expect(page.locator("svg.figures-svg")).to_have_count(5)
    page.get_by_label("Period", exact=True).select_option("30")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"days=30"))
    screenshot(page, "figures-en", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("figures-")
    assert page.console.unexpected_errors() == []
