"""An editor publishes through the admin, and uploads are checked."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from publications.models import Attachment, Publication
from tests.desk.helpers import post_form
from tests.factories import make_person, make_publication, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:publications_publication_add")


def publication_form(**overrides):
    data = {
        "kind": "report",
        "title": "Managing Security Relations",
        "subtitle": "",
        "slug": "managing-security-relations",
        "summary": "What the dialogue found.",
        "body": "<p>Body text.</p>",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "language": "en",
        "banner_alt": "",
        "banner_caption": "",
        "banner_credit": "",
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_authors(data, *people):
    data["authorships-TOTAL_FORMS"] = str(len(people))
    for index, person in enumerate(people):
        data[f"authorships-{index}-person"] = str(person.pk)
        data[f"authorships-{index}-order"] = str(index + 1)
        data[f"authorships-{index}-byline_position"] = ""
    return data


def with_attachment(data, upload):
    data["attachments-TOTAL_FORMS"] = "1"
    data["attachments-0-file"] = upload
    data["attachments-0-title"] = "Full report"
    data["attachments-0-language"] = "en"
    data["attachments-0-order"] = "0"
    return data


def test_editor_creates_a_report_that_a_reviewer_publishes_and_unpublishes(
    editor_client, client, reviewer, django_capture_on_commit_callbacks
):
    first, second = make_person(family_name="Chalmers"), make_person(family_name="Lain")
    data = with_attachment(with_authors(publication_form(), second, first), pdf_upload())
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    publication = Publication.objects.get(slug="managing-security-relations")
    assert [a.person for a in publication.authorships.order_by("order")] == [second, first]
    attachment = publication.attachments.get()
    assert attachment.size_bytes == attachment.file.size > 0
    assert attachment.file.name.endswith(".pdf")

    public_url = publication.get_absolute_url()
    editor_client.logout()
    assert client.get(public_url).status_code == 404

    # Publishing is a reviewer's: editors submit (dialogue_portal.desk, tests/desk).
    editor_client.force_login(reviewer)
    changelist = reverse("admin:publications_publication_changelist")
    with django_capture_on_commit_callbacks(execute=True):  # the action commits
        editor_client.post(changelist, {"action": "publish", "_selected_action": [publication.pk]})
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.published_at is not None
    editor_client.logout()
    page = client.get(public_url)
    assert page.status_code == 200
    assert "Chalmers" in page.content.decode()

    editor_client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            changelist, {"action": "unpublish", "_selected_action": [publication.pk]}
        )
    editor_client.logout()
    assert client.get(public_url).status_code == 404


def test_staff_preview_a_draft_the_public_cannot_see(editor_client, client):
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "not visible to the public" in response.content.decode()
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_editor_cannot_manage_users_or_groups(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert (
        editor_client.get(reverse("admin:publications_publication_changelist")).status_code == 200
    )
    assert editor_client.get(reverse("admin:polls_poll_add")).status_code == 200


def test_vote_and_rating_counts_are_not_editable(editor_client):
    response = editor_client.get(reverse("admin:polls_poll_add"))
    html = response.content.decode()
    assert 'name="total_votes"' not in html
    assert 'name="choices-0-vote_count"' not in html
    assert editor_client.get(reverse("admin:polls_vote_add")).status_code == 403


def test_slug_is_prefilled_from_the_title(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert "prepopulated" in html and "id_slug" in html


def test_body_posted_through_the_admin_is_sanitized(editor_client):
    data = publication_form(body='<p onmouseover="x()">Hi<script>alert(1)</script></p>')
    assert editor_client.post(ADD_URL, data).status_code == 302
    body = Publication.objects.get(slug="managing-security-relations").body
    assert "script" not in body and "onmouseover" not in body and "Hi" in body


# --- uploads ------------------------------------------------------------------------


def post_with_banner(client, upload):
    data = publication_form(banner_image=upload, banner_alt="A picture")
    return client.post(ADD_URL, data)


def assert_form_error(response, text):
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not Publication.objects.filter(slug="managing-security-relations").exists()


def test_banner_png_is_accepted(editor_client):
    assert post_with_banner(editor_client, png_upload()).status_code == 302
    publication = Publication.objects.get(slug="managing-security-relations")
    assert publication.banner_width == 40
    assert "banner" in publication.banner_image.name


def test_banner_that_is_not_an_image_is_refused(editor_client):
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>")
    response = post_with_banner(editor_client, fake)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Publication.objects.exists()


def test_banner_with_wrong_extension_is_refused(editor_client):
    response = post_with_banner(editor_client, png_upload(name="photo.jpg"))
    assert_form_error(response, "but the file is a PNG image")


def test_gif_banner_is_refused(editor_client):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    response = post_with_banner(editor_client, SimpleUploadedFile("a.gif", buffer.getvalue()))
    assert response.status_code == 200
    assert not Publication.objects.exists()


@pytest.mark.slow
def test_decompression_bomb_is_refused_with_a_form_error(editor_client, settings):
    # A tiny file that claims 30000 x 30000 pixels: refused before it is decoded.
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG")
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue())
    assert len(buffer.getvalue()) < 1_000_000
    response = post_with_banner(editor_client, bomb)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Publication.objects.exists()


def test_fake_pdf_is_refused(editor_client):
    fake = SimpleUploadedFile("report.pdf", b"<html><body>not a pdf</body></html>")
    response = editor_client.post(ADD_URL, with_attachment(publication_form(), fake))
    assert_form_error(response, "The file is not a PDF document.")
    assert not Attachment.objects.exists()


def test_pdf_with_wrong_extension_is_refused(editor_client):
    upload = SimpleUploadedFile("report.exe", pdf_upload().read())
    response = editor_client.post(ADD_URL, with_attachment(publication_form(), upload))
    assert_form_error(response, "Only PDF files")


def test_damaged_pdf_is_refused(editor_client):
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n garbage with no structure")
    response = editor_client.post(ADD_URL, with_attachment(publication_form(), upload))
    assert_form_error(response, "damaged")


def test_hostile_file_names_are_stored_under_safe_generated_names(editor_client):
    upload = SimpleUploadedFile("../../etc/\u202epassw\u202cd.pdf", pdf_upload().read())
    response = editor_client.post(ADD_URL, with_attachment(publication_form(), upload))
    assert response.status_code == 302
    name = Attachment.objects.get().file.name
    assert ".." not in name and "\u202e" not in name
    assert name.startswith("files/") and name.endswith(".pdf")


def test_published_publication_with_attachment_shows_its_size(client):
    from tests.factories import make_attachment

    publication = make_publication()
    attachment = make_attachment(publication)
    html = client.get(publication.get_absolute_url()).content.decode()
    assert f"PDF, {attachment.size_bytes}\xa0bytes" in html


def test_renaming_a_topic_shows_at_once_on_cached_term_lists(editor_client, client):
    from tests.factories import make_topic

    topic = make_topic(name="Cyber", slug="cyber")
    make_publication(topics=[topic])
    assert "Cyber" in client.get("/publications/").content.decode()  # term lists now cached
    url = reverse("admin:publications_topic_change", args=[topic.pk])
    response = post_form(
        editor_client,
        url,
        {
            "name": "Cyber Security",
            "name_ru": "",
            "slug": "cyber",
            "description": "",
            "description_ru": "",
        },
    )
    assert response.status_code == 302
    assert "Cyber Security" in client.get("/publications/").content.decode()
