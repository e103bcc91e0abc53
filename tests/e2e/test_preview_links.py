"""Preview links in Chromium, with the admin in English and in Russian: an editor makes a
link to a draft on its admin page; a second browser without an account opens it and sees
the preview banner, and the PDF link works; the editor revokes the link; the second
browser then gets the not-found page."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from dialogue_portal.previews.models import PreviewLink
from dialogue_portal.staff.models import AdminProfile
from publications.models import Publication
from tests.e2e.test_review_journey import csp_violations, log_in, open_as
from tests.factories import make_attachment, make_person, make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("admin_language", ["en", "ru"])
def test_an_editor_shares_a_draft_and_revokes_the_link(
    browser, live_server, editorial_groups, django_user_model, admin_language
):
    editor = django_user_model.objects.create_user(
        "redaktor", "redaktor@example.org", "pw-redaktor-123!", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    AdminProfile.objects.create(user=editor, admin_language=admin_language)
    draft = make_publication(
        title="Arctic Council under embargo",
        slug="arctic-council-embargo",
        status=Publication.Status.DRAFT,
        published_at=None,
        authors=[make_person(family_name="Chalmers")],
    )
    make_attachment(draft, title="The full report")
    with translation.override(admin_language):
        panel_heading = gettext("Preview links")
        made = gettext("Preview link made: %(url)s").split("%")[0].strip()
        revoked = gettext("The preview link was revoked: it opens nothing now.")

    editor_context, admin = open_as(browser, live_server, "en-GB")
    log_in(admin, "redaktor", "pw-redaktor-123!")
    admin.goto(f"/admin/publications/publication/{draft.pk}/change/")
    panel = admin.locator("#preview-links")
    expect(panel.locator("h2")).to_have_text(panel_heading)
    expires = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    panel.get_by_label(gettext_in(admin_language, "For whom")).fill("co-authors at RIAC")
    panel.locator("#id_expires_at").fill(expires.strftime("%Y-%m-%dT%H:%M"))
    panel.locator(".preview-links__add button[type=submit]").click()
    expect(admin.locator(".messagelist")).to_contain_text(made)
    shown = panel.locator(".preview-link__address").first.input_value()
    # The address starts with SITE_URL, as every absolute link does; this server is another.
    assert shown.startswith(settings.SITE_URL + "/preview/")
    address = urlsplit(shown).path
    assert panel.locator("tbody tr").count() == 1
    expect(panel.locator("tbody tr").first).to_contain_text("co-authors at RIAC")

    reader_context, reader = open_as(browser, live_server, "en-GB")
    response = reader.goto(address)
    assert response.status == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert "noindex" in response.headers["x-robots-tag"]
    expect(reader.locator(".preview-banner")).to_contain_text("Preview — not published")
    expect(reader.locator("h1")).to_have_text("Arctic Council under embargo")
    expect(reader.locator('meta[name="robots"]')).to_have_attribute("content", "noindex, nofollow")
    assert reader.locator("#share, .rating, .poll-box").count() == 0
    pdf_href = reader.get_by_role("link", name="The full report").get_attribute("href")
    pdf_answer = reader_context.request.get(pdf_href)
    assert pdf_answer.status == 200
    assert pdf_answer.headers["content-type"] == "application/pdf"
    assert pdf_answer.body().startswith(b"%PDF")
    # (Its /media/ address is not asked here: Django's live server serves MEDIA_URL
    # itself, around the site's URLs; tests/site/test_embargo.py asks the site.)

    admin.reload()
    expect(panel.locator("tbody tr").first).not_to_contain_text(gettext_in(admin_language, "never"))
    panel.locator("tbody tr").first.locator("button[type=submit]").click()
    expect(admin.locator(".messagelist")).to_contain_text(revoked)
    assert PreviewLink.objects.get().revoked_at is not None

    response = reader.goto(address)
    assert response.status == 404
    expect(reader.locator("h1")).to_have_text("This preview link does not work")
    assert reader.locator(".preview-banner").count() == 0
    assert reader_context.request.get(pdf_href).status == 404

    assert not csp_violations(admin) and not csp_violations(reader)
    reader_context.close()
    editor_context.close()


def gettext_in(language, message):
    with translation.override(language):
        return gettext(message)
