"""Every admin URL that writes, walked as an editor and as a reviewer.

The URLs come from the URLconf, not from a list kept by hand: each one under ``admin/`` must
be classified below, so a new writing URL cannot go unwalked. An editor's POST, whatever the
URL, must leave what readers see as it was (a change to a live publication is a proposal);
a reviewer's may publish, but never without a recorded decision.
"""

import datetime as dt

import pytest
import reversion
from django.contrib import admin
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from reversion.models import Version

from dialogue_portal.desk.conflicts import LOADED
from dialogue_portal.desk.models import Decision
from dialogue_portal.previews.models import PreviewLink
from publications.models import Publication
from tests.archive.test_admin import confirm_url, job_of, zip_upload
from tests.archive.test_import import manifest, record
from tests.desk.helpers import change_form
from tests.factories import make_person, make_publication
from tests.publications.test_admin import publication_form

pytestmark = pytest.mark.django_db

# What a ModelAdmin's URL does, by the end of its name ("publications_publication_<end>").
# Each is walked with the POSTs ``posts`` builds for it.
MODEL_URLS = {
    "changelist",  # the list's actions
    "add",
    "change",
    "delete",
    "history",
    "recover",  # django-reversion
    "recoverlist",  # django-reversion
    "revision",  # django-reversion; the desk's restore for publications
    "compare",  # the desk: read only
    "review",  # the desk: approve, send back
    "preview",  # a newsletter issue as sent: read only
    "import",  # redirects from a CSV
    "export",  # read only
    "password_change",  # a user's password: no publication
    "bursts",  # voiding bursts of votes and ratings: no publication's content
    "preview_add",  # a preview link: shows, publishes nothing
    "preview_revoke",  # a preview link revoked
    "presence",  # the desk: who has a change form open (the cache only)
    "reset_second_factor",  # a user's second factor (superusers only): no publication
}
# The site's own URLs and the apps' admin pages.
SITE_URLS = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",  # one's own password
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
    "archive:import",  # walked with an archive
    "archive:job",  # an import's page: read only
    "archive:confirm",  # walked with an archive
    "archive:export",
    "staff:preferences",  # the user's own language
    "staff:figures",
    "staff:figures-csv",
    # Signing in with a second factor, one's own factors and sessions, the password reset.
    "twofactor:manage",
    "twofactor:verify",
    "twofactor:setup",
    "twofactor:recovery-codes",
    "twofactor:remove",
    "twofactor:logout-everywhere",  # ends the walker's session: not walked, like logout
    "twofactor:password_change",  # one's own password (in place of the admin's)
    "twofactor:password_reset_done",
    "twofactor:password_reset_confirm",
    "twofactor:password_reset_complete",
    "admin_password_reset",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
# URLs that end the walker's own session.
SESSION_ENDING = {"admin:logout", "twofactor:logout-everywhere"}
# Unnamed: Django's redirect from an object's old URL to its change page, and the catch-all.
UNNAMED_ROUTES = ("<path:object_id>/", "(?P<url>.*)$")
# The publication list's actions the walk posts; a new one must be added here.
PUBLICATION_ACTIONS = {"publish", "unpublish", "delete_selected"}


def admin_urls(patterns=None, prefix="", namespace=""):
    """(route, namespaced name) of every URL the URLconf serves under admin/."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from admin_urls(pattern.url_patterns, route, inner)
        elif route.startswith("admin/"):
            name = pattern.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield route, name


def model_url(name):
    """(model, end of name) for a ModelAdmin's URL name, else None."""
    if not name.startswith("admin:"):
        return None
    for model in admin.site._registry:
        start = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(start):
            return model, name.removeprefix(start)
    return None


def test_every_admin_url_is_classified():
    unclassified = []
    for route, name in admin_urls():
        if not name:
            if not route.endswith(UNNAMED_ROUTES):
                unclassified.append(route)
            continue
        found = model_url(name)
        known = name in SITE_URLS if found is None else found[1] in MODEL_URLS
        if not known:
            unclassified.append(name)
    assert not unclassified, "walk these in posts() and classify them above"


