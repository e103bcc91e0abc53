"""Readers as separate browsers against a live server: each with its own cookie jar,
a CSRF token from the form page it was shown, and htmx-style POSTs."""

import re
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener


def reader_session(form_page_url):
    """A new reader: fetch the page with the form (CSRF cookie and token)."""
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    with opener.open(form_page_url, timeout=30) as response:
        html = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return opener, token


def post_form(opener, url, data, token, referer):
    """POST as the reader; the status code, whatever it is."""
    body = urlencode({**data, "csrfmiddlewaretoken": token}).encode()
    request = Request(url, data=body, headers={"Referer": referer, "HX-Request": "true"})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except HTTPError as error:
        return error.code
