import itertools

import pytest

from dialogue_portal.pages.models import Page

_numbers = itertools.count(1)


@pytest.fixture
def make_page():
    def make(**fields):
        n = next(_numbers)
        fields.setdefault("title", f"Page {n}")
        fields.setdefault("slug", f"page-{n}")
        fields.setdefault("body", f"<p>Text of page {n}.</p>")
        fields.setdefault("is_published", True)
        return Page.objects.create(**fields)

    return make
