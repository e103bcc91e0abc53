"""Preview links: made in the admin, signed, expiring on the clock, revocable at once,
recording when they were opened; the page they open is a preview that no cache, search
engine or widget keeps or leaks, with its files behind the same token."""

import datetime as dt

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dialogue_portal.desk import services as desk
from dialogue_portal.desk.history import capture
from dialogue_portal.previews import services
from dialogue_portal.previews.models import PreviewLink
from polls.models import Poll
from publications.models import Publication
from publications.renditions import refresh_banner_renditions
from tests.desk.helpers import change_url
from tests.factories import (
    make_attachment,
    make_person,
    make_poll,
    make_publication,
    make_topic,
    png_upload,
)

pytestmark = pytest.mark.django_db

BANNER = "Preview — not published"
# The link, the publication as it stands (row, authors, attachments, tags), the record of
# the opening, people, institutions, topics, regions, project and programme.
QUERIES = 12


@pytest.fixture
def draft():
    publication = make_publication(
        title="Embargoed report",
        slug="embargoed-report",
        status=Publication.Status.DRAFT,
        published_at=None,
        summary="What the co-authors must check.",
        authors=[make_person(family_name="Chalmers")],
        topics=[make_topic(name="Arms control")],
    )
    make_attachment(publication, title="The full report")
    return publication


def link_to(publication, user, *, days=3, **more):
    return services.create_link(
        publication=publication,
        user=user,
        expires_at=timezone.now() + dt.timedelta(days=days),
        **more,
    )


def add_url(publication):
    return reverse("admin:publications_publication_preview_add", args=[publication.pk])


