from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_safe

from dialogue_portal.context_processors import language_links
from dialogue_portal.core.pagecache import anonymous_page_cache
from dialogue_portal.pages.models import Page


def _in_language(versions, language):
    """The version written in ``language``; else the original (or any) version."""
    by_language = {page.language: page for page in versions}
    if language in by_language:
        return by_language[language]
    originals = [page for page in versions if page.translation_of_id is None]
    return (originals or versions)[0] if versions else None


def _render(request, page, versions):
    """A page with hreflang alternates and a language switcher that lead to the version
    written in each language (that version's address under its language's prefix)."""
    overrides = {}
    for version in versions:
        if version.is_published or version.pk == page.pk:
            with translation.override(version.language):
                overrides[version.language] = version.get_absolute_url()
    context = {
        "page": page,
        "language_alternates": language_links(request, overrides),
        "other_language": page.language != translation.get_language(),
    }
    return render(request, "pages/page_detail.html", context)


@require_safe
@anonymous_page_cache
def site_page(request, role):
    """About, Support our research, Contact: one query for every language's version."""
    versions = list(Page.objects.visible_to(request.user).filter(role=role).order_by("pk"))
    page = _in_language(versions, translation.get_language())
    if page is None:
        raise Http404
    return _render(request, page, versions)


@require_safe
@anonymous_page_cache
def audience_page(request, slug):
    """An audience's introduction; without one, the audience's publications."""
    versions = list(
        Page.objects.visible_to(request.user)
        .filter(role=Page.Role.AUDIENCE, audience__slug=slug)
        .select_related("audience")
        .order_by("pk")
    )
    page = _in_language(versions, translation.get_language())
    if page is None:
        return redirect("publications:audience", slug=slug)
    return _render(request, page, versions)


@require_safe
@anonymous_page_cache
def page_detail(request, slug):
    """Any other page, by its slug, with its other-language versions in the same query."""
    versions = list(
        Page.objects.visible_to(request.user)
        .filter(role=Page.Role.PAGE)
        .filter(Q(slug=slug) | Q(translation_of__slug=slug) | Q(translations__slug=slug))
        .distinct()
        .order_by("pk")
    )
    page = _in_language(
        [version for version in versions if version.slug == slug], translation.get_language()
    )
    if page is None:
        raise Http404
    return _render(request, page, versions)
