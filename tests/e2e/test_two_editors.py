"""Two editors, one publication, in Chromium: both open the change form; Anna saves a new
title; Boris, whose page says Anna has it open, changes the summary and saves from his
stale form; he gets both versions side by side, chooses per field, and saves; the
publication ends with Anna's title and Boris's summary. In the English and Russian admin."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from dialogue_portal.staff.models import AdminProfile
from publications.models import Publication
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import run_axe
from tests.e2e.test_review_journey import csp_violations, log_in, open_as
from tests.factories import make_person, make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "en": {
        "presence": "Anna also has this form open.",
        "conflict": "Changed since you opened this form",
        "changed": "was changed successfully",
    },
    "ru": {
        "presence": "Anna тоже открыл(а) эту форму.",
        "conflict": "Изменено с тех пор, как вы открыли эту форму",
        "changed": "успешно изменен",
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_save_from_a_stale_form_is_merged_not_lost(
    browser, live_server, editorial_groups, django_user_model, language
):
    for username, first_name in (("anna", "Anna"), ("boris", "Boris")):
        user = django_user_model.objects.create_user(
            username,
            f"{username}@example.org",
            f"pw-{username}-123!",
            is_staff=True,
            first_name=first_name,
        )
        user.groups.add(Group.objects.get(name="Editors"))
        AdminProfile.objects.create(user=user, admin_language=language)
    report = make_publication(
        title="Talking To, Not Past Each Other",
        summary="The first summary.",
        status=Publication.Status.DRAFT,
        published_at=None,
        authors=[make_person(given_name="Malcolm", family_name="Chalmers")],
    )
    change = f"/admin/publications/publication/{report.pk}/change/"
    texts = TEXTS[language]

    anna_context, anna = open_as(browser, live_server, "en-GB")
    boris_context, boris = open_as(browser, live_server, "en-GB")
    log_in(anna, "anna", "pw-anna-123!")
    log_in(boris, "boris", "pw-boris-123!")

    # Anna opens the form; her page's heartbeat says she has it open.
    with anna.expect_response(lambda r: r.url.endswith("/presence/")) as beat:
        anna.goto(change)
    assert beat.value.status == 200
    boris.goto(change)
    expect(boris.locator("html")).to_have_attribute("lang", language)
    expect(boris.locator("#desk-presence")).to_have_text(texts["presence"])

    anna.locator("#id_title").fill("Talking To Each Other")
    anna.locator("input[name=_save]").last.click()
    expect(anna.locator(".messagelist")).to_contain_text(texts["changed"])

    boris.locator("#id_summary").fill("Boris's summary of the report.")
    boris.locator("input[name=_save]").last.click()

    conflict = boris.locator(".desk-conflict")
    expect(conflict.locator("h2")).to_have_text(texts["conflict"])
    title_row = conflict.locator('tr[data-field="title"]')
    expect(title_row.locator(".desk-theirs")).to_contain_text("Talking To Each Other")
    expect(title_row.locator(".desk-mine")).to_contain_text("Talking To, Not Past Each Other")
    summary_row = conflict.locator('tr[data-field="summary"]')
    expect(summary_row.locator(".desk-mine")).to_contain_text("Boris's summary of the report.")
    expect(summary_row.locator(".desk-theirs")).to_contain_text("The first summary.")
    screenshot(boris, f"two-editors-conflict-{language}", full_page=True)
    # What Boris typed is still in the form.
    expect(boris.locator("#id_summary")).to_have_value("Boris's summary of the report.")

    title_row.locator('input[value="theirs"]').check()
    summary_row.locator('input[value="mine"]').check()
    boris.locator("input[name=_save]").last.click()
    expect(boris.locator(".messagelist")).to_contain_text(texts["changed"])

    report.refresh_from_db()
    assert report.title == "Talking To Each Other"
    assert report.summary == "Boris's summary of the report."

    violations = csp_violations(anna) + csp_violations(boris)
    conflict_answer = [r"409 \(Conflict\)"]
    errors = anna.console.unexpected_errors() + boris.console.unexpected_errors(
        allow=conflict_answer
    )
    anna_context.close()
    boris_context.close()
    assert not violations, violations
    assert errors == [], errors


def test_the_conflict_page_passes_axe(axe_page, axe_source, editorial_groups, django_user_model):
    user = django_user_model.objects.create_user(
        "boris", "boris@example.org", "pw-boris-123!", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    report = make_publication(title="Before", status=Publication.Status.DRAFT, published_at=None)
    log_in(axe_page, "boris", "pw-boris-123!")
    axe_page.goto(f"/admin/publications/publication/{report.pk}/change/")
    Publication.objects.filter(pk=report.pk).update(title="Saved meanwhile")
    axe_page.locator("#id_summary").fill("Boris's summary.")
    axe_page.locator("input[name=_save]").last.click()
    expect(axe_page.locator(".desk-conflict")).to_be_visible()
    violations = run_axe(axe_page, axe_source, ".desk-conflict")
    assert [v["id"] for v in violations] == [], [
        (v["id"], [n["html"][:200] + " " + n["failureSummary"][:300] for n in v["nodes"]])
        for v in violations
    ]
