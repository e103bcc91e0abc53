"""Embargo: until its go-live time a scheduled publication appears nowhere a reader,
a harvester or a subscriber can reach, and from then on everywhere, within the cache
bounds docs/caching.md states (the page cache's minute, the search and neighbourhood
caches' five minutes): the clock moves past go-live by more than the longest of them,
and no cache is cleared by hand.

Crossing go-live is marked ``clock``: it runs under every moment of tests/clock.py, as the
two hours to go-live cross midnight in London or Moscow there, and a clock change. The
tests of who may fetch a file are not: which files are withheld follows from the rows
that name them and from the publication's status, never from the date or the hour."""

import datetime as dt
import json

import pytest
import reversion
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from dialogue_portal.desk import services as desk
from dialogue_portal.desk.history import capture
from dialogue_portal.newsletter import sending
from dialogue_portal.oai.services import refresh_records
from publications.models import Publication
from publications.renditions import refresh_banner_renditions
from publications.search import refresh_search_vector
from tests.desk.helpers import change_form, change_url, post_form
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_project,
    make_publication,
    make_region,
    make_topic,
    pdf_upload,
    png_upload,
)
from tests.newsletter.conftest import make_subscriber, smtp, smtp_server  # noqa: F401
from tests.sitemaps import page_holding

pytestmark = pytest.mark.django_db

TITLE = "Zanzibar embargo study"
SLUG = "zanzibar-embargo-study"
# Longer than every bound a cache keeps a page or a list for (docs/caching.md).
CACHE_BOUND = dt.timedelta(minutes=10)


def body(response):
    content = b"".join(response) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.fixture
def world(settings):
    settings.PAGE_CACHE_SECONDS = 60
    institution = make_institution(slug="rusi")
    author = make_person(institution=institution, slug="shared-author", family_name="Shared")
    topic, region = make_topic(slug="arms-control"), make_region(slug="europe")
    project = make_project(slug="dialogue")
    public = make_publication(
        title="Public report",
        slug="public-report",
        authors=[author],
        topics=[topic],
        regions=[region],
        project=project,
        project_part=1,
        days_ago=5,
    )
    go_live = timezone.now() + dt.timedelta(hours=2)
    scheduled = make_publication(
        title=TITLE,
        slug=SLUG,
        summary="Zanzibar summary words",
        authors=[author],
        topics=[topic],
        regions=[region],
        project=project,
        project_part=2,
        status=Publication.Status.PUBLISHED,
        published_at=go_live,
    )
    scheduled.banner_image = png_upload(size=(1200, 600))
    scheduled.save()
    # As the admin does after a save (the instance's save wrote its empty vector back).
    refresh_search_vector(scheduled)
    refresh_banner_renditions(scheduled)
    make_attachment(scheduled)
    # The most read list would put it first (reader figures).
    Publication.objects.filter(pk=scheduled.pk).update(view_count=10_000)
    refresh_records([public.pk, scheduled.pk], now=timezone.now())
    return {
        "public": public,
        "scheduled": Publication.objects.get(pk=scheduled.pk),
        "author": author,
        "institution": institution,
        "topic": topic,
        "region": region,
        "project": project,
        "go_live": go_live,
    }


def surfaces(world):
    """Every place a reader, a harvester or a machine finds publications: the URL and
    what of the scheduled publication would show there."""
    topic, author, project = world["topic"], world["author"], world["project"]
    marks = (TITLE, SLUG)
    urls = [
        "/",  # latest, featured, most read
        "/publications/",
        f"/publications/?topic={topic.slug}",
        "/publications/?q=Zanzibar",
        "/search/?q=Zanzibar",
        world["public"].get_absolute_url(),  # related work and the project's parts
        author.get_absolute_url(),
        world["institution"].get_absolute_url(),
        topic.get_absolute_url(),
        world["region"].get_absolute_url(),
        project.get_absolute_url(),
        "/feeds/latest.rss",
        "/feeds/latest.atom",
        f"/feeds/topics/{topic.slug}.rss",
        f"/feeds/people/{author.slug}.rss",
        f"/feeds/projects/{project.slug}.rss",
        page_holding("publications", world["scheduled"].pk),
        "/api/publications/",
        f"/api/publications/?topic={topic.slug}",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
    ]
    urls += ["/ru" + url for url in urls if url.startswith(("/publications", "/search"))]
    found = [(url, marks) for url in urls]
    # A harvester's list of identifiers names the record, not the title.
    identifier = f"publication/{world['scheduled'].pk}</identifier>"
    found.append(("/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc", (identifier,)))
    return found


