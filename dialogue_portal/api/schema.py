"""The list page's filters as the schema describes them: terms, authors and institutions
are named by slug (strings), which drf-spectacular cannot tell from the filters alone (their
choices come from the cached term lists, their lookups from filter methods)."""

import copy

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes

SLUG_FILTERS = {"topic", "region", "project", "programme", "audience", "author", "institution"}


class PublicationFilterExtension(DjangoFilterExtension):
    target_class = "dialogue_portal.api.views.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if field_name in SLUG_FILTERS:
            filter_field = copy.copy(filter_field)
            set_override(filter_field, "field", OpenApiTypes.STR)
        return super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
