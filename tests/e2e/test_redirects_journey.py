"""An editor changes a publication's slug in the admin; a reader who follows the old
address (from a newsletter, a citation) lands on the publication at its new one."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_editor_renames_a_publication_and_the_old_address_still_leads_to_it(
    page, browser, live_server, django_user_model, editorial_groups
):
    editor = django_user_model.objects.create_user(
        "e2e-editor", "e2e@example.org", "pw-e2e-123!", is_staff=True
    )
    editor.groups.add(*Group.objects.filter(name__in=["Editors", "Reviewers"]))
    publication = make_publication(slug="arctic-security-2024", title="Arctic Security")

    sign_in(page, "e2e-editor", "pw-e2e-123!")
    page.goto(f"/admin/publications/publication/{publication.pk}/change/")
    page.get_by_label("Slug").fill("arctic-security-after-the-thaw")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    reader = browser.new_context(base_url=live_server.url)
    try:
        tab = reader.new_page()
        for prefix in ("", "/ru"):
            old = f"{prefix}/publications/arctic-security-2024/"
            new = f"{prefix}/publications/arctic-security-after-the-thaw/"
            response = tab.goto(old)
            assert response.status == 200
            assert tab.url == live_server.url + new
            assert response.request.redirected_from.url == live_server.url + old
            expect(tab.get_by_role("heading", level=1)).to_have_text("Arctic Security")
        tab.goto("/publications/arctic-security-2024/")
        screenshot(tab, "redirects-01-old-address-lands-on-new")
    finally:
        reader.close()
    page.goto("/admin/redirects/redirect/")
    expect(page.locator("#result_list")).to_contain_text("/publications/arctic-security-2024")
    screenshot(page, "redirects-02-admin-list", full_page=True)
