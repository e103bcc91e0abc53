"""The archive in the admin: a dry-run report before anything is written, a signed token
naming the upload, CSRF, permissions, and the export download."""

import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dialogue_portal.audit.models import Entry
from dialogue_portal.staff.models import AdminProfile
from publications.models import Publication
from tests.archive.test_import import PDF, manifest, media_files, record
from tests.factories import make_publication

pytestmark = pytest.mark.django_db


def zip_upload(content=None, extra=None, name="archive.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(content or manifest(record())))
        archive.writestr("files/a.pdf", PDF)
        for entry, data in (extra or {}).items():
            archive.writestr(entry, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def token_in(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_the_changelist_links_to_import_and_export(editor_client):
    page = editor_client.get("/admin/publications/publication/").content.decode()
    assert 'href="/admin/archive/import/"' in page
    assert 'href="/admin/archive/export/"' in page


def test_upload_shows_the_dry_run_then_confirm_imports(editor_client):
    response = editor_client.post("/admin/archive/import/", {"archive": zip_upload()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "What each record would become" in page
    assert "<td>record 1</td>" in page and "<td>created</td>" in page
    assert Publication.objects.count() == 0
    assert [name.split("/")[0] for name in media_files()] == ["archive-uploads"]
    token = token_in(response)
    done = editor_client.post("/admin/archive/import/confirm/", {"token": token})
    assert done.status_code == 200
    assert "1 created, 0 updated, 0 unchanged, 0 refused" in done.content.decode()
    assert Publication.objects.get().external_id == "r1"
    assert not any(name.startswith("archive-uploads") for name in media_files())
    imported = Entry.objects.get(action="archive-imported")  # the dry run is not recorded
    assert imported.actor_name == "editor"
    assert imported.detail == "admin: 1 created, 0 updated, 0 unchanged, 0 refused"
    again = editor_client.post("/admin/archive/import/confirm/", {"token": token})
    assert again.status_code == 400


def test_refused_records_are_shown_with_their_reason(editor_client):
    content = manifest(record(), record(id="r2", slug="s2", published_at="2020-02-31"))
    page = editor_client.post("/admin/archive/import/", {"archive": zip_upload(content)})
    text = page.content.decode()
    assert "<td>record 2</td>" in text and "<td>refused</td>" in text
    assert "published_at: “2020-02-31” is not a date" in text


def test_a_hostile_zip_is_refused_in_the_form(editor_client):
    response = editor_client.post(
        "/admin/archive/import/", {"archive": zip_upload(extra={"../evil.pdf": b"x"})}
    )
    assert response.status_code == 200
    assert "a path that leaves the archive" in response.content.decode()
    assert media_files() == []


def test_not_a_zip(editor_client):
    upload = SimpleUploadedFile("archive.zip", b"not a zip")
    response = editor_client.post("/admin/archive/import/", {"archive": upload})
    assert "Not a readable zip file" in response.content.decode()
    assert media_files() == []


@pytest.mark.parametrize("token", ["", "junk", "eyJuYW1lIjoiLi4vLi4vZXRjL3Bhc3N3ZCJ9:x:y"])
def test_forged_tokens_are_refused(editor_client, token):
    response = editor_client.post("/admin/archive/import/confirm/", {"token": token})
    assert response.status_code == 400


def test_a_token_belongs_to_the_editor_who_uploaded(editor_client, superuser):
    token = token_in(editor_client.post("/admin/archive/import/", {"archive": zip_upload()}))
    other = Client()
    other.force_login(superuser)
    assert other.post("/admin/archive/import/confirm/", {"token": token}).status_code == 400
    assert Publication.objects.count() == 0


def test_permissions(django_user_model, editor_client):
    client = Client()
    assert client.get("/admin/archive/import/").status_code == 302  # to the login page
    assert client.get("/admin/archive/export/").status_code == 302
    viewer = django_user_model.objects.create_user(
        "viewer", password="pw-viewer-123!", is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(viewer)
    assert client.get("/admin/archive/import/").status_code == 403
    assert client.post("/admin/archive/import/", {"archive": zip_upload()}).status_code == 403
    assert client.get("/admin/archive/export/").status_code == 200
    assert editor_client.get("/admin/archive/import/confirm/").status_code == 405


def test_csrf_is_required(editor):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post("/admin/archive/import/", {"archive": zip_upload()}).status_code == 403
    assert media_files() == []


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
    text = page.content.decode()
    assert "Что станет с каждой записью" in text
    assert "<td>запись 2</td>" in text and "<td>отклонена</td>" in text
    assert "published_at: «2020-02-31» — не дата" in text
    changelist = editor_client.get("/admin/publications/publication/").content.decode()
    assert "Импорт архива" in changelist and "Экспорт архива" in changelist
