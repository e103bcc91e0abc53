"""An editor imports an archive in Chromium: from the publications list to the upload, the
dry-run report, and the import; then downloads the export. Under the admin's policy."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from publications.demo_files import simple_pdf
from publications.models import Publication
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def archive_file(tmp_path):
    records = [
        {
            "id": "rusi-1",
            "slug": "arctic-futures",
            "title": "Arctic futures",
            "summary": "Where the Arctic is going.",
            "published_at": "2019-05-01",
            "authors": [{"person": "emily-ferris", "position": "Research Fellow"}],
            "attachments": [{"file": "files/arctic.pdf", "title": "Full report"}],
        },
        {
            "id": "rusi-2",
            "slug": "no-date",
            "title": "No date",
            "summary": "S.",
            "published_at": "2019-02-30",
        },
    ]
    manifest = {
        "people": [{"slug": "emily-ferris", "given_name": "Emily", "family_name": "Ferris"}],
        "publications": records,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("files/arctic.pdf", simple_pdf("Arctic", ["text"]))
    path = tmp_path / "old-site.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_an_editor_checks_then_imports_an_archive(page, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("chief", "c@example.org", "pw-e2e-123!")
    sign_in(page, "chief", "pw-e2e-123!")

    page.goto("/admin/publications/publication/")
    page.get_by_role("link", name="Import archive").click()
    expect(page.get_by_role("heading", name="Import an archive")).to_be_visible()
    page.get_by_label("Archive (.zip)").set_input_files(str(archive_file(tmp_path)))
    screenshot(page, "archive_import_form")
    page.get_by_role("button", name="Check the archive").click()

    report = page.locator("#archive-report")
    expect(report).to_contain_text("What each record would become")
    expect(report.locator("tr.archive-created")).to_contain_text("rusi-1")
    expect(report.locator("tr.archive-refused")).to_contain_text("“2019-02-30” is not a date")
    screenshot(page, "archive_import_report", full_page=True)
    assert Publication.objects.count() == 0

    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 created, 0 updated, 0 unchanged, 1 refused")).to_be_visible()
    screenshot(page, "archive_import_done", full_page=True)
    assert Publication.objects.get().slug == "arctic-futures"

    page.goto("/admin/publications/publication/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export archive").click()
    assert download.value.suggested_filename.startswith("dialogue-portal-archive-")
