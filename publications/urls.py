from django.urls import path

from dialogue_portal.core.pagecache import NO_QUERY, anonymous_page_cache
from publications import feeds, views
from publications.counting import counts_views

app_name = "publications"

urlpatterns = [
    path("publications/", views.PublicationListView.as_view(), name="list"),
    path(
        "publications/<slug:slug>/",
        counts_views(views.PublicationDetailView.as_view()),
        name="detail",
    ),
    path("publications/<slug:slug>/rating/", views.rating_widget, name="rating"),
    path("publications/<slug:slug>/rate/", views.rate, name="rate"),
    path(
        "publications/<slug:slug>/rate/challenge/",
        views.rating_challenge,
        name="rating-challenge",
    ),
    path("publications/<slug:slug>/cite.bib", views.cite_bibtex, name="cite-bib"),
    path("publications/<slug:slug>/cite.ris", views.cite_ris, name="cite-ris"),
    path(
        "publications/<slug:slug>/files/<int:pk>/",
        views.download_attachment,
        name="download",
    ),
    path("topics/", views.BrowseView.as_view(), name="topics"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("regions/<slug:slug>/", views.RegionView.as_view(), name="region"),
    path("projects/<slug:slug>/", views.ProjectView.as_view(), name="project"),
    path("programmes/<slug:slug>/", views.ProgrammeView.as_view(), name="programme"),
    path("audiences/<slug:slug>/", views.AudienceView.as_view(), name="audience"),
    path(
        "feeds/latest.rss",
        anonymous_page_cache(feeds.LatestRssFeed(), query=NO_QUERY),
        name="feed-rss",
    ),
    path(
        "feeds/latest.atom",
        anonymous_page_cache(feeds.LatestAtomFeed(), query=NO_QUERY),
        name="feed-atom",
    ),
    path(
        "feeds/topics/<slug:slug>.rss",
        anonymous_page_cache(feeds.TopicFeed(), query=NO_QUERY),
        name="feed-topic",
    ),
    path(
        "feeds/people/<slug:slug>.rss",
        anonymous_page_cache(feeds.PersonFeed(), query=NO_QUERY),
        name="feed-person",
    ),
    path(
        "feeds/projects/<slug:slug>.rss",
        anonymous_page_cache(feeds.ProjectFeed(), query=NO_QUERY),
        name="feed-project",
    ),
]
