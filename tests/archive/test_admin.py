"""The archive in the admin: the upload becomes a job the task worker checks (the dry
run) and, once its editor confirms, imports; the job's page, the list of jobs, CSRF,
permissions, and the export download."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from dialogue_portal.archive.models import ImportJob
from dialogue_portal.audit.models import Entry
from dialogue_portal.staff.models import AdminProfile
from publications.models import Publication
from tests.archive.test_import import PDF, manifest, media_files, record
from tests.factories import make_publication
from tests.tasks import DATABASE_BACKEND, run_worker, waiting

pytestmark = pytest.mark.django_db


def zip_upload(content=None, extra=None, name="archive.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(content or manifest(record())))
        archive.writestr("files/a.pdf", PDF)
        for entry, data in (extra or {}).items():
            archive.writestr(entry, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def job_of(response):
    """The ImportJob an upload's redirect leads to."""
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/admin/archive/import/(\d+)/", response["Location"])
    return ImportJob.objects.get(pk=int(match.group(1)))


def confirm_url(job):
    return f"/admin/archive/import/{job.pk}/confirm/"


def private_files(tmp_path):
    root = tmp_path / "private"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_the_changelist_links_to_import_and_export(editor_client):
    page = editor_client.get("/admin/publications/publication/").content.decode()
    assert 'href="/admin/archive/import/"' in page
    assert 'href="/admin/archive/export/"' in page


def test_upload_shows_the_dry_run_then_confirm_imports(editor_client, tmp_path):
    response = editor_client.post("/admin/archive/import/", {"archive": zip_upload()})
    job = job_of(response)
    page = editor_client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "What each record would become" in text
    assert "<td>record 1</td>" in text and "<td>created</td>" in text
    assert 'http-equiv="refresh"' not in text  # checked: nothing left to wait for
    assert Publication.objects.count() == 0
    # The upload waits in the private storage, never under MEDIA_ROOT.
    assert media_files() == []
    assert [name.split("/")[0] for name in private_files(tmp_path)] == ["archive-uploads"]
    done = editor_client.post(confirm_url(job))
    assert done.status_code == 302 and done["Location"] == response["Location"]
    text = editor_client.get(done["Location"]).content.decode()
    assert "1 created, 0 updated, 0 unchanged, 0 refused" in text
    assert "What each record became" in text
    assert Publication.objects.get().external_id == "r1"
    assert private_files(tmp_path) == []
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.user.username) == ("done", 1, 1, "editor")
    imported = Entry.objects.get(action="archive-imported")  # the dry run is not recorded
    assert imported.actor_name == "editor"
    assert imported.detail == "admin: 1 created, 0 updated, 0 unchanged, 0 refused"
    again = editor_client.post(confirm_url(job))
    assert again.status_code == 400
    assert "already done" in again.content.decode()
    assert Publication.objects.count() == 1


def test_the_request_only_stores_and_enqueues(editor_client, database_tasks, tmp_path):
    """With the worker's backend nothing reads the archive in the request: the job waits,
    its page reloads itself, and the dry run appears once the worker has run."""
    response = editor_client.post("/admin/archive/import/", {"archive": zip_upload()})
    job = job_of(response)
    assert job.state == "queued" and job.check_report is None
    assert waiting() == 1
    page = editor_client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "waiting for the worker to check it" in page
    assert run_worker() == 1
    page = editor_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "<td>created</td>" in page
    editor_client.post(confirm_url(job))
    job.refresh_from_db()
    assert job.state == "import-queued" and Publication.objects.count() == 0
    assert (
        "waiting for the worker to import it"
        in editor_client.get(response["Location"]).content.decode()
    )
    assert run_worker() == 1
    job.refresh_from_db()
    assert job.state == "done" and Publication.objects.get().external_id == "r1"
    assert private_files(tmp_path) == []


def test_refused_records_are_shown_with_their_reason(editor_client):
    content = manifest(record(), record(id="r2", slug="s2", published_at="2020-02-31"))
    response = editor_client.post("/admin/archive/import/", {"archive": zip_upload(content)})
    text = editor_client.get(response["Location"]).content.decode()
    assert "<td>record 2</td>" in text and "<td>refused</td>" in text
    assert "published_at: “2020-02-31” is not a date" in text


def test_a_hostile_zip_is_refused_on_the_job_page(editor_client, tmp_path):
    response = editor_client.post(
        "/admin/archive/import/", {"archive": zip_upload(extra={"../evil.pdf": b"x"})}
    )
    job = job_of(response)
    assert job.state == "refused"
    text = editor_client.get(response["Location"]).content.decode()
    assert "a path that leaves the archive" in text and 'id="archive-job-error"' in text
    assert 'type="submit" class="default" value="Import"' not in text
    assert media_files() == [] and private_files(tmp_path) == []
    assert editor_client.post(confirm_url(job)).status_code == 400


def test_not_a_zip(editor_client, tmp_path):
    upload = SimpleUploadedFile("archive.zip", b"not a zip")
    response = editor_client.post("/admin/archive/import/", {"archive": upload})
    assert "Not a readable zip file" in editor_client.get(response["Location"]).content.decode()
    assert media_files() == [] and private_files(tmp_path) == []


