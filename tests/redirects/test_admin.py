"""The redirect manager: editors add, edit, import and export redirects of any shape."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dialogue_portal.core.spreadsheet import cell as neutralise
from dialogue_portal.redirects.models import Redirect
from tests.factories import make_publication

pytestmark = pytest.mark.django_db

LIST = reverse("admin:redirects_redirect_changelist")
ADD = reverse("admin:redirects_redirect_add")
IMPORT = reverse("admin:redirects_redirect_import")
EXPORT = reverse("admin:redirects_redirect_export")


def upload(text, dry_run=False):
    data = {"file": SimpleUploadedFile("old-site.csv", text.encode(), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return data


def test_editors_may_manage_redirects(editor, editor_client):
    for action in ("add", "change", "delete", "view"):
        assert editor.has_perm(f"redirects.{action}_redirect")
    assert editor_client.get(LIST).status_code == 200
    assert editor_client.get(IMPORT).status_code == 200
    assert editor_client.get(EXPORT).status_code == 200


def test_a_reader_or_staff_without_the_permission_may_not(django_user_model):
    staff = django_user_model.objects.create_user("staff", password="pw-staff-123!", is_staff=True)
    client = Client()
    client.force_login(staff)
    for url in (LIST, IMPORT, EXPORT):
        assert client.get(url).status_code == 403, url


def test_a_manual_redirect_to_another_site(editor_client):
    response = editor_client.post(
        ADD,
        {"old_path": "/ru/old/report.html", "status": "302", "target": "https://example.org/r"},
    )
    assert response.status_code == 302
    redirect = Redirect.objects.get()
    assert redirect.old_path == "/old/report.html"
    assert redirect.source == Redirect.Source.MANUAL
    reader = Client()
    for path in ("/old/report.html", "/ru/old/report.html"):
        answer = reader.get(path)
        assert answer.status_code == 302 and answer["Location"] == "https://example.org/r"
    assert editor_client.get(LIST + "?q=report").context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"old_path": "/a", "status": "301", "target": ""}, "The new address is missing."),
        ({"old_path": "/a", "status": "410", "target": "/b/"}, "has no new address"),
        ({"old_path": "/a", "status": "301", "target": "/a/"}, "it would loop"),
        ({"old_path": "/a", "status": "301", "target": "javascript:alert(1)"}, "valid http"),
        ({"old_path": "/a b", "status": "301", "target": "/b/"}, "spaces"),
        ({"old_path": "/a", "status": "301", "target": "b"}, "starts with"),
    ],
)
def test_bad_redirects_are_form_errors(editor_client, fields, message):
    response = editor_client.post(ADD, fields)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors)
    assert not Redirect.objects.exists()


def test_a_redirect_to_an_old_address_goes_straight_to_its_new_one(editor_client):
    Redirect.objects.create(old_path="/b", target="/c/")
    editor_client.post(ADD, {"old_path": "/a", "status": "301", "target": "/b/"})
    assert Redirect.objects.get(old_path="/a").target == "/c/"
    editor_client.post(ADD, {"old_path": "/c", "status": "301", "target": "/d/"})
    assert set(Redirect.objects.values_list("target", flat=True)) == {"/d/"}
    response = editor_client.post(ADD, {"old_path": "/d", "status": "301", "target": "/a/"})
    assert "would loop" in str(response.context["adminform"].form.errors)


CSV = """old_path,new_path_or_url,status
/index.php?id=12,/publications/kept/,301
https://old.example.org/reports/arctic.html,/publications/kept/,
/withdrawn.html,,410
/elsewhere,https://example.org/,302
"""


def test_csv_import_dry_run_then_for_real(editor_client):
    make_publication(slug="kept")
    preview = editor_client.post(IMPORT, upload(CSV, dry_run=True))
    assert preview.status_code == 200
    assert len(preview.context["outcomes"]) == 4
    assert "Dry run" in preview.content.decode()
    assert not Redirect.objects.exists()
    response = editor_client.post(IMPORT, upload(CSV))
    assert response.status_code == 302
    assert Redirect.objects.filter(source=Redirect.Source.IMPORTED).count() == 4
    reader = Client()
    assert reader.get("/index.php?id=12")["Location"] == "/publications/kept/"
    assert reader.get("/index.php?id=13").status_code == 404
    assert reader.get("/reports/arctic.html")["Location"] == "/publications/kept/"
    assert reader.get("/withdrawn.html").status_code == 410
    assert reader.get("/elsewhere").status_code == 302
    again = editor_client.post(IMPORT, upload(CSV), follow=True)
    assert "0 created, 0 updated, 4 unchanged" in again.content.decode()


def test_a_csv_with_bad_rows_is_refused_whole_with_every_line_named(editor_client):
    bad = "/fine,/b/,301\n/no-target,,301\n/x,/y/,999\nnot a path,/z/\n/fine,/c/,301\n"
    response = editor_client.post(IMPORT, upload(bad))
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any(e.startswith("Line 2:") and "missing" in e for e in errors), errors
    assert any(e.startswith("Line 3:") and "301, 302 or 410" in e for e in errors), errors
    assert any(e.startswith("Line 4:") and "spaces" in e for e in errors), errors
    assert any(e.startswith("Line 5:") and "also on line 1" in e for e in errors), errors
    assert not Redirect.objects.exists()
    not_utf8 = editor_client.post(IMPORT, {"file": SimpleUploadedFile("x.csv", b"\xff\xfe/a")})
    assert "not UTF-8" in str(not_utf8.context["form"].errors)


def test_export_escapes_formulas_and_imports_again(editor_client):
    Redirect.objects.create(old_path="/a", target="/b/", note="=HYPERLINK(1)")
    Redirect.objects.create(old_path="/gone", status=410, note=" -2+3")
    response = editor_client.get(EXPORT)
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines() == [
        "old_path,new_path_or_url,status,include_below,note",
        "/a,/b/,301,no,'=HYPERLINK(1)",
        "/gone,,410,no,' -2+3",
    ]
    Redirect.objects.all().delete()
    assert editor_client.post(IMPORT, upload(text)).status_code == 302
    assert Redirect.objects.get(old_path="/a").note == "=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("cell", "escaped"),
    [("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@a", "'@a"), ("\t=1", "'\t=1"),
     ("\r1", "'\r1"), ("  =1", "'  =1"), ("/path", "/path"), ("", "")],
)  # fmt: skip
def test_neutralise(cell, escaped):
    assert neutralise(cell) == escaped
