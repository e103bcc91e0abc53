from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from dialogue_portal.api import schema, views

app_name = "api"
assert schema.PublicationFilterExtension  # registered with drf-spectacular on import

router = DefaultRouter()
router.include_format_suffixes = False
router.register("publications", views.PublicationViewSet, basename="publication")
router.register("people", views.PersonViewSet, basename="person")
router.register("institutions", views.InstitutionViewSet, basename="institution")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("regions", views.RegionViewSet, basename="region")
router.register("audiences", views.AudienceViewSet, basename="audience")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("polls", views.PollViewSet, basename="poll")

urlpatterns = [
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("", include(router.urls)),
]
