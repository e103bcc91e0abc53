"""An editor imports an archive in Chromium, in English and in Russian: from the
publications list to the upload, the job's page while the task worker has not run, the
dry-run report once it has, and the import; then downloads the export. Under the admin's
policy (the job's page refreshes itself without a script)."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from dialogue_portal.archive.models import ImportJob
from dialogue_portal.staff.models import AdminProfile
from publications.demo_files import simple_pdf
from publications.models import Publication
from tests.e2e.conftest import screenshot, sign_in
from tests.tasks import run_worker

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


TEXTS = {
    "en": {
        "import": "Import archive",
        "heading": "Import an archive",
        "file": "Archive (.zip)",
        "check": "Check the archive",
        "waiting": "waiting for the worker to check it",
        "would": "What each record would become",
        "invalid": "“2019-02-30” is not a date",
        "button": "Import",
        "queued": "waiting for the worker to import it",
        "done": "1 created, 0 updated, 0 unchanged, 1 refused",
        "state": "imported",
        "export": "Export archive",
    },
    "ru": {
        "import": "Импорт архива",
        "heading": "Импорт архива",
        "file": "Архив (.zip)",
        "check": "Проверить архив",
        "waiting": "ждёт проверки обработчиком задач",
        "would": "Что станет с каждой записью",
        "invalid": "«2019-02-30» — не дата",
        "button": "Импортировать",
        "queued": "ждёт импорта обработчиком задач",
        "done": "создано: 1, обновлено: 0, без изменений: 0, отклонено: 1",
        "state": "импортирован",
        "export": "Экспорт архива",
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_editor_checks_then_imports_an_archive(
    page, django_user_model, tmp_path, database_tasks, language
):
    """The upload waits for the worker; its page reloads itself (no script) until the
    worker's dry run is there; the import after confirming waits for the worker too."""
    texts = TEXTS[language]
    chief = django_user_model.objects.create_superuser("chief", "c@example.org", "pw-e2e-123!")
    if language == "ru":
        AdminProfile.objects.create(user=chief, admin_language="ru")
    sign_in(page, "chief", "pw-e2e-123!")

    page.goto("/admin/publications/publication/")
    page.get_by_role("link", name=texts["import"], exact=True).click()
    expect(page.get_by_role("heading", name=texts["heading"])).to_be_visible()
    page.get_by_label(texts["file"]).set_input_files(str(archive_file(tmp_path)))
    screenshot(page, f"archive_import_form_{language}")
    page.get_by_role("button", name=texts["check"]).click()

    # Nothing read the archive in the request: the job waits for the worker.
    expect(page.locator("#archive-job-state")).to_have_text(texts["waiting"])
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    screenshot(page, f"archive_import_waiting_{language}")
    job = ImportJob.objects.get()
    assert job.state == "queued" and job.user == chief
    assert run_worker() == 1

    # The page reloads itself and shows the dry run.
    report = page.locator("#archive-report")
    expect(report).to_contain_text(texts["would"])
    expect(report.locator("tr.archive-created")).to_contain_text("rusi-1")
    expect(report.locator("tr.archive-refused")).to_contain_text(texts["invalid"])
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    screenshot(page, f"archive_import_report_{language}", full_page=True)
    assert Publication.objects.count() == 0

    page.get_by_role("button", name=texts["button"], exact=True).click()
    expect(page.locator("#archive-job-state")).to_have_text(texts["queued"])
    assert Publication.objects.count() == 0
    assert run_worker() == 1
    expect(page.get_by_text(texts["done"])).to_be_visible()
    expect(page.locator("#archive-job-state")).to_have_text(texts["state"])
    screenshot(page, f"archive_import_done_{language}", full_page=True)
    assert Publication.objects.get().slug == "arctic-futures"

    page.goto("/admin/publications/publication/")
    with page.expect_download() as download:
        page.get_by_role("link", name=texts["export"], exact=True).click()
    assert download.value.suggested_filename.startswith("dialogue-portal-archive-")
