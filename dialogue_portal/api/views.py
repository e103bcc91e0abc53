"""The read-only JSON API: what the public pages show, as data.

Every list and detail reads the same querysets as the pages (``published()``,
``public()``), so drafts and scheduled work stay out. Answers carry ``Cache-Control``;
the site's ConditionalGetMiddleware adds the ETag and answers ``If-None-Match`` with 304.
Junk parameters get 400 with the reasons as JSON."""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from dialogue_portal.api import serializers
from dialogue_portal.api.pagination import KeysetCursorPagination
from people.models import Affiliation, Institution
from polls.models import Poll
from publications.filters import PublicationFilter
from publications.models import Audience, Project, Publication, Region, Topic


class StrictFilterBackend(DjangoFilterBackend):
    """PublicationFilter, exactly as the list page uses it; a parameter it does not know is
    an error here (the page ignores it), so a typo does not silently return everything."""

    def filter_queryset(self, request, queryset, view):
        known = set(view.filterset_class.base_filters) | set(view.paginator_params)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {name: [_("Unknown parameter.")] for name in unknown},
            )
        return super().filter_queryset(request, queryset, view)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    pagination_class = KeysetCursorPagination
    paginator_params = ("cursor", "page_size")
    filter_backends = [StrictFilterBackend]
    filterset_class = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
        else:
            patch_cache_control(response, no_store=True)
        return response

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        if self.filterset_class is None:
            unknown = sorted(set(self.request.query_params) - set(self.paginator_params))
            if unknown:
                raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
            return queryset
        return super().filter_queryset(queryset)


class PublicationViewSet(ReadOnlyViewSet):
    """Published publications. The list takes the publication list page's filters and
    sorts (`kind`, `topic`, `region`, `project`, `programme`, `audience`, `language`,
    `author`, `institution`, `date_from`, `date_to`, `q`, `sort`), each repeatable where
    the page's are."""

    filterset_class = PublicationFilter

    def get_queryset(self):
        publications = Publication.objects.published()
        if self.action == "list":
            return publications.for_listing()
        return publications.for_detail().prefetch_related("topics", "regions", "audiences")

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.PublicationSerializer
        return serializers.PublicationDetailSerializer


class PersonViewSet(ReadOnlyViewSet):
    """People with a published publication (as /people/ has them): nobody else is listed or
    has an entry."""

    serializer_class = serializers.PersonSerializer

    def get_queryset(self):
        return (
            Publication.objects.published()
            .authors()
            .prefetch_related(
                Prefetch("affiliations", queryset=Affiliation.objects.select_related("institution"))
            )
            .order_by("family_name", "given_name", "pk")
        )


class InstitutionViewSet(ReadOnlyViewSet):
    serializer_class = serializers.InstitutionSerializer
    queryset = Institution.objects.order_by("name", "pk")


class TermViewSet(ReadOnlyViewSet):
    serializer_class = serializers.TopicSerializer
    model = Topic

    def get_queryset(self):
        return self.model.objects.order_by("name", "pk")


class TopicViewSet(TermViewSet):
    model = Topic


class RegionViewSet(TermViewSet):
    model = Region


class AudienceViewSet(TermViewSet):
    model = Audience


class ProjectViewSet(ReadOnlyViewSet):
    serializer_class = serializers.ProjectSerializer

    def get_queryset(self):
        return Project.objects.prefetch_related("institutions").order_by("name", "pk")


class PollViewSet(ReadOnlyViewSet):
    """Polls that have opened; results where the poll's page shows them to everyone."""

    serializer_class = serializers.PollSerializer

    def get_queryset(self):
        return Poll.objects.public().with_choices().order_by("-opens_at", "-pk")


class DocsView(TemplateView):
    """Swagger UI on the site's own static files, under the site's strict policy."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"schema_url": reverse("api:schema")}
