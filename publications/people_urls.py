from django.urls import path

from publications import people_views as views

app_name = "people"

urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="detail"),
    path("institutions/<slug:slug>/", views.InstitutionDetailView.as_view(), name="institution"),
]
