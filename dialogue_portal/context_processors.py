from django.conf import settings
from django.urls import translate_url
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language_info

from dialogue_portal.core.links import site_path


def language_links(request, overrides=None):
    """This page in each language: ``url`` for the switcher (query string kept) and
    ``href`` for hreflang alternates (the path only, like the canonical link).

    A view whose page exists under another address in another language (a publication
    with a translated version) passes ``overrides``, {language code: path}, and puts the
    result in its context as ``language_alternates``, which shadows the default here.
    """
    overrides = overrides or {}
    path = site_path(request.path)
    query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    links = []
    for code, _name in settings.LANGUAGES:
        if code in overrides:
            href = overrides[code]
            url = href
        else:
            href = translate_url(path, code)
            url = f"{href}?{query}" if query else href
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "href": href,
            }
        )
    return links


def site(request):
    """Site name and URL, this page's path on the site (for its canonical link), and the links
    of the language switcher: this page in each language."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "site_path": site_path(request.path),
        "language_alternates": language_links(request),
    }
