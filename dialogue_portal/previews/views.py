"""The pages a preview link opens, for people without accounts.

Each answer is ``Cache-Control: private, no-store`` and ``X-Robots-Tag: noindex``: no shared
cache, browser cache or search engine keeps it, and these views are not wrapped in the page
cache (``pagecache.anonymous_page_cache``), so a revoked link stops at once. The page sends
no referrer, has no rating, poll or share widgets, and reaches the publication's files only
through addresses that carry the same token. Opening the page records when (a record for
editors, not content); files opened from it record nothing."""

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dialogue_portal.previews import services
from people.models import Institution, Person
from publications.models import Programme, Project, Publication, Region, Topic
from publications.sanitize import sanitize_html


def private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def not_found(request):
    response = render(request, "previews/gone.html", status=404)
    return private(response)


def _opened(token):
    """The link and what it shows, or None for an address that opens nothing."""
    link = services.link_from_token(token)
    if link is None:
        return None, None
    snapshot = services.snapshot_for(link)
    if snapshot is None:
        return None, None
    return link, snapshot


def _banner(token, snapshot, live):
    """The banner's address through the token, and its renditions' ``srcset``."""
    publication = snapshot.publication
    if not publication.banner_image:
        return None, ""
    url = services.banner_url(token)
    renditions = live.banner_renditions or {}
    if renditions.get("source") != publication.banner_image.name:
        return url, ""
    parts = [f"{services.banner_url(token, s['width'])} {s['width']}w" for s in renditions["sizes"]]
    if parts and publication.banner_width:
        parts.append(f"{url} {publication.banner_width}w")
    return url, ", ".join(parts)


def _in_bulk(model, ids):
    return model.objects.in_bulk([pk for pk in ids if pk is not None])


@require_GET
def page(request, token):
    link, snapshot = _opened(token)
    if link is None:
        return not_found(request)
    live = link.publication
    if link.proposal_id is None and live.is_public:
        # Published meanwhile: the public page says the same, without "preview".
        return HttpResponseRedirect(live.get_absolute_url())
    services.record_open(link)
    publication = snapshot.publication
    # The template marks the body safe: a proposal's body comes from its stored revision,
    # not through Publication.save(), so it is cleaned here as every saved body is.
    publication.body = sanitize_html(publication.body)
    people = _in_bulk(Person, [a.person_id for a in snapshot.authorships])
    institutions = _in_bulk(Institution, [a.institution_id for a in snapshot.authorships])
    authorships = []
    for authorship in snapshot.authorships:
        if authorship.person_id in people:
            authorship.person = people[authorship.person_id]
            authorship.institution = institutions.get(authorship.institution_id)
            authorships.append(authorship)
    attachments = [
        {"attachment": row, "url": services.file_url(token, row.pk)}
        for row in snapshot.attachments
        if row.file
    ]
    banner_url, banner_srcset = _banner(token, snapshot, live)
    context = {
        "link": link,
        "publication": publication,
        "proposed": link.proposal_id is not None,
        "scheduled": publication.status == Publication.Status.PUBLISHED
        and publication.published_at is not None,
        "authorships": authorships,
        "attachments": attachments,
        "topics": list(Topic.objects.filter(pk__in=snapshot.m2m.get("topics", []))),
        "regions": list(Region.objects.filter(pk__in=snapshot.m2m.get("regions", []))),
        "project": Project.objects.filter(pk=publication.project_id).first(),
        "programme": Programme.objects.filter(pk=publication.programme_id).first(),
        "banner_url": banner_url,
        "banner_srcset": banner_srcset,
    }
    return private(render(request, "previews/publication.html", context))


def _file(handle, name, content_type):
    response = FileResponse(handle, filename=name.rsplit("/", 1)[-1], content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return private(response)


def _open(field_file):
    try:
        return field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is missing.")) from None


@require_GET
def attachment(request, token, pk):
    link, snapshot = _opened(token)
    if link is None:
        return not_found(request)
    row = next((row for row in snapshot.attachments if row.pk == pk and row.file), None)
    if row is None:
        return not_found(request)
    return _file(_open(row.file), row.file.name, "application/pdf")


@require_GET
def banner(request, token, width=None):
    link, snapshot = _opened(token)
    if link is None or not snapshot.publication.banner_image:
        return not_found(request)
    image = snapshot.publication.banner_image
    name = image.name
    if width is not None:
        renditions = link.publication.banner_renditions or {}
        sizes = renditions.get("sizes", []) if renditions.get("source") == name else []
        name = next((size["name"] for size in sizes if size["width"] == width), None)
        if name is None:
            return not_found(request)
    try:
        handle = image.storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return not_found(request)
    content_type = "image/webp" if width is not None else None
    return _file(handle, name, content_type)