def test_a_name_that_is_not_a_zip_is_a_form_error(editor_client):
    upload = SimpleUploadedFile("archive.tar", b"x")
    response = editor_client.post("/admin/archive/import/", {"archive": upload})
    assert response.status_code == 200 and "Upload a .zip file." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_failing_task_fails_the_job_and_shows_why(editor_client, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr("dialogue_portal.archive.tasks.import_archive", broken)
    response = editor_client.post("/admin/archive/import/", {"archive": zip_upload()})
    job = job_of(response)
    assert job.state == "failed" and job.error == "RuntimeError: the disk is gone"
    assert "the disk is gone" in editor_client.get(response["Location"]).content.decode()
    assert private_files(tmp_path) == []
    listing = editor_client.get("/admin/archive/importjob/").content.decode()
    assert "the disk is gone" in listing and "failed" in listing


@pytest.mark.parametrize("pk", ["999", "0"])
def test_unknown_jobs_are_404(editor_client, pk):
    assert editor_client.get(f"/admin/archive/import/{pk}/").status_code == 404
    assert editor_client.post(f"/admin/archive/import/{pk}/confirm/").status_code == 404


def test_only_the_uploader_confirms(editor_client, superuser, database_tasks):
    job = job_of(editor_client.post("/admin/archive/import/", {"archive": zip_upload()}))
    run_worker()
    other = Client()
    other.force_login(superuser)
    page = other.get(f"/admin/archive/import/{job.pk}/").content.decode()
    assert "<td>created</td>" in page and confirm_url(job) not in page
    assert other.post(confirm_url(job)).status_code == 400
    assert waiting() == 0 and Publication.objects.count() == 0


def test_the_task_runs_as_the_uploader_and_checks_them_again(editor, editor_client):
    """Permissions are the uploader's when the worker runs, not when they uploaded."""
    with override_settings(TASKS=DATABASE_BACKEND):
        job = job_of(editor_client.post("/admin/archive/import/", {"archive": zip_upload()}))
        editor.is_active = False
        editor.save()
        run_worker()
    job.refresh_from_db()
    assert job.state == "failed" and "may no longer import" in job.error
    assert Publication.objects.count() == 0


def test_the_jobs_are_listed_read_only(editor_client, reviewer_client):
    editor_client.post("/admin/archive/import/", {"archive": zip_upload()})
    job = ImportJob.objects.get()
    listing = editor_client.get("/admin/archive/importjob/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "archive.zip" in text and "editor" in text
    assert f'href="/admin/archive/import/{job.pk}/"' in text
    assert editor_client.get("/admin/archive/importjob/add/").status_code == 403
    assert (
        editor_client.post(
            f"/admin/archive/importjob/{job.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert reviewer_client.get(f"/admin/archive/importjob/{job.pk}/change/").status_code == 200
    assert ImportJob.objects.count() == 1


def test_checked_uploads_nobody_confirms_are_dropped(editor_client, tmp_path):
    job = job_of(editor_client.post("/admin/archive/import/", {"archive": zip_upload()}))
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    editor_client.post("/admin/archive/import/", {"archive": zip_upload()})
    job.refresh_from_db()
    assert job.state == "abandoned" and job.stored_name == ""
    assert len(private_files(tmp_path)) == 1  # the new upload's only
    assert editor_client.post(confirm_url(job)).status_code == 400


def test_permissions(django_user_model, editor_client):
    job = job_of(editor_client.post("/admin/archive/import/", {"archive": zip_upload()}))
    client = Client()
    assert client.get("/admin/archive/import/").status_code == 302  # to the login page
    assert client.get("/admin/archive/export/").status_code == 302
    assert client.get(f"/admin/archive/import/{job.pk}/").status_code == 302
    viewer = django_user_model.objects.create_user(
        "viewer", password="pw-viewer-123!", is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(viewer)
    assert client.get("/admin/archive/import/").status_code == 403
    assert client.post("/admin/archive/import/", {"archive": zip_upload()}).status_code == 403
    assert client.get(f"/admin/archive/import/{job.pk}/").status_code == 403
    assert client.post(confirm_url(job)).status_code == 403
    assert client.get("/admin/archive/importjob/").status_code == 403
    assert client.get("/admin/archive/export/").status_code == 200
    assert editor_client.get(confirm_url(job)).status_code == 405


def test_csrf_is_required(editor, tmp_path):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post("/admin/archive/import/", {"archive": zip_upload()}).status_code == 403
    assert media_files() == [] and private_files(tmp_path) == []
    assert ImportJob.objects.count() == 0


def test_export_downloads_the_archive(editor_client):
    make_publication(slug="one")
    response = editor_client.get("/admin/archive/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment;" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert json.loads(archive.read("manifest.json"))["publications"][0]["slug"] == "one"
    exported = Entry.objects.get(action="archive-exported")
    assert (exported.actor_name, exported.detail) == ("editor", "admin: 1 publications")


def test_an_editor_who_prefers_russian_gets_the_import_in_russian(editor, editor_client):
    AdminProfile.objects.create(user=editor, admin_language="ru")
    form = editor_client.get("/admin/archive/import/").content.decode()
    assert "Проверить архив" in form and "Архив (.zip)" in form
    content = manifest(record(), record(id="r2", slug="s2", published_at="2020-02-31"))
    page = editor_client.post("/admin/archive/import/", {"archive": zip_upload(content)})
    text = editor_client.get(page["Location"]).content.decode()
    assert "проверен: ждёт подтверждения" in text
    assert "Что станет с каждой записью" in text
    assert "<td>запись 2</td>" in text and "<td>отклонена</td>" in text
    assert "published_at: «2020-02-31» — не дата" in text
    changelist = editor_client.get("/admin/publications/publication/").content.decode()
    assert "Импорт архива" in changelist and "Экспорт архива" in changelist