def future(**delta):
    return timezone.localtime(timezone.now() + dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def text(response):
    content = b"".join(response) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def test_an_editor_makes_a_link_in_the_admin_and_sees_it_listed(editor_client, editor, draft):
    page = text(editor_client.get(change_url(draft)))
    assert 'id="preview-links"' in page
    assert "No preview link has been made." in page
    response = editor_client.post(
        add_url(draft), {"note": "co-authors at RIAC", "expires_at": future(days=2)}
    )
    assert response.status_code == 302
    link = PreviewLink.objects.get()
    assert (link.publication, link.created_by, link.note) == (draft, editor, "co-authors at RIAC")
    assert link.proposal is None and link.open_count == 0 and link.last_opened_at is None
    page = text(editor_client.get(change_url(draft)))
    assert "co-authors at RIAC" in page
    assert services.url_for(link) in page
    assert "never" in page


@pytest.mark.parametrize(
    ("expires_at", "error"),
    [
        (lambda: future(minutes=-5), "Choose a time in the future."),
        (lambda: future(days=91), "A preview link lives 90 days at most."),
        (lambda: "not a date", "Enter a valid date/time."),
        (lambda: "", "This field is required."),
    ],
)
def test_a_bad_expiry_is_refused_with_a_message(editor_client, draft, expires_at, error):
    response = editor_client.post(add_url(draft), {"expires_at": expires_at()}, follow=True)
    assert response.status_code == 200
    assert error in text(response)
    assert not PreviewLink.objects.exists()


def test_making_a_link_needs_the_change_permission_and_a_post(client, draft, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    assert client.post(add_url(draft), {"expires_at": future(days=1)}).status_code == 403
    assert client.get(add_url(draft)).status_code in (403, 405)
    assert not PreviewLink.objects.exists()


def test_the_page_is_a_preview_that_nothing_keeps(client, editor, draft, settings):
    settings.PAGE_CACHE_SECONDS = 60
    link = link_to(draft, editor)
    url = services.url_for(link)
    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert BANNER in page
    assert "Embargoed report" in page and "What the co-authors must check." in page
    assert "Chalmers" in page and "Arms control" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert 'rel="canonical"' not in page
    # No rating, poll or share widget, nothing that would carry the token elsewhere.
    for widget in ('id="share"', "share__link", "data-copy-url", "rating", "poll-box", "/vote/"):
        assert widget not in page, widget
    assert settings.SITE_URL + url not in page


@pytest.mark.slow
def test_the_page_never_enters_the_page_cache(client, editor, draft, settings):
    settings.PAGE_CACHE_SECONDS = 60
    poll = make_poll(placement=Poll.Placement.EVERYWHERE)  # on every public page, not here
    link = link_to(draft, editor)
    url = services.url_for(link)
    assert "Embargoed report" in text(client.get(url))
    # A write that tells no cache (no content_changed): a cached page would still show
    # the old title; the preview is built anew on every request.
    Publication.objects.filter(pk=draft.pk).update(title="Retitled report")
    page = text(client.get(url))
    assert "Retitled report" in page
    assert poll.question not in page
    assert poll.question in text(client.get("/"))
    services.revoke(link=link, user=editor)
    assert client.get(url).status_code == 404


def test_opening_records_when_and_how_often(client, editor, draft, clock):
    link = link_to(draft, editor)
    url = services.url_for(link)
    client.get(url)
    clock.shift(dt.timedelta(hours=2))
    client.get(url)
    link.refresh_from_db()
    assert link.open_count == 2
    assert abs(link.last_opened_at - timezone.now()) < dt.timedelta(seconds=5)
    # Files opened from the page are no further opening; nothing else changes.
    client.get(services.file_url(services.token_for(link), draft.attachments.get().pk))
    link.refresh_from_db()
    assert link.open_count == 2
    draft.refresh_from_db()
    assert draft.status == Publication.Status.DRAFT


@pytest.mark.clock
def test_a_link_expires_at_the_time_the_editor_set(client, editor, draft, clock):
    link = link_to(draft, editor, days=1)
    url = services.url_for(link)
    assert client.get(url).status_code == 200
    clock.move_to(link.expires_at - dt.timedelta(seconds=30))
    assert client.get(url).status_code == 200
    clock.move_to(link.expires_at + dt.timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 404
    assert "This preview link does not work" in text(response)
    assert BANNER not in text(response)
    assert response["Cache-Control"] == "private, no-store"


def test_revoking_in_the_admin_stops_the_link_at_once(editor_client, editor, draft):
    client = Client()
    link = link_to(draft, editor)
    url = services.url_for(link)
    file_url = services.file_url(services.token_for(link), draft.attachments.get().pk)
    assert client.get(url).status_code == 200
    assert client.get(file_url).status_code == 200
    revoke = reverse("admin:publications_publication_preview_revoke", args=[draft.pk, link.pk])
    assert editor_client.get(revoke).status_code == 405
    assert editor_client.post(revoke).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == editor
    assert client.get(url).status_code == 404
    assert client.get(file_url).status_code == 404
    page = text(editor_client.get(change_url(draft)))
    assert "Revoked" in page


def test_a_link_of_another_publication_cannot_be_revoked_through_this_one(
    editor_client, editor, draft
):
    other = make_publication(status=Publication.Status.DRAFT, published_at=None)
    link = link_to(other, editor)
    revoke = reverse("admin:publications_publication_preview_revoke", args=[draft.pk, link.pk])
    assert editor_client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.Signer(salt="another.salt").sign_object([1, "x"]),
        signing.Signer(salt=services.SALT).sign_object("1"),
        signing.Signer(salt=services.SALT).sign_object([1, 2]),
        signing.Signer(salt=services.SALT).sign_object([1]),
        "%00",
    ],
)
def test_forged_or_broken_tokens_open_nothing(client, editor, draft, token):
    link_to(draft, editor)
    response = client.get(f"/preview/{token}/")
    assert response.status_code == 404


def test_a_deleted_link_whose_id_is_reused_opens_nothing(client, editor, draft):
    link = link_to(draft, editor)
    token = services.token_for(link)
    pk = link.pk
    link.delete()
    PreviewLink.objects.create(
        pk=pk, publication=draft, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    assert client.get(f"/preview/{token}/").status_code == 404


def test_the_pdf_and_banner_are_reached_through_the_token_only(client, editor, draft, settings):
    draft.banner_image = png_upload(size=(1200, 600))
    draft.save()
    refresh_banner_renditions(draft)
    attachment = draft.attachments.get()
    link = link_to(draft, editor)
    token = services.token_for(link)
    page = text(client.get(services.url_for(link)))
    pdf = services.file_url(token, attachment.pk)
    assert pdf in page
    response = client.get(pdf)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert text(response).startswith("%PDF")
    assert services.banner_url(token) in page
    assert services.banner_url(token, 480) in page
    assert client.get(services.banner_url(token)).status_code == 200
    rendition = client.get(services.banner_url(token, 480))
    assert rendition.status_code == 200 and rendition["Content-Type"] == "image/webp"
    assert client.get(services.banner_url(token, 123)).status_code == 404
    # Their public addresses answer nothing before go-live.
    for name in [attachment.file.name, draft.banner_image.name]:
        assert client.get(settings.MEDIA_URL + name).status_code == 404
    # Another publication's file is not reached with this token.
    other = make_attachment(make_publication())
    assert client.get(services.file_url(token, other.pk)).status_code == 404


def test_a_proposal_link_shows_the_proposed_state(client, editor):
    published = make_publication(title="Published title", days_ago=3)
    versions = [v.replace("Published title", "Proposed title") for v in capture(published)]
    desk.propose(publication=published, user=editor, versions=versions)
    with pytest.raises(Exception):  # noqa: B017 - a public publication alone has nothing
        link_to(make_publication(), editor)
    link = link_to(published, editor, with_proposal=True)
    assert link.proposal is not None
    page = text(client.get(services.url_for(link)))
    assert "Proposed title" in page and BANNER in page
    assert "Published title" in text(client.get(published.get_absolute_url()))
    # Once the proposal is decided, the link opens nothing.
    link.proposal.state = link.proposal.State.APPROVED
    link.proposal.save()
    assert client.get(services.url_for(link)).status_code == 404


def test_a_link_to_a_publication_published_since_leads_to_its_page(client, editor, draft):
    link = link_to(draft, editor)
    Publication.objects.filter(pk=draft.pk).update(
        status=Publication.Status.PUBLISHED, published_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(services.url_for(link))
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_preview_and_the_admin_panel_speak_both_languages(
    editor_client, editor, draft, language
):
    Publication.objects.filter(pk=draft.pk).update(language=language)
    link = link_to(Publication.objects.get(pk=draft.pk), editor)
    url = services.url_for(link)
    with translation.override(language):
        expected = [gettext(BANNER), gettext("This preview link does not work")]
        panel = gettext("Preview links")
    assert url.startswith("/ru/preview/" if language == "ru" else "/preview/")
    assert expected[0] in text(Client().get(url))
    admin = text(editor_client.get(change_url(draft), headers={"Accept-Language": language}))
    assert panel in admin
    services.revoke(link=link, user=editor)
    assert expected[1] in text(Client().get(url))
    if language == "ru":
        assert expected[0] != BANNER and panel != "Preview links"


@pytest.mark.parametrize("authors", [1, 4])
def test_the_page_fetches_in_a_fixed_number_of_queries(
    client, editor, authors, django_assert_num_queries
):
    draft = make_publication(
        status=Publication.Status.DRAFT,
        published_at=None,
        authors=[make_person() for _ in range(authors)],
        topics=[make_topic(), make_topic()],
    )
    for _ in range(authors):
        make_attachment(draft)
    url = services.url_for(link_to(draft, editor))
    client.get(url)  # the site's chrome, cached per content version
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200
