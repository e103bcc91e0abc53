"""Old addresses answer where the site has no page: a 301 (or 302) to the new address, or
410 Gone. Only a 404 asks (normal pages never query for redirects), with one query on
the unique index of the stored addresses; a live page always wins over a redirect."""

from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.encoding import iri_to_uri

from dialogue_portal.core.middleware import GetResponse
from dialogue_portal.redirects.models import Redirect
from dialogue_portal.redirects.paths import is_url, lookup_keys, split_language
from dialogue_portal.redirects.services import rebase


class Found(NamedTuple):
    redirect: Redirect | None
    rest: str  # what followed the redirect's address in the request's path ("/cite.bib")


def find(path: str, query: str) -> Found:
    """(the redirect for a request, what followed its address) or (None, "")."""
    exact, parents = lookup_keys(path, query)
    if any("\x00" in key for key in (*exact, *parents)):
        return Found(None, "")  # no address holds NUL (and PostgreSQL refuses to compare one)
    rows = {row.old_path: row for row in Redirect.objects.matching(path, query)}
    for key in exact:
        if key in rows:
            return Found(rows[key], "")
    for parent in parents:
        if parent in rows:
            return Found(rows[parent], exact[-1][len(parent) :])
    return Found(None, "")


def location(request: HttpRequest, redirect: Redirect, rest: str) -> str:
    target = rebase(redirect.target, rest)
    if rest and request.path.endswith("/") and not target.partition("?")[0].endswith("/"):
        path, mark, query = target.partition("?")
        target = f"{path}/{mark}{query}"
    query = request.META.get("QUERY_STRING", "")
    if query and "?" not in redirect.old_path and "?" not in target:
        target = f"{target}?{query}"
    prefix = split_language(request.path_info)[0]
    if prefix and not is_url(target):
        try:  # a page of the Russian site, if the target is one (not /admin/, /api/, ...)
            resolve(urlsplit(prefix + target).path)
            target = prefix + target
        except Resolver404:
            pass
    return iri_to_uri(target)


class OldAddressesMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        redirect, rest = find(request.path_info, request.META.get("QUERY_STRING", ""))
        if redirect is None:
            return response
        if redirect.is_gone:
            answer: HttpResponse = render(request, "redirects/gone.html", status=410)
        elif redirect.status == Redirect.Status.FOUND:
            answer = HttpResponseRedirect(location(request, redirect, rest))
        else:
            answer = HttpResponsePermanentRedirect(location(request, redirect, rest))
        # Browsers keep a 301 for ever unless told: no longer than a cached page, so an
        # address taken by new content reaches its readers within the same bound.
        patch_cache_control(answer, public=True, max_age=settings.PAGE_CACHE_SECONDS)
        return answer