def test_every_action_of_the_publication_list_is_walked(reviewer):
    request = RequestFactory().get("/")
    request.user = reviewer
    actions = admin.site._registry[Publication].get_actions(request)
    assert set(actions) <= PUBLICATION_ACTIONS


@pytest.fixture
def world():
    """A live publication with an older revision, a draft in review, a deleted live one."""
    author = make_person(slug="ann-lee")
    live = make_publication(slug="live", title="Old title", authors=[author])
    with reversion.create_revision():
        reversion.add_to_revision(live)
    old_version = Version.objects.get_for_object(live).get()
    live.title = "Live title"
    live.save()
    with reversion.create_revision():
        reversion.add_to_revision(live)
    draft = make_publication(
        slug="draft", title="Draft", status=Publication.Status.REVIEW, published_at=None
    )
    with reversion.create_revision():
        reversion.add_to_revision(draft)
    gone = make_publication(slug="gone", title="Taken down")
    with reversion.create_revision():
        reversion.add_to_revision(gone)
    gone_pk = gone.pk
    gone.delete()
    deleted = Version.objects.get_deleted(Publication).get(object_id=str(gone_pk))
    return {"live": live, "draft": draft, "old": old_version, "deleted": deleted}


def publish(data):
    data.update(status="published", published_at_0="2026-01-01", published_at_1="10:00:00")
    return data


def published_form(**fields):
    data = publication_form(status="published", **fields)
    data.update(published_at_0="2026-01-01", published_at_1="10:00:00")
    return data


def opened(client, url, data):
    """``data`` with the state the page at ``url`` carries, as a browser that has just
    opened it sends it back (``dialogue_portal.desk.conflicts``); as is where it opens none."""
    page = client.get(url)
    token = page.context.get("desk_loaded") if page.status_code == 200 and page.context else None
    return {**data, LOADED: token} if token else data


def posts(client, model, end, world):
    """(url, data) pairs to POST to one URL; ``None`` data: a step that posts by itself."""
    live, draft = world["live"], world["draft"]
    old, deleted = world["old"], world["deleted"]
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    is_publication = model is Publication
    if end == "changelist":
        url = reverse(f"{info}_changelist")
        ids = [live.pk, draft.pk]
        return [
            (url, {"action": action, "_selected_action": ids, "post": "yes"})
            for action in sorted(PUBLICATION_ACTIONS)
        ]
    if end == "add":
        return [(reverse(f"{info}_add"), published_form() if is_publication else {})]
    if end == "change":
        url = reverse(f"{info}_change", args=[live.pk])
        if not is_publication:
            return [(url, opened(client, url, {}))]
        draft_url = reverse(f"{info}_change", args=[draft.pk])
        return [
            (url, opened(client, url, change_form(live, status=False, title="Changed at once"))),
            (url, opened(client, url, change_form(live, title="Changed at once"))),
            (draft_url, opened(client, draft_url, publish(change_form(draft)))),
        ]
    if end == "delete":
        return [(reverse(f"{info}_delete", args=[live.pk]), {"post": "yes"})]
    if end in ("history", "compare", "review"):
        url = reverse(f"{info}_{end}", args=[live.pk])
        data = [(url, {"action": "approve", "comment": ""})]
        if end == "review":
            data.append(
                (reverse(f"{info}_review", args=[draft.pk]), {"action": "approve", "comment": ""})
            )
        return data
    if end == "recover":
        data = published_form(slug="gone", title="Taken down")
        return [
            (url, opened(client, url, fields))
            for url in (reverse(f"{info}_recover", args=[v.pk]) for v in (old, deleted))
            for fields in (data, {k: v for k, v in data.items() if k != "status"})
        ]
    if end == "recoverlist":
        return [(reverse(f"{info}_recoverlist"), {})]
    if end == "revision":
        url = reverse(f"{info}_revision", args=[live.pk, old.pk])
        return [(url, opened(client, url, {}))]
    if end in ("import", "export"):
        return [(reverse(f"{info}_{end}"), {})]
    if end == "presence":
        return [(reverse(f"{info}_presence", args=[live.pk]), {})]
    if end in ("password_change", "reset_second_factor"):
        return [(reverse(f"{info}_{end}", args=[live.pk]), {})]
    if end == "preview":
        return [(reverse(f"{info}_preview", args=[1, "en"]), {})]
    if end == "bursts":
        url = reverse(f"{info}_bursts")
        return [(url, {}), (url, {"burst": ["junk"]}), (url, {"rating_burst": [f"{live.pk}:0:"]})]
    if end == "preview_add":
        expires = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        return [
            (reverse(f"{info}_preview_add", args=[pk]), {"expires_at": expires, **extra})
            for pk in (live.pk, draft.pk)
            for extra in ({}, {"with_proposal": "on"})
        ]
    if end == "preview_revoke":
        link = PreviewLink.objects.create(
            publication=draft, expires_at=timezone.now() + dt.timedelta(days=1)
        )
        return [(reverse(f"{info}_preview_revoke", args=[draft.pk, link.pk]), {})]
    raise AssertionError(f"no POST for {info}_{end}")


