from django.urls import path

from dialogue_portal.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("form-token/", views.csrf_field, name="csrf-field"),
    path("check/", views.challenge, name="challenge"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/data.json", views.download_data, name="data"),
    path("manage/<str:token>/erase/", views.erase, name="erase"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<slug:slug>/", views.IssueView.as_view(), name="issue"),
]
