"""reverse_slug gives exactly what reverse() gives, in every language and prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from dialogue_portal.core.urlcache import reverse_slug

VIEWS = ["publications:detail", "publications:topic", "people:detail", "polls:detail"]


@pytest.mark.parametrize("viewname", VIEWS)
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("slug", ["talking-to-russia", "gen-536_x", "Part-2"])
def test_same_as_reverse(viewname, language, slug):
    with translation.override(language):
        assert reverse_slug(viewname, slug) == reverse(viewname, kwargs={"slug": slug})


@pytest.mark.parametrize("slug", ["доклад", "a b", "", "x/../y"])
def test_what_the_route_refuses_is_refused_alike(slug):
    with pytest.raises(NoReverseMatch):
        reverse_slug("publications:detail", slug)


def test_follows_the_script_prefix():
    try:
        set_script_prefix("/portal/")
        assert reverse_slug("publications:detail", "x") == "/portal/publications/x/"
    finally:
        set_script_prefix("/")
    assert reverse_slug("publications:detail", "x") == "/publications/x/"