def site_posts(client, name, world):
    if name == "archive:import":
        archive = manifest(
            record(id="live", slug="live", title="Imported title", status="published"),
            record(id="new", slug="new", title="New", status="published"),
        )
        return [(reverse("archive:import"), {"archive": zip_upload(archive)})]
    if name == "archive:confirm":
        archive = manifest(record(id="live", slug="live", title="Imported title"))
        job = job_of(client.post(reverse("archive:import"), {"archive": zip_upload(archive)}))
        return [(confirm_url(job), {})]
    if name == "archive:job":
        job = job_of(client.post(reverse("archive:import"), {"archive": zip_upload()}))
        return [(reverse(name, args=[job.pk]), {})]
    if name == "admin:view_on_site":
        return []  # a redirect to the site, by GET
    if name == "admin:app_list":
        return [(reverse(name, args=["publications"]), {})]
    if name == "twofactor:remove":
        return [(reverse(name, args=["totp", 1]), {})]
    if name == "twofactor:password_reset_confirm":
        return [(reverse(name, args=["MQ", "set-password"]), {})]
    return [(reverse(name), {})]


def public_state():
    """What readers see of every published (or scheduled) publication."""
    return set(
        Publication.objects.filter(status=Publication.Status.PUBLISHED).values_list(
            "pk", "title", "slug", "summary", "body", "published_at"
        )
    )


def walk(client, world, check):
    walked = set()
    for _route, name in admin_urls():
        if not name or name in walked or name in SESSION_ENDING:
            continue
        walked.add(name)
        found = model_url(name)
        steps = posts(client, *found, world) if found else site_posts(client, name, world)
        for url, data in steps:
            response = client.post(url, data)
            assert response.status_code < 500, (url, response.status_code)
            check(url)
    return walked


@pytest.mark.slow
def test_an_editors_post_to_any_admin_url_changes_nothing_readers_see(editor_client, world):
    before = public_state()

    def check(url):
        assert public_state() == before, url

    walked = walk(editor_client, world, check)
    assert "admin:publications_publication_recover" in walked
    assert "archive:confirm" in walked
    assert Publication.objects.filter(slug="live", title="Live title").exists()


@pytest.mark.slow
def test_a_reviewers_post_publishes_nothing_without_a_decision(reviewer_client, world):
    before = {row[0] for row in public_state()}

    def check(url):
        newly = {row[0] for row in public_state()} - before
        decided = set(
            Decision.objects.filter(
                publication__in=newly, action=Decision.Action.APPROVED
            ).values_list("publication", flat=True)
        )
        assert newly == decided, url

    walk(reviewer_client, world, check)