def own_addresses(world):
    scheduled = world["scheduled"]
    attachment = scheduled.attachments.get()
    renditions = scheduled.banner_renditions["sizes"]
    return [
        scheduled.get_absolute_url(),
        "/ru" + scheduled.get_absolute_url(),
        reverse("publications:cite-bib", args=[SLUG]),
        attachment.get_absolute_url(),
        f"/api/publications/{SLUG}/",
        django_settings.MEDIA_URL + attachment.file.name,
        django_settings.MEDIA_URL + scheduled.banner_image.name,
        *(django_settings.MEDIA_URL + size["name"] for size in renditions),
    ]


def newsletter_titles(inbox):
    sending.Sender().run()
    return [part for message in inbox.messages for part in [message["Subject"], str(message)]]


@pytest.mark.slow
@pytest.mark.clock
def test_a_scheduled_publication_appears_nowhere_before_go_live_and_everywhere_after(
    client,
    world,
    clock,
    smtp,  # noqa: F811
):
    make_subscriber("each@example.org", frequency="each")
    for url, marks in surfaces(world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for mark in marks:
            assert mark not in text, f"{url} shows {mark} before go-live"
    for url in own_addresses(world):
        assert client.get(url).status_code == 404, url
    assert not any(TITLE in text for text in newsletter_titles(smtp))

    clock.move_to(world["go_live"] + CACHE_BOUND)

    missing = []
    for url, marks in surfaces(world):
        response = client.get(url)
        assert response.status_code == 200, url
        if not any(mark in body(response) for mark in marks):
            missing.append(url)
    assert not missing, f"not shown after go-live: {missing}"
    for url in own_addresses(world):
        response = client.get(url)
        assert response.status_code == 200, url
    assert any(TITLE in text for text in newsletter_titles(smtp))


@pytest.mark.clock
def test_the_api_detail_and_oai_record_follow_go_live(client, world, clock):
    detail = f"/api/publications/{SLUG}/"
    assert client.get(detail).status_code == 404
    clock.move_to(world["go_live"] + CACHE_BOUND)
    data = json.loads(body(client.get(detail)))
    assert data["title"] == TITLE


def test_a_file_of_a_draft_is_not_served_at_its_public_address(client, editor, settings):
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    attachment = make_attachment(draft)
    url = settings.MEDIA_URL + attachment.file.name
    response = client.get(url)
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    # No spelling of the name escapes the check.
    folder, name = attachment.file.name.rsplit("/", 1)
    for spelling in [f"{folder}/./{name}", f"{folder}/../{folder.rsplit('/', 1)[1]}/{name}"]:
        assert client.get(settings.MEDIA_URL + spelling).status_code == 404, spelling
    # Its editor sees it, privately.
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_live_publications_files_and_other_uploads_are_served(client, settings):
    public = make_publication()
    attachment = make_attachment(public)
    response = client.get(settings.MEDIA_URL + attachment.file.name)
    assert response.status_code == 200
    assert response["Cache-Control"] == f"public, max-age={settings.MEDIA_CACHE_SECONDS}"
    person = make_person()
    person.photo = png_upload()
    person.save()
    assert client.get(settings.MEDIA_URL + person.photo.name).status_code == 200


def test_the_web_server_sends_the_file_when_told_to(client, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    attachment = make_attachment(make_publication())
    response = client.get(settings.MEDIA_URL + attachment.file.name)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + attachment.file.name
    assert response.content == b""
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    hidden = make_attachment(draft)
    response = client.get(settings.MEDIA_URL + hidden.file.name)
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    assert client.get(settings.MEDIA_URL + "files/none/such.pdf").status_code == 404


def test_a_file_only_a_proposal_in_review_names_is_withheld(client, editor, settings):
    live = make_publication(title="Live report")
    name = default_storage.save("files/2026/11/proposedfile1/new.pdf", ContentFile(b"%PDF-1.4"))
    url = settings.MEDIA_URL + name
    assert client.get(url).status_code == 200  # nobody's file yet
    versions = [
        *capture(live),
        json.dumps(
            [
                {
                    "model": "publications.attachment",
                    "pk": 999_999,
                    "fields": {"publication": live.pk, "file": name, "title": "New"},
                }
            ]
        ),
    ]
    proposal = desk.propose(publication=live, user=editor, versions=versions)
    assert client.get(url).status_code == 404
    proposal.state = proposal.State.APPROVED
    proposal.save()
    assert client.get(url).status_code == 200


def restore(client, publication, version):
    """Restore ``version`` of ``publication`` through the history's restore page."""
    url = reverse("admin:publications_publication_revision", args=[publication.pk, version.pk])
    return post_form(client, url, {})


def test_a_replaced_pdf_is_withheld_until_a_restore_names_it_again(
    client, reviewer_client, settings
):
    live = make_publication(title="Live report")
    attachment = make_attachment(live)
    with reversion.create_revision():
        reversion.add_to_revision(live)  # the state before the edit, its attachment with it
    first = Version.objects.get_for_object(live).first()
    old = settings.MEDIA_URL + attachment.file.name
    assert client.get(old).status_code == 200

    replace = {"replace": {attachment.pk: pdf_upload("revised.pdf")}}
    url = change_url(live)
    assert post_form(reviewer_client, url, change_form(live, files=replace)).status_code == 302
    attachment.refresh_from_db()
    new = settings.MEDIA_URL + attachment.file.name
    assert new != old
    assert default_storage.exists(old.removeprefix(settings.MEDIA_URL))  # kept for restores
    assert client.get(new).status_code == 200
    withheld = client.get(old)
    assert withheld.status_code == 404
    assert withheld["Cache-Control"] == "no-store"
    staff = reviewer_client.get(old)
    assert staff.status_code == 200
    assert staff["Cache-Control"] == "private, no-store"

    assert restore(reviewer_client, live, first).status_code == 302
    assert client.get(old).status_code == 200
    assert client.get(new).status_code == 404  # the replacement is the old file now


@pytest.mark.slow
def test_a_replaced_banner_and_its_renditions_are_withheld(client, reviewer_client, settings):
    live = make_publication(title="Live report", banner_image=png_upload(size=(1600, 800)))
    refresh_banner_renditions(live)
    with reversion.create_revision():
        reversion.add_to_revision(live)
    banner = live.banner_image.name
    renditions = [n for n in default_storage.listdir(banner.rsplit("/", 1)[0])[1] if "w.webp" in n]
    assert renditions
    rendition = banner.rsplit("/", 1)[0] + "/" + renditions[0]
    assert client.get(settings.MEDIA_URL + rendition).status_code == 200

    data = change_form(live, banner_image=png_upload("new.png"))
    assert post_form(reviewer_client, change_url(live), data).status_code == 302
    live.refresh_from_db()
    assert live.banner_image.name != banner
    for name in (banner, rendition):
        assert client.get(settings.MEDIA_URL + name).status_code == 404, name
        assert reviewer_client.get(settings.MEDIA_URL + name).status_code == 200, name
    # A person's photo, never a publication's, is served as before.
    person = make_person()
    person.photo = png_upload()
    person.save()
    assert client.get(settings.MEDIA_URL + person.photo.name).status_code == 200
